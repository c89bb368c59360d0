import AttendanceDomain
import LegalProcess

/// A penalty notice the desk issued (Education Act 1996 s.444A): to whom, for which absence, and where it stands.
///
/// The desk keeps its own row for each notice (`penalty_notices`) and reads it back as this. ``legal`` is the same
/// notice as the law library sees it, for ``PenaltyNoticeFramework`` and ``ProsecutionChecks``.
///
/// ```swift
/// let notices = try store.penaltyNotices(of: "NPAS-2026-0001")
/// framework.outcome(of: notices[0].legal, on: today)   // .readyForProsecution(since: ...) once unpaid after day 28
/// ```
public struct DeskPenaltyNotice: Sendable, Equatable {
    /// `PN-YEAR-NNNN`: the notice's own reference, on the parent's letter and in a prosecution file.
    public var noticeReference: String
    /// The case it was issued on.
    public var caseReference: String
    public var upn: String
    /// The referral contact the notice was issued to (its `order`).
    public var contact: Int
    /// The case's reference for the parent: `D1` once the contact is a chosen defendant (the prosecution file's
    /// defendant reference, which the prosecution checks match notices by), else `C1` (``CaseParent``).
    public var parent: String
    /// The defendant number, when the contact is a chosen defendant; nil for a parent not (yet) chosen, whose
    /// notice concerns no defendant of a prosecution file (`parent` is then `C` and the contact's number, not a
    /// defendant number).
    public var defendantNumber: Int?
    /// Who the parent is across cases (their name, normalised), so that a second case for the same child does not
    /// start the count of notices again. Never in a message, an id or a log.
    var parentKey: String
    public var issuedOn: SchoolDate
    public var period: ClosedRange<SchoolDate>
    /// 1 for the parent's first notice for the child within the framework's years, 2 for a second.
    public var sequence: Int
    /// As recorded: `unpaid`, `paid` or `withdrawn`; `prosecuted` when a prosecution file went to the court for the
    /// case after the notice's last day (the desk reads that from the case's prosecutions, see ``DeskStore``).
    public var status: PenaltyNotice.Status
    public var paidOn: SchoolDate?
    public var amountPaidPence: Int?
    /// Why it was withdrawn, if it was.
    public var withdrawnReason: String?

    /// The notice as the law library sees it.
    public var legal: PenaltyNotice {
        PenaltyNotice(parent: parent, issuedOn: issuedOn, period: period, status: status, paidOn: paidOn)
    }
}
