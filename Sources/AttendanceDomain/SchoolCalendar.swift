/// One of the three terms of a school year.
public enum Term: String, Sendable, CaseIterable, Codable {
    case autumn, spring, summer
}

/// One of the six half terms of a school year: its number (1-6), its term and its first and last day.
public struct HalfTerm: Hashable, Sendable, CustomStringConvertible {
    /// The academic year's start year (2025 = 2025/26).
    public let academicYear: Int
    /// 1-6: autumn 1, autumn 2, spring 1, spring 2, summer 1, summer 2.
    public let number: Int
    /// The first school day.
    public let start: SchoolDate
    /// The last school day.
    public let end: SchoolDate

    /// Autumn for half terms 1-2, spring for 3-4, summer for 5-6.
    public var term: Term { [Term.autumn, .spring, .summer][(number - 1) / 2] }

    /// True if `date` lies between the first and the last day (school day or not).
    public func contains(_ date: SchoolDate) -> Bool { start <= date && date <= end }

    /// E.g. "2025/26 autumn 1 (2025-09-03 to 2025-10-17)".
    public var description: String {
        "\(academicYear)/\(String(academicYear + 1).suffix(2)) \(term.rawValue) \(2 - number % 2) (\(start) to \(end))"
    }
}

/// A school year's half terms and school days, by a documented synthetic rule.
///
/// Real term dates differ by local authority and school; Liaison's synthetic county needs a calendar that is
/// plausible, stable and easy to state. The rule (weeks counted from the Monday of the week holding the first
/// Wednesday of September, week 0):
///
/// | half term | weeks | days |
/// |---|---|---|
/// | autumn 1 | 0-6, from the Wednesday | 33 |
/// | (half-term break: week 7) | | |
/// | autumn 2 | 8-15 | 40 |
/// | (Christmas: weeks 16-17) | | |
/// | spring 1 | 18-23 | 30 |
/// | (break: week 24) | | |
/// | spring 2 | 25-30 | 30 |
/// | (Easter: weeks 31-32) | | |
/// | summer 1 | 33-37, less the early May bank holiday (first Monday in May) | 24 |
/// | (break: week 38) | | |
/// | summer 2 | 39-45, ending on the Wednesday of week 45 | 33 |
///
/// That is 190 school days (380 sessions) every year. School days are Monday to Friday inside a half term,
/// except the May bank holiday. The Christmas break always holds 25 December and 1 January.
///
/// ```swift
/// let calendar = SchoolCalendar(academicYear: 2025)
/// calendar.halfTerms[0].start                          // 2025-09-03
/// calendar.halfTerm(containing: SchoolDate(parsing: "2025-11-12")!)?.number   // 2
/// ```
public struct SchoolCalendar: Sendable {
    /// The academic year's start year (2025 = 2025/26).
    public let academicYear: Int
    /// The six half terms, in order.
    public let halfTerms: [HalfTerm]
    /// The early May bank holiday (first Monday in May), not a school day.
    public let bankHoliday: SchoolDate

    /// The calendar of the academic year starting in September of `academicYear`.
    public init(academicYear: Int) {
        self.academicYear = academicYear
        let firstOfSeptember = SchoolDate(year: academicYear, month: 9, day: 1)!
        let firstWednesday = firstOfSeptember.adding(
            days: (Weekday.wednesday.rawValue - firstOfSeptember.weekday.rawValue + 7) % 7)
        let week0 = firstWednesday.adding(days: -2)
        func monday(_ week: Int) -> SchoolDate { week0.adding(days: 7 * week) }
        func friday(_ week: Int) -> SchoolDate { week0.adding(days: 7 * week + 4) }
        let ranges: [(SchoolDate, SchoolDate)] = [
            (firstWednesday, friday(6)), (monday(8), friday(15)), (monday(18), friday(23)),
            (monday(25), friday(30)), (monday(33), friday(37)), (monday(39), week0.adding(days: 7 * 45 + 2)),
        ]
        halfTerms = ranges.enumerated().map {
            HalfTerm(academicYear: academicYear, number: $0.offset + 1, start: $0.element.0, end: $0.element.1)
        }
        let firstOfMay = SchoolDate(year: academicYear + 1, month: 5, day: 1)!
        bankHoliday = firstOfMay.adding(days: (Weekday.monday.rawValue - firstOfMay.weekday.rawValue + 7) % 7)
    }

    /// The academic year a date belongs to: 1 September to 31 August (a date in August 2026 is in 2025/26).
    public static func academicYear(containing date: SchoolDate) -> Int {
        date.month >= 9 ? date.year : date.year - 1
    }

    /// The half term whose span (first to last day) holds `date`, or nil in a break or outside the year.
    public func halfTerm(containing date: SchoolDate) -> HalfTerm? {
        halfTerms.first { $0.contains(date) }
    }

    /// The half term numbered 1-6.
    public func halfTerm(_ number: Int) -> HalfTerm? {
        (1...6).contains(number) ? halfTerms[number - 1] : nil
    }

    /// The term holding `date`, or nil in a break or outside the year.
    public func term(containing date: SchoolDate) -> Term? { halfTerm(containing: date)?.term }

    /// True if the school is open: a weekday inside a half term and not the May bank holiday.
    public func isSchoolDay(_ date: SchoolDate) -> Bool {
        !date.isWeekend && date != bankHoliday && halfTerm(containing: date) != nil
    }

    /// The school days of a half term, in order.
    public func schoolDays(in halfTerm: HalfTerm) -> [SchoolDate] {
        (0...halfTerm.start.days(to: halfTerm.end)).map { halfTerm.start.adding(days: $0) }.filter(isSchoolDay)
    }

    /// Every school day of the year, in order (190 by the rule above).
    public var schoolDays: [SchoolDate] { halfTerms.flatMap(schoolDays(in:)) }
}
