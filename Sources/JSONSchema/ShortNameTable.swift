/// A lookup of ASCII names (property names, register codes, year groups) that does not hash: each name is reduced to
/// its length and its first and last eight bytes, and found by binary search among those keys; a name of more than 16
/// bytes, which the key does not hold whole, is then compared byte for byte.
///
/// Written by hand because it is what the validator does for nearly every value of a return (a pupil's members, a
/// code's count, a mark) and Swift's `Dictionary` and `Set` hash every lookup with SipHash, which was a quarter of the
/// validator's time. Only ASCII is taken, so two names are equal here exactly when their code points are: the
/// canonical equivalence Swift's `==` applies to other text ("K" and U+212A KELVIN SIGN) never arises.
struct ShortNameTable<Value: Sendable>: Sendable {
    /// A name's length, and its first and last eight bytes (each plus one, so that no byte is zero).
    struct Key: Comparable, Sendable {
        var length: Int
        var head: UInt64
        var tail: UInt64

        static func < (left: Key, right: Key) -> Bool {
            (left.length, left.head, left.tail) < (right.length, right.head, right.tail)
        }
    }

    private let keys: [Key]
    private let names: [String]
    private let values: [Value]

    /// A table of `entries`, or nil when a name is not ASCII or two names share a key (then the caller keeps its
    /// dictionary or set). Names must be distinct.
    init?(_ entries: [(name: String, value: Value)]) {
        var keyed: [(key: Key, name: String, value: Value)] = []
        keyed.reserveCapacity(entries.count)
        for entry in entries {
            guard let key = Self.key(entry.name) else { return nil }
            keyed.append((key, entry.name, entry.value))
        }
        keyed.sort { $0.key < $1.key }
        for index in keyed.indices.dropFirst() where keyed[index].key == keyed[index - 1].key { return nil }
        keys = keyed.map(\.key)
        names = keyed.map(\.name)
        values = keyed.map(\.value)
    }

    /// The value for `name`, if it is in the table.
    @inline(__always)
    func value(for name: String) -> Value? {
        guard let key = Self.key(name) else { return nil }
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = keys[middle]
            if candidate == key {
                // Up to 16 bytes the key is the whole name; beyond, the middle bytes are compared too.
                return key.length <= 16 || names[middle].utf8.elementsEqual(name.utf8) ? values[middle] : nil
            }
            if candidate < key { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// `name`'s key, or nil when it is not ASCII.
    @inline(__always)
    static func key(_ name: String) -> Key? {
        var key = Key(length: 0, head: 0, tail: 0)
        for byte in name.utf8 {
            guard byte < 0x80 else { return nil }
            let shifted = UInt64(byte &+ 1)
            if key.length < 8 { key.head |= shifted << UInt64(key.length * 8) }
            key.tail = key.tail << 8 | shifted
            key.length += 1
        }
        return key
    }
}
