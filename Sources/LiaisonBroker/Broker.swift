import Foundation
import LiaisonConfig
import Logging
import Prometheus
import ServiceLifecycle
import ZeroMQ

/// The Liaison broker as a service: a CURVE-secured ROUTER with a ZAP handler, group commit to the
/// hub's store, and credit-based delivery to per-recipient durable queues.
///
/// The socket work runs on a thread of its own (`BrokerLoop`), never on Swift's cooperative pool;
/// `run()` only starts it and waits. Graceful shutdown (SIGTERM through `ServiceGroup`, or task
/// cancellation) finishes the current batch, says GOODBYE to every adapter and closes the store.
///
/// ```swift
/// let broker = Broker(configuration: configuration, agencies: agencies, logger: logger)
/// let group = ServiceGroup(services: [broker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class Broker: Service, Sendable {
    public let configuration: HubConfiguration
    public let agencies: AgencyDirectory
    let logger: Logger
    let control = BrokerControl()
    /// The broker's metrics (`liaison_…`), for a `MetricsEndpoint` (`metrics_listen` in hub.yaml) to serve.
    public var metricsRegistry: PrometheusCollectorRegistry { control.registry }

    public init(configuration: HubConfiguration, agencies: AgencyDirectory, logger: Logger) {
        self.configuration = configuration
        self.agencies = agencies
        self.logger = logger
    }

    /// Runs the broker until graceful shutdown or cancellation.
    ///
    /// - Throws: `BrokerError` if it cannot start (keys, store, ZAP or endpoint), or cannot start again after losing its
    ///   store.
    public func run() async throws {
        start()
        // A standby broker waits here for the store's lease: a stop meanwhile ends the wait, and the run, cleanly.
        do {
            _ = try await withTaskCancellationOrGracefulShutdownHandler {
                try await control.waitUntilRunning()
            } onCancelOrGracefulShutdown: {
                self.control.requestStop()
            }
        } catch let error as BrokerError where error.code == .stopped && control.isStopRequested {
            await control.waitUntilFinished()
            return
        }
        // SIGHUP reloads agencies and agreements (key rotation) without dropping sessions. The handler only sets a
        // flag and wakes the broker's thread, which reloads between two cycles.
        signal(SIGHUP, SIG_IGN)
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangUp.setEventHandler { [control] in control.requestReload() }
        hangUp.resume()
        defer { hangUp.cancel() }
        await withTaskCancellationOrGracefulShutdownHandler {
            await control.waitUntilFinished()
        } onCancelOrGracefulShutdown: {
            self.control.requestStop()
        }
        // It lost its store and could not start again: the process must end with a failure.
        if let error = control.failureAfterStart { throw error }
    }

    /// Waits until the broker has bound its endpoint and returns it (for `tcp://…:*`, with the real port).
    public func waitUntilRunning() async throws -> String {
        try await control.waitUntilRunning()
    }

    /// Asks the broker to reload its agencies and agreements, as SIGHUP does.
    public func reload() {
        control.requestReload()
    }

    /// Asks the broker to stop; `run()` returns once it has.
    public func stop() {
        control.requestStop()
    }

    private func start() {
        let configuration = configuration
        let agencies = agencies
        let logger = logger
        let control = control
        let thread = Thread {
            BrokerLoop.run(configuration: configuration, agencies: agencies, control: control, logger: logger)
        }
        thread.name = "liaison-broker"
        thread.stackSize = 4 << 20
        thread.start()
    }
}
