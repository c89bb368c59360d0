import Testing

@testable import JSONSchema

/// The validator's lookup of short names without hashing (`ShortNameTable`) finds exactly what a dictionary finds,
/// comparing code points as JSON Schema does.
@Suite("Short names found without hashing")
struct ShortNameTableTests {
    @Test func packedNamesDifferWhenTheNamesDo() {
        let names = ["", "\u{0}", "\u{0}\u{0}", "a", "a\u{0}", "am", "pm", "J1", "/", "\\", "12345678", "1234567"]
        let packed = names.map { ShortNameTable<Bool>.pack($0) }
        #expect(packed.allSatisfy { $0 != nil })
        #expect(Set(packed.compactMap { $0 }).count == names.count)
        #expect(ShortNameTable<Bool>.pack("123456789") == nil, "longer than a word")
        #expect(ShortNameTable<Bool>.pack("caf\u{E9}") == nil, "not ASCII")
    }

    @Test func aTableFindsWhatADictionaryFinds() throws {
        let alphabet = ["a", "b", "1", "/", "\\", "-", "\u{0}", "\u{E9}", "e\u{301}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let names = Set((0..<Int.random(in: 0...40, using: &generator)).map { _ in
                (0..<Int.random(in: 0...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            }).filter { ShortNameTable<Int>.pack($0) != nil }
            let entries = names.enumerated().map { (name: $0.element, value: $0.offset) }
            let table = try #require(ShortNameTable(entries))
            let dictionary = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.value) })
            for _ in 0..<50 {
                let probe = (0..<Int.random(in: 0...10, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
                // A dictionary equates canonical equivalents; only ASCII names are in a table, and those have none.
                let expected = probe.utf8.allSatisfy { $0 < 0x80 } ? dictionary[probe] : nil
                #expect(table.value(for: probe) == expected, "\(probe.debugDescription) in \(names.sorted())")
            }
        }
        #expect(ShortNameTable([(name: "caf\u{E9}", value: 1)]) == nil, "a name that does not pack leaves the caller its dictionary")
    }
}
