import LiaisonStore
import MerkleLog
import NIOCore
import PostgresNIO

/// Proofs from the PostgreSQL store's audit tree, as `HubStore+Evidence` gives them from SQLite's: the same subtrees
/// (`AuditTreeStorage`), so the same proofs and roots (issue 16).
extension PostgresHubStore {
    /// The inclusion proof of `entry` in the tree of `size` entries (default: the whole log), read from O(log n) stored
    /// subtrees, with the entry's leaf hash and the root at that size.
    package func inclusionProof(entry: Int64, size: Int? = nil) throws(StoreError) -> (leaf: MerkleTree.Hash, size: Int, root: MerkleTree.Hash, path: [MerkleTree.Hash]) {
        try read {
            let total = Int(try run("SELECT COALESCE(MAX(entry), 0) FROM audit_log").rows.first?.decode(Int64.self) ?? 0)
            let treeSize = size ?? total
            guard entry >= 1, Int(entry) <= treeSize, treeSize <= total else {
                throw StoreError(.readFailed, "Entry \(entry) is not in a tree of \(treeSize) entries (the log has \(total)).")
            }
            let path = try MerkleTree.inclusionProof(index: Int(entry) - 1, size: treeSize, node: { try self.node(level: $0, index: $1) })
            let root = try MerkleTree.rangeHash(start: 0, count: treeSize, node: { try self.node(level: $0, index: $1) })
            return (try node(level: 0, index: Int(entry) - 1), treeSize, root, path)
        }
    }

    /// The root of the log's first `size` entries.
    package func treeRoot(size: Int) throws(StoreError) -> MerkleTree.Hash {
        try read {
            let total = Int(try run("SELECT COALESCE(MAX(entry), 0) FROM audit_log").rows.first?.decode(Int64.self) ?? 0)
            guard size >= 1, size <= total else { throw StoreError(.readFailed, "The log holds \(total) entries, not \(size).") }
            return try MerkleTree.rangeHash(start: 0, count: size, node: { try self.node(level: $0, index: $1) })
        }
    }

    /// Recomputes the tree from the entries' stored leaves and compares every stored subtree (`merkle_nodes`, from
    /// `AuditTreeStorage.lowestStoredLevel` up) with it, so that a proof read from the stored subtrees cannot disagree
    /// with the log; and gives the root at each of `sizes` (an agency's checkpoint), computed from the leaves.
    /// `verifyLeaves` checks the leaves against their rows; this checks the tree above them.
    ///
    /// - Returns: the first problem, naming the subtree, or nil; and the roots at `sizes` no larger than the log.
    package func checkStoredTree(rootsAt sizes: Set<Int> = []) throws(StoreError) -> (problem: String?, roots: [Int: MerkleTree.Hash]) {
        try read {
            var stored: [Int64: [Int64: ByteBuffer]] = [:]
            let lowest = Int64(AuditTreeStorage.lowestStoredLevel)
            for row in try run("SELECT level, idx, hash FROM merkle_nodes WHERE level >= \(lowest)").rows {
                let (level, index, hash) = try row.decode((Int64, Int64, ByteBuffer).self)
                stored[level, default: [:]][index] = hash
            }
            var frontier = MerkleFrontier()
            var roots: [Int: MerkleTree.Hash] = [:]
            var matched = 0
            for row in try run("SELECT leaf FROM audit_log ORDER BY entry").rows {
                let leaf = Array(try row.decode(ByteBuffer.self).readableBytesView)
                for node in frontier.append(leaf, keepingFrom: AuditTreeStorage.lowestStoredLevel) {
                    guard let hash = stored[Int64(node.level)]?[Int64(node.index)] else {
                        return ("the audit tree has no subtree \(node.level)/\(node.index) for entry \(frontier.size): the stored tree was cut", roots)
                    }
                    guard Array(hash.readableBytesView) == node.hash else {
                        return (
                            "the audit tree's subtree \(node.level)/\(node.index) (up to entry \(frontier.size)) does not match the entries: the stored tree was altered",
                            roots)
                    }
                    matched += 1
                }
                if sizes.contains(frontier.size) { roots[frontier.size] = frontier.root }
            }
            let count = stored.values.reduce(0) { $0 + $1.count }
            if count > matched {
                return ("the tree holds subtrees beyond the log's \(frontier.size) entries: entries after \(frontier.size) were deleted", roots)
            }
            return (nil, roots)
        }
    }

    /// The subtree of 2^level leaves from index << level: stored from `AuditTreeStorage.lowestStoredLevel` up, else
    /// recomputed from the entries' leaves (as `AuditTreeStorage.nodeReader` on SQLite). Run inside a transaction.
    private func node(level: Int, index: Int) throws -> MerkleTree.Hash {
        if level < AuditTreeStorage.lowestStoredLevel {
            let first = Int64(index << level) + 1
            return MerkleTree.root(try leaves(first: first, last: first + Int64(1 << level) - 1)[...])
        }
        guard let row = try run("SELECT hash FROM merkle_nodes WHERE level = \(Int64(level)) AND idx = \(Int64(index))").rows.first else {
            throw StoreError(.readFailed, "The audit tree has no node \(level)/\(index): run `liaison audit verify --store`.")
        }
        return Array(try row.decode(ByteBuffer.self).readableBytesView)
    }
}
