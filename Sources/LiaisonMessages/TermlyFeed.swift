/// `attendance.termly-feed` (schemas/attendance.termly-feed.schema.json): school-level aggregates for the
/// Advisory Service each term, with the county's and the national figures. No pupil-level field exists.
public struct TermlyFeed: Codable, Sendable, Equatable {
    public struct Period: Codable, Sendable, Equatable {
        public var academicYear: Int
        /// autumn, spring, summer or full_year.
        public var term: String
        public var startDate: String
        public var endDate: String
        public init(academicYear: Int, term: String, startDate: String, endDate: String) {
            self.academicYear = academicYear
            self.term = term
            self.startDate = startDate
            self.endDate = endDate
        }
        enum CodingKeys: String, CodingKey {
            case term, academicYear = "academic_year", startDate = "start_date", endDate = "end_date"
        }
    }

    /// Counts and rates (in %) over a group of pupils.
    public struct Aggregate: Codable, Sendable, Equatable {
        public var pupils: Int
        public var sessionsPossible: Int
        public var persistentAbsenceCount: Int
        public var severeAbsenceCount: Int
        public var attendanceRate: Double
        public var authorisedAbsenceRate: Double
        public var unauthorisedAbsenceRate: Double
        /// Optional in the schema: authorised + unauthorised.
        public var overallAbsenceRate: Double?
        public var persistentAbsenceRate: Double
        public var severeAbsenceRate: Double

        public init(
            pupils: Int, sessionsPossible: Int, persistentAbsenceCount: Int, severeAbsenceCount: Int, attendanceRate: Double,
            authorisedAbsenceRate: Double, unauthorisedAbsenceRate: Double, overallAbsenceRate: Double?,
            persistentAbsenceRate: Double, severeAbsenceRate: Double
        ) {
            self.pupils = pupils
            self.sessionsPossible = sessionsPossible
            self.persistentAbsenceCount = persistentAbsenceCount
            self.severeAbsenceCount = severeAbsenceCount
            self.attendanceRate = attendanceRate
            self.authorisedAbsenceRate = authorisedAbsenceRate
            self.unauthorisedAbsenceRate = unauthorisedAbsenceRate
            self.overallAbsenceRate = overallAbsenceRate
            self.persistentAbsenceRate = persistentAbsenceRate
            self.severeAbsenceRate = severeAbsenceRate
        }

        enum CodingKeys: String, CodingKey {
            case pupils
            case sessionsPossible = "sessions_possible", persistentAbsenceCount = "persistent_absence_count"
            case severeAbsenceCount = "severe_absence_count", attendanceRate = "attendance_rate"
            case authorisedAbsenceRate = "authorised_absence_rate", unauthorisedAbsenceRate = "unauthorised_absence_rate"
            case overallAbsenceRate = "overall_absence_rate", persistentAbsenceRate = "persistent_absence_rate"
            case severeAbsenceRate = "severe_absence_rate"
        }
    }

    public struct School: Codable, Sendable, Equatable {
        public var laestab: String
        public var phase: String
        public var figures: Aggregate

        public init(laestab: String, phase: String, figures: Aggregate) {
            self.laestab = laestab
            self.phase = phase
            self.figures = figures
        }

        enum CodingKeys: String, CodingKey { case laestab, phase }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            laestab = try container.decode(String.self, forKey: .laestab)
            phase = try container.decode(String.self, forKey: .phase)
            figures = try Aggregate(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(laestab, forKey: .laestab)
            try container.encode(phase, forKey: .phase)
            try figures.encode(to: encoder)
        }
    }

    public struct County: Codable, Sendable, Equatable {
        public var overall: Aggregate
        public var byPhase: [String: Aggregate]?
        public init(overall: Aggregate, byPhase: [String: Aggregate]? = nil) {
            self.overall = overall
            self.byPhase = byPhase
        }
        enum CodingKeys: String, CodingKey { case overall, byPhase = "by_phase" }
    }

    /// Rates only (the DfE's published national figures).
    public struct Rates: Codable, Sendable, Equatable {
        public var attendanceRate: Double
        public var authorisedAbsenceRate: Double
        public var unauthorisedAbsenceRate: Double
        public var overallAbsenceRate: Double?
        public var persistentAbsenceRate: Double
        public var severeAbsenceRate: Double

        public init(
            attendanceRate: Double, authorisedAbsenceRate: Double, unauthorisedAbsenceRate: Double, overallAbsenceRate: Double?,
            persistentAbsenceRate: Double, severeAbsenceRate: Double
        ) {
            self.attendanceRate = attendanceRate
            self.authorisedAbsenceRate = authorisedAbsenceRate
            self.unauthorisedAbsenceRate = unauthorisedAbsenceRate
            self.overallAbsenceRate = overallAbsenceRate
            self.persistentAbsenceRate = persistentAbsenceRate
            self.severeAbsenceRate = severeAbsenceRate
        }

        enum CodingKeys: String, CodingKey {
            case attendanceRate = "attendance_rate", authorisedAbsenceRate = "authorised_absence_rate"
            case unauthorisedAbsenceRate = "unauthorised_absence_rate", overallAbsenceRate = "overall_absence_rate"
            case persistentAbsenceRate = "persistent_absence_rate", severeAbsenceRate = "severe_absence_rate"
        }
    }

    public struct National: Codable, Sendable, Equatable {
        public var academicYear: Int
        public var term: String
        public var overall: Rates
        public var byPhase: [String: Rates]?
        public init(academicYear: Int, term: String, overall: Rates, byPhase: [String: Rates]? = nil) {
            self.academicYear = academicYear
            self.term = term
            self.overall = overall
            self.byPhase = byPhase
        }
        enum CodingKeys: String, CodingKey { case term, overall, academicYear = "academic_year", byPhase = "by_phase" }
    }

    public static let type = "attendance.termly-feed"

    public var period: Period
    public var schools: [School]
    public var county: County
    public var national: National

    public init(period: Period, schools: [School], county: County, national: National) {
        self.period = period
        self.schools = schools
        self.county = county
        self.national = national
    }
}
