import Foundation
@testable import JSONSchema
import StrictJSON
import Testing

/// The official JSON-Schema-Test-Suite (draft 2020-12) for every keyword the validator implements.
@Suite("JSON-Schema-Test-Suite")
struct TestSuiteTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/draft2020-12")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let optional = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("optional-format").path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted() + optional.filter { $0.hasSuffix(".json") }.sorted().map { "optional-format/\($0)" }
    }

    /// Cases the suite marks as needing features out of scope: references to other documents or to
    /// `$id`/`$anchor` locations. The validator refuses such schemas at load, so none passes silently.
    static let outOfScope: Set<String> = [
        "validate definition against metaschema",  // a remote $ref to the metaschema
        "collect annotations inside a 'not', even if collection is disabled",  // unevaluatedProperties
        "$id must be resolved against nearest parent, not just immediate parent", "Recursive references between schemas",
        "URN base URI with URN and JSON pointer ref", "URN base URI with URN and anchor ref", "URN ref with nested pointer ref",
        "order of evaluation: $id and $anchor and $ref", "order of evaluation: $id and $ref on nested schema",
        "order of evaluation: $id and $ref", "ref creates new scope when adjacent to keywords", "ref to else", "ref to if",
        "ref to then", "ref with absolute-path-reference", "refs with relative uris and defs",
        "relative refs with absolute uris and defs", "remote ref, containing refs itself", "simple URN base URI with $ref via the URN",
    ]

    @Test(arguments: files)
    func everyCaseAgrees(file: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(file))
        guard case .array(let groups) = try JSONValue.parse(Array(data)) else {
            Issue.record("\(file) is not an array")
            return
        }
        var checked = 0
        var refused: [String] = []
        for group in groups {
            let description = group["description"]?.stringValue ?? "?"
            guard let schema = group["schema"], let tests = group["tests"]?.arrayValue else { continue }
            let validator: SchemaValidator
            do { validator = try SchemaValidator(schema: schema) } catch {
                refused.append(description)
                continue
            }
            for test in tests {
                guard let instance = test["data"], case .bool(let expected)? = test["valid"] else { continue }
                let name = "\(file) / \(description) / \(test["description"]?.stringValue ?? "?")"
                let errors = validator.validate(instance)
                #expect(errors.isEmpty == expected, "\(name): expected \(expected ? "valid" : "invalid"), got \(errors)")
                // `validate` asks the fast walk first: each walk must reach the suite's verdict on its own.
                #expect(validator.isValid(instance) == expected, "\(name): the fast walk says \(!expected ? "valid" : "invalid")")
                let collected = validator.errors(of: instance)
                #expect(collected.isEmpty == expected, "\(name): the full walk says \(collected)")
                checked += 1
            }
        }
        #expect(checked > 0 || groups.allSatisfy { Self.outOfScope.contains($0["description"]?.stringValue ?? "") }, "\(file) checked nothing")
        // What the validator refuses at load must be exactly the documented out-of-scope cases.
        for description in refused {
            #expect(Self.outOfScope.contains(description), "\(file): refused '\(description)'")
        }
    }
}

@Suite("Validation errors")
struct ValidationErrorTests {
    @Test func errorsNameThePointerTheKeywordAndTheExpectation() throws {
        let schema = try JSONValue.parse(#"""
            {"type":"object","additionalProperties":false,"required":["pupils"],
             "properties":{"pupils":{"type":"array","items":{"$ref":"#/$defs/pupil"}}},
             "$defs":{"pupil":{"type":"object","required":["upn"],"additionalProperties":false,
                "properties":{"upn":{"type":"string","pattern":"^[A-Z][0-9]{12}$"},"present":{"type":"integer","minimum":0}}}}}
            """#)
        let validator = try SchemaValidator(schema: schema)
        let errors = validator.validate(try JSONValue.parse(#"{"pupils":[{"upn":"Q926200024001"},{"upn":"bad","present":-1},{}],"x":1}"#))
        let rendered = Set(errors.map(\.description))
        #expect(rendered.contains("/pupils/1/upn: pattern: expected a string matching ^[A-Z][0-9]{12}$"))
        #expect(rendered.contains("/pupils/1/present: minimum: expected at least 0"))
        #expect(rendered.contains("/pupils/2/upn: required: 'upn' is required"))
        #expect(rendered.contains("/x: additionalProperties: 'x' is not allowed here"))
        #expect(errors.count == 4)
    }

    @Test func unsupportedKeywordsAreRefusedNotIgnored() throws {
        #expect(throws: SchemaValidator.UnsupportedKeyword.self) {
            try SchemaValidator(schema: try JSONValue.parse(#"{"unevaluatedProperties":false}"#))
        }
        #expect(throws: SchemaValidator.UnsupportedKeyword.self) {
            try SchemaValidator(schema: try JSONValue.parse(#"{"$ref":"https://example.com/other.json"}"#))
        }
    }
}
