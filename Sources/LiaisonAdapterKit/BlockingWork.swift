import Dispatch

/// Runs an adapter's blocking work (file reads and writes with `fsync`, a file's SHA-256, a libxml2 parse,
/// SQLite) on a serial dispatch queue of its own, never on Swift's cooperative pool.
///
/// Why: the cooperative pool has one thread per core, two on the county's machines. A pool thread blocked in
/// `read(2)`, `fsync(2)`, a parse of a large CTF file or an SQLite transaction is lost to every task for that
/// long, and with both blocked nothing async in the adapter moves: deliveries are neither handled nor
/// acknowledged (the hub's credit window stays full), callers whose SENDs the hub has answered are not resumed,
/// and SIGTERM's graceful shutdown waits. The kit's heartbeats are safe on the kit's own thread, but the work they
/// vouch for would stall. The broker keeps its blocking work on threads of its own for the same reason; GRDB runs
/// SQLite on its own serial queues. A serial queue is given a thread outside the pool whenever it has work, so
/// blocking there costs the pool nothing, and its order is the order the work was asked for.
///
/// ```swift
/// let work = BlockingWork(label: "liaison.schools-mis.inbox")
/// let digest = try await work.run { try sha256(path: path) }
/// ```
public struct BlockingWork: Sendable {
    /// The queue's label (also what ``current`` says inside `run`).
    public let label: String
    let queue: DispatchQueue
    private static let key = DispatchSpecificKey<String>()

    public init(label: String) {
        self.label = label
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.key, value: label)
    }

    /// Runs `body` on this work's queue and returns (or throws) what it does; the calling task is suspended
    /// meanwhile, not blocked.
    public func run<Value: Sendable, Failure: Error>(_ body: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(Failure) -> Value in try body() }) }
        }
        return try result.get()
    }

    /// The label of the `BlockingWork` whose queue runs the caller, or nil on any other thread (the
    /// cooperative pool's included): for tests and preconditions.
    public static var current: String? {
        DispatchQueue.getSpecific(key: key)
    }
}
