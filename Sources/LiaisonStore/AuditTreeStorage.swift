import Foundation
import GRDB
import MerkleLog

/// How the store keeps the audit log's Merkle tree (docs/audit.md, "How the tree is stored").
///
/// Each entry's leaf hash is a column of its own row (`audit_log.leaf`); `merkle_nodes` holds the complete
/// subtrees of `2^lowestStoredLevel` leaves and more. A smaller subtree is recomputed from its leaves when a proof
/// or the tree's edge needs it: at most 15 hashes for each of the four lowest levels. Stores written before this
/// layout also hold their lower levels: those rows are left in place and never read.
///
/// So a commit writes about one node row for every eight entries instead of two for each one: the tree's cost on
/// the commit path is the hashing, not the rows (docs/performance.md).
package enum AuditTreeStorage {
    /// The lowest level of `merkle_nodes` a commit writes (subtrees of 16 leaves).
    package static let lowestStoredLevel = 4

    /// The leaf hashes of entries `first...last`, in order, from their rows.
    ///
    /// - Throws: `StoreError` naming the first entry that is missing or has no leaf.
    static func leaves(_ db: Database, first: Int64, last: Int64) throws -> [MerkleTree.Hash] {
        guard first <= last else { return [] }
        var scan = try RawScan(db, sql: "SELECT entry, leaf FROM audit_log WHERE entry BETWEEN ? AND ? ORDER BY entry", arguments: [first, last])
        var leaves: [MerkleTree.Hash] = []
        leaves.reserveCapacity(Int(last - first + 1))
        var expected = first
        while try scan.next() {
            guard scan.int64(0) == expected, let leaf = scan.blob(1), leaf.count == 32 else {
                throw StoreError(.readFailed, "Audit entry \(expected) is missing or has no leaf: run `liaison audit verify`.")
            }
            leaves.append(leaf)
            expected += 1
        }
        guard expected > last else {
            throw StoreError(.readFailed, "Audit entry \(expected) is missing: run `liaison audit verify`.")
        }
        return leaves
    }

    /// The tree's edge: the stored subtrees on the right edge, then the last few leaves appended above them.
    static func frontier(_ db: Database) throws -> MerkleFrontier {
        let size = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(entry), 0) FROM audit_log") ?? 0
        return try frontier(
            size: size,
            storedNode: { level, index in
                try Data.fetchOne(db, sql: "SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?", arguments: [level, index]).map {
                    [UInt8]($0)
                }
            },
            leaves: { first, last in try leaves(db, first: first, last: last) })
    }

    /// The tree's edge for a log of `size` entries, whatever the engine: the stored subtrees on the right edge
    /// (`storedNode(level, index)`), then the leaves of entries `first...last` above them (`leaves`). The SQLite and
    /// PostgreSQL stores both rebuild their edge here, so the two cannot disagree on it.
    package static func frontier(
        size: Int, storedNode: (Int, Int) throws -> MerkleTree.Hash?, leaves: (Int64, Int64) throws -> [MerkleTree.Hash]
    ) throws -> MerkleFrontier {
        let base = (size >> lowestStoredLevel) << lowestStoredLevel
        var pending: [Int: MerkleTree.Hash] = [:]
        for level in lowestStoredLevel..<Int.bitWidth where base & (1 << level) != 0 {
            // The complete subtree at this level on the right edge covers leaves below base, starting at base with the
            // lower bits cleared.
            if let hash = try storedNode(level, (base >> level) - 1) { pending[level] = hash }
        }
        var frontier = MerkleFrontier(size: base, pending: pending)
        for leaf in try leaves(Int64(base) + 1, Int64(size)) { _ = frontier.append(leaf) }
        return frontier
    }

    /// Reads subtree hashes for proofs: `node(level, index)` is the subtree of 2^level leaves from index << level,
    /// stored or recomputed from its leaves.
    static func nodeReader(_ db: Database) throws -> (Int, Int) throws -> MerkleTree.Hash {
        let statement = try db.makeStatement(sql: "SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?")
        return { level, index in
            if level < lowestStoredLevel {
                let first = Int64(index << level) + 1
                let leaves = try leaves(db, first: first, last: first + Int64(1 << level) - 1)
                return MerkleTree.root(leaves[...])
            }
            guard let hash = try Data.fetchOne(statement, arguments: [level, index]) else {
                throw StoreError(.readFailed, "The audit tree has no node \(level)/\(index): run `liaison audit verify`.")
            }
            return [UInt8](hash)
        }
    }
}
