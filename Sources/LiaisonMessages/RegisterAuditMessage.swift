/// `register-audit.findings` (schemas/register-audit.findings.schema.json): a register audit's data-quality findings,
/// sent by the attendance service to the school whose registers they are about (the schools' agreement). Pupils
/// appear by UPN only: the school holds their records.
public struct RegisterAuditMessage: Codable, Sendable, Equatable {
    public static let type = "register-audit.findings"

    public struct School: Codable, Sendable, Equatable {
        public var laestab: String
        public var name: String?
        public init(laestab: String, name: String?) {
            self.laestab = laestab
            self.name = name
        }
    }

    public struct Period: Codable, Sendable, Equatable {
        public var academicYear: Int
        public var firstHalfTerm: Int
        public var lastHalfTerm: Int
        public var startDate: String
        public var endDate: String
        public var markedThrough: String?
        public init(academicYear: Int, firstHalfTerm: Int, lastHalfTerm: Int, startDate: String, endDate: String, markedThrough: String?) {
            self.academicYear = academicYear
            self.firstHalfTerm = firstHalfTerm
            self.lastHalfTerm = lastHalfTerm
            self.startDate = startDate
            self.endDate = endDate
            self.markedThrough = markedThrough
        }
        enum CodingKeys: String, CodingKey {
            case academicYear = "academic_year", firstHalfTerm = "first_half_term", lastHalfTerm = "last_half_term"
            case startDate = "start_date", endDate = "end_date", markedThrough = "marked_through"
        }
    }

    public struct Audit: Codable, Sendable, Equatable {
        public var lastAudit: String?
        public var nextDue: String
        public var overdue: Bool
        public init(lastAudit: String?, nextDue: String, overdue: Bool) {
            self.lastAudit = lastAudit
            self.nextDue = nextDue
            self.overdue = overdue
        }
        enum CodingKeys: String, CodingKey { case lastAudit = "last_audit", nextDue = "next_due", overdue }
    }

    public struct UnresolvedN: Codable, Sendable, Equatable {
        public struct Pupil: Codable, Sendable, Equatable {
            public var upn: String
            public var sessions: Int
            public var oldestDate: String
            public init(upn: String, sessions: Int, oldestDate: String) {
                self.upn = upn
                self.sessions = sessions
                self.oldestDate = oldestDate
            }
            enum CodingKeys: String, CodingKey { case upn, sessions, oldestDate = "oldest_date" }
        }
        public var afterSchoolDays: Int
        public var sessions: Int
        public var undatedSessions: Int
        public var pupils: [Pupil]
        public init(afterSchoolDays: Int, sessions: Int, undatedSessions: Int, pupils: [Pupil]) {
            self.afterSchoolDays = afterSchoolDays
            self.sessions = sessions
            self.undatedSessions = undatedSessions
            self.pupils = pupils
        }
        enum CodingKeys: String, CodingKey {
            case afterSchoolDays = "after_school_days", sessions, undatedSessions = "undated_sessions", pupils
        }
    }

    public struct Unmarked: Codable, Sendable, Equatable {
        public struct Session: Codable, Sendable, Equatable {
            public var date: String
            /// `am` or `pm`.
            public var session: String
            public var pupils: Int
            public init(date: String, session: String, pupils: Int) {
                self.date = date
                self.session = session
                self.pupils = pupils
            }
        }
        public var sessions: Int
        public var pupils: Int
        public var undatedSessions: Int
        public var bySession: [Session]
        public init(sessions: Int, pupils: Int, undatedSessions: Int, bySession: [Session]) {
            self.sessions = sessions
            self.pupils = pupils
            self.undatedSessions = undatedSessions
            self.bySession = bySession
        }
        enum CodingKeys: String, CodingKey { case sessions, pupils, undatedSessions = "undated_sessions", bySession = "by_session" }
    }

    public struct CodeRate: Codable, Sendable, Equatable {
        public var code: String
        public var sessions: Int
        public var ratePer1000: Double?
        public var countySessions: Int
        public var countyRatePer1000: Double?
        public var finding: Bool
        public init(code: String, sessions: Int, ratePer1000: Double?, countySessions: Int, countyRatePer1000: Double?, finding: Bool) {
            self.code = code
            self.sessions = sessions
            self.ratePer1000 = ratePer1000
            self.countySessions = countySessions
            self.countyRatePer1000 = countyRatePer1000
            self.finding = finding
        }
        enum CodingKeys: String, CodingKey {
            case code, sessions, ratePer1000 = "rate_per_1000", countySessions = "county_sessions", countyRatePer1000 = "county_rate_per_1000"
            case finding
        }
    }

    public struct Weekday: Codable, Sendable, Equatable {
        /// `monday` or `friday`.
        public var day: String
        public var absentSessions: Int
        public var possibleSessions: Int
        public var absenceRate: Double?
        public var midweekAbsenceRate: Double?
        public var finding: Bool
        public init(day: String, absentSessions: Int, possibleSessions: Int, absenceRate: Double?, midweekAbsenceRate: Double?, finding: Bool) {
            self.day = day
            self.absentSessions = absentSessions
            self.possibleSessions = possibleSessions
            self.absenceRate = absenceRate
            self.midweekAbsenceRate = midweekAbsenceRate
            self.finding = finding
        }
        enum CodingKeys: String, CodingKey {
            case day, absentSessions = "absent_sessions", possibleSessions = "possible_sessions", absenceRate = "absence_rate"
            case midweekAbsenceRate = "midweek_absence_rate", finding
        }
    }

    public var school: School
    public var period: Period
    public var madeOn: String
    public var audit: Audit
    public var pupils: Int
    public var sessionsPossible: Int
    public var countySchools: Int
    public var unresolvedN: UnresolvedN
    public var unmarked: Unmarked
    public var codes: [CodeRate]
    public var lateCodes: [CodeRate]
    public var weekdays: [Weekday]

    public init(
        school: School, period: Period, madeOn: String, audit: Audit, pupils: Int, sessionsPossible: Int, countySchools: Int,
        unresolvedN: UnresolvedN, unmarked: Unmarked, codes: [CodeRate], lateCodes: [CodeRate], weekdays: [Weekday]
    ) {
        self.school = school
        self.period = period
        self.madeOn = madeOn
        self.audit = audit
        self.pupils = pupils
        self.sessionsPossible = sessionsPossible
        self.countySchools = countySchools
        self.unresolvedN = unresolvedN
        self.unmarked = unmarked
        self.codes = codes
        self.lateCodes = lateCodes
        self.weekdays = weekdays
    }

    enum CodingKeys: String, CodingKey {
        case school, period, madeOn = "made_on", audit, pupils, sessionsPossible = "sessions_possible", countySchools = "county_schools"
        case unresolvedN = "unresolved_n", unmarked, codes, lateCodes = "late_codes", weekdays
    }
}
