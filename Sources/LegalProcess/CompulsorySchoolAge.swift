import AttendanceDomain

/// When a child is of compulsory school age (Education Act 1996 s.8; the Education (Start of Compulsory School
/// Age) Order 1998): the only children whose parents can commit an offence under s.444.
///
/// - **Start:** the first *prescribed day* (31 December, 31 March, 31 August) on or after the fifth birthday; a
///   child whose fifth birthday falls on a prescribed day starts that day.
/// - **End:** the school leaving date of the school year (1 September to 31 August) in which the child turns 16:
///   the last Friday in June, to the end of that day (s.8(3) and (4)). A child who turns 16 in July or August has
///   left on the June date before the birthday; one who turns 16 on 1 September leaves the following June.
///
/// A birthday on 29 February is taken as 1 March in a common year (Family Law Reform Act 1969 s.9 counts an
/// age from the anniversary; England treats a 29 February anniversary as 1 March). Both readings give the same
/// start and end, because 28 February and 1 March lie between the same prescribed days and in the same school year.
///
/// ```swift
/// let dob = SchoolDate(parsing: "2021-03-14")!
/// CompulsorySchoolAge.start(dateOfBirth: dob)     // 2026-03-31
/// CompulsorySchoolAge.end(dateOfBirth: dob)       // 2037-06-26
/// CompulsorySchoolAge.covers(period: SchoolDate(parsing: "2025-09-03")!...SchoolDate(parsing: "2025-10-17")!,
///                            dateOfBirth: dob)    // false: the child is four
/// ```
public enum CompulsorySchoolAge {
    /// The prescribed days as (month, day), in calendar order.
    public static let prescribedDays: [(month: Int, day: Int)] = [(3, 31), (8, 31), (12, 31)]

    /// The date a person reaches `age`: their birthday that year, 1 March for a 29 February birth in a common year.
    public static func birthday(_ age: Int, dateOfBirth: SchoolDate) -> SchoolDate {
        let year = dateOfBirth.year + age
        return SchoolDate(year: year, month: dateOfBirth.month, day: dateOfBirth.day)
            ?? SchoolDate(year: year, month: 3, day: 1)!
    }

    /// The first day of compulsory school age: the first prescribed day on or after the fifth birthday.
    ///
    /// ```swift
    /// CompulsorySchoolAge.start(dateOfBirth: SchoolDate(parsing: "2020-12-31")!)   // 2025-12-31 (that day)
    /// CompulsorySchoolAge.start(dateOfBirth: SchoolDate(parsing: "2021-01-01")!)   // 2026-03-31
    /// ```
    public static func start(dateOfBirth: SchoolDate) -> SchoolDate {
        let fifth = birthday(5, dateOfBirth: dateOfBirth)
        for (month, day) in prescribedDays {
            let prescribed = SchoolDate(year: fifth.year, month: month, day: day)!
            if prescribed >= fifth { return prescribed }
        }
        return SchoolDate(year: fifth.year + 1, month: prescribedDays[0].month, day: prescribedDays[0].day)!
    }

    /// The last day of compulsory school age: the last Friday in June of the school year in which the child
    /// turns 16 (they are of compulsory school age to the end of that day).
    ///
    /// ```swift
    /// CompulsorySchoolAge.end(dateOfBirth: SchoolDate(parsing: "2009-08-31")!)   // 2025-06-27
    /// CompulsorySchoolAge.end(dateOfBirth: SchoolDate(parsing: "2009-09-01")!)   // 2026-06-26
    /// ```
    public static func end(dateOfBirth: SchoolDate) -> SchoolDate {
        let sixteenth = birthday(16, dateOfBirth: dateOfBirth)
        return lastFridayOfJune(SchoolCalendar.academicYear(containing: sixteenth) + 1)
    }

    /// The first and last days of compulsory school age.
    public static func span(dateOfBirth: SchoolDate) -> ClosedRange<SchoolDate> {
        start(dateOfBirth: dateOfBirth)...end(dateOfBirth: dateOfBirth)
    }

    /// True if the child is of compulsory school age on every day of `period` (an offence period must lie
    /// wholly inside it).
    ///
    /// ```swift
    /// let autumn = SchoolDate(parsing: "2025-09-03")!...SchoolDate(parsing: "2025-12-19")!
    /// CompulsorySchoolAge.covers(period: autumn, dateOfBirth: SchoolDate(parsing: "2015-05-01")!)   // true
    /// ```
    public static func covers(period: ClosedRange<SchoolDate>, dateOfBirth: SchoolDate) -> Bool {
        let span = span(dateOfBirth: dateOfBirth)
        return span.lowerBound <= period.lowerBound && period.upperBound <= span.upperBound
    }

    /// The last Friday in June of `year`.
    static func lastFridayOfJune(_ year: Int) -> SchoolDate {
        let thirtieth = SchoolDate(year: year, month: 6, day: 30)!
        return thirtieth.adding(days: -((thirtieth.weekday.rawValue - Weekday.friday.rawValue + 7) % 7))
    }
}
