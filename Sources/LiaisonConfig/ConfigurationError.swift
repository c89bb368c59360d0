/// A problem in a configuration file, located by file, line and key, with what was expected.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public static let unreadable = Code(name: "unreadable")
        public static let syntax = Code(name: "syntax")
        public static let unknownKey = Code(name: "unknown-key")
        public static let missingKey = Code(name: "missing-key")
        public static let duplicateKey = Code(name: "duplicate-key")
        public static let invalidValue = Code(name: "invalid-value")
        public static let badKey = Code(name: "bad-key")
        /// An agreement's review date has passed (its flows deny until it is reviewed).
        public static let reviewDue = Code(name: "review-due")
        public var description: String { name }
    }

    public var code: Code
    public var file: String
    public var line: Int?
    /// The dotted path of the key, e.g. `delivery.ttl.attendance.return`.
    public var key: String?
    public var message: String

    public init(_ code: Code, file: String, line: Int? = nil, key: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let key { return "\(location): '\(key)': \(message)" }
        return "\(location): \(message)"
    }
}
