import ArgumentParser
import LiaisonBroker
import LiaisonConfig
import LiaisonMetrics
import Logging
import ServiceLifecycle

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the hub's broker.",
        discussion: """
            Binds the endpoint in the hub configuration as a CURVE server, admits only the agencies listed in its \
            agencies file (by public key), stores every accepted message and audit record in data_dir before \
            acknowledging it, and delivers to each recipient until acknowledged. With metrics_listen set, serves \
            /metrics (Prometheus text format) on that loopback address. Stops cleanly on SIGTERM or SIGINT.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "liaison.broker")
        let hub = try loadHub(options.config)
        let broker = Broker(configuration: hub.configuration, agencies: hub.agencies, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: broker)]
        if let address = hub.configuration.metricsListen {
            // A failure to listen (the port is taken) stops the broker too: nothing is half running.
            services.append(.init(service: MetricsEndpoint(registry: broker.metricsRegistry, address: address, logger: logger)))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as BrokerError {
            throw UserFacingError("broker: \(error.message)")
        }
    }
}

/// The hub configuration and its agencies, loaded and checked, or an error naming file, line and key.
func loadHub(_ path: String, requireKeys: Bool = true) throws -> (configuration: HubConfiguration, agencies: AgencyDirectory) {
    do {
        let configuration = try HubConfiguration.load(path: path)
        let agencies = try AgencyDirectory.load(path: configuration.agenciesFile, requireKeys: requireKeys)
        return (configuration, agencies)
    } catch {
        throw UserFacingError("configuration error: \(error)")
    }
}
