/// Why a text is not the strict JSON (RFC 8259, with I-JSON's unique names) the hub reads.
///
/// Callers turn it into their own coded errors: the envelope reader into 410 or 411, HELLO into 402, a body
/// into 417. The fields say which fault it was, so each can name the real one.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset where the text stops being acceptable.
    public var offset: Int
    /// The name an object gives twice, when that is the fault.
    public var duplicateKey: String?
    /// The text starts with a UTF-8 byte-order mark.
    public var byteOrderMark: Bool
    /// Arrays and objects are nested deeper than the reader allows (512).
    public var tooDeep: Bool

    public init(offset: Int, duplicateKey: String? = nil, byteOrderMark: Bool = false, tooDeep: Bool = false) {
        self.offset = offset
        self.duplicateKey = duplicateKey
        self.byteOrderMark = byteOrderMark
        self.tooDeep = tooDeep
    }

    public var description: String {
        if byteOrderMark { return "starts with a byte-order mark (JSON has none)" }
        if let duplicateKey { return "names '\(duplicateKey.prefix(64))' twice in one object (byte \(offset))" }
        if tooDeep { return "is nested more than 512 deep (byte \(offset))" }
        return "invalid JSON at byte \(offset)"
    }
}
