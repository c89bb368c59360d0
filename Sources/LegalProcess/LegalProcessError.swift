/// An error from the legal-process rules: a code tests can match, a message saying what to do, and, for a
/// configuration file, where (file, line and dotted key).
///
/// Refusals of a prosecution or a penalty notice are not errors: they are answers, returned as
/// ``ProsecutionRefusal`` and ``PenaltyNoticeRefusal`` values so that every reason can be shown at once. This
/// error is for what stops the rules being applied at all: a configuration file that cannot be read or says
/// something the law does not allow, or a calendar too short for a timetable.
///
/// ```swift
/// do {
///     _ = try PenaltyNoticeFramework.load(path: "config/legal/penalty-notices.yaml")
/// } catch {
///     print(error)   // config/legal/penalty-notices.yaml:7: 'payment.0.pence': Expected a whole number from 1 to 10000000. [invalid-value]
/// }
/// ```
public struct LegalProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of error (a struct wrapping a private enum, so codes can grow without breaking `switch`es).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case unreadable
            case syntax
            case unknownKey = "unknown-key"
            case missingKey = "missing-key"
            case duplicateKey = "duplicate-key"
            case invalidValue = "invalid-value"
            case calendarTooShort = "calendar-too-short"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A configuration file cannot be read (missing, unreadable, not UTF-8).
        public static let unreadable = Code(.unreadable)
        /// A configuration file is not valid YAML.
        public static let syntax = Code(.syntax)
        /// A key nobody reads: a typo must never be silently ignored.
        public static let unknownKey = Code(.unknownKey)
        /// A required key is absent.
        public static let missingKey = Code(.missingKey)
        /// A key appears twice in one mapping.
        public static let duplicateKey = Code(.duplicateKey)
        /// A value has the wrong type, is out of range, or contradicts the law (e.g. a notice period under 15 days).
        public static let invalidValue = Code(.invalidValue)
        /// The school calendar given holds too few school weeks for the timetable asked for.
        public static let calendarTooShort = Code(.calendarTooShort)

        /// The stable text of the code, e.g. "invalid-value".
        public var description: String { value.rawValue }
    }

    /// What kind of error.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String
    /// The configuration file concerned, if any.
    public let file: String?
    /// The 1-based line in `file`, if known.
    public let line: Int?
    /// The dotted key path in `file`, e.g. `amounts.0.pence`.
    public let key: String?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, key: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.key = key
    }

    /// `file:line: 'key': message [code]`, leaving out the parts not known.
    public var description: String {
        var location = ""
        if let file { location = line.map { "\(file):\($0): " } ?? "\(file): " }
        if let key { location += "'\(key)': " }
        return "\(location)\(message) [\(code)]"
    }
}
