import AttendanceDomain
import StrictJSON
import Testing

@testable import LiaisonRules

/// The minimiser walks a tree made from a flow's fields. These tests hold it to the plain definition (a member is
/// kept when a field covers its path, walked into when a field leads through it, withheld otherwise), written
/// here the slow way, on bodies and field lists made at random.
@Suite("Field minimisation")
struct MinimiserTests {
    @Test func theTreeKeepsAndWithholdsExactlyWhatThePathDefinitionDoes() {
        var random = SeededGenerator(seed: 12)
        let names = ["upn", "name", "school", "pupils", "0", "1", "05", "*", "dob"]
        for round in 0..<2_000 {
            let body = Self.value(depth: 0, names: names, random: &random)
            let fields = (0..<random.uniform(1...4)).map { _ in
                FieldPath(tokens: (0..<random.uniform(0...3)).map { _ in random.chance(0.3) ? "*" : random.pick(names) })
            }
            var minimiser = Minimiser(allowed: fields)
            var reference = Reference(allowed: fields)
            let kept = minimiser.minimise(body)
            let expected = reference.minimise(body, at: [])
            #expect(kept == expected, "round \(round): fields \(fields) on \(String(decoding: body.encoded(), as: UTF8.self))")
            #expect(minimiser.withheld == reference.withheld, "round \(round): fields \(fields)")
        }
    }

    /// The broker writes each view straight to text; it must be the text of the minimised value, with the same
    /// fields withheld.
    @Test func theWriterWritesExactlyTheMinimisedValuesText() {
        var random = SeededGenerator(seed: 13)
        let names = ["upn", "name", "school", "pupils", "0", "1", "05", "*", "dob", "é", "Z"]
        var withheldSome = 0
        for round in 0..<2_000 {
            let body = Self.value(depth: 0, names: names, random: &random)
            let fields = (0..<random.uniform(1...4)).map { _ in
                FieldPath(tokens: (0..<random.uniform(0...3)).map { _ in random.chance(0.3) ? "*" : random.pick(names) })
            }
            var minimiser = Minimiser(allowed: fields)
            var writer = MinimisingWriter(allowed: AllowList(fields))
            let expected = (minimiser.minimise(body) ?? .object([:])).encoded()
            let written = writer.write(body)
            #expect(
                written == expected,
                "round \(round): fields \(fields) on \(String(decoding: body.encoded(), as: UTF8.self)): wrote \(String(decoding: written, as: UTF8.self))")
            #expect(writer.withheld == minimiser.withheld, "round \(round): fields \(fields)")
            // The dry walk that spares writing a view that is the whole body says so exactly when nothing is withheld.
            #expect(writer.keepsEverything(of: body) == minimiser.withheld.isEmpty, "round \(round): fields \(fields)")
            if !minimiser.withheld.isEmpty { withheldSome += 1 }
        }
        // The random cases exercise both halves: views that withhold something and views that keep everything.
        #expect(withheldSome > 200 && withheldSome < 1_900)
    }

    @Test func aNameLikeAnIndexMatchesBothItsOwnFieldAndTheWildcard() {
        let body: JSONValue = .object([
            "pupils": .array([
                .object(["upn": .string("A"), "name": .string("SYNTH A"), "dob": .string("2012-01-01")]),
                .object(["upn": .string("B"), "name": .string("SYNTH B"), "dob": .string("2012-02-02")]),
            ]),
            "scores": .object(["5": .number(1), "x": .number(2)]),
        ])
        var minimiser = Minimiser(allowed: [FieldPath("/pupils/*/upn")!, FieldPath("/pupils/1/name")!, FieldPath("/scores/*")!])
        let view = minimiser.minimise(body)
        #expect(view == .object([
            "pupils": .array([.object(["upn": .string("A")]), .object(["upn": .string("B"), "name": .string("SYNTH B")])]),
            "scores": .object(["5": .number(1)]),
        ]))
        #expect(minimiser.withheld == [FieldPath("/pupils/*/name")!, FieldPath("/pupils/*/dob")!, FieldPath("/scores/x")!])
    }

    static func value(depth: Int, names: [String], random: inout SeededGenerator) -> JSONValue {
        switch depth >= 3 ? random.uniform(3) : random.uniform(5) {
        case 0: return .string("v\(random.uniform(9))")
        case 1: return .number(Double(random.uniform(99)))
        case 2: return .null
        case 3: return .array((0..<random.uniform(0...3)).map { _ in value(depth: depth + 1, names: names, random: &random) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.uniform(0...4) { members[random.pick(names)] = value(depth: depth + 1, names: names, random: &random) }
            return .object(members)
        }
    }

    /// The definition, path by path (the minimiser as it was before the tree).
    struct Reference {
        let allowed: [FieldPath]
        var withheld: Set<FieldPath> = []

        static func matches(_ pattern: String, _ token: String) -> Bool { pattern == token || (pattern == "*" && Int(token) != nil) }
        func covers(_ field: FieldPath, _ path: [String]) -> Bool {
            field.tokens.count <= path.count && zip(field.tokens, path).allSatisfy(Self.matches)
        }
        func leadsThrough(_ field: FieldPath, _ path: [String]) -> Bool {
            path.count < field.tokens.count && zip(field.tokens, path).allSatisfy(Self.matches)
        }

        mutating func minimise(_ value: JSONValue, at path: [String]) -> JSONValue? {
            if allowed.contains(where: { covers($0, path) }) { return value }
            guard allowed.contains(where: { leadsThrough($0, path) }) else {
                withheld.insert(FieldPath.generalised(path))
                return nil
            }
            switch value {
            case .object(let members):
                var kept: [String: JSONValue] = [:]
                for (key, member) in members {
                    if let minimised = minimise(member, at: path + [key]) { kept[key] = minimised }
                }
                return .object(kept)
            case .array(let items):
                return .array(items.enumerated().compactMap { index, item in minimise(item, at: path + [String(index)]) })
            default:
                withheld.insert(FieldPath.generalised(path))
                return nil
            }
        }
    }
}
