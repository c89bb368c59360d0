/// An agency's id, e.g. `yot` or `schools-mis`: lower-case letters, digits and `-`, 1-64 characters.
public struct AgencyID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `rawValue`; `nil` when it is not a well-formed agency id.
    public init?(_ rawValue: String) {
        guard AgencyID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// An id read back from the hub's own store, which only ever holds ids checked on the way in.
    package init(stored rawValue: String) {
        self.rawValue = rawValue
    }

    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...64).contains(bytes.count), let first = bytes.first, first.isLowercaseLetter || first.isDigit
        else { return false }
        return bytes.allSatisfy { $0.isLowercaseLetter || $0.isDigit || $0 == UInt8(ascii: "-") }
    }

    public var description: String { rawValue }
    public static func < (lhs: AgencyID, rhs: AgencyID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = AgencyID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad agency id"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A message type, e.g. `attendance.return`: lower-case letters, digits, `.` and `-`, starting with a
/// letter, at most 128 characters.
public struct MessageType: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        let bytes = rawValue.utf8
        guard (1...128).contains(bytes.count), let first = bytes.first, first.isLowercaseLetter,
            bytes.allSatisfy({ $0.isLowercaseLetter || $0.isDigit || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else { return nil }
        self.rawValue = rawValue
    }

    /// A type read back from the hub's own store, which only ever holds types checked on the way in.
    package init(stored rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: MessageType, rhs: MessageType) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension UInt8 {
    var isLowercaseLetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isPrintableASCII: Bool { self >= 0x21 && self <= 0x7E }
}
