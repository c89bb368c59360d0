/// The right edge of an append-only Merkle tree: for each level, the hash of a complete subtree still
/// waiting for its right sibling. Enough to append a leaf, and to compute the root, in O(log n).
public struct MerkleFrontier: Sendable, Equatable {
    /// Leaves appended so far.
    public private(set) var size: Int = 0
    /// Unpaired left subtrees by level (level 0 = leaves): `subtrees[level]` means something only where bit `level`
    /// of `size` is set. An array, not a dictionary: an append touches it once a level, for every audit entry.
    /// A level missing from a store's rebuilt frontier is nil (see `init(size:pending:)`).
    private var subtrees: [MerkleTree.Hash?] = []

    /// Unpaired left subtrees by level (level 0 = leaves).
    public var pending: [Int: MerkleTree.Hash] {
        var pending: [Int: MerkleTree.Hash] = [:]
        for level in subtrees.indices where size & (1 << level) != 0 { pending[level] = subtrees[level] }
        return pending
    }

    public init() {}

    /// Rebuilds the frontier from the unpaired nodes a store kept. A level the store has lost (a cut tree) is allowed
    /// here, so that `audit verify` can open the store and report it; the root, or an append that needs that level,
    /// then stops the process rather than compute a wrong root that a checkpoint could sign.
    public init(size: Int, pending: [Int: MerkleTree.Hash]) {
        self.size = size
        let levels = max((pending.keys.max() ?? -1) + 1, Int.bitWidth - size.leadingZeroBitCount)
        subtrees = (0..<levels).map { pending[$0] }
    }

    public static func == (lhs: MerkleFrontier, rhs: MerkleFrontier) -> Bool { lhs.size == rhs.size && lhs.pending == rhs.pending }

    /// A node this append completes: store it to answer proofs later.
    public struct Node: Sendable, Equatable {
        public var level: Int
        public var index: Int
        public var hash: MerkleTree.Hash
    }

    /// Appends a leaf hash and returns every node it completes, the leaf itself first.
    public mutating func append(_ leaf: MerkleTree.Hash) -> [Node] {
        append(leaf, keepingFrom: 0)
    }

    /// Appends a leaf hash and returns the nodes it completes at `lowest` or above (a store that keeps only the upper
    /// levels makes no array for the rest: most appends then return an empty one).
    public mutating func append(_ leaf: MerkleTree.Hash, keepingFrom lowest: Int) -> [Node] {
        var nodes: [Node] = []
        if lowest == 0 { nodes.append(Node(level: 0, index: size, hash: leaf)) }
        var hash = leaf
        var level = 0
        var index = size
        while index & 1 == 1 {
            guard let left = subtrees[level] else { preconditionFailure("The Merkle frontier has no subtree at level \(level) (a cut tree).") }
            hash = MerkleTree.nodeHash(left, hash)
            level += 1
            index >>= 1
            if level >= lowest { nodes.append(Node(level: level, index: index, hash: hash)) }
        }
        if level == subtrees.count { subtrees.append(hash) } else { subtrees[level] = hash }
        size += 1
        return nodes
    }

    /// The root of the tree so far (RFC 6962: the perfect subtrees combined from right to left).
    public var root: MerkleTree.Hash {
        guard size > 0 else { return MerkleTree.root([][...]) }
        var result: MerkleTree.Hash?
        for level in subtrees.indices where size & (1 << level) != 0 {
            guard let subtree = subtrees[level] else { preconditionFailure("The Merkle frontier has no subtree at level \(level) (a cut tree).") }
            result = result.map { MerkleTree.nodeHash(subtree, $0) } ?? subtree
        }
        return result!
    }
}

extension MerkleTree {
    /// The hash of leaves `start..<start+count`, from a source of stored complete subtrees:
    /// `node(level, index)` is the subtree of 2^level leaves starting at index << level. O(log n) calls.
    public static func rangeHash(start: Int, count: Int, node: (Int, Int) throws -> Hash) rethrows -> Hash {
        if count & (count - 1) == 0 && start % count == 0 {
            return try node(count.trailingZeroBitCount, start / count)
        }
        let k = largestPowerOfTwo(below: count)
        return nodeHash(try rangeHash(start: start, count: k, node: node), try rangeHash(start: start + k, count: count - k, node: node))
    }

    /// The audit path for leaf `index` in a tree of `size`, read from stored subtrees.
    public static func inclusionProof(index: Int, size: Int, node: (Int, Int) throws -> Hash) rethrows -> [Hash] {
        func path(_ index: Int, _ start: Int, _ count: Int) throws -> [Hash] {
            guard count > 1 else { return [] }
            let k = largestPowerOfTwo(below: count)
            if index < k {
                return try path(index, start, k) + [try rangeHash(start: start + k, count: count - k, node: node)]
            }
            return try path(index - k, start + k, count - k) + [try rangeHash(start: start, count: k, node: node)]
        }
        return try path(index, 0, size)
    }

    /// The consistency proof between sizes `old` and `new`, read from stored subtrees.
    public static func consistencyProof(old: Int, new: Int, node: (Int, Int) throws -> Hash) rethrows -> [Hash] {
        guard old > 0, old < new else { return [] }
        func subproof(_ m: Int, _ start: Int, _ count: Int, _ complete: Bool) throws -> [Hash] {
            if m == count { return complete ? [] : [try rangeHash(start: start, count: count, node: node)] }
            let k = largestPowerOfTwo(below: count)
            if m <= k {
                return try subproof(m, start, k, complete) + [try rangeHash(start: start + k, count: count - k, node: node)]
            }
            return try subproof(m - k, start + k, count - k, false) + [try rangeHash(start: start, count: k, node: node)]
        }
        return try subproof(old, 0, new, true)
    }
}
