import Foundation
import Testing

@testable import LiaisonProtocol

/// The hand-written envelope reader must agree with Foundation's JSON parser wherever it answers, and
/// decline (returning nil) wherever the input is not a flat object of strings.
@Suite("The fast envelope reader")
struct FlatJSONObjectTests {
    func foundation(_ text: String) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            guard let string = value as? String else { return nil }
            result[key] = string
        }
        return result
    }

    @Test(arguments: [
        #"{}"#, #" { "a" : "b" } "#, #"{"a":"b","c":"d"}"#, #"{"esc":"q\" b\\ s\/ \b\f\n\r\t"}"#,
        #"{"u":"\u00e9\u5b66\ud83d\ude00"}"#, "{\"raw\":\"é学😀\"}", #"{"":""}"#,
    ])
    func agreesWithFoundationOnValidInput(text: String) {
        let fast = FlatJSONObject.parse(Array(text.utf8))
        #expect(fast != nil)
        #expect(fast == foundation(text))
    }

    @Test(arguments: [
        "", "[]", #"{"a":1}"#, #"{"a":"b",}"#, #"{"a":"b""#, #"{"a":"b"} x"#, #"{"a":"\x"}"#, #"{"a":"\ud800"}"#,
        #"{"a":"\u12"}"#, "{\"a\":\"line\nbreak\"}", #"{"a":"b","a":"c"}"#, #"{a:"b"}"#, #"{"a":null}"#,
    ])
    func declinesEverythingElse(text: String) {
        #expect(FlatJSONObject.parse(Array(text.utf8)) == nil)
    }

    @Test func declinesInvalidUTF8() {
        #expect(FlatJSONObject.parse([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) == nil)
    }

    @Test func agreesOnGeneratedObjects() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "é", "学", "😀", "\u{01}", "}", ","]
        for _ in 0..<300 {
            var object: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let key = (0..<Int.random(in: 1...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
                object[key] = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            }
            let data = try! JSONSerialization.data(withJSONObject: object)
            #expect(FlatJSONObject.parse(Array(data)) == object)
        }
    }
}
