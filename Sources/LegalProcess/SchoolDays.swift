import AttendanceDomain

/// Which days schools are open, across as many school years as a rule needs.
///
/// ``AttendanceDomain/SchoolCalendar`` describes one school year; the legal rules count school weeks that cross
/// a half term, a term's end and the summer (a penalty notice's rolling 10 school weeks, a fast-track case's 12
/// school weeks), so they take this instead. A *school week* is a week (Monday to Sunday) holding at least one
/// school day: a half-term week is not one; the last week of a term, with school only on its Monday, is.
///
/// ```swift
/// let days = SchoolDays.synthetic                               // the county's rule, every year
/// days.isSchoolDay(SchoolDate(parsing: "2025-10-22")!)          // false: half term
/// let two = SchoolDays(calendars: [SchoolCalendar(academicYear: 2025), SchoolCalendar(academicYear: 2026)])
/// ```
public struct SchoolDays: Sendable {
    private let isOpen: @Sendable (SchoolDate) -> Bool

    /// The days on which `isSchoolDay` returns true: for a school with its own term dates.
    public init(_ isSchoolDay: @escaping @Sendable (SchoolDate) -> Bool) {
        isOpen = isSchoolDay
    }

    /// The school days of the given school years; every date outside them is not a school day.
    public init(calendars: [SchoolCalendar]) {
        let byYear = Dictionary(calendars.map { ($0.academicYear, $0) }, uniquingKeysWith: { first, _ in first })
        isOpen = { date in byYear[SchoolCalendar.academicYear(containing: date)]?.isSchoolDay(date) ?? false }
    }

    /// The school days of one school year.
    public init(_ calendar: SchoolCalendar) { self.init(calendars: [calendar]) }

    /// The synthetic county's calendar (``AttendanceDomain/SchoolCalendar``'s rule) for every school year.
    public static let synthetic = SchoolDays { date in
        SchoolCalendar(academicYear: SchoolCalendar.academicYear(containing: date)).isSchoolDay(date)
    }

    /// True if schools are open on `date`.
    public func isSchoolDay(_ date: SchoolDate) -> Bool { isOpen(date) }

    /// The school days of the week (Monday to Sunday) holding `date`, in order; empty if it is not a school week.
    public func schoolDays(inWeekOf date: SchoolDate) -> [SchoolDate] {
        let monday = date.mondayOfWeek
        return (0..<7).map { monday.adding(days: $0) }.filter(isOpen)
    }

    /// True if the week holding `date` has at least one school day.
    public func isSchoolWeek(_ date: SchoolDate) -> Bool { !schoolDays(inWeekOf: date).isEmpty }

    /// How far the rules look for school weeks before giving up: three years, longer than any rule needs,
    /// so that a calendar with no school days ends a search instead of looping.
    static let searchLimitWeeks = 160
}
