import Synchronization

/// The pseudonyms of the children the broker has decided on lately, so that a child named in message after message
/// (a school's weekly return, then its roll, then next week's) is not hashed again each time: the keyed HMAC was a
/// fifth of each decision.
///
/// Bounded, and in memory only: at most two generations of `generationSize` children, the older dropped whole when
/// the newer fills (a child looked up again moves into the newer). Each entry is the value (a UPN, at most
/// `longestValue` bytes: anything longer is hashed every time, so a sender cannot fill the memory with long
/// strings) and 8 bytes of the code; the broker already holds the cohorts' UPNs in memory, and nothing here is
/// written anywhere. Shared by the threads that decide (the broker's loop and its body checker).
final class PseudonymMemo: Sendable {
    /// Children in a generation: two hold a county's 120,000 pupils. Each generation's table has at most 131,072
    /// slots of 24 bytes (a UPN is short enough for a `String` to hold in place, and the code is 8 bytes): about 3 MB,
    /// so about 6 MB at most for both.
    static let generationSize = 65_536
    /// UPNs are 13 characters; a value longer than this is not kept.
    static let longestValue = 32

    private struct Generations {
        var newer: [String: UInt64] = [:]
        var older: [String: UInt64] = [:]
        /// How many codes were stored after hashing (for tests: a remembered child is not hashed again).
        var hashed = 0
    }

    let key: PseudonymKey
    private let generationSize: Int
    private let generations = Mutex(Generations())

    init(key: PseudonymKey, generationSize: Int = PseudonymMemo.generationSize) {
        self.key = key
        self.generationSize = generationSize
    }

    /// `psn-` and the first 16 hex digits of HMAC-SHA-256(key, value): the same as `PseudonymKey.pseudonym(of:)`.
    func pseudonym(of value: String) -> String {
        guard value.utf8.count <= Self.longestValue else { return key.pseudonym(of: value) }
        if let code = generations.withLock({ Self.lookUp(value, in: &$0, size: generationSize) }) {
            return PseudonymKey.text(of: code)
        }
        // Hashed outside the lock: two threads may hash the same child at once, and store the same code.
        let code = key.code(of: value)
        generations.withLock {
            $0.hashed += 1
            Self.store(code, for: value, in: &$0, size: generationSize)
        }
        return PseudonymKey.text(of: code)
    }

    /// How many children are held (for tests).
    var count: Int { generations.withLock { $0.newer.count + $0.older.count } }

    /// How many values were hashed and kept (for tests).
    var hashed: Int { generations.withLock { $0.hashed } }

    private static func lookUp(_ value: String, in generations: inout Generations, size: Int) -> UInt64? {
        if let code = generations.newer[value] { return code }
        guard let code = generations.older[value] else { return nil }
        store(code, for: value, in: &generations, size: size)
        return code
    }

    private static func store(_ code: UInt64, for value: String, in generations: inout Generations, size: Int) {
        if generations.newer.count >= size {
            generations.older = generations.newer
            generations.newer = [:]
            generations.newer.reserveCapacity(size)
        }
        generations.newer[value] = code
    }
}
