import StrictJSON
import Testing

@testable import JSONSchema

/// The validator reads an object's members in whatever order its dictionary keeps them, but reports errors in the
/// order of the members' names, each member's own errors in the order found: a 422's message is the same on every run.
@Suite("The validator's errors, in name order")
struct ErrorOrderTests {
    @Test func errorsComeInTheOrderOfTheMembersNamesWhateverTheDictionarysOrder() throws {
        let validator = try SchemaValidator(schema: try JSONValue.parse(#"""
            {"type": "object", "additionalProperties": false,
             "properties": {
               "a": {"type": "integer"}, "b": {"type": "string", "minLength": 3, "pattern": "^[0-9]+$"},
               "c": {"type": "object", "properties": {"y": {"type": "integer"}, "x": {"type": "integer"}}},
               "d": {"type": "integer"}, "e": {"type": "integer"}, "f": {"type": "integer"}, "g": {"type": "integer"}}}
            """#))
        let instance = try JSONValue.parse(#"""
            {"g": "x", "f": "x", "e": "x", "d": "x", "c": {"y": "no", "x": "no"}, "b": "a", "a": "x", "zz": 1, "m": 2}
            """#)
        let expected = ["/a", "/b", "/b", "/c/x", "/c/y", "/d", "/e", "/f", "/g", "/m", "/zz"]
        // A dictionary's order is seeded per process and is almost never name order for nine members: without the
        // reordering this fails.
        #expect(validator.validate(instance).map(\.instancePath.description) == expected)
        #expect(validator.validate(instance).map(\.keyword).prefix(3) == ["type", "minLength", "pattern"])
    }
}
