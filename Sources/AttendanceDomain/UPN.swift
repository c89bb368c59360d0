/// A unique pupil number: 13 characters, a check letter then LA (3), establishment (4), year (2) and serial (3).
///
/// The check letter is computed over positions 2-13: each character's value (a digit's value is itself; a final
/// letter's value is its index in `ABCDEFGHJKLMNPQRTUVWXYZ`) times its position, summed, mod 23, looked up in that
/// alphabet. A temporary UPN ends in a letter instead of a digit; it is valid and ``isTemporary`` says so.
///
/// ```swift
/// UPN.check("Q926200024001")       // .valid(UPN)
/// UPN.check("A801200005001")       // .invalid(.badCheckLetter(found: "A", expected: "B"))
/// try UPN("B801200005001").laNumber   // "801"
/// ```
public struct UPN: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 13 characters.
    public let value: String

    /// The letters a check letter (and a temporary UPN's last character) may be: A-Z without I, O and S.
    public static let alphabet: [UInt8] = Array("ABCDEFGHJKLMNPQRTUVWXYZ".utf8)

    /// Why a text is not a valid UPN.
    public enum Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        /// Not 13 characters.
        case wrongLength(Int)
        /// A character not allowed at its position (1-based): positions 2-12 must be digits, 1 and 13 as described.
        case badCharacter(position: Int, found: Character)
        /// The check letter does not match the body.
        case badCheckLetter(found: Character, expected: Character)

        public var description: String {
            switch self {
            case .wrongLength(let length):
                return "a UPN has 13 characters, this has \(length)"
            case .badCharacter(let position, let found):
                let rule =
                    position == 1
                    ? "the check letter must be a capital letter other than I, O or S"
                    : position == 13
                        ? "the last character must be a digit, or a capital letter other than I, O or S for a temporary UPN"
                        : "positions 2-12 must be digits"
                return "character \(position) is \"\(found)\": \(rule)"
            case .badCheckLetter(let found, let expected):
                return "the check letter is \(found) but the digits give \(expected): check the UPN with the school"
            }
        }
    }

    /// The result of checking a text.
    public enum Check: Hashable, Sendable {
        case valid(UPN)
        case invalid(Invalid)
    }

    /// A validated UPN.
    /// - Throws: ``Invalid`` saying exactly what is wrong.
    public init(_ text: String) throws(Invalid) {
        switch UPN.check(text) {
        case .valid(let upn): self = upn
        case .invalid(let reason): throw reason
        }
    }

    private init(unchecked value: String) { self.value = value }

    /// Checks a text: length, characters by position, then the check letter.
    public static func check(_ text: String) -> Check {
        let bytes = Array(text.utf8)
        guard bytes.count == 13, text.count == 13 else { return .invalid(.wrongLength(text.count)) }
        let first = bytes[0]
        guard alphabet.contains(first) else { return .invalid(.badCharacter(position: 1, found: Character(text.prefix(1).description))) }
        for position in 2...12 where !(48...57).contains(bytes[position - 1]) {
            return .invalid(.badCharacter(position: position, found: Character(UnicodeScalar(bytes[position - 1]))))
        }
        let last = bytes[12]
        guard (48...57).contains(last) || alphabet.contains(last) else {
            return .invalid(.badCharacter(position: 13, found: Character(UnicodeScalar(last))))
        }
        let expected = checkLetter(body: bytes[1...])!
        guard expected == first else {
            return .invalid(.badCheckLetter(found: Character(UnicodeScalar(first)), expected: Character(UnicodeScalar(expected))))
        }
        return .valid(UPN(unchecked: text))
    }

    /// The check letter for a 12-character body (positions 2-13), or nil if the body is not 11 digits and a digit
    /// or allowed letter.
    public static func checkLetter(body: some Collection<UInt8>) -> UInt8? {
        guard body.count == 12 else { return nil }
        var sum = 0
        for (offset, byte) in body.enumerated() {
            let value: Int
            if (48...57).contains(byte) {
                value = Int(byte - 48)
            } else if offset == 11, let index = alphabet.firstIndex(of: byte) {
                value = index
            } else {
                return nil
            }
            sum += value * (offset + 2)
        }
        return alphabet[sum % 23]
    }

    /// Makes a valid UPN from its parts: `la` (3 digits), `estab` (4), `year` (2), `serial` (3 digits, or 2 digits
    /// and a letter for a temporary UPN). Nil if a part has the wrong shape.
    public static func make(la: String, estab: String, year: String, serial: String) -> UPN? {
        let body = la + estab + year + serial
        guard la.utf8.count == 3, estab.utf8.count == 4, year.utf8.count == 2, serial.utf8.count == 3,
            let letter = checkLetter(body: Array(body.utf8))
        else { return nil }
        return UPN(unchecked: String(UnicodeScalar(letter)) + body)
    }

    /// True for a temporary UPN (one ending in a letter).
    public var isTemporary: Bool { !(48...57).contains(value.utf8.last!) }

    /// The LA number (positions 2-4).
    public var laNumber: String { String(value.dropFirst().prefix(3)) }

    /// The establishment number (positions 5-8).
    public var establishmentNumber: String { String(value.dropFirst(4).prefix(4)) }

    public var description: String { value }

    public static func < (lhs: UPN, rhs: UPN) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try UPN(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a valid UPN: \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
