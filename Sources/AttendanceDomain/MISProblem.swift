/// A problem found in an MIS file: a stable code, a severity, where it is, the pupil concerned and what to do.
public struct MISProblem: Hashable, Sendable, CustomStringConvertible {
    /// Fatal: the file cannot be used for a return. Recoverable: reported with the return and counted.
    public enum Severity: String, Hashable, Sendable, Codable {
        case fatal, recoverable
    }

    /// A stable problem code (listed with its meaning in docs/mis-formats.md). A struct so the list can grow.
    public struct Code: Hashable, Sendable, CustomStringConvertible, Comparable {
        /// The stable text, e.g. "upn-check-letter".
        public let rawValue: String
        /// The severity every problem with this code has.
        public let severity: Severity
        private init(_ rawValue: String, _ severity: Severity) {
            self.rawValue = rawValue
            self.severity = severity
        }
        public var description: String { rawValue }
        public static func < (lhs: Code, rhs: Code) -> Bool { lhs.rawValue < rhs.rawValue }

        // Fatal: the file as a whole is unusable.
        /// The file cannot be opened or read.
        public static let fileUnreadable = Code("file-unreadable", .fatal)
        /// The file is a symbolic link, FIFO, folder, device or socket: not followed, not opened for reading.
        public static let notRegularFile = Code("not-regular-file", .fatal)
        /// The file is larger than ``MISReader/maximumFileSize``: not read.
        public static let fileTooLarge = Code("file-too-large", .fatal)
        /// The file is empty (no bytes, or only white space and a byte-order mark).
        public static let emptyFile = Code("empty-file", .fatal)
        /// The CTF has a DOCTYPE (and so perhaps entity declarations): refused, as entities can change what the
        /// marks say without it showing.
        public static let dtdNotAllowed = Code("dtd-not-allowed", .fatal)
        /// The CSV is neither UTF-8 nor Windows-1252 (or mixes the two): refused rather than guessed.
        public static let unknownEncoding = Code("unknown-encoding", .fatal)
        /// The XML is not well formed (libxml2's message, line and column).
        public static let malformedXML = Code("malformed-xml", .fatal)
        /// The CSV is not valid RFC 4180 CSV (unterminated quote, stray quote, ...).
        public static let malformedCSV = Code("malformed-csv", .fatal)
        /// Well-formed XML whose root is not a CTF `CTfile`.
        public static let notCTF = Code("not-ctf", .fatal)
        /// A CSV without the register-export header columns.
        public static let notRegisterCSV = Code("not-register-csv", .fatal)
        /// The school's LAESTAB (CTF SourceSchool LEA+Estab, CSV laestab) is missing or not 7 digits.
        public static let laestabMalformed = Code("laestab-malformed", .fatal)
        /// The school is not in the school directory.
        public static let schoolUnknown = Code("school-unknown", .fatal)
        /// No attendance marks at all: there is nothing to return.
        public static let noMarks = Code("no-marks", .fatal)

