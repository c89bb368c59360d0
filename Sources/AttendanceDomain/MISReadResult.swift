/// What an MIS file holds: the school, the period, the pupils with their marks and figures, and every problem.
public struct MISReadResult: Sendable {
    /// The file's format.
    public enum Format: String, Sendable, Codable {
        case ctf, csv
    }

    /// The school that sent the file.
    public struct School: Hashable, Sendable {
        public var laestab: LAESTAB
        public var name: String?
        public var urn: String?
        /// From the school directory, when one was given.
        public var phase: SchoolPhase?
    }

    /// The file's path.
    public var file: String
    public var format: Format
    /// Nil when the file could not identify its school (see ``problems``).
    public var school: School?
    /// The academic year and half terms covered; nil if the file holds no usable marks.
    public var period: ReportingPeriod?
    /// For a register to date (a daily or weekly export), the last school day with a mark: the pupils' marks and
    /// figures run to it, and later days of the period are not yet recorded. Nil when the register is complete.
    public var markedThrough: SchoolDate?
    /// The pupils, in file order (CTF) or by first appearance (CSV).
    public var pupils: [PupilRecord]
    /// Every problem, in the order found (file-level checks last).
    public var problems: [MISProblem]

    /// True if a problem makes the file unusable.
    public var hasFatalProblem: Bool { problems.contains { $0.severity == .fatal } }

    /// The school's aggregate figures.
    public var schoolFigures: SchoolFigures { SchoolFigures(pupils.map(\.figures)) }
}
