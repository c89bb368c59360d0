/// A school's attendance targets for one academic year, as agreed in its service-level agreement
/// (`config/targets/schools.yaml`), or the default when the school has none for that year. Rates are in per cent.
public struct SchoolTargets: Sendable, Hashable {
    public var laestab: String
    /// The academic year's start year (2025 = 2025/26).
    public var year: Int
    /// The attendance rate to reach (higher is better).
    public var attendance: Double
    /// The persistent absence rate to stay at or below, when one is agreed.
    public var persistentAbsence: Double?
    /// True when the school has no targets of its own for the year and these are the file's default: a report says so.
    public var isDefault: Bool

    public init(laestab: String, year: Int, attendance: Double, persistentAbsence: Double?, isDefault: Bool = false) {
        self.laestab = laestab
        self.year = year
        self.attendance = attendance
        self.persistentAbsence = persistentAbsence
        self.isDefault = isDefault
    }
}
