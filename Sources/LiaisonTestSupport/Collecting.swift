import LiaisonAdapterKit
import Synchronization

/// Collects deliveries from a client until `count` have arrived or `timeout` passes, acknowledging each
/// unless `ack` is false. Returns what arrived, in order. Successive calls on one client continue where
/// the last left off.
package func collect(
    _ client: AdapterClient, count: Int, timeout: Duration = .seconds(30), ack: Bool = true
) async -> [Delivery] {
    await Inbox.of(client).take(count: count, timeout: timeout, ack: ack)
}

/// One consumer task per client that drains its `deliveries` into a list. (Cancelling a task that waits on
/// an `AsyncStream` ends the stream, so tests must not iterate it from short-lived tasks.)
final class Inbox: Sendable {
    private static let registry = Locked<[ObjectIdentifier: Inbox]>([:])
    private let client: AdapterClient
    private let arrived = Locked<[Delivery]>([])
    private let taken = Locked<Int>(0)

    static func of(_ client: AdapterClient) -> Inbox {
        registry.withLock { inboxes in
            if let inbox = inboxes[ObjectIdentifier(client)] { return inbox }
            let inbox = Inbox(client: client)
            inboxes[ObjectIdentifier(client)] = inbox
            return inbox
        }
    }

    private init(client: AdapterClient) {
        self.client = client
        let arrived = arrived
        Task {
            for await delivery in client.deliveries { arrived.withLock { $0.append(delivery) } }
        }
    }

    func take(count: Int, timeout: Duration, ack: Bool) async -> [Delivery] {
        let deadline = ContinuousClock.now + timeout
        let start = taken.value
        var settled = start
        while true {
            // Acknowledge as they come, so that the hub's credit window keeps moving.
            let fresh = arrived.withLock { Array($0[settled..<min($0.count, start + count)]) }
            if ack { for delivery in fresh { client.ack(delivery) } }
            settled += fresh.count
            if settled - start >= count || ContinuousClock.now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        taken.withLock { $0 = settled }
        return arrived.withLock { Array($0[start..<settled]) }
    }
}

/// A value behind a mutex, shareable between tasks.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    package init(_ value: Value) { mutex = Mutex(value) }
    package func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
    package var value: Value { withLock { $0 } }
}

/// Sends `count` messages from `client` with at most `window` unanswered at once; returns the ids the
/// hub accepted, in the order they were accepted.
package func sendMany(
    _ client: AdapterClient, count: Int, type: String = "test.message", to recipients: [String], window: Int = 128,
    body: (Int) -> [UInt8] = { Array("{\"n\":\($0)}".utf8) }, idPrefix: String = "m"
) async throws -> [String] {
    try await withThrowingTaskGroup(of: String.self) { group in
        var accepted: [String] = []
        accepted.reserveCapacity(count)
        for index in 0..<count {
            if index >= window, let id = try await group.next() { accepted.append(id) }
            let payload = body(index)
            group.addTask {
                let id = "\(idPrefix)-\(index)"
                _ = try await client.send(type: type, to: recipients, body: payload, id: id)
                return id
            }
        }
        for try await id in group { accepted.append(id) }
        return accepted
    }
}
