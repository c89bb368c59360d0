import Foundation
import GRDB
import MerkleLog

/// The leaf half of `audit verify`, on worker threads: each worker reads a range of entries on its own
/// read-only connection, re-encodes and hashes each leaf, and compares it with the leaf stored in the entry's row. Ranges
/// are handed out in order and their results taken in order, at most `ahead` ranges in flight, so memory
/// stays bounded and the first problem found is the first in the log.
final class LeafScanner: @unchecked Sendable {
    /// What a range holds: its leaf hashes in entry order, and the first problem in it, if any.
    struct Batch {
        var leaves: [MerkleTree.Hash] = []
        /// Index into `leaves` of the entry the problem concerns (leaves before it are sound), and the problem.
        var problem: (at: Int, text: String)?
    }

    let path: String
    let size: Int
    let batchSize: Int
    let ahead: Int
    private let condition = NSCondition()
    private var results: [Int: Result<Batch, Error>] = [:]
    private var nextToHandOut = 0
    private var consumed = 0
    private var stopped = false

    var batchCount: Int { (size + batchSize - 1) / batchSize }

    init(path: String, size: Int, batchSize: Int = 8192, workers: Int = 2) {
        self.path = path
        self.size = size
        self.batchSize = batchSize
        self.ahead = workers * 4
        for _ in 0..<max(1, workers) {
            let thread = Thread { [self] in work() }
            thread.name = "liaison.verify"
            thread.start()
        }
    }

    /// The batch at `index`, waiting for it.
    func batch(_ index: Int) throws -> Batch {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        let result = results.removeValue(forKey: index)!
        consumed = index + 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops the workers (after the last batch, or when the caller gives up at a problem).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.prepareDatabase(HubStore.prepare)
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: configuration) } catch {
            publish(nextIndex() ?? 0, .failure(error))
            return
        }
        while let index = nextIndex() {
            let first = Int64(index * batchSize) + 1
            let last = min(Int64(size), first + Int64(batchSize) - 1)
            publish(index, Result { try queue.read { db in try Self.scan(db, first: first, last: last) } })
        }
    }

    private func nextIndex() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped, nextToHandOut < batchCount, nextToHandOut - consumed >= ahead { condition.wait() }
        guard !stopped, nextToHandOut < batchCount else { return nil }
        nextToHandOut += 1
        return nextToHandOut - 1
    }

    private func publish(_ index: Int, _ result: Result<Batch, Error>) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Entries `first...last`: each must be present, in order, and hash to the leaf stored in its row.
    static func scan(_ db: Database, first: Int64, last: Int64) throws -> Batch {
        var batch = Batch()
        batch.leaves.reserveCapacity(Int(last - first + 1))
        var rows = try RawScan(
            db, sql: "SELECT \(HubStore.auditColumns), leaf FROM audit_log WHERE entry BETWEEN ? AND ? ORDER BY entry",
            arguments: [first, last])
        var expected = first
        var encoded: [UInt8] = []
        encoded.reserveCapacity(1024)
        while try rows.next() {
            let entry = rows.int64(0)
            guard entry == expected else {
                batch.problem = (batch.leaves.count, "entry \(expected) is missing (the next entry is \(entry)): an entry was deleted")
                return batch
            }
            AuditLeaf.encode(rows, into: &encoded)
            let leaf = MerkleTree.leafHash(encoded)
            batch.leaves.append(leaf)
            guard !rows.isNull(12) else {
                batch.problem = (batch.leaves.count - 1, "entry \(entry) is not in the audit tree: it was inserted after the fact")
                return batch
            }
            guard rows.blobEquals(12, leaf) else {
                batch.problem = (batch.leaves.count - 1, "entry \(entry) does not match its leaf in the audit tree: it was altered")
                return batch
            }
            expected += 1
        }
        if expected <= last {
            batch.problem = (batch.leaves.count, "entry \(expected) is missing: an entry was deleted")
        }
        return batch
    }
}
