import Testing

@testable import LiaisonRules

/// The broker remembers the pseudonyms of the children it decided on lately. What it remembers must be what the key
/// makes, and how much it remembers must stay bounded whatever senders send.
@Suite("Pseudonyms remembered")
struct PseudonymMemoTests {
    static let key = PseudonymKey(Array("test-key".utf8))

    @Test func aRememberedPseudonymIsTheKeysOwn() {
        let memo = PseudonymMemo(key: Self.key)
        // python3 -c "import hmac,hashlib; print(hmac.new(b'test-key', b'Q926200024001', hashlib.sha256).hexdigest()[:16])"
        #expect(memo.pseudonym(of: "Q926200024001") == "psn-3389d05ab55b0ad9")
        #expect(memo.pseudonym(of: "Q926200024001") == "psn-3389d05ab55b0ad9")
        #expect(memo.count == 1)
        #expect(memo.hashed == 1)
        for index in 0..<500 {
            let upn = "Q9262000" + String(10_000 + index)
            #expect(memo.pseudonym(of: upn) == Self.key.pseudonym(of: upn))
            #expect(memo.pseudonym(of: upn) == Self.key.pseudonym(of: upn))
        }
        #expect(memo.hashed == 501)
    }

    @Test func itHoldsAtMostTwoGenerationsAndKeepsWhatIsStillAskedFor() {
        let memo = PseudonymMemo(key: Self.key, generationSize: 100)
        for index in 0..<1_000 { _ = memo.pseudonym(of: "A" + String(index)) }
        #expect(memo.count <= 200)
        // A child asked for in every round survives the generations turning over, and still gets its own pseudonym.
        for round in 0..<10 {
            #expect(memo.pseudonym(of: "kept") == Self.key.pseudonym(of: "kept"))
            for index in 0..<60 { _ = memo.pseudonym(of: "B\(round)-\(index)") }
        }
        #expect(memo.count <= 200)
        // Hashed once in all ten rounds: every other value was new.
        #expect(memo.hashed == 1_000 + 1 + 600)
    }

    @Test func aLongValueIsHashedButNotKept() {
        let memo = PseudonymMemo(key: Self.key)
        let long = String(repeating: "x", count: PseudonymMemo.longestValue + 1)
        #expect(memo.pseudonym(of: long) == Self.key.pseudonym(of: long))
        #expect(memo.count == 0)
        // A sender's whole body named as a upn costs a hash, never memory.
        #expect(memo.pseudonym(of: String(repeating: "y", count: 100_000)).hasPrefix("psn-"))
        #expect(memo.count == 0)
    }
}
