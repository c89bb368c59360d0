import Testing

@testable import JSONSchema

/// The validator's lookup of names without hashing (`ShortNameTable`) finds exactly what a dictionary finds, comparing
/// code points as JSON Schema does.
@Suite("Names found without hashing")
struct ShortNameTableTests {
    @Test func keysDifferWhenNamesOfUpTo16BytesDo() {
        let names = [
            "", "\u{0}", "\u{0}\u{0}", "a", "a\u{0}", "am", "pm", "J1", "/", "\\", "12345678", "1234567", "123456789",
            "sessions_possible", "unauthorised", "1234567890abcdef", "1234567890abcdeg", "0234567890abcdef",
        ]
        let keys = names.map { ShortNameTable<Bool>.key($0) }
        #expect(keys.allSatisfy { $0 != nil })
        #expect(Set(keys.compactMap { $0.map { "\($0.length) \($0.head) \($0.tail)" } }).count == names.count)
        #expect(ShortNameTable<Bool>.key("caf\u{E9}") == nil, "not ASCII")
        #expect(ShortNameTable<Bool>.key("\u{212A}") == nil, "the Kelvin sign is not K")
    }

    /// Beyond 16 bytes a key leaves out the middle: the table compares it, or declines names it cannot tell apart.
    @Test func namesLongerThan16BytesAreComparedWhole() throws {
        let table = try #require(ShortNameTable([(name: "aaaaaaaaXbbbbbbbb", value: 1)]))
        #expect(table.value(for: "aaaaaaaaXbbbbbbbb") == 1)
        #expect(table.value(for: "aaaaaaaaYbbbbbbbb") == nil)
        #expect(ShortNameTable([(name: "aaaaaaaaXbbbbbbbb", value: 1), (name: "aaaaaaaaYbbbbbbbb", value: 2)]) == nil)
    }

    @Test func aTableFindsWhatADictionaryFinds() throws {
        let alphabet = ["a", "b", "1", "/", "\\", "-", "_", "\u{0}", "\u{E9}", "e\u{301}", "K", "\u{212A}"]
        var generator = SystemRandomNumberGenerator()
        func name() -> String {
            (0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
        }
        var tables = 0
        for _ in 0..<300 {
            let names = Set((0..<Int.random(in: 0...40, using: &generator)).map { _ in name() })
                .filter { $0.utf8.allSatisfy { $0 < 0x80 } }
            let entries = names.enumerated().map { (name: $0.element, value: $0.offset) }
            // Names of more than 16 bytes that agree in their first and last eight leave the caller its dictionary.
            guard let table = ShortNameTable(entries) else { continue }
            tables += 1
            let dictionary = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.value) })
            for probe in (0..<50).map({ _ in name() }) + Array(names) {
                // A dictionary equates canonical equivalents ("K" and the Kelvin sign); a table, like JSON Schema, does not.
                let expected = probe.utf8.allSatisfy { $0 < 0x80 } ? dictionary[probe] : nil
                #expect(table.value(for: probe) == expected, "\(probe.debugDescription) in \(names.sorted())")
            }
        }
        #expect(tables > 250)
        #expect(ShortNameTable([(name: "caf\u{E9}", value: 1)]) == nil, "a name that is not ASCII leaves the caller its dictionary")
    }
}
