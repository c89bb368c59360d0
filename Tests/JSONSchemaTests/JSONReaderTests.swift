import StrictJSON
import Foundation
import Testing

@testable import JSONSchema

/// The hand-written JSON reader and writer against Foundation's parser, an independent implementation.
@Suite("JSON reading and writing")
struct JSONReaderTests {
    func foundation(_ bytes: [UInt8]) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else { return nil }
        return convert(object)
    }

    func convert(_ value: Any) -> JSONValue {
        switch value {
        case is NSNull: return .null
        case let number as NSNumber:
            // Foundation on Linux cannot tell a boolean NSNumber from 0 or 1: compare both sides as numbers.
            return .number(number.doubleValue)
        case let text as String: return .string(text)
        case let array as [Any]: return .array(array.map(convert))
        case let object as [String: Any]: return .object(object.mapValues(convert))
        default: return .null
        }
    }

    @Test(arguments: [
        "{}", "[]", "0", "-0.5", "1e3", "2.5E-2", "true", "false", "null", #""text""#, #"{"a":[1,2,{"b":null}],"c":"\u00e9\ud83d\ude00\n"}"#,
        " [ 1 , \"x\" , { } ] ", #"{"nested":{"deeper":{"deepest":[[[]]]}}}"#,
        // Whole numbers are read without strtod up to 16 characters: the edges of that, either side.
        "-0", "-42", "400", "1234567890123456", "-123456789012345", "9007199254740993", "12345678901234567", "-1234567890123456",
        // Strings that are not ASCII are validated as UTF-8; ASCII ones are not.
        #"{"name":"Zoë Ó Súilleabháin","ascii":"plain"}"#,
    ])
    func agreesWithFoundationOnValidJSON(text: String) throws {
        let ours = try JSONValue.parse(Array(text.utf8))
        if let theirs = foundation(Array(text.utf8)) {
            #expect(booleansAsNumbers(ours) == theirs)
        }
        // What we write, we read back the same; and Foundation accepts it.
        #expect(try JSONValue.parse(ours.encoded()) == ours)
        #expect(foundation(ours.encoded()) != nil)
    }

    func booleansAsNumbers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .bool(let flag): .number(flag ? 1 : 0)
        case .array(let items): .array(items.map(booleansAsNumbers))
        case .object(let members): .object(members.mapValues(booleansAsNumbers))
        default: value
        }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", ".5", "-", "+1", "1e", "tru", "nul", "[1 2]", "{\"a\" 1}", "\"unterminated",
        "\"bad \\x escape\"", "1e400", "[-1e999]", "\"\\ud800\"", "{\"a\":1}x", "[\"line\nbreak\"]", "{'a':1}",
        "{\"upn\":\"A\",\"upn\":\"B\"}",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: (any Error).self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func keysAreWrittenInCodePointOrder() throws {
        let value = try JSONValue.parse(#"{"b":1,"a":2,"B":3,"é":4}"#)
        #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"B":3,"a":2,"b":1,"é":4}"#)
        // Code points, not UTF-16 units: U+FFFD sorts before U+1F600, whose UTF-16 form begins with 0xD83D.
        let wide = JSONValue.object(Dictionary(uniqueKeysWithValues: ["z", "é", "😀", "\u{FFFD}", "a", "ab", "", "A"].map { ($0, JSONValue.null) }))
        #expect(String(decoding: wide.encoded(), as: UTF8.self) == #"{"":null,"A":null,"a":null,"ab":null,"z":null,"é":null,"\#u{FFFD}":null,"😀":null}"#)
        // Names compared by their first 16 bytes, then by length, then in full: the edges of each, against Python's
        // order (sorted() on str compares code points): a NUL that unused bytes would look like, 16 and 17 bytes.
        let names = ["abcdefghijklmnop", "abcdefghijklmnop\u{0}", "abcdefghijklmnopq", "abcdefghijklmnopr", "abcdefghijklmnopqé", "a\u{0}", "a", "a\u{0}b"]
        let long = JSONValue.object(Dictionary(uniqueKeysWithValues: names.map { ($0, JSONValue.null) }))
        let order = JSONWriterOrder.names(in: long.encoded())
        #expect(order == ["a", "a\u{0}", "a\u{0}b", "abcdefghijklmnop", "abcdefghijklmnop\u{0}", "abcdefghijklmnopq", "abcdefghijklmnopqé", "abcdefghijklmnopr"])
    }

    /// Strings that need escaping, written and read back by Foundation: every control character, quotes and
    /// backslashes at the start, middle and end, runs of them, and text around them (an audit leaf carries a
    /// decision's JSON record as one escaped string).
    @Test func escapedStringsReadBackAsThemselves() throws {
        var texts = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }
        texts += ["\"", "\\", "a\"b", "\"a", "a\"", "\"\"\"", "\\\"", "é\u{1}😀\n", #"{"agreement":"x","children":["psn-1"]}"#, "tab\there\r\n"]
        for text in texts {
            var out: [UInt8] = []
            JSONWriter.string(text, into: &out)
            #expect(foundation(out) == .string(text), "\(Array(text.unicodeScalars))")
        }
        var out: [UInt8] = []
        JSONWriter.string("a\"\\\u{1}\u{1f}\tz", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"\\\u0001\u001f\tz""#)
    }

    @Test(arguments: [0, 7, -7, 9, 10, 99, 100, -100, 1_234_567_890, Int64.max, Int64.min, Int64.min + 1])
    func integersAreWrittenAsTheirDecimalDigits(value: Int64) {
        var out: [UInt8] = [UInt8(ascii: "[")]
        JSONWriter.integer(value, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "[" + String(value))
    }
}

/// The member names of a written object, in the order they were written (a test's reading of the writer's output).
enum JSONWriterOrder {
    static func names(in bytes: [UInt8]) -> [String] {
        // Every name is a string followed by a colon; values here are null, so no string value can look like one.
        var names: [String] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else { index += 1; continue }
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
            if let text = try? JSONValue.parse(Array(bytes[index...end])).stringValue { names.append(text) }
            index = end + 1
        }
        return names
    }
}
