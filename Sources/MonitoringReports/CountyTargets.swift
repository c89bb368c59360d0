import AttendanceDomain

/// The county's attendance targets for one academic year (`config/targets/county.yaml`): for all its schools, and
/// optionally for each phase. Rates are in per cent.
public struct CountyTargets: Sendable, Hashable {
    /// One set of rates: attendance (higher is better), persistent and severe absence (rates of pupils; lower is better).
    public struct Rates: Sendable, Hashable {
        public var attendance: Double
        public var persistentAbsence: Double
        public var severeAbsence: Double?

        public init(attendance: Double, persistentAbsence: Double, severeAbsence: Double? = nil) {
            self.attendance = attendance
            self.persistentAbsence = persistentAbsence
            self.severeAbsence = severeAbsence
        }
    }

    /// The academic year's start year (2025 = 2025/26).
    public var year: Int
    /// The targets for the county's schools together.
    public var overall: Rates
    /// The targets for each phase that has its own.
    public var phases: [SchoolPhase: Rates]

    public init(year: Int, overall: Rates, phases: [SchoolPhase: Rates] = [:]) {
        self.year = year
        self.overall = overall
        self.phases = phases
    }

    public var attendance: Double { overall.attendance }
    public var persistentAbsence: Double { overall.persistentAbsence }
    public var severeAbsence: Double? { overall.severeAbsence }
}
