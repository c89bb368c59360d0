import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// Serves a registry's metrics as `GET /metrics` in the Prometheus text format (version 0.0.4), on a loopback
/// address only; every other path is 404. A `Service`: run it in the process's `ServiceGroup` beside the broker or
/// the adapter, and it stops with them.
///
/// ```swift
/// let endpoint = MetricsEndpoint(registry: registry, address: try MetricsAddress(parsing: "127.0.0.1:9464"), logger: logger)
/// let group = ServiceGroup(services: [broker, endpoint], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
public final class MetricsEndpoint: Service, Sendable {
    public let registry: PrometheusCollectorRegistry
    public let address: MetricsAddress
    let logger: Logger
    /// Run just before each scrape (to refresh gauges computed from a snapshot).
    let beforeScrape: @Sendable () -> Void
    private let bound = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    /// The content type of the Prometheus text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init(
        registry: PrometheusCollectorRegistry, address: MetricsAddress, logger: Logger, beforeScrape: @escaping @Sendable () -> Void = {}
    ) {
        self.registry = registry
        self.address = address
        self.logger = logger
        self.beforeScrape = beforeScrape
    }

    public func run() async throws {
        // Checked again here, whoever built the address: never a socket open to the network.
        guard MetricsAddress.isLoopback(address.host) else {
            throw MetricsAddressError("'\(address.host)' is not a loopback address: metrics are served only on 127.0.0.1, ::1 or localhost.")
        }
        let router = Router()
        let registry = registry
        let beforeScrape = beforeScrape
        router.get("/metrics") { _, _ -> Response in
            beforeScrape()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(8192)
            registry.emit(into: &bytes)
            return Response(
                status: .ok, headers: [.contentType: MetricsEndpoint.contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        var quiet = logger
        quiet.logLevel = max(quiet.logLevel, .warning)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("Metrics served", metadata: ["url": "http://\(MetricsAddress.hostForURL(address.host)):\(port)/metrics"])
                let waiters = bound.withLock { state in
                    state.port = port
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: port) }
            },
            logger: quiet)
        try await app.run()
    }

    /// The port the endpoint listens on, once it does (the real one for port 0).
    public func waitUntilListening() async -> Int {
        await withCheckedContinuation { continuation in
            let port = bound.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}

extension MetricsAddress {
    static func hostForURL(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }
}
