import AttendanceDomain

/// Whether a pupil's unauthorised absence reaches the penalty-notice threshold on a day, and the figures.
///
/// ```swift
/// let assessment = framework.threshold(marks: marks, calendar: .synthetic, on: SchoolDate(parsing: "2025-11-28")!)
/// assessment.met                     // true
/// assessment.window                  // 2025-09-15...2025-11-28: 10 school weeks, not counting half term
/// assessment.unauthorisedSessions    // 12
/// ```
public struct ThresholdAssessment: Hashable, Sendable {
    /// True if ``unauthorisedSessions`` reaches ``requiredSessions``.
    public let met: Bool
    /// Unauthorised sessions marked in ``window``.
    public let unauthorisedSessions: Int
    /// The framework's threshold.
    public let requiredSessions: Int
    /// From the Monday of the earliest school week counted to the day assessed.
    public let window: ClosedRange<SchoolDate>
    /// The school weeks in the window: the framework's number, fewer only if the calendar has no more.
    public let schoolWeeks: Int
}

extension PenaltyNoticeFramework {
    /// Whether the threshold is met on `date`: unauthorised sessions within the rolling ``thresholdSchoolWeeks``
    /// school weeks that end on `date`.
    ///
    /// The window is counted in school weeks (weeks with at least one school day), so a half-term week, the
    /// Christmas or Easter holiday and the summer add nothing and the window reaches back past them into the
    /// previous half term, term or school year. The week of `date` counts if it holds a school day on or
    /// before `date`. Sessions after `date` are never counted.
    ///
    /// ```swift
    /// let assessment = framework.threshold(marks: marks, calendar: .synthetic, on: SchoolDate(parsing: "2026-02-06")!)
    /// assessment.window.lowerBound   // 2025-11-17: five spring weeks and five autumn weeks
    /// ```
    public func threshold(marks: RegisterMarks, calendar: SchoolDays, on date: SchoolDate) -> ThresholdAssessment {
        var weeks = 0
        var earliest = date
        var monday = date.mondayOfWeek
        for index in 0..<SchoolDays.searchLimitWeeks where weeks < thresholdSchoolWeeks {
            let days = calendar.schoolDays(inWeekOf: monday)
            if index == 0 ? days.contains(where: { $0 <= date }) : !days.isEmpty {
                weeks += 1
                earliest = monday
            }
            monday = monday.adding(days: -7)
        }
        let window = min(earliest, date)...date
        let sessions = marks.unauthorisedSessions(in: window)
        return ThresholdAssessment(
            met: sessions >= thresholdSessions, unauthorisedSessions: sessions, requiredSessions: thresholdSessions,
            window: window, schoolWeeks: weeks)
    }

    /// The first school day in `days` on which the threshold is met, or nil: the day from which a notice may be
    /// considered, for the desk to track as registers arrive.
    ///
    /// ```swift
    /// framework.firstDayThresholdMet(marks: marks, calendar: .synthetic, in: autumnTerm)
    /// // 2025-11-12: the day of the tenth unauthorised session within 10 school weeks
    /// ```
    public func firstDayThresholdMet(marks: RegisterMarks, calendar: SchoolDays, in days: ClosedRange<SchoolDate>) -> SchoolDate? {
        // Only a day with an unauthorised session can tip the count over, so only those days are assessed.
        marks.days.values
            .filter { days.contains($0.date) && (marks.isUnauthorised($0.am) || marks.isUnauthorised($0.pm)) }
            .map(\.date).sorted()
            .first { thresholdMet(marks: marks, calendar: calendar, on: $0) }
    }

    /// True if the threshold is met on `date`: see ``threshold(marks:calendar:on:)``.
    ///
    /// ```swift
    /// if framework.thresholdMet(marks: marks, calendar: .synthetic, on: today) { /* consider a notice */ }
    /// ```
    public func thresholdMet(marks: RegisterMarks, calendar: SchoolDays, on date: SchoolDate) -> Bool {
        threshold(marks: marks, calendar: calendar, on: date).met
    }
}
