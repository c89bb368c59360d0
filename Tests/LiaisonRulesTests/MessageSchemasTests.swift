import Foundation
import LiaisonTestSupport
import StrictJSON
import LiaisonProtocol
import Testing

@testable import LiaisonRules

/// The repository's message schemas: every one loads, every example behaves as its name says, and
/// Python's `jsonschema` (an independent implementation) agrees with the Swift validator on every
/// schema and example.
@Suite("The message schemas in schemas/")
struct MessageSchemasTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemasDirectory = repository.appendingPathComponent("schemas").path
    static let python = ProcessInfo.processInfo.environment["LIAISON_PYTHON"] ?? "/usr/bin/python3"

    static var examples: [(type: String, file: String)] {
        let folder = "\(schemasDirectory)/examples"
        let types = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return types.flatMap { type in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(type)")) ?? []).sorted().map { (type, "\(folder)/\(type)/\($0)") }
        }
    }

    @Test func everyMessageTypeHasAUsableSchema() throws {
        let schemas = try MessageSchemas.load(directory: Self.schemasDirectory)
        let expected = [
            "attendance.return", "attendance.termly-feed", "awards.list", "care.attendance-alert", "case.disposal", "case.feedback", "cohort.update",
            "connexions.assignment", "connexions.notification", "court.outcome", "penalty.notice", "prosecution.file",
            "pupil.match-request", "pupil.match-result", "pupil.roll", "referral", "register-audit.findings",
            "yot.attendance-summary", "yot.case-update",
        ]
        #expect(schemas.types.map(\.rawValue) == expected)
        // Version 2 where a change refused bodies that used to be valid (schemas/README.md).
        let secondVersions: Set<String> = ["prosecution.file", "court.outcome", "case.disposal"]
        for entry in schemas.entries.values {
            #expect(entry.id == "urn:liaison:schema:\(entry.type):\(secondVersions.contains(entry.type.rawValue) ? 2 : 1)")
        }
    }

    @Test func examplesAreValidOrInvalidAsTheirNamesSay() throws {
        let schemas = try MessageSchemas.load(directory: Self.schemasDirectory)
        #expect(Self.examples.count > 26)
        for (type, file) in Self.examples {
            let body = Array(FileManager.default.contents(atPath: file) ?? Data())
            let valid = (try? schemas.check(body: body, type: MessageType(type)!, reference: "")) != nil
            #expect(valid == (file as NSString).lastPathComponent.hasPrefix("valid"), "\(file)")
        }
    }

    @Test func pythonJSONSchemaAgreesOnEverySchemaAndExample() async throws {
        let bodies = Self.examples.map { Array(FileManager.default.contents(atPath: $0.file) ?? Data()) }
        let python = try await Self.pythonVerdicts(zip(Self.examples, bodies).map { ($0.type, $1) }).map { $0 ? "valid" : "invalid" }
        #expect(python.count == Self.examples.count)

        let schemas = try MessageSchemas.load(directory: Self.schemasDirectory)
        for (((type, file), body), verdict) in zip(zip(Self.examples, bodies), python) {
            let swift = (try? schemas.check(body: body, type: MessageType(type)!, reference: "")) != nil ? "valid" : "invalid"
            #expect(swift == verdict, "\(file): Swift says \(swift), Python's jsonschema says \(verdict)")
        }
    }

    /// Python's `jsonschema` (draft 2020-12, formats asserted) on each body against its type's schema in `schemas/`:
    /// true where it is valid. Each schema is checked against the metaschema first.
    static func pythonVerdicts(_ cases: [(type: String, body: [UInt8])]) async throws -> [Bool] {
        let script = #"""
            import base64, json, sys
            from jsonschema import Draft202012Validator as V, FormatChecker
            checker = getattr(V, "FORMAT_CHECKER", None) or FormatChecker()
            validators = {}
            for line in sys.stdin:
                schema_path, body = line.rstrip("\n").split("\t")
                if schema_path not in validators:
                    schema = json.load(open(schema_path))
                    V.check_schema(schema)
                    validators[schema_path] = V(schema, format_checker=checker)
                valid = validators[schema_path].is_valid(json.loads(base64.b64decode(body)))
                print("valid" if valid else "invalid")
            """#
        let lines = cases.map { "\(schemasDirectory)/\($0.type).schema.json\t\(Data($0.body).base64EncodedString())\n" }.joined()
        let result = try await ChildProcess.run(python, ["-c", script], input: Data(lines.utf8))
        #expect(result.status == 0, "python3 with jsonschema is needed: apt-get install python3-jsonschema. \(result.errors)")
        return result.output.split(separator: "\n").map { $0 == "valid" }
    }
}
