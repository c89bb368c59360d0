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

            With --standby, a broker that finds another holding the store's lease waits, and takes over (binds, \
            serves, delivers what is queued) the moment that one stops or dies; adapters find it through \
            standby_endpoints in hub.yaml, or on the same endpoint on the same machine (docs/operations.md).
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var log: LogOptions

    @Flag(help: "Wait for the store's lease while another broker holds it, and take over when that one stops or dies.")
    var standby = false

    func run() async throws {
        let logger = log.bootstrap(label: "liaison.broker")
        var hub = try loadHub(options.config)
        hub.configuration.waitsForLease = standby
        let broker = Broker(configuration: hub.configuration, agencies: hub.agencies, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: broker)]
        if let address = hub.configuration.metricsListen {
            // A failure to listen (the port is taken) stops the broker too: nothing is half running. Served once the
            // broker runs, so that a standby on the same machine does not take the active broker's port.
            let endpoint = MetricsEndpoint(registry: broker.metricsRegistry, address: address, logger: logger)
            services.append(.init(service: AfterBrokerStarts(broker: broker, service: endpoint)))
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

/// Runs `service` once the broker is running (a standby broker: once it has taken over); ends if the broker never starts.
struct AfterBrokerStarts<Wrapped: Service>: Service {
    let broker: Broker
    let service: Wrapped

    func run() async throws {
        do { _ = try await broker.waitUntilRunning() } catch { return }
        try await service.run()
    }
}
