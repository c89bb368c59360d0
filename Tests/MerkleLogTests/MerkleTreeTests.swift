import Foundation
import MerkleLog
import Testing

/// RFC 6962 on the published vectors: every root, every inclusion and consistency proof, and the
/// rejection of every corrupted variant.
@Suite("RFC 6962 Merkle tree")
struct MerkleTreeTests {
    struct Vectors: Decodable {
        struct Inclusion: Decodable {
            var leaf_index: Int
            var tree_size: Int
            var proof_hex: [String]
            var root_hex: String
        }
        struct Consistency: Decodable {
            var size1: Int
            var size2: Int
            var root1_hex: String
            var root2_hex: String
            var proof_hex: [String]
        }
        var leaf_inputs_hex: [String]
        var root_by_tree_size_hex: [String: String]
        var inclusion_proofs: [Inclusion]
        var consistency_proofs: [Consistency]
    }

    static let vectors: Vectors = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rfc6962-vectors.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    var leaves: [MerkleTree.Hash] { Self.vectors.leaf_inputs_hex.map { MerkleTree.leafHash(Self.bytes($0)) } }

    @Test func everyRootMatches() {
        for (size, root) in Self.vectors.root_by_tree_size_hex {
            #expect(MerkleTree.root(leaves[..<Int(size)!]) == Self.bytes(root), "size \(size)")
        }
        #expect(Self.vectors.root_by_tree_size_hex.count >= 8)
    }

    @Test func everyInclusionProofIsProducedAndVerified() {
        #expect(!Self.vectors.inclusion_proofs.isEmpty)
        for vector in Self.vectors.inclusion_proofs {
            let proof = vector.proof_hex.map(Self.bytes)
            let root = Self.bytes(vector.root_hex)
            #expect(MerkleTree.inclusionProof(index: vector.leaf_index, leaves: leaves[..<vector.tree_size]) == proof)
            #expect(MerkleTree.verifyInclusion(
                leafHash: leaves[vector.leaf_index], index: vector.leaf_index, size: vector.tree_size, proof: proof, root: root))
        }
    }

    @Test func everyConsistencyProofIsProducedAndVerified() {
        #expect(!Self.vectors.consistency_proofs.isEmpty)
        for vector in Self.vectors.consistency_proofs {
            let proof = vector.proof_hex.map(Self.bytes)
            #expect(MerkleTree.consistencyProof(oldSize: vector.size1, leaves: leaves[..<vector.size2]) == proof)
            #expect(MerkleTree.verifyConsistency(
                oldSize: vector.size1, newSize: vector.size2, oldRoot: Self.bytes(vector.root1_hex), newRoot: Self.bytes(vector.root2_hex),
                proof: proof))
        }
    }

    @Test func corruptedInclusionProofsAreRejected() {
        for vector in Self.vectors.inclusion_proofs {
            let proof = vector.proof_hex.map(Self.bytes)
            let root = Self.bytes(vector.root_hex)
            let leaf = leaves[vector.leaf_index]
            func accepts(index: Int = vector.leaf_index, size: Int = vector.tree_size, proof: [MerkleTree.Hash], root: MerkleTree.Hash = root) -> Bool {
                MerkleTree.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root)
            }
            // The corruptions transparency-dev/merkle's verifier tests use.
            #expect(!accepts(index: vector.leaf_index - 1, proof: proof), "index - 1")
            #expect(!accepts(index: vector.leaf_index + 1, proof: proof), "index + 1")
            #expect(!accepts(index: vector.leaf_index ^ 2, proof: proof), "index ^ 2")
            #expect(!accepts(size: vector.tree_size * 2, proof: proof), "size * 2")
            #expect(!accepts(size: vector.tree_size / 2, proof: proof), "size / 2")
            for position in proof.indices {
                for bit in [0, 7] {
                    var flipped = proof
                    flipped[position][0] ^= UInt8(1 << bit)
                    #expect(!accepts(proof: flipped), "flipped bit in element \(position)")
                }
            }
            if !proof.isEmpty { #expect(!accepts(proof: Array(proof.dropLast())), "truncated") }
            #expect(!accepts(proof: proof + [leaf]), "extended")
            var wrongRoot = root
            wrongRoot[31] ^= 1
            #expect(!accepts(proof: proof, root: wrongRoot), "wrong root")
        }
    }

    @Test func corruptedConsistencyProofsAreRejected() {
        for vector in Self.vectors.consistency_proofs {
            let proof = vector.proof_hex.map(Self.bytes)
            let old = Self.bytes(vector.root1_hex)
            let new = Self.bytes(vector.root2_hex)
            func accepts(oldSize: Int = vector.size1, newSize: Int = vector.size2, old: MerkleTree.Hash = old, new: MerkleTree.Hash = new, proof: [MerkleTree.Hash]) -> Bool {
                MerkleTree.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: old, newRoot: new, proof: proof)
            }
            #expect(!accepts(old: new, new: old, proof: proof), "swapped roots")
            // The corruptions transparency-dev/merkle's verifier tests use.
            #expect(!accepts(oldSize: vector.size1 - 1, proof: proof), "old size - 1")
            #expect(!accepts(oldSize: vector.size1 + 1, proof: proof), "old size + 1")
            #expect(!accepts(oldSize: vector.size1 ^ 2, proof: proof), "old size ^ 2")
            #expect(!accepts(newSize: vector.size2 * 2, proof: proof), "new size * 2")
            #expect(!accepts(newSize: vector.size2 / 2, proof: proof), "new size / 2")
            for position in proof.indices {
                var flipped = proof
                flipped[position][5] ^= 0x20
                #expect(!accepts(proof: flipped), "flipped bit in element \(position)")
            }
            if !proof.isEmpty { #expect(!accepts(proof: Array(proof.dropLast())), "truncated") }
            #expect(!accepts(proof: proof + [old]), "extended")
        }
    }

    @Test func proofsAgreeWithRootsForEveryPairOfSizesUpToFifty() {
        let many = (0..<50).map { MerkleTree.leafHash(Array("entry \($0)".utf8)) }
        for size in 1...50 {
            let root = MerkleTree.root(many[..<size])
            for index in 0..<size {
                #expect(MerkleTree.verifyInclusion(
                    leafHash: many[index], index: index, size: size, proof: MerkleTree.inclusionProof(index: index, leaves: many[..<size]), root: root))
            }
            for old in 1...size {
                #expect(MerkleTree.verifyConsistency(
                    oldSize: old, newSize: size, oldRoot: MerkleTree.root(many[..<old]), newRoot: root,
                    proof: MerkleTree.consistencyProof(oldSize: old, leaves: many[..<size])))
            }
        }
    }
}

