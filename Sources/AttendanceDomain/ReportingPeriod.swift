/// The period an MIS file covers: an academic year and a run of its half terms.
public struct ReportingPeriod: Hashable, Sendable {
    /// The academic year's start year (2025 = 2025/26).
    public let academicYear: Int
    /// The first and last half term covered (equal for a half-termly return).
    public let halfTerms: ClosedRange<Int>
    /// The first day of the first half term.
    public let start: SchoolDate
    /// The last day of the last half term.
    public let end: SchoolDate

    /// The period of half terms `halfTerms` of `calendar`'s year.
    public init(calendar: SchoolCalendar, halfTerms: ClosedRange<Int>) {
        academicYear = calendar.academicYear
        self.halfTerms = halfTerms
        start = calendar.halfTerms[halfTerms.lowerBound - 1].start
        end = calendar.halfTerms[halfTerms.upperBound - 1].end
    }

    /// The half term when the period is exactly one.
    public var halfTerm: Int? { halfTerms.count == 1 ? halfTerms.lowerBound : nil }
}
