import AttendanceDomain
import Foundation

/// The register-audit programme and its thresholds (`config/register-audits.yaml`): each school's last audit and
/// when its next is due (every `cycle_years`, three by default, unless the school's `next_due` says otherwise), and
/// what counts as a finding in ``RegisterAuditFindings``.
///
/// ```swift
/// let programme = try RegisterAuditProgramme.load(path: "config/register-audits.yaml")
/// programme.schedule(for: "9262003", on: SchoolDate(parsing: "2026-12-03")!).overdue   // true
/// ```
public struct RegisterAuditProgramme: Sendable, Equatable {
    /// A comparison with a reference rate: a finding when the rate is at least `ratio` times the reference's, on at
    /// least `minimumSessions` sessions.
    public struct Threshold: Sendable, Equatable {
        public var ratio: Double
        public var minimumSessions: Int
        public init(ratio: Double, minimumSessions: Int) {
            self.ratio = ratio
            self.minimumSessions = minimumSessions
        }
    }

    /// What counts as a finding.
    public struct Settings: Sendable, Equatable {
        /// An `N` is unresolved once this many school days have followed it with the mark unchanged.
        public var nUnresolvedAfterSchoolDays: Int
        /// Codes against the county's rate.
        public var unusualCodes: Threshold
        /// `L` and `U` against the county's rate.
        public var lateCodes: Threshold
        /// Monday and Friday absence against the school's own Tuesday-to-Thursday rate.
        public var weekdayAbsence: Threshold

        public init(nUnresolvedAfterSchoolDays: Int = 5, unusualCodes: Threshold = .init(ratio: 3, minimumSessions: 10),
                    lateCodes: Threshold = .init(ratio: 2, minimumSessions: 10), weekdayAbsence: Threshold = .init(ratio: 1.5, minimumSessions: 10)) {
            self.nUnresolvedAfterSchoolDays = nUnresolvedAfterSchoolDays
            self.unusualCodes = unusualCodes
            self.lateCodes = lateCodes
            self.weekdayAbsence = weekdayAbsence
        }
    }

    /// One school in the programme.
    public struct School: Sendable, Equatable {
        public var laestab: String
        public var lastAudit: SchoolDate
        /// Given only where it differs from the cycle.
        public var nextDue: SchoolDate?
        /// The line of the school's entry in the file.
        public var line: Int?
    }

    /// A school's place in the programme on a given day.
    public struct Schedule: Sendable, Equatable {
        /// Nil when no audit is on record.
        public var lastAudit: SchoolDate?
        /// Due now (the day asked about) when no audit is on record.
        public var nextDue: SchoolDate
        /// The next audit's date has passed (or no audit is on record).
        public var overdue: Bool
    }

    public var cycleYears: Int
    public var settings: Settings
    public var schools: [School]
    /// The file it was read from.
    public var file: String

    public init(cycleYears: Int = 3, settings: Settings = Settings(), schools: [School] = [], file: String = "") {
        self.cycleYears = cycleYears
        self.settings = settings
        self.schools = schools
        self.file = file
    }

    /// Where the school stands on `day`: its last audit, when the next is due, and whether that has passed.
    public func schedule(for laestab: String, on day: SchoolDate) -> Schedule {
        guard let school = schools.first(where: { $0.laestab == laestab }) else {
            return Schedule(lastAudit: nil, nextDue: day, overdue: true)
        }
        let due = school.nextDue ?? Self.adding(years: cycleYears, to: school.lastAudit)
        return Schedule(lastAudit: school.lastAudit, nextDue: due, overdue: due < day)
    }

    /// The programme's schools whose next audit is due on or before `day`, earliest first.
    public func due(on day: SchoolDate) -> [(laestab: String, schedule: Schedule)] {
        schools.map { ($0.laestab, schedule(for: $0.laestab, on: day)) }.filter { $0.schedule.nextDue <= day }
            .sorted { ($0.schedule.nextDue, $0.laestab) < ($1.schedule.nextDue, $1.laestab) }
    }

    /// `date` plus whole years; 29 February becomes 28 February in a year that has none.
    static func adding(years: Int, to date: SchoolDate) -> SchoolDate {
        SchoolDate(year: date.year + years, month: date.month, day: date.day)
            ?? SchoolDate(year: date.year + years, month: date.month, day: date.day - 1)!
    }

    // MARK: Loading

    public static func load(path: String) throws(ReportError) -> RegisterAuditProgramme {
        try read(ReportYAML.load(path: path))
    }

    /// Parses the file's text (`file` names it in errors).
    public static func parse(_ text: String, file: String) throws(ReportError) -> RegisterAuditProgramme {
        try read(ReportYAML.parse(text, file: file))
    }

    static func read(_ root: ReportYAML) throws(ReportError) -> RegisterAuditProgramme {
        let top = try root.mapping()
        var programme = RegisterAuditProgramme(file: root.file)
        programme.cycleYears = try top.required("cycle_years").int(in: 1...10)
        programme.settings.nUnresolvedAfterSchoolDays = try top.required("n_unresolved_after_school_days").int(in: 1...60)
        func threshold(_ key: String, ratio ratioKey: String) throws(ReportError) -> Threshold {
            let mapping = try top.required(key).mapping()
            let value = Threshold(
                ratio: try mapping.required(ratioKey).double(in: 1...100), minimumSessions: try mapping.required("minimum_sessions").int(in: 1...100_000))
            try mapping.finish()
            return value
        }
        programme.settings.unusualCodes = try threshold("unusual_codes", ratio: "ratio_to_county")
        programme.settings.lateCodes = try threshold("late_codes", ratio: "ratio_to_county")
        programme.settings.weekdayAbsence = try threshold("weekday_absence", ratio: "ratio_to_midweek")
        var seen: [String: Int] = [:]
        for entry in try top.required("schools").sequence() {
            let mapping = try entry.mapping()
            let laestabNode = try mapping.required("laestab")
            let laestab = try laestabNode.laestab()
            if let first = seen[laestab] {
                throw laestabNode.error("School \(laestab) is listed twice (first at line \(first)): give each school once.")
            }
            seen[laestab] = laestabNode.line ?? 0
            let lastNode = try mapping.required("last_audit")
            let last = try lastNode.date()
            var next: SchoolDate?
            if let nextNode = mapping.optional("next_due") {
                next = try nextNode.date()
                guard next! > last else { throw nextNode.error("The next audit must be after the last (\(last)).") }
            }
            try mapping.finish()
            programme.schools.append(School(laestab: laestab, lastAudit: last, nextDue: next, line: entry.line))
        }
        try top.finish()
        return programme
    }
}
