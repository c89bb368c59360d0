/// An error from the attendance domain: a code tests can match, a message saying what to do, and where.
///
/// Problems found *in* an MIS file are not errors: the readers report them as ``MISProblem``s. This error is for
/// things that stop an operation: a code table or school directory that cannot be read, an output folder that
/// cannot be written, an argument out of range.
public struct AttendanceDomainError: Error, Sendable, CustomStringConvertible {
    /// What kind of error (a struct so codes can grow without breaking `switch`es).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case codeTableInvalid = "code-table-invalid"
            case schoolDirectoryInvalid = "school-directory-invalid"
            case fileUnreadable = "file-unreadable"
            case fileUnwritable = "file-unwritable"
            case invalidArgument = "invalid-argument"
            case xmlReaderUnavailable = "xml-reader-unavailable"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The register code table (attendance-codes.csv) is malformed.
        public static let codeTableInvalid = Code(.codeTableInvalid)
        /// A schools.csv directory is malformed.
        public static let schoolDirectoryInvalid = Code(.schoolDirectoryInvalid)
        /// A file could not be opened or read.
        public static let fileUnreadable = Code(.fileUnreadable)
        /// A file or folder could not be created or written.
        public static let fileUnwritable = Code(.fileUnwritable)
        /// An argument is out of range (e.g. zero schools, half terms outside 1-6).
        public static let invalidArgument = Code(.invalidArgument)
        /// libxml2 could not create a reader.
        public static let xmlReaderUnavailable = Code(.xmlReaderUnavailable)

        /// The stable text of the code, e.g. "code-table-invalid".
        public var description: String { value.rawValue }
    }

    /// What kind of error.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String
    /// The file concerned, if any.
    public let file: String?
    /// The 1-based line in `file`, if known.
    public let line: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        var location = ""
        if let file { location = line.map { "\(file):\($0): " } ?? "\(file): " }
        return "\(location)\(message) [\(code)]"
    }
}
