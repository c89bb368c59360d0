/// `attendance.return` (schemas/attendance.return.schema.json): a school's half-termly return to the
/// attendance service, per pupil the session counts, the count per register code, and the marks.
public struct AttendanceReturn: Codable, Sendable, Equatable {
    public struct School: Codable, Sendable, Equatable {
        public var laestab: String
        public var name: String?
        public init(laestab: String, name: String? = nil) {
            self.laestab = laestab
            self.name = name
        }
    }

    public struct Period: Codable, Sendable, Equatable {
        public var academicYear: Int
        public var halfTerm: Int
        public var startDate: String
        public var endDate: String
        public init(academicYear: Int, halfTerm: Int, startDate: String, endDate: String) {
            self.academicYear = academicYear
            self.halfTerm = halfTerm
            self.startDate = startDate
            self.endDate = endDate
        }
        enum CodingKeys: String, CodingKey {
            case academicYear = "academic_year", halfTerm = "half_term", startDate = "start_date", endDate = "end_date"
        }
    }

    /// The AM and PM marks of one day, as full register codes.
    public struct DayMarks: Codable, Sendable, Equatable {
        public var am: String
        public var pm: String
        public init(am: String, pm: String) {
            self.am = am
            self.pm = pm
        }
    }

    public struct Pupil: Codable, Sendable, Equatable {
        public var upn: String
        public var sessionsPossible: Int
        public var present: Int
        public var aea: Int
        public var authorised: Int
        public var unauthorised: Int
        public var codes: [String: Int]
        public var dateOfBirth: String?
        public var yearGroup: String?
        public var lookedAfter: Bool?
        /// Date (YYYY-MM-DD) to the day's marks.
        public var marks: [String: DayMarks]?

        public init(
            upn: String, sessionsPossible: Int, present: Int, aea: Int, authorised: Int, unauthorised: Int,
            codes: [String: Int], dateOfBirth: String? = nil, yearGroup: String? = nil, lookedAfter: Bool? = nil,
            marks: [String: DayMarks]? = nil
        ) {
            self.upn = upn
            self.sessionsPossible = sessionsPossible
            self.present = present
            self.aea = aea
            self.authorised = authorised
            self.unauthorised = unauthorised
            self.codes = codes
            self.dateOfBirth = dateOfBirth
            self.yearGroup = yearGroup
            self.lookedAfter = lookedAfter
            self.marks = marks
        }

        enum CodingKeys: String, CodingKey {
            case upn, present, aea, authorised, unauthorised, codes, marks
            case sessionsPossible = "sessions_possible", dateOfBirth = "date_of_birth", yearGroup = "year_group"
            case lookedAfter = "looked_after"
        }
    }

    public static let type = "attendance.return"

    public var school: School
    public var period: Period
    /// A return to date: the last school day with marks (nil when the half term's register is complete).
    public var markedThrough: String?
    public var pupils: [Pupil]

    public init(school: School, period: Period, markedThrough: String? = nil, pupils: [Pupil]) {
        self.school = school
        self.period = period
        self.markedThrough = markedThrough
        self.pupils = pupils
    }

    enum CodingKeys: String, CodingKey {
        case school, period, pupils
        case markedThrough = "marked_through"
    }
}
