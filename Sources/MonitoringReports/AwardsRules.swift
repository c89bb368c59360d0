/// The rules of the attendance awards (`config/awards.yaml`): who counts as having full attendance, and who as most
/// improved.
///
/// Loaded strictly: a key nobody reads, a missing key or a value out of range is a ``ReportError`` `config-invalid`
/// whose message names the file, the line and the key (`config/awards.yaml:12: 'most_improved.minimum_sessions_this_year':
/// Expected a whole number from 1 to 400, not 0.`), read by ``ReportYAML`` as the targets and the register-audit
/// programme are.
///
/// ```swift
/// let rules = try AwardsRules.load(path: "config/awards.yaml")
/// rules.fullAttendance.minimumSessions   // 350
/// ```
public struct AwardsRules: Sendable, Equatable {
    public struct FullAttendance: Sendable, Equatable {
        /// Possible sessions at the school in the year, at least.
        public var minimumSessions: Int
        /// Whether approved educational activity counts as present (the DfE counts it as attendance); when false a
        /// pupil with any AEA session is not awarded.
        public var aeaCountsAsPresent: Bool

        public init(minimumSessions: Int, aeaCountsAsPresent: Bool) {
            self.minimumSessions = minimumSessions
            self.aeaCountsAsPresent = aeaCountsAsPresent
        }
    }

    public struct MostImproved: Sendable, Equatable {
        /// The least improvement in attendance that earns the award, in tenths of a percentage point (50 is 5.0
        /// points): whole numbers, so that an improvement exactly at the minimum is compared exactly.
        public var minimumImprovementTenths: Int
        /// Possible sessions at the school this year, at least.
        public var minimumSessionsThisYear: Int
        /// Possible sessions last year, at least (at any of the county's schools).
        public var minimumSessionsLastYear: Int
        /// The most pupils named per school (ties at the last place all named); nil for no limit.
        public var maximumPerSchool: Int?

        public init(minimumImprovementTenths: Int, minimumSessionsThisYear: Int, minimumSessionsLastYear: Int, maximumPerSchool: Int?) {
            self.minimumImprovementTenths = minimumImprovementTenths
            self.minimumSessionsThisYear = minimumSessionsThisYear
            self.minimumSessionsLastYear = minimumSessionsLastYear
            self.maximumPerSchool = maximumPerSchool
        }

        /// The minimum improvement in percentage points (5.0).
        public var minimumImprovementPoints: Double { Double(minimumImprovementTenths) / 10 }
    }

    public var fullAttendance: FullAttendance
    public var mostImproved: MostImproved

    public init(fullAttendance: FullAttendance, mostImproved: MostImproved) {
        self.fullAttendance = fullAttendance
        self.mostImproved = mostImproved
    }

    /// A pupil's possible sessions in a year are at most about 380; a return's schema allows 400.
    static let sessions = 1...400

    /// Reads and checks the rules in `path`.
    public static func load(path: String) throws(ReportError) -> AwardsRules {
        try read(ReportYAML.load(path: path))
    }

    /// Checks the rules in `text`, the contents of `file` (named in errors).
    public static func parse(_ text: String, file: String) throws(ReportError) -> AwardsRules {
        try read(ReportYAML.parse(text, file: file))
    }

    static func read(_ root: ReportYAML) throws(ReportError) -> AwardsRules {
        let top = try root.mapping()
        let full = try top.required("full_attendance").mapping()
        let improved = try top.required("most_improved").mapping()
        let rules = AwardsRules(
            fullAttendance: FullAttendance(
                minimumSessions: try full.required("minimum_sessions").int(in: sessions),
                aeaCountsAsPresent: try full.required("aea_counts_as_present").bool()),
            mostImproved: MostImproved(
                minimumImprovementTenths: try improved.required("minimum_improvement_points").tenths(in: 1...1000),
                minimumSessionsThisYear: try improved.required("minimum_sessions_this_year").int(in: sessions),
                minimumSessionsLastYear: try improved.required("minimum_sessions_last_year").int(in: sessions),
                maximumPerSchool: try improved.optional("maximum_per_school")?.int(in: 1...1000)))
        try full.finish()
        try improved.finish()
        try top.finish()
        return rules
    }
}
