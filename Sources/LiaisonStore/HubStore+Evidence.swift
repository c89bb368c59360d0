import Crypto
import Foundation
import GRDB
import MerkleLog

/// The audit log as evidence: its Merkle root, inclusion proofs, and a full verification.
extension HubStore {
    /// What `verify()` found.
    package struct Verification: Sendable {
        package var entries: Int
        package var root: MerkleTree.Hash
        /// The first problem, naming the entry; nil when the log and its tree agree throughout.
        package var problem: String?
    }

    /// Signs and stores a checkpoint of the tree as committed, if it has grown since the last one.
    ///
    /// - Returns: the signed note, or nil when there was nothing new to sign.
    @discardableResult
    package func writeCheckpoint(origin: String, key: Curve25519.Signing.PrivateKey, at: Int64) throws(StoreError) -> String? {
        let size = frontier.size
        let root = frontier.root
        do {
            return try queue.write { db -> String? in
                let last = try Int.fetchOne(db, sql: "SELECT MAX(size) FROM checkpoints") ?? 0
                guard size > last else { return nil }
                let note = try Checkpoint(origin: origin, size: size, root: root).signed(with: key)
                try db.execute(
                    sql: "INSERT INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, ?)", arguments: [size, Data(root), note, at])
                return note
            }
        } catch {
            throw StoreError(.commitFailed, "The hub could not store a checkpoint.", cause: error)
        }
    }

