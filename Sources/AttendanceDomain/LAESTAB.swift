/// A school's DfE number: the 3-digit LA number and the 4-digit establishment number (e.g. 9262001).
///
/// Not the 6-digit URN, which is a different identifier.
///
/// ```swift
/// let school = try LAESTAB("9262001")
/// school.laNumber       // "926"
/// school.establishment  // "2001"
/// ```
public struct LAESTAB: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 7 digits.
    public let value: String

    /// Why a text is not a LAESTAB.
    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        /// The text that was checked.
        public let text: String
        public var description: String {
            "\"\(text)\" is not a LAESTAB: it must be 7 digits, the 3-digit LA number then the 4-digit establishment number (not the 6-digit URN)"
        }
    }

    /// A LAESTAB from 7 digits.
    /// - Throws: ``Invalid`` for anything else.
    public init(_ text: String) throws(Invalid) {
        guard text.utf8.count == 7, text.utf8.allSatisfy({ (48...57).contains($0) }) else { throw Invalid(text: text) }
        value = text
    }

    /// A LAESTAB from a 3-digit LA number and a 4-digit establishment number (as in CTF's LEA and Estab).
    /// - Throws: ``Invalid`` if either part has the wrong shape.
    public init(la: String, establishment: String) throws(Invalid) {
        guard la.utf8.count == 3, establishment.utf8.count == 4 else { throw Invalid(text: la + establishment) }
        try self.init(la + establishment)
    }

    /// The LA number (first 3 digits).
    public var laNumber: String { String(value.prefix(3)) }
    /// The establishment number (last 4 digits).
    public var establishment: String { String(value.suffix(4)) }

    public var description: String { value }
    public static func < (lhs: LAESTAB, rhs: LAESTAB) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try LAESTAB(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
