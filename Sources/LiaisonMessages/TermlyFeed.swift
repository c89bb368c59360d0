/// `attendance.termly-feed` (schemas/attendance.termly-feed.schema.json): school-level aggregates for the
/// Advisory Service each term and for the whole year (term `full_year`), with the county's and the national
/// figures, each school's name and the flags for the Advisers. No pupil-level field exists.
///
/// A figure withheld by disclosure control (a count below the threshold, a rate made from one, every figure of a
/// school with fewer pupils than the threshold) is nil here and `null` in the JSON: present, so that a reader can
/// tell it was withheld, never absent and never 0.
public struct TermlyFeed: Codable, Sendable, Equatable {
    public struct Period: Codable, Sendable, Equatable {
        public var academicYear: Int
        /// autumn, spring, summer or full_year.
        public var term: String
        public var startDate: String
        public var endDate: String
        /// The half terms of the academic year (1-6) whose returns the figures are built from: both of a term's,
        /// or for `full_year` those the desk held (all six, or fewer when the feed was sent with some missing).
        /// Nil in a feed from before the field existed.
        public var halfTerms: [Int]?
        public init(academicYear: Int, term: String, startDate: String, endDate: String, halfTerms: [Int]? = nil) {
            self.academicYear = academicYear
            self.term = term
            self.startDate = startDate
            self.endDate = endDate
            self.halfTerms = halfTerms
        }
        enum CodingKeys: String, CodingKey {
            case term, academicYear = "academic_year", startDate = "start_date", endDate = "end_date", halfTerms = "half_terms"
        }
    }

    /// Counts and rates (in %) over a group of pupils. Nil is a figure withheld by disclosure control, written as
    /// `null` (``encode(to:)``); only `overall_absence_rate` may also be left out.
    public struct Aggregate: Codable, Sendable, Equatable {
        public var pupils: Int?
        public var sessionsPossible: Int?
        public var persistentAbsenceCount: Int?
        public var severeAbsenceCount: Int?
        public var attendanceRate: Double?
        public var authorisedAbsenceRate: Double?
        public var unauthorisedAbsenceRate: Double?
        /// Optional in the schema: authorised + unauthorised.
        public var overallAbsenceRate: Double?
        public var persistentAbsenceRate: Double?
        public var severeAbsenceRate: Double?

        public init(
            pupils: Int?, sessionsPossible: Int?, persistentAbsenceCount: Int?, severeAbsenceCount: Int?, attendanceRate: Double?,
            authorisedAbsenceRate: Double?, unauthorisedAbsenceRate: Double?, overallAbsenceRate: Double?,
            persistentAbsenceRate: Double?, severeAbsenceRate: Double?
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

        /// Every figure, a withheld one as `null` (`overall_absence_rate` too, which a feed read from an older
        /// sender may not have had: it is then written as `null`).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(pupils, forKey: .pupils)
            try container.encode(sessionsPossible, forKey: .sessionsPossible)
            try container.encode(persistentAbsenceCount, forKey: .persistentAbsenceCount)
            try container.encode(severeAbsenceCount, forKey: .severeAbsenceCount)
            try container.encode(attendanceRate, forKey: .attendanceRate)
            try container.encode(authorisedAbsenceRate, forKey: .authorisedAbsenceRate)
            try container.encode(unauthorisedAbsenceRate, forKey: .unauthorisedAbsenceRate)
            try container.encode(overallAbsenceRate, forKey: .overallAbsenceRate)
            try container.encode(persistentAbsenceRate, forKey: .persistentAbsenceRate)
            try container.encode(severeAbsenceRate, forKey: .severeAbsenceRate)
        }
    }

    /// What the feed points out to the Advisers about a school (docs in adapters/advisory-service/README.md).
    public enum Flag: String, Codable, Sendable, CaseIterable {
        /// Its attendance rate is below the county's for its phase by at least the desk's margin (2.0 points unless
        /// set otherwise).
        case belowCounty = "below_county"
        /// Its persistent absence rate rose in each of the last two half-term steps (over its last three half terms).
        case persistentAbsenceRising = "persistent_absence_rising"
    }

    public struct School: Codable, Sendable, Equatable {
        public var laestab: String
        /// The school's name, from the county's schools file (nil in a feed from before the field existed).
        public var name: String?
        public var phase: String
        /// Nil in a feed from before the field existed; empty when nothing is flagged.
        public var flags: [Flag]?
        public var figures: Aggregate

        public init(laestab: String, name: String? = nil, phase: String, flags: [Flag]? = nil, figures: Aggregate) {
            self.laestab = laestab
            self.name = name
            self.phase = phase
            self.flags = flags
            self.figures = figures
        }

        enum CodingKeys: String, CodingKey { case laestab, name, phase, flags }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            laestab = try container.decode(String.self, forKey: .laestab)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            phase = try container.decode(String.self, forKey: .phase)
            flags = try container.decodeIfPresent([Flag].self, forKey: .flags)
            figures = try Aggregate(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(laestab, forKey: .laestab)
            try container.encodeIfPresent(name, forKey: .name)
            try container.encode(phase, forKey: .phase)
            try container.encodeIfPresent(flags, forKey: .flags)
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
