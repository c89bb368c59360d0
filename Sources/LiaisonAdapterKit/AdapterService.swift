import Logging
import ServiceLifecycle

/// What an adapter did with a delivery.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Done durably (the file written, the row stored): acknowledge it.
    case done
    /// It can never be handled (unreadable, not for this adapter): the hub dead-letters it with the reason.
    case reject(String)
    /// Not now (a disk full, a lock): the hub delivers it again later.
    case retry(String)
}

/// Runs an ``Adapter`` as a service: connects, hands each delivery to `handle` and settles it by the outcome,
/// and, for an ``InboxAdapter``, calls `poll` (an inbox scan) every `pollInterval`. Stops on graceful shutdown
/// (SIGTERM, SIGINT), after the work in hand, with every settlement sent.
///
/// ```swift
/// let service = AdapterService(adapter: adapter, client: client, logger: logger)
/// let group = ServiceGroup(configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm], logger: logger))
/// try await group.run()
/// ```
public final class AdapterService<Wrapped: Adapter>: Service, Sendable {
    let adapter: Wrapped
    let client: AdapterClient
    let logger: Logger

    public init(adapter: Wrapped, client: AdapterClient, logger: Logger) {
        self.adapter = adapter
        self.client = client
        self.logger = logger
    }

    public func run() async throws {
        _ = try await client.connect()
        let client = self.client
        let adapter = self.adapter
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [logger] in
                    @Sendable func work(_ delivery: Delivery) async {
                        switch await adapter.handle(delivery, client: client) {
                        case .done: client.ack(delivery)
                        case .reject(let reason):
                            logger.warning("Rejected a delivery", metadata: ["tag": "\(delivery.tag)", "reason": "\(reason)"])
                            client.nack(delivery, .reject, reason: reason)
                        case .retry(let reason):
                            logger.warning("Asked for a delivery again later", metadata: ["tag": "\(delivery.tag)", "reason": "\(reason)"])
                            client.nack(delivery, .retry, reason: reason)
                        }
                    }
                    // Deliveries the adapter lets overlap are worked on up to `concurrentDeliveries` at once (while one
                    // waits for its store or the hub, the next is read); any other waits for those and runs alone.
                    let width = max(1, adapter.concurrentDeliveries)
                    await withTaskGroup(of: Void.self) { overlapping in
                        var inHand = 0
                        for await delivery in client.deliveries {
                            if width > 1, adapter.mayOverlap(delivery) {
                                if inHand == width {
                                    await overlapping.next()
                                    inHand -= 1
                                }
                                overlapping.addTask { await work(delivery) }
                                inHand += 1
                            } else {
                                await overlapping.waitForAll()
                                inHand = 0
                                await work(delivery)
                            }
                        }
                    }
                }
                if let inbox = adapter as? any InboxAdapter {
                    group.addTask {
                        while !Task.isShuttingDownGracefully, !Task.isCancelled {
                            await inbox.poll(client: client)
                            try? await Task.sleep(for: inbox.pollInterval)
                        }
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await client.close() }
        }
    }
}
