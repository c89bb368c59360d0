import AttendanceDomain
import Foundation
import LiaisonProtocol
import StrictJSON
import Testing

@testable import JSONSchema
@testable import LiaisonRules

/// The validator's two walks on the project's own schemas: the fast one the hub runs on every body (`isValid`, which
/// stops at the first failure and finds names without hashing) and the one that collects errors. On bodies made by
/// damaging every valid example at random, both must give Python's `jsonschema` verdict (an independent implementation).
@Suite("The validator's two walks on the message schemas")
struct SchemaConformanceTests {
    /// Values a mutation puts in place of another: each breaks some keyword of some schema (a count out of range, a
    /// date that does not exist, a code not in an enum, a type), and some are valid where they land.
    static let replacements: [JSONValue] = [
        .number(-1), .number(0), .number(401), .number(2.5), .number(1e300), .number(2012), .string(""), .string("X"),
        .string("2026-02-30"), .string("2026-09-03"), .string("Q926200024001"), .string("9262001"), .string("caf\u{E9}"),
        .string("/"), .string("J1"), .string("C2"), .string("ZZ"), .string("\u{212A}"), .bool(true), .null, .array([]), .object([:]),
    ]
    /// Names a mutation adds; U+212A KELVIN SIGN is canonically equivalent to the code `K` (Swift's `==` equates them, JSON
    /// Schema does not).
    static let names = ["extra", "am", "pm", "upn", "2026-09-03", "2013-05-01", "codes", "N", "J1", "Y7", "school", "caf\u{E9}", "\u{212A}"]

    @Test func bothWalksGivePythonsVerdictOnDamagedExamples() async throws {
        let schemas = try MessageSchemas.load(directory: MessageSchemasTests.schemasDirectory)
        var random = SeededGenerator(seed: 2026_12_06)
        var cases: [(type: String, body: JSONValue)] = []
        for (type, file) in MessageSchemasTests.examples where (file as NSString).lastPathComponent.hasPrefix("valid") {
            let example = try JSONValue.parse(Array(FileManager.default.contents(atPath: file) ?? Data()))
            cases.append((type, example))
            for _ in 0..<30 {
                var body = example
                let leaves = Self.leaves(of: example)
                for _ in 0..<(random.chance(0.7) ? 1 : 2) { body = Self.mutate(body, leaves: leaves, random: &random) }
                cases.append((type, body))
            }
        }
        #expect(cases.count > 500)

        let verdicts = try await MessageSchemasTests.pythonVerdicts(cases.map { ($0.type, $0.body.encoded()) })
        try #require(verdicts.count == cases.count)

        var valid = 0
        for ((type, body), python) in zip(cases, verdicts) {
            let validator = try #require(schemas.schema(for: MessageType(type)!)).validator
            let text = String(decoding: body.encoded(), as: UTF8.self)
            #expect(validator.isValid(body) == python, "\(type): the fast walk says \(!python ? "valid" : "invalid"), Python \(python): \(text)")
            #expect(validator.errors(of: body).isEmpty == python, "\(type): the full walk disagrees with Python (\(python)): \(text)")
            if python { valid += 1 }
        }
        // Both verdicts must be common, or the comparison says little (most damage is refused: about one in ten is valid).
        #expect(valid > cases.count / 20 && valid < cases.count * 19 / 20, "\(valid) of \(cases.count) valid")
    }

    /// `value` with one random part replaced (by one of `replacements`, or by a scalar from elsewhere in the example,
    /// which is often valid where it lands), removed, added to or duplicated.
    static func mutate(_ value: JSONValue, leaves: [JSONValue], random: inout SeededGenerator) -> JSONValue {
        switch value {
        case .object(var members) where !members.isEmpty && random.chance(0.75):
            let name = members.keys.sorted()[random.uniform(members.count)]
            switch random.uniform(4) {
            case 0: members[name] = nil
            case 1: members[random.pick(names)] = random.pick(replacements)
            default: members[name] = mutate(members[name]!, leaves: leaves, random: &random)
            }
            return .object(members)
        case .array(var items) where !items.isEmpty && random.chance(0.75):
            let index = random.uniform(items.count)
            switch random.uniform(4) {
            case 0: items.remove(at: index)
            case 1: items.append(items[index])
            default: items[index] = mutate(items[index], leaves: leaves, random: &random)
            }
            return .array(items)
        default:
            return random.chance(0.5) && !leaves.isEmpty ? random.pick(leaves) : random.pick(replacements)
        }
    }

    /// Every scalar in `value`.
    static func leaves(of value: JSONValue) -> [JSONValue] {
        switch value {
        case .object(let members): members.keys.sorted().flatMap { leaves(of: members[$0]!) }
        case .array(let items): items.flatMap { leaves(of: $0) }
        default: [value]
        }
    }
}
