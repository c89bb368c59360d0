import StrictJSON
import Testing

/// The envelope's fast path (`JSONValue.stringMembers`) against the full strict reader: whatever the fast path
/// accepts, the reader reads as the same object; whatever the reader reads as a flat object of strings, the fast
/// path accepts. Checked on hand-picked texts and on thousands of mutations of an envelope.
@Suite("A flat object of strings, read without a tree")
struct StringMembersTests {
    static let envelope = #"{"specversion":"1.0","id":"m-1","source":"yot","type":"yot.case-update","recipients":"desk, connexions","time":"2026-11-29T10:00:00Z","subject":"c\u00e9 \"q\"\\"}"#

    /// The property: both readers agree on every input.
    func agree(_ bytes: [UInt8]) -> Bool {
        let fast = JSONValue.stringMembers(bytes)
        let full = try? JSONValue.parse(bytes)
        if let fast {
            guard case .object(let members)? = full, members.count == fast.count else { return false }
            return fast.allSatisfy { members[$0.name] == .string($0.value) }
        }
        // Refused by the fast path: then the full reader must refuse it, or read something other than a flat
        // object of strings.
        guard case .object(let members)? = full else { return true }
        return !members.values.allSatisfy { $0.stringValue != nil } || members.count > 32
    }

    @Test(arguments: [
        envelope, "{}", " { } ", #"{"a":"b"}"#, "\t{\"a\" : \"b\" ,\n\"c\":\"\"}\r\n",
        #"{"a":"\ud83d\ude00"}"#, #"{"a":"\/"}"#,
    ])
    func readsWhatTheFullReaderReads(text: String) throws {
        let bytes = Array(text.utf8)
        let members = try #require(JSONValue.stringMembers(bytes))
        #expect(agree(bytes))
        #expect(members.count == (try JSONValue.parse(bytes)).objectValue?.count)
    }

    @Test(arguments: [
        "", "{", "[]", #""a""#, #"{"a":1}"#, #"{"a":null}"#, #"{"a":["b"]}"#, #"{"a":{"b":"c"}}"#, #"{"a":"b",}"#,
        #"{"a":"b"}x"#, #"{"a":"b"}{}"#, #"{"a":"b","a":"c"}"#, #"{"a":"\x"}"#, #"{"a":"\ud800"}"#, "{\"a\":\"line\nbreak\"}",
        "\u{FEFF}{\"a\":\"b\"}", #"{'a':'b'}"#, #"{"a" "b"}"#,
    ])
    func leavesEverythingElseToTheFullReader(text: String) {
        let bytes = Array(text.utf8)
        #expect(JSONValue.stringMembers(bytes) == nil)
        #expect(agree(bytes))
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(JSONValue.stringMembers(bytes) == nil)
        #expect(agree(bytes))
    }

    @Test func refusesMoreMembersThanItsLimit() {
        let text = "{" + (0..<40).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}"
        #expect(JSONValue.stringMembers(Array(text.utf8)) == nil)
        #expect(JSONValue.stringMembers(Array(text.utf8), maxMembers: 40)?.count == 40)
    }

    /// 20,000 mutations of an envelope (bytes replaced, inserted or deleted, from a fixed seed): the readers agree on
    /// each. They reach the corners the cases above do not name (escapes cut short, quotes moved, stray bytes).
    @Test func agreesOnMutationsOfAnEnvelope() {
        // Knuth's MMIX linear congruential generator from a fixed seed: the same mutations on every run.
        var state: UInt64 = 0x5EED
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 16
        }
        let original = Array(Self.envelope.utf8)
        let alphabet = Array(#"{}[]":,\ u0123456789abcdefABCDEF-.nt"#.utf8) + [0x00, 0x0A, 0x7F, 0xC3, 0xA9, 0xFF]
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0...Int(next() % 3) {
                let position = Int(next() % UInt64(bytes.count))
                let byte = alphabet[Int(next() % UInt64(alphabet.count))]
                switch next() % 3 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
            }
            if !agree(bytes) { disagreements.append(String(decoding: bytes, as: UTF8.self)) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }
}
