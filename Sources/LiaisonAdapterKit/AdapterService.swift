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

/// Runs an adapter as a service: connects, hands each delivery to `handle` and settles it by the outcome,
/// and calls `poll` (an inbox scan) every `pollInterval`. Stops on graceful shutdown (SIGTERM, SIGINT),
/// after the work in hand, with every settlement sent.
public final class AdapterService: Service, Sendable {
    public typealias Handler = @Sendable (Delivery, AdapterClient) async -> DeliveryOutcome
    public typealias Poll = @Sendable (AdapterClient) async -> Void

    let client: AdapterClient
    let logger: Logger
    let pollInterval: Duration
    let handle: Handler
    let poll: Poll?

    public init(
        client: AdapterClient, logger: Logger, pollInterval: Duration = .milliseconds(500), handle: @escaping Handler,
        poll: Poll? = nil
    ) {
        self.client = client
        self.logger = logger
        self.pollInterval = pollInterval
        self.handle = handle
        self.poll = poll
    }

    public func run() async throws {
        _ = try await client.connect()
        let client = self.client
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { [handle, logger] in
                    for await delivery in client.deliveries {
                        switch await handle(delivery, client) {
                        case .done: client.ack(delivery)
                        case .reject(let reason):
                            logger.warning("Rejected a delivery", metadata: ["tag": "\(delivery.tag)", "reason": "\(reason)"])
                            client.nack(delivery, .reject, reason: reason)
                        case .retry(let reason):
                            logger.warning("Asked for a delivery again later", metadata: ["tag": "\(delivery.tag)", "reason": "\(reason)"])
                            client.nack(delivery, .retry, reason: reason)
                        }
                    }
                }
                if let poll {
                    group.addTask { [pollInterval] in
                        while !Task.isShuttingDownGracefully, !Task.isCancelled {
                            await poll(client)
                            try? await Task.sleep(for: pollInterval)
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
