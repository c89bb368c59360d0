import LiaisonStore
import Testing

@testable import LiaisonBroker

@Suite("Refusals audited as aggregates per key and minute")
struct RefusalTallyTests {
    let key = RefusalTally.Key(kind: .handshakeRefused, who: "0123456789abcdef", code: 400)

    @Test func theFirstOfAMinuteIsAuditedAndTheRestCounted() {
        var tally = RefusalTally()
        let minute: Int64 = 29_000_000 * 60_000
        #expect(tally.record(key, at: minute + 10, peer: "127.0.0.1").first)
        for offset in 1..<300 { #expect(!tally.record(key, at: minute + Int64(offset), peer: nil).first) }
        // Still inside the minute: nothing to write yet.
        #expect(tally.closedMinutes(now: minute + 59_999).isEmpty)
        let closed = tally.closedMinutes(now: minute + 60_000)
        #expect(closed.count == 1)
        #expect(closed.first?.detail?.contains("299 more refused") == true)
        #expect(closed.first?.peer == "127.0.0.1")
        #expect(tally.isEmpty)
    }

    @Test func aNewMinuteClosesTheLastAndEachKeyCountsApart() {
        var tally = RefusalTally()
        let minute: Int64 = 29_000_000 * 60_000
        let other = RefusalTally.Key(kind: .rejected, who: "yot", code: 410)
        _ = tally.record(key, at: minute, peer: nil)
        _ = tally.record(key, at: minute + 1, peer: nil)
        #expect(tally.record(other, at: minute + 2, peer: nil).first)
        let next = tally.record(key, at: minute + 60_000, peer: nil)
        #expect(next.first)
        #expect(next.closed?.detail?.contains("1 more refused") == true)
        // A minute with only its first refusal needs no aggregate.
        #expect(tally.closedMinutes(now: nil).isEmpty)
    }

    @Test func aFreshKeyForEveryAttemptIsCountedTogetherPastTwentyAMinute() {
        var tally = RefusalTally()
        let minute: Int64 = 29_000_000 * 60_000
        var full = 0
        for attempt in 0..<300 {
            let who = tally.tallyName(forKey: "key-\(attempt)", at: minute + Int64(attempt))
            if tally.record(.init(kind: .handshakeRefused, who: who, code: 400), at: minute + Int64(attempt), peer: nil).first { full += 1 }
        }
        // 20 keys in full, then one entry for the rest, and their count when the minute closes.
        #expect(full == 21)
        #expect(tally.closedMinutes(now: nil).first?.detail?.contains("279 more refused") == true)
        // A new minute starts afresh.
        #expect(tally.tallyName(forKey: "key-299", at: minute + 60_000) == "key-299")
    }
}
