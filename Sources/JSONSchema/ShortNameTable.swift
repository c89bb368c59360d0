/// A lookup of short ASCII names (at most 8 bytes: register codes, year groups, `am`/`pm`, most property names) that
/// does not hash: each name is packed into a `UInt64` and found by binary search among the sorted packed keys.
///
/// Written by hand because it is what the validator does for nearly every value of a return (a code's count, a mark,
/// a pupil's members) and Swift's `Dictionary` and `Set` hash every lookup with SipHash, which was a quarter of the
/// validator's time. Only ASCII is packed, so two names are equal here exactly when their code points are: the
/// canonical equivalence Swift's `==` applies to other text never arises.
struct ShortNameTable<Value: Sendable>: Sendable {
    private let keys: [UInt64]
    private let values: [Value]

    /// A table of `entries`, or nil when a name is not short ASCII (then the caller keeps its dictionary or set).
    /// Names must be distinct.
    init?(_ entries: [(name: String, value: Value)]) {
        var packed: [(key: UInt64, value: Value)] = []
        packed.reserveCapacity(entries.count)
        for entry in entries {
            guard let key = Self.pack(entry.name) else { return nil }
            packed.append((key, entry.value))
        }
        packed.sort { $0.key < $1.key }
        keys = packed.map(\.key)
        values = packed.map(\.value)
    }

    /// The value for `name`, if it is in the table.
    @inline(__always)
    func value(for name: String) -> Value? {
        guard let key = Self.pack(name) else { return nil }
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = keys[middle]
            if candidate == key { return values[middle] }
            if candidate < key { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// `name`'s bytes, each plus one (so that no byte is zero and names of different lengths differ), in a `UInt64`;
    /// nil for a name longer than 8 bytes or not ASCII.
    @inline(__always)
    static func pack(_ name: String) -> UInt64? {
        let utf8 = name.utf8
        guard utf8.count <= 8 else { return nil }
        var packed: UInt64 = 0
        var shift: UInt64 = 0
        for byte in utf8 {
            guard byte < 0x80 else { return nil }
            packed |= UInt64(byte &+ 1) << shift
            shift += 8
        }
        return packed
    }
}
