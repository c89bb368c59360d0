import AttendanceDomain

/// What a register audit reads: one school's returns for some half terms of a year, pupil by pupil (the count per
/// code and, where the return carried them, the per-session marks), and the county's count per code over the same
/// half terms. Read from the desk's store by ``RegisterAuditData``; built by hand in tests.
public struct RegisterAuditInput: Sendable {
    /// One half term's return from the school.
    public struct Return: Sendable {
        public var halfTerm: Int
        public var startDate: SchoolDate
        public var endDate: SchoolDate
        /// A return to date: the last day with marks. Nil when the half term's register is complete.
        public var markedThrough: SchoolDate?

        public init(halfTerm: Int, startDate: SchoolDate, endDate: SchoolDate, markedThrough: SchoolDate? = nil) {
            self.halfTerm = halfTerm
            self.startDate = startDate
            self.endDate = endDate
            self.markedThrough = markedThrough
        }

        /// The last day the return's marks run to.
        public var asOf: SchoolDate { markedThrough ?? endDate }
    }

    /// One pupil in one half term's return.
    public struct Pupil: Sendable {
        public var upn: String
        public var halfTerm: Int
        public var sessionsPossible: Int
        /// Sessions per register code.
        public var codes: [String: Int]
        /// The per-session marks, when the return carried them.
        public var marks: [DayMarks]?

        public init(upn: String, halfTerm: Int, sessionsPossible: Int, codes: [String: Int], marks: [DayMarks]? = nil) {
            self.upn = upn
            self.halfTerm = halfTerm
            self.sessionsPossible = sessionsPossible
            self.codes = codes
            self.marks = marks
        }
    }

    /// Every school's returns over the same half terms, added up (the school's own included).
    public struct County: Sendable {
        public var schools: Int
        public var sessionsPossible: Int
        public var codes: [String: Int]

        public init(schools: Int, sessionsPossible: Int, codes: [String: Int]) {
            self.schools = schools
            self.sessionsPossible = sessionsPossible
            self.codes = codes
        }
    }

    public var laestab: String
    public var schoolName: String?
    public var academicYear: Int
    public var halfTerms: ClosedRange<Int>
    public var returns: [Return]
    public var pupils: [Pupil]
    public var county: County

    public init(
        laestab: String, schoolName: String? = nil, academicYear: Int, halfTerms: ClosedRange<Int>, returns: [Return], pupils: [Pupil],
        county: County
    ) {
        self.laestab = laestab
        self.schoolName = schoolName
        self.academicYear = academicYear
        self.halfTerms = halfTerms
        self.returns = returns
        self.pupils = pupils
        self.county = county
    }
}
