/// `awards.list` (schemas/awards.list.schema.json): one school's attendance awards for a year, from the attendance
/// service to that school alone (the schools' agreement, flow `awards-lists`; no other agency may receive it): the
/// pupils with full attendance and the most improved, each with the figures that earned it, and the rules applied.
/// The schools' adapter prints the list and a certificate for each pupil into the school's outbox.
public struct AwardsList: Codable, Sendable, Equatable {
    public static let type = "awards.list"

    public struct School: Codable, Sendable, Equatable {
        public var laestab: String
        public var name: String?
        public init(laestab: String, name: String?) {
            self.laestab = laestab
            self.name = name
        }
    }

    /// The academic year (its start year) and the half terms of it whose returns the figures come from.
    public struct Period: Codable, Sendable, Equatable {
        public var academicYear: Int
        public var firstHalfTerm: Int
        public var lastHalfTerm: Int
        public init(academicYear: Int, firstHalfTerm: Int, lastHalfTerm: Int) {
            self.academicYear = academicYear
            self.firstHalfTerm = firstHalfTerm
            self.lastHalfTerm = lastHalfTerm
        }
        enum CodingKeys: String, CodingKey {
            case academicYear = "academic_year", firstHalfTerm = "first_half_term", lastHalfTerm = "last_half_term"
        }
    }

    /// The rules the awards were chosen by (config/awards.yaml), so the school can say why.
    public struct Rules: Codable, Sendable, Equatable {
        public struct FullAttendance: Codable, Sendable, Equatable {
            public var minimumSessions: Int
            public var aeaCountsAsPresent: Bool
            public init(minimumSessions: Int, aeaCountsAsPresent: Bool) {
                self.minimumSessions = minimumSessions
                self.aeaCountsAsPresent = aeaCountsAsPresent
            }
            enum CodingKeys: String, CodingKey {
                case minimumSessions = "minimum_sessions", aeaCountsAsPresent = "aea_counts_as_present"
            }
        }
        public struct MostImproved: Codable, Sendable, Equatable {
            public var minimumImprovementPoints: Double
            public var minimumSessionsThisYear: Int
            public var minimumSessionsLastYear: Int
            public var maximumPerSchool: Int?
            public init(minimumImprovementPoints: Double, minimumSessionsThisYear: Int, minimumSessionsLastYear: Int, maximumPerSchool: Int?) {
                self.minimumImprovementPoints = minimumImprovementPoints
                self.minimumSessionsThisYear = minimumSessionsThisYear
                self.minimumSessionsLastYear = minimumSessionsLastYear
                self.maximumPerSchool = maximumPerSchool
            }
            enum CodingKeys: String, CodingKey {
                case minimumImprovementPoints = "minimum_improvement_points", minimumSessionsThisYear = "minimum_sessions_this_year"
                case minimumSessionsLastYear = "minimum_sessions_last_year", maximumPerSchool = "maximum_per_school"
            }
        }
        public var fullAttendance: FullAttendance
        public var mostImproved: MostImproved
        public init(fullAttendance: FullAttendance, mostImproved: MostImproved) {
            self.fullAttendance = fullAttendance
            self.mostImproved = mostImproved
        }
        enum CodingKeys: String, CodingKey {
            case fullAttendance = "full_attendance", mostImproved = "most_improved"
        }
    }

    /// A pupil as the school knows them: the UPN, and the name and year group the desk holds (from the school's roll).
    public struct Pupil: Codable, Sendable, Equatable {
        public var upn: String
        public var forename: String?
        public var surname: String?
        public var yearGroup: String?
        public init(upn: String, forename: String?, surname: String?, yearGroup: String?) {
            self.upn = upn
            self.forename = forename
            self.surname = surname
            self.yearGroup = yearGroup
        }
        enum CodingKeys: String, CodingKey {
            case upn, forename, surname
            case yearGroup = "year_group"
        }
    }

    /// A year's figures: possible sessions, sessions attended (present and approved educational activity) and the
    /// attendance rate to one decimal place.
    public struct YearFigures: Codable, Sendable, Equatable {
        public var sessionsPossible: Int
        public var attended: Int
        public var attendanceRate: Double
        public init(sessionsPossible: Int, attended: Int, attendanceRate: Double) {
            self.sessionsPossible = sessionsPossible
            self.attended = attended
            self.attendanceRate = attendanceRate
        }
        enum CodingKeys: String, CodingKey {
            case attended
            case sessionsPossible = "sessions_possible", attendanceRate = "attendance_rate"
        }
    }

    public struct FullAttendance: Codable, Sendable, Equatable {
        public var pupil: Pupil
        public var sessionsPossible: Int
        /// Of the sessions attended, those of approved educational activity.
        public var aea: Int
        public init(pupil: Pupil, sessionsPossible: Int, aea: Int) {
            self.pupil = pupil
            self.sessionsPossible = sessionsPossible
            self.aea = aea
        }
        enum CodingKeys: String, CodingKey {
            case pupil, aea
            case sessionsPossible = "sessions_possible"
        }
    }

    public struct MostImproved: Codable, Sendable, Equatable {
        public var pupil: Pupil
        public var thisYear: YearFigures
        public var lastYear: YearFigures
        /// This year's rate less last year's, in percentage points to one decimal place (from the exact rates).
        public var improvementPoints: Double
        public init(pupil: Pupil, thisYear: YearFigures, lastYear: YearFigures, improvementPoints: Double) {
            self.pupil = pupil
            self.thisYear = thisYear
            self.lastYear = lastYear
            self.improvementPoints = improvementPoints
        }
        enum CodingKeys: String, CodingKey {
            case pupil
            case thisYear = "this_year", lastYear = "last_year", improvementPoints = "improvement_points"
        }
    }

    public var school: School
    public var period: Period
    /// The date the list was made (YYYY-MM-DD).
    public var madeOn: String
    public var rules: Rules
    public var fullAttendance: [FullAttendance]
    public var mostImproved: [MostImproved]

    public init(school: School, period: Period, madeOn: String, rules: Rules, fullAttendance: [FullAttendance], mostImproved: [MostImproved]) {
        self.school = school
        self.period = period
        self.madeOn = madeOn
        self.rules = rules
        self.fullAttendance = fullAttendance
        self.mostImproved = mostImproved
    }

    enum CodingKeys: String, CodingKey {
        case school, period, rules
        case madeOn = "made_on", fullAttendance = "full_attendance", mostImproved = "most_improved"
    }
}