    /// The stored checkpoints' signed notes, oldest first.
    package func checkpointNotes() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT note FROM checkpoints ORDER BY size") }
    }

    /// Recomputes every leaf from the stored entries and every subtree from the leaves, and compares them
    /// with the stored tree; then checks each signed checkpoint (the stored ones and any `extra`, e.g. one
    /// an agency kept) against the root recomputed at its size. An entry edited, deleted, inserted or
    /// moved is reported by number; a tree rewritten to match is caught by the checkpoints it contradicts.
    package func verify(
        checkpoints extra: [String] = [], publicKey: Curve25519.Signing.PublicKey? = nil
    ) throws(StoreError) -> Verification {
        var checked: [Checkpoint] = []
        if let publicKey {
            for note in (try checkpointNotes()) + extra {
                do { checked.append(try Checkpoint.verify(note: note, publicKey: publicKey)) } catch {
                    return Verification(entries: 0, root: [], problem: "a checkpoint is not valid: \(error)")
                }
            }
        } else if !extra.isEmpty {
            throw StoreError(.readFailed, "Checking a checkpoint needs the hub's checkpoint public key.")
        }
        let wanted = Dictionary(checked.map { ($0.size, $0) }, uniquingKeysWith: { first, _ in first })
        // The entries' leaves are recomputed and checked on worker threads; the tree above them here, against
        // the stored nodes read level by level in index order (one sequential scan per level).
        let result: Verification = try read { db in
            let size = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(entry), 0) FROM audit_log") ?? 0
            let scanner = LeafScanner(path: path, size: size)
            defer { scanner.stop() }
            var frontier = MerkleFrontier()
            var levels: [RawScan] = []
            func storedNodeMatches(_ node: MerkleFrontier.Node) throws -> Bool? {
                while levels.count <= node.level {
                    levels.append(try RawScan(
                        db, sql: "SELECT idx, hash FROM merkle_nodes WHERE level = ? ORDER BY idx", arguments: [levels.count]))
                }
                guard try levels[node.level].next(), levels[node.level].int64(0) == Int64(node.index) else { return nil }
                return levels[node.level].blobEquals(1, node.hash)
            }
            for index in 0..<scanner.batchCount {
                let batch = try scanner.batch(index)
                for (offset, leaf) in batch.leaves.enumerated() {
                    let produced = frontier.append(leaf, keepingFrom: AuditTreeStorage.lowestStoredLevel)
                    if let checkpoint = wanted[frontier.size], checkpoint.root != frontier.root {
                        return Verification(
                            entries: frontier.size - 1, root: frontier.root,
                            problem: "the log at \(frontier.size) entries does not match the signed checkpoint of that size: entries up to \(frontier.size) were changed after it was signed")
                    }
                    if let problem = batch.problem, problem.at == offset {
                        return Verification(entries: frontier.size, root: frontier.root, problem: problem.text)
                    }
                    // The leaf was compared by the worker; the stored subtrees it completes are compared here (a store
                    // written before AuditTreeStorage also holds lower levels: they are recomputed, not read).
                    for node in produced {
                        let matches = try storedNodeMatches(node)
                        guard matches == true else {
                            let entry = frontier.size
                            return Verification(
                                entries: frontier.size, root: frontier.root,
                                problem: matches == nil
                                    ? "the audit tree has no subtree \(node.level)/\(node.index) for entry \(entry): the stored tree was cut"
                                    : "the audit tree's subtree \(node.level)/\(node.index) (up to entry \(entry)) does not match the entries: the stored tree was altered")
                        }
                    }
                }
                if let problem = batch.problem, problem.at >= batch.leaves.count {
                    return Verification(entries: frontier.size, root: frontier.root, problem: problem.text)
                }
            }
            // Every leaf up to the log's size was compared above; one beyond it means entries were cut off the end.
            let covered = try Int.fetchOne(
                db, sql: "SELECT COALESCE(MAX((idx + 1) << level), 0) FROM merkle_nodes WHERE level >= ?",
                arguments: [AuditTreeStorage.lowestStoredLevel]) ?? 0
            if covered > frontier.size {
                return Verification(
                    entries: frontier.size, root: frontier.root,
                    problem: "the tree covers \(covered) entries but the log holds only \(frontier.size): entries after \(frontier.size) were deleted")
            }
            if let beyond = wanted.keys.filter({ $0 > frontier.size }).min() {
                return Verification(
                    entries: frontier.size, root: frontier.root,
                    problem: "a signed checkpoint covers \(beyond) entries but the log holds only \(frontier.size): entries after \(frontier.size) were deleted")
            }
            return Verification(entries: frontier.size, root: frontier.root, problem: nil)
        }
        return result
    }

    /// One audit entry by number.
    package func auditEntry(_ entry: Int64) throws(StoreError) -> AuditRecord? {
        try read { db in try HubStore.auditRecords(db, after: entry - 1, limit: 1).first { $0.entry == entry } }
    }

    /// The size and root of the audit tree as stored.
    package func treeHead() throws(StoreError) -> (size: Int, root: MerkleTree.Hash) {
        try read { db in
            let frontier = try AuditTreeStorage.frontier(db)
            return (frontier.size, frontier.root)
        }
    }

    /// The inclusion proof of `entry` in the tree of `size` entries (default: the whole log), read from
    /// O(log n) subtrees (`AuditTreeStorage`).
    package func inclusionProof(entry: Int64, size: Int? = nil) throws(StoreError) -> (leaf: MerkleTree.Hash, size: Int, root: MerkleTree.Hash, path: [MerkleTree.Hash]) {
        try read { db in
            let total = try AuditTreeStorage.frontier(db).size
            let treeSize = size ?? total
            guard entry >= 1, Int(entry) <= treeSize, treeSize <= total else {
                throw StoreError(.readFailed, "Entry \(entry) is not in a tree of \(treeSize) entries (the log has \(total)).")
            }
            let node = try AuditTreeStorage.nodeReader(db)
            let path = try MerkleTree.inclusionProof(index: Int(entry) - 1, size: treeSize, node: node)
            let root = try MerkleTree.rangeHash(start: 0, count: treeSize, node: node)
            return (try node(0, Int(entry) - 1), treeSize, root, path)
        }
    }

    /// The consistency proof between the log's first `old` and first `new` entries.
    package func consistencyProof(old: Int, new: Int) throws(StoreError) -> (oldRoot: MerkleTree.Hash, newRoot: MerkleTree.Hash, path: [MerkleTree.Hash]) {
        try read { db in
            let total = try AuditTreeStorage.frontier(db).size
            guard old >= 1, old <= new, new <= total else {
                throw StoreError(.readFailed, "Sizes must satisfy 1 <= from <= to <= \(total).")
            }
            let node = try AuditTreeStorage.nodeReader(db)
            return (
                try MerkleTree.rangeHash(start: 0, count: old, node: node), try MerkleTree.rangeHash(start: 0, count: new, node: node),
                try MerkleTree.consistencyProof(old: old, new: new, node: node)
            )
        }
    }
}
