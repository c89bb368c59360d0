import Foundation
import GRDB
import LiaisonStore
import LiaisonTestSupport
import MerkleLog
import Testing

/// The store keeps only subtrees of 16 leaves and more (AuditTreeStorage): every root and proof it gives must
/// still be exactly RFC 6962's over all the leaves, which `MerkleTree` computes in memory from the leaf hashes.
@Suite("The audit tree as stored")
struct AuditTreeStorageTests {
    /// The folders `store(entries:)` makes, removed when the test ends.
    let temporary = TemporaryFolders()

    func store(entries: Int) throws -> (HubStore, [MerkleTree.Hash], String) {
        let directory = try temporary.make("liaison-tree", create: false).path
        let path = "\(directory)/hub.sqlite"
        let store = try HubStore(path: path)
        var leaves: [MerkleTree.Hash] = []
        // Several transactions of uneven sizes, so that commits end inside and at the edges of 16-leaf subtrees.
        var written = 0
        var size = 1
        while written < entries {
            let count = min(size, entries - written)
            try store.transaction { tx in
                for _ in 0..<count {
                    written += 1
                    let event = AuditEvent(.accepted, at: Int64(written), agency: "yot", messageID: "m-\(written)", sequence: Int64(written))
                    let entry = try tx.append(event)
                    leaves.append(AuditLeaf.hash(entry: entry, event))
                }
            }
            size = size % 7 + 3
        }
        return (store, leaves, path)
    }

    @Test func rootsAndProofsMatchTheTreeOverEveryLeaf() throws {
        let (store, leaves, _) = try store(entries: 70)
        #expect(try store.treeHead().root == MerkleTree.root(leaves[...]))
        for size in [1, 2, 15, 16, 17, 31, 32, 33, 48, 64, 65, 70] {
            for entry in Set([1, min(2, size), size / 2 + 1, max(1, size - 1), size]) {
                let proof = try store.inclusionProof(entry: Int64(entry), size: size)
                #expect(proof.leaf == leaves[entry - 1])
                #expect(proof.root == MerkleTree.root(leaves[..<size]))
                #expect(proof.path == MerkleTree.inclusionProof(index: entry - 1, leaves: leaves[..<size]), "entry \(entry) of \(size)")
            }
        }
        for (old, new) in [(1, 70), (15, 16), (16, 17), (17, 48), (33, 64), (64, 70)] {
            let proof = try store.consistencyProof(old: old, new: new)
            #expect(proof.path == MerkleTree.consistencyProof(oldSize: old, leaves: leaves[..<new]), "\(old) to \(new)")
            #expect(MerkleTree.verifyConsistency(oldSize: old, newSize: new, oldRoot: proof.oldRoot, newRoot: proof.newRoot, proof: proof.path))
        }
    }

    @Test func onlySubtreesOfSixteenLeavesAndMoreAreStoredAndTheEdgeReloads() throws {
        let (store, leaves, path) = try store(entries: 53)
        let levels = try DatabaseQueue(path: path).read { db in
            try Int.fetchAll(db, sql: "SELECT level FROM merkle_nodes ORDER BY level, idx")
        }
        // 53 leaves: three subtrees of 16 and one of 32.
        #expect(levels == [4, 4, 4, 5])
        #expect(store.frontier.root == MerkleTree.root(leaves[...]))
        // A writer opening the store again rebuilds the edge from those nodes and the last five leaves, and goes on.
        let reopened = try HubStore(path: path)
        #expect(reopened.frontier == store.frontier)
        let event = AuditEvent(.accepted, at: 54, agency: "yot", messageID: "m-54")
        let entry = try reopened.transaction { tx in try tx.append(event) }
        #expect(entry == 54)
        #expect(try reopened.treeHead().root == MerkleTree.root((leaves + [AuditLeaf.hash(entry: 54, event)])[...]))
        #expect(try reopened.verify().problem == nil)
    }
}
