import AttendanceDomain

/// What a prosecution for a child's absence rests on: the facts ``ProsecutionChecks`` looks at.
///
/// ```swift
/// let facts = ProsecutionFacts(
///     offence: .section444_1, period: SchoolDate(parsing: "2025-09-03")!...SchoolDate(parsing: "2025-12-19")!,
///     dateOfBirth: SchoolDate(parsing: "2014-05-01")!, laidOn: SchoolDate(parsing: "2026-01-12")!,
///     hearingOn: SchoolDate(parsing: "2026-02-09")!, register: marks,
///     warningLetters: [SchoolDate(parsing: "2025-10-01")!], penaltyNotices: [notice], defendants: [mother])
/// ```
public struct ProsecutionFacts: Sendable {
    public var offence: Offence
    /// The period alleged, first to last day.
    public var period: ClosedRange<SchoolDate>
    public var dateOfBirth: SchoolDate
    /// The date the information is laid before the court.
    public var laidOn: SchoolDate
    /// The date of the hearing.
    public var hearingOn: SchoolDate
    /// The child's register marks (at least for the period).
    public var register: RegisterMarks
    /// The dates of the warning letters sent to the parents.
    public var warningLetters: [SchoolDate]
    /// Every penalty notice issued for the child, to any parent.
    public var penaltyNotices: [PenaltyNotice]
    public var defendants: [Defendant]

    public init(
        offence: Offence, period: ClosedRange<SchoolDate>, dateOfBirth: SchoolDate, laidOn: SchoolDate, hearingOn: SchoolDate,
        register: RegisterMarks, warningLetters: [SchoolDate] = [], penaltyNotices: [PenaltyNotice] = [], defendants: [Defendant]
    ) {
        self.offence = offence
        self.period = period
        self.dateOfBirth = dateOfBirth
        self.laidOn = laidOn
        self.hearingOn = hearingOn
        self.register = register
        self.warningLetters = warningLetters
        self.penaltyNotices = penaltyNotices
        self.defendants = defendants
    }
}
