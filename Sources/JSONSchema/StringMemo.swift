import Synchronization

/// What was worked out for a string, remembered for up to 4,096 strings (then forgotten all at once), and only for
/// short ASCII strings: codes, dates and UPNs repeat, free text does not, and a memo of long strings is memory a
/// sender chooses. ASCII, because a memo keyed by `String` finds a string by Swift's `==`, which equates canonical
/// equivalents ("é" and "e" + U+0301) that a pattern can tell apart; an ASCII string has no equivalent but itself.
final class StringMemo<Value: Sendable>: Sendable {
    private let memo = Mutex<[String: Value]>([:])

    /// Strings longer than this are never remembered.
    static var lengthLimit: Int { 64 }

    var count: Int { memo.withLock { $0.count } }

    subscript(text: String) -> Value? {
        get {
            guard Self.isMemorable(text) else { return nil }
            return memo.withLock { $0[text] }
        }
        set {
            guard let newValue, Self.isMemorable(text) else { return }
            memo.withLock { memo in
                if memo.count >= 4096 { memo.removeAll(keepingCapacity: true) }
                memo[text] = newValue
            }
        }
    }

    static func isMemorable(_ text: String) -> Bool {
        text.utf8.count <= lengthLimit && text.utf8.allSatisfy { $0 < 0x80 }
    }
}
