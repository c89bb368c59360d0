import AttendanceDomain

extension SchoolDate {
    /// The corresponding date `months` calendar months later (earlier when negative), or the last day of that
    /// month when it has no such day: 2025-08-31 plus 6 months is 2026-02-28, and 2023-08-31 plus 6 is 2024-02-29.
    ///
    /// This is how the law counts "months" (Interpretation Act 1978, Sch. 1: "month" means calendar month), so
    /// time limits never drift with the lengths of months as a count of days would.
    ///
    /// ```swift
    /// SchoolDate(parsing: "2025-10-17")!.adding(months: 6)   // 2026-04-17
    /// ```
    public func adding(months: Int) -> SchoolDate {
        let index = year * 12 + (month - 1) + months
        let newYear = index / 12
        let newMonth = index % 12 + 1
        return SchoolDate(year: newYear, month: newMonth, day: min(day, SchoolDate.daysIn(month: newMonth, year: newYear)))!
    }

    /// The corresponding date `years` years later, or 28 February for 29 February in a common year.
    ///
    /// ```swift
    /// SchoolDate(parsing: "2024-02-29")!.adding(years: 3)   // 2027-02-28
    /// ```
    public func adding(years: Int) -> SchoolDate { adding(months: 12 * years) }

    /// The Monday of this date's week (weeks run Monday to Sunday, ISO 8601).
    public var mondayOfWeek: SchoolDate { adding(days: 1 - weekday.rawValue) }
}
