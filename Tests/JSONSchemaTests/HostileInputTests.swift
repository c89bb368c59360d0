import StrictJSON
import Testing

@testable import JSONSchema

/// What a sender chooses must not choose the validator's work or memory (issue 11, item 10), and the reader names
/// the faults the hub's error codes need.
@Suite("Hostile input to the JSON reader and validator")
struct HostileInputTests {
    @Test func aStringOverItsMaxLengthIsNotMatchedAgainstItsPattern() throws {
        let validator = try SchemaValidator(schema: try JSONValue.parse(#"{"type":"string","maxLength":13,"pattern":"^[A-Z][0-9]{12}$"}"#))
        let errors = validator.validate(.string(String(repeating: "9", count: 100_000)))
        #expect(errors.map(\.keyword) == ["maxLength"])
    }

    @Test func onlyShortStringsAreRemembered() {
        let regex = CachedRegex("^[a-z]+$")
        #expect(regex.matches("short"))
        #expect(regex.matches(String(repeating: "a", count: 65)))
        #expect(regex.matches(String(repeating: "b", count: 5000)))
        #expect(regex.rememberedCount == 1)
    }

    /// Swift's `==` equates canonical equivalents ("é", U+00E9, and "e" + U+0301); JSON Schema compares code points.
    /// Neither an enum of strings (a set) nor a remembered pattern result may let one stand for the other.
    @Test func aCanonicalEquivalentIsNotTakenForTheStringItself() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let choice = try SchemaValidator(schema: .object(["enum": .array([.string(composed), "tea"])]))
        #expect(choice.isValid(.string(composed)))
        #expect(!choice.isValid(.string(decomposed)))
        let regex = CachedRegex("^caf\u{E9}$")
        #expect(regex.matches(composed))
        #expect(!regex.matches(decomposed))
        #expect(regex.rememberedCount == 0, "only ASCII strings are remembered")
        let named = try SchemaValidator(schema: .object([
            "type": "object", "patternProperties": .object(["^caf\u{E9}$": true]), "additionalProperties": false,
        ]))
        #expect(named.isValid(.object([composed: 1])))
        #expect(!named.isValid(.object([decomposed: 1])))
    }

    /// A member's name is a property's, or a required name, only code point for code point: "K" is not U+212A KELVIN SIGN,
    /// nor "café" its decomposed form, though Swift's `==` (and so a dictionary) equates each pair. Both walks agree.
    @Test func aCanonicalEquivalentIsNotTakenForAPropertyOrARequiredName() throws {
        for name in ["K", "caf\u{E9}", "caf\u{E9} au lait"] {
            let equivalent = name == "K" ? "\u{212A}" : name.replacingOccurrences(of: "\u{E9}", with: "e\u{301}")
            #expect(name == equivalent && !name.utf8.elementsEqual(equivalent.utf8), "Swift equates the two; their code points differ")
            let strict = try SchemaValidator(schema: .object([
                "type": "object", "properties": .object([name: .object(["type": "integer"])]), "required": [.string(name)],
                "additionalProperties": false,
            ]))
            #expect(strict.isValid(.object([name: 1])))
            #expect(!strict.isValid(.object([equivalent: 1])), "\(name): the equivalent is an additional property")
            #expect(strict.errors(of: .object([equivalent: 1])).map(\.keyword).sorted() == ["additionalProperties", "required"])
            let open = try SchemaValidator(schema: .object(["required": [.string(name)], "dependentRequired": .object([name: ["x"]])]))
            #expect(!open.isValid(.object([equivalent: 1])), "\(name): required names the property itself")
            #expect(open.errors(of: .object([equivalent: 1])).map(\.keyword) == ["required"])
            #expect(open.isValid(.object([name: 1, "x": 2])) && !open.isValid(.object([name: 1])))
        }
    }

    /// The same for values themselves (`const`, `enum` of objects, `uniqueItems`): strings and member names compare by
    /// code point, and values that are equal hash alike.
    @Test func valuesCompareAndHashByCodePoint() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(JSONValue.string(composed) != .string(decomposed))
        #expect(JSONValue.object([composed: 1]) != .object([decomposed: 1]))
        #expect(JSONValue.object([composed: 1, "b": [true, .null]]) == .object(["b": [true, .null], composed: 1]))
        let unique = try SchemaValidator(schema: .object(["uniqueItems": true]))
        #expect(unique.isValid(.array([.object([composed: 1]), .object([decomposed: 1])])))
        #expect(!unique.isValid(.array([.object([composed: 1, "x": "y"]), .object(["x": "y", composed: 1])])))
        let values: [JSONValue] = [.string(composed), .object(["a": 1, "b": 2]), .object(["b": 3, "a": 4]), .array([.string("x")])]
        for value in values {
            let copy = try JSONValue.parse(value.encoded())
            #expect(copy == value && copy.hashValue == value.hashValue)
        }
        #expect(Set(values + values).count == values.count)
    }

    @Test func theReaderNamesADuplicateKeyAByteOrderMarkAndDepth() {
        #expect(throws: JSONParseError(offset: 11, duplicateKey: "a")) { try JSONValue.parse(#"{"a":1,"a":2}"#) }
        #expect((try? JSONValue.parse("\u{FEFF}{}")) == nil)
        do {
            _ = try JSONValue.parse("\u{FEFF}{}")
        } catch {
            #expect(error.byteOrderMark)
        }
        do {
            _ = try JSONValue.parse(String(repeating: "[", count: 600) + String(repeating: "]", count: 600))
            Issue.record("600 levels of nesting were read")
        } catch {
            #expect(error.tooDeep)
        }
    }
}