        // Recoverable: reported with the return and counted.
        /// The CSV is not UTF-8: it was read as Windows-1252 (which includes Latin-1's printable characters).
        public static let decodedWindows1252 = Code("decoded-windows-1252", .recoverable)
        /// CTF DocumentName is not "Common Transfer File".
        public static let documentName = Code("document-name", .recoverable)
        /// The academic year is missing or malformed; it was inferred from the marks' dates.
        public static let academicYearInferred = Code("academic-year-inferred", .recoverable)
        /// A UPN is missing, the wrong length or has a character not allowed at its position.
        public static let upnMalformed = Code("upn-malformed", .recoverable)
        /// A UPN's check letter does not match its digits (the message says which letter was expected).
        public static let upnCheckLetter = Code("upn-check-letter", .recoverable)
        /// The same UPN appears twice in a CTF (the second record is ignored).
        public static let pupilDuplicate = Code("pupil-duplicate", .recoverable)
        /// CSV rows of one UPN disagree about the pupil's details (the first row's are kept).
        public static let pupilInconsistent = Code("pupil-inconsistent", .recoverable)
        /// A required pupil field (surname, forename, DOB, year group) is absent.
        public static let fieldMissing = Code("field-missing", .recoverable)
        /// A field could not be read (a date, number, boolean or year group of the wrong shape).
        public static let fieldMalformed = Code("field-malformed", .recoverable)
        /// The date of birth does not fit the year group in this academic year.
        public static let dobYearGroup = Code("dob-year-group", .recoverable)
        /// A register code that is not in the code table.
        public static let codeUnknown = Code("code-unknown", .recoverable)
        /// A register code used on a date it is not valid (e.g. H after 18 August 2024).
        public static let codeNotValidOnDate = Code("code-not-valid-on-date", .recoverable)
        /// Sessions with no mark (`-`, or no mark at all for a school day of the period).
        public static let markMissing = Code("mark-missing", .recoverable)
        /// A mark on a weekend, holiday or bank holiday (ignored).
        public static let markOnNonSchoolDay = Code("mark-on-non-school-day", .recoverable)
        /// A mark on a school day outside the period the file covers (ignored).
        public static let markOutsidePeriod = Code("mark-outside-period", .recoverable)
        /// The same session recorded twice for a pupil (CSV; the first is kept).
        public static let markDuplicate = Code("mark-duplicate", .recoverable)
        /// A CTF mark string of odd length (the last half day is ignored).
        public static let markStringLength = Code("mark-string-length", .recoverable)
        /// A pupil with no attendance for the file's school and year.
        public static let attendanceMissing = Code("attendance-missing", .recoverable)
        /// CTF SessionsPossible/Authorised/Attended/Unauthorised disagree with the marks.
        public static let totalsMismatch = Code("totals-mismatch", .recoverable)
        /// A CSV row for another school than the file's (the row is ignored).
        public static let schoolMismatch = Code("school-mismatch", .recoverable)
        /// A CSV row with the wrong number of fields (the row is ignored).
        public static let rowFieldCount = Code("row-field-count", .recoverable)

        /// Every code, for documentation and tests.
        public static let all: [Code] = [
            fileUnreadable, notRegularFile, fileTooLarge, emptyFile, dtdNotAllowed, unknownEncoding, malformedXML,
            malformedCSV, notCTF, notRegisterCSV, laestabMalformed, schoolUnknown, noMarks, decodedWindows1252, documentName, academicYearInferred, upnMalformed, upnCheckLetter, pupilDuplicate, pupilInconsistent,
            fieldMissing, fieldMalformed, dobYearGroup, codeUnknown, codeNotValidOnDate, markMissing, markOnNonSchoolDay,
            markOutsidePeriod, markDuplicate, markStringLength, attendanceMissing, totalsMismatch, schoolMismatch,
            rowFieldCount,
        ]
    }

    /// Where in the file.
    public struct Location: Hashable, Sendable, CustomStringConvertible {
        /// The file's path.
        public var file: String
        /// The 1-based line, if known.
        public var line: Int?
        /// The 1-based column, if known.
        public var column: Int?
        /// The CTF element path, e.g. `/CTfile/CTFpupilData/Pupil[12]/UPN`.
        public var elementPath: String?

        public init(file: String, line: Int? = nil, column: Int? = nil, elementPath: String? = nil) {
            self.file = file
            self.line = line
            self.column = column
            self.elementPath = elementPath
        }

        public var description: String {
            var text = file
            if let line { text += ":\(line)" }
            if let column { text += ":\(column)" }
            if let elementPath { text += " \(elementPath)" }
            return text
        }
    }

    public let code: Code
    public var severity: Severity { code.severity }
    public let location: Location
    /// The pupil concerned, as written in the file (it may itself be the problem).
    public let upn: String?
    /// What is wrong and what to do.
    public let message: String

    public init(_ code: Code, at location: Location, upn: String? = nil, _ message: String) {
        self.code = code
        self.location = location
        self.upn = upn
        self.message = message
    }

    public var description: String {
        "\(location): \(severity.rawValue) \(code)\(upn.map { " (UPN \($0))" } ?? ""): \(message)"
    }
}
