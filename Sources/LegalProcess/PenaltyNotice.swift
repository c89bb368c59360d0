import AttendanceDomain

/// A penalty notice for a child's absence (Education Act 1996 ss.444A-444B), issued to one parent.
///
/// ```swift
/// let notice = PenaltyNotice(
///     parent: "D1", issuedOn: SchoolDate(parsing: "2025-11-03")!,
///     period: SchoolDate(parsing: "2025-09-03")!...SchoolDate(parsing: "2025-10-17")!, status: .unpaid)
/// ```
public struct PenaltyNotice: Hashable, Sendable {
    /// Where a notice stands.
    public enum Status: String, Hashable, Sendable, CaseIterable, Codable {
        /// Paid (within 28 days): the parent cannot be convicted of the offence for that period.
        case paid
        /// Not (yet) paid, and neither prosecuted nor withdrawn.
        case unpaid
        /// Withdrawn by the authority: it never counts towards the limit.
        case withdrawn
        /// Unpaid after 28 days, and the parent prosecuted for the original offence.
        case prosecuted
    }

    /// The parent it was issued to, as the caller identifies them (e.g. the defendant reference `D1`); the
    /// same value as ``Defendant/id`` for the prosecution checks to match them.
    public var parent: String
    /// The date from which the 21 and 28 days run: the date of issue (or of deemed receipt, if the authority
    /// counts from that; the rules only count days from it).
    public var issuedOn: SchoolDate
    /// The absence the notice covers.
    public var period: ClosedRange<SchoolDate>
    public var status: Status
    /// When it was paid, if it was.
    public var paidOn: SchoolDate?

    public init(
        parent: String, issuedOn: SchoolDate, period: ClosedRange<SchoolDate>, status: Status, paidOn: SchoolDate? = nil
    ) {
        self.parent = parent
        self.issuedOn = issuedOn
        self.period = period
        self.status = status
        self.paidOn = paidOn
    }
}
