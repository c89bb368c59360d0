import AttendanceDomain
import StrictJSON
import Testing

@testable import LiaisonRules

/// A condition reads the first value at its path in a record.
@Suite("Field paths")
struct FieldPathTests {
    @Test func theFirstValueIsTheFirstOfEveryValueAtThePath() {
        var random = SeededGenerator(seed: 14)
        let names = ["upn", "pupils", "0", "1", "*", "dob"]
        var found = 0
        for round in 0..<3_000 {
            let document = MinimiserTests.value(depth: 0, names: names, random: &random)
            let path = FieldPath(tokens: (0..<random.uniform(0...3)).map { _ in random.chance(0.4) ? "*" : random.pick(names) })
            let expected = Self.values(at: path.tokens, in: document).first
            #expect(path.firstValue(in: document) == expected, "round \(round): \(path) in \(String(decoding: document.encoded(), as: UTF8.self))")
            if expected != nil { found += 1 }
        }
        // Both outcomes are exercised: paths that find something and paths that do not.
        #expect(found > 300 && found < 2_700)
    }

    @Test func aWildcardTakesTheFirstElementThatHasThePath() {
        let record: JSONValue = ["pupils": [["name": "SYNTH A"], ["upn": "B801200005001"], ["upn": "Q926200024001"]], "*": ["upn": "literal"]]
        #expect(FieldPath("/pupils/*/upn")?.firstValue(in: record) == "B801200005001")
        #expect(FieldPath("/pupils/0/upn")?.firstValue(in: record) == nil)
        #expect(FieldPath("/*/upn")?.firstValue(in: record) == "literal", "a member named * is a name, not a wildcard")
        #expect(FieldPath("/")?.firstValue(in: record) == record)
    }

    /// The definition, level by level: every value at the path, wildcards fanning out over arrays in order.
    static func values(at tokens: [String], in document: JSONValue) -> [JSONValue] {
        var current = [document]
        for token in tokens {
            var next: [JSONValue] = []
            for value in current {
                switch value {
                case .object(let members): if let member = members[token] { next.append(member) }
                case .array(let items):
                    if token == "*" {
                        next.append(contentsOf: items)
                    } else if let index = Int(token), items.indices.contains(index) {
                        next.append(items[index])
                    }
                default: break
                }
            }
            current = next
        }
        return current
    }
}