@Suite("Merkle frontier and stored subtrees")
struct MerkleFrontierTests {
    @Test func appendingGivesTheSameRootsAndProofsAsTheWholeTree() {
        var frontier = MerkleFrontier()
        var stored: [String: MerkleTree.Hash] = [:]
        var leaves: [MerkleTree.Hash] = []
        for index in 0..<70 {
            let leaf = MerkleTree.leafHash(Array("entry \(index)".utf8))
            leaves.append(leaf)
            for node in frontier.append(leaf) { stored["\(node.level)/\(node.index)"] = node.hash }
            #expect(frontier.root == MerkleTree.root(leaves[...]), "size \(index + 1)")
        }
        let lookup: (Int, Int) -> MerkleTree.Hash = { stored["\($0)/\($1)"]! }
        for size in [1, 2, 3, 7, 8, 33, 64, 70] {
            for index in Swift.stride(from: 0, to: size, by: 3) {
                #expect(MerkleTree.inclusionProof(index: index, size: size, node: lookup) == MerkleTree.inclusionProof(index: index, leaves: leaves[..<size]))
            }
            for old in 1...size {
                #expect(MerkleTree.consistencyProof(old: old, new: size, node: lookup) == MerkleTree.consistencyProof(oldSize: old, leaves: leaves[..<size]))
            }
        }
        // A frontier rebuilt from what a store keeps continues the same tree.
        var rebuilt = MerkleFrontier(size: frontier.size, pending: frontier.pending)
        var original = frontier
        let next = MerkleTree.leafHash([1, 2, 3])
        _ = rebuilt.append(next)
        _ = original.append(next)
        #expect(rebuilt.root == original.root)
    }

    /// A store whose tree was cut rebuilds a frontier with a level missing: opening it must not stop the process, so
    /// that `audit verify` can report the cut (the root, which would be wrong, is never computed from it).
    @Test func aFrontierWithALostLevelCanStillBeOpened() {
        let hash = MerkleTree.leafHash([1])
        let frontier = MerkleFrontier(size: 48, pending: [5: hash])
        #expect(frontier.size == 48)
        #expect(frontier.pending == [5: hash])
        #expect(frontier != MerkleFrontier(size: 48, pending: [4: hash, 5: hash]))
    }

    @Test func keepingOnlyTheUpperLevelsGivesTheSameNodesAndTheSameTree() {
        var whole = MerkleFrontier()
        var upper = MerkleFrontier()
        for index in 0..<300 {
            let leaf = MerkleTree.leafHash(Array("entry \(index)".utf8))
            let all = whole.append(leaf)
            let kept = upper.append(leaf, keepingFrom: 4)
            #expect(kept == all.filter { $0.level >= 4 }, "entry \(index)")
            #expect(upper == whole && upper.root == whole.root)
            #expect(MerkleFrontier(size: upper.size, pending: upper.pending) == whole)
        }
    }
}
