import AttendanceDomain

/// A child's register marks, by date, read through a code table so the rules can tell unauthorised absence
/// (category `unauthorised`: G, N, O and U in the DfE's table) from everything else.
///
/// ```swift
/// let marks = RegisterMarks([DayMarks(date: SchoolDate(parsing: "2025-09-08")!, am: "O", pm: "O")])
/// marks.unauthorisedSessions(in: SchoolDate(parsing: "2025-09-01")!...SchoolDate(parsing: "2025-09-30")!)   // 2
/// ```
public struct RegisterMarks: Sendable {
    /// The marks of each day held.
    public let days: [SchoolDate: DayMarks]
    /// The table the codes are read through.
    public let table: CodeTable

    /// Marks from their days (a later day for the same date replaces an earlier one).
    public init(_ days: [DayMarks], table: CodeTable = .standard) {
        self.days = Dictionary(days.map { ($0.date, $0) }, uniquingKeysWith: { _, later in later })
        self.table = table
    }

    /// Marks as the desk keeps them: `YYYY-MM-DD` to (am, pm) codes. A key that is not a date is skipped: the
    /// desk's own stores write only dates, and a rule must not fail on a mark it cannot place.
    public init(byDate marks: [String: (am: String, pm: String)], table: CodeTable = .standard) {
        self.init(
            marks.compactMap { key, value in SchoolDate(parsing: key).map { DayMarks(date: $0, am: value.am, pm: value.pm) } },
            table: table)
    }

    /// True if `symbol` is a code of unauthorised absence in the table.
    public func isUnauthorised(_ symbol: String) -> Bool { table.code(symbol)?.category == .unauthorised }

    /// The number of sessions (two a day) marked as unauthorised absence on the days of `period`.
    public func unauthorisedSessions(in period: ClosedRange<SchoolDate>) -> Int {
        days.values.reduce(0) { total, day in
            guard period.contains(day.date) else { return total }
            return total + (isUnauthorised(day.am) ? 1 : 0) + (isUnauthorised(day.pm) ? 1 : 0)
        }
    }

    /// The number of days held in `period` (marked or not).
    public func daysHeld(in period: ClosedRange<SchoolDate>) -> Int { days.keys.filter(period.contains).count }
}
