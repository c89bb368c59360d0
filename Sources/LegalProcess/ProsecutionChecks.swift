import AttendanceDomain

/// The checks a prosecution for a child's absence must pass before its file goes to the magistrates' court,
/// returning every reason to refuse at once (I/O-free: the caller gathers the facts).
///
/// A file is refused unless:
/// 1. the child was of compulsory school age on every day of the period (Education Act 1996 s.8);
/// 2. the information is laid after the period's end and no more than six calendar months after it
///    (Magistrates' Courts Act 1980 s.127; see ``lastDayToLay(periodEnd:)``);
/// 3. the hearing is after the day the information is laid;
/// 4. the register shows unauthorised absence in the period (s.444(1), and so s.444(1A), which includes it);
/// 5. for s.444(1A), a warning letter was sent before the period's last day (the parent knew while the child
///    was still failing to attend: a letter dated the last day proves knowledge of nothing after it);
/// 6. no penalty notice to a defendant for an overlapping period is paid, or unpaid and still within its time
///    to pay (s.444A: paying discharges the parent's liability to conviction; the authority must wait out the
///    28 days before prosecuting);
/// 7. there is a defendant, and each is a parent within s.576 (parental responsibility or care of the child),
///    chosen by a worker who recorded why.
///
/// ```swift
/// let checks = ProsecutionChecks(framework: try PenaltyNoticeFramework.load(path: "config/legal/penalty-notices.yaml"))
/// let refusals = checks.refusals(for: facts)
/// guard refusals.isEmpty else { throw DeskError(refusals.map(\.message).joined(separator: "; ")) }
/// ```
public struct ProsecutionChecks: Sendable {
    /// The months within which an information must be laid after the period's end (s.127).
    public static let timeLimitMonths = 6

    /// The penalty-notice framework, for how long an unpaid notice is still payable.
    public let framework: PenaltyNoticeFramework

    public init(framework: PenaltyNoticeFramework) {
        self.framework = framework
    }

    /// The last day an information for a period ending on `periodEnd` may be laid: the corresponding day six
    /// calendar months later, or that month's last day if it has none. The day the period ends is not counted
    /// (as with any period "within" a time of an event), so a period ending on 17 October may be laid up to and
    /// including 17 April, and one ending on 31 August up to 28 (or 29) February.
    ///
    /// ```swift
    /// ProsecutionChecks.lastDayToLay(periodEnd: SchoolDate(parsing: "2025-10-17")!)   // 2026-04-17
    /// ProsecutionChecks.lastDayToLay(periodEnd: SchoolDate(parsing: "2025-08-31")!)   // 2026-02-28
    /// ```
    public static func lastDayToLay(periodEnd: SchoolDate) -> SchoolDate { periodEnd.adding(months: timeLimitMonths) }

    /// Every reason the prosecution described by `facts` must not go to court, in the order of the rules above;
    /// empty if it may.
    ///
    /// ```swift
    /// checks.refusals(for: facts).map(\.code)   // [.notOfCompulsorySchoolAge, .outOfTime, .hearingNotAfterLaying]
    /// ```
    public func refusals(for facts: ProsecutionFacts) -> [ProsecutionRefusal] {
        var refusals: [ProsecutionRefusal] = []
        let period = facts.period
        func refuse(_ code: ProsecutionRefusal.Code, _ message: String, defendant: String? = nil) {
            refusals.append(ProsecutionRefusal(code, message, defendant: defendant))
        }

        let age = CompulsorySchoolAge.span(dateOfBirth: facts.dateOfBirth)
        if !CompulsorySchoolAge.covers(period: period, dateOfBirth: facts.dateOfBirth) {
            refuse(
                .notOfCompulsorySchoolAge,
                "The child is of compulsory school age from \(age.lowerBound) to \(age.upperBound), not throughout the period "
                    + "\(period.lowerBound) to \(period.upperBound): allege a period inside those dates.")
        }

        let lastDay = Self.lastDayToLay(periodEnd: period.upperBound)
        if facts.laidOn <= period.upperBound {
            refuse(
                .laidBeforePeriodEnds,
                "The information is dated \(facts.laidOn), on or before the period's last day (\(period.upperBound)): "
                    + "lay it after the period it alleges.")
        } else if facts.laidOn > lastDay {
            refuse(
                .outOfTime,
                "The information must be laid within six months of the period's end (\(period.upperBound)), by \(lastDay); "
                    + "it is dated \(facts.laidOn). Allege a later period that ended within the last six months.")
        }

        if facts.hearingOn <= facts.laidOn {
            refuse(
                .hearingNotAfterLaying,
                "The hearing (\(facts.hearingOn)) must be after the information is laid (\(facts.laidOn)): ask the court for a later date.")
        }

        let unauthorised = facts.register.unauthorisedSessions(in: period)
        if unauthorised == 0 {
            let held = facts.register.daysHeld(in: period)
            refuse(
                .noUnauthorisedAbsence,
                held == 0
                    ? "The desk holds no register marks for the period \(period.lowerBound) to \(period.upperBound): import the school's returns first."
                    : "The register shows no unauthorised absence (codes of the unauthorised category, such as G, N, O, U) in the period "
                        + "\(period.lowerBound) to \(period.upperBound): only unauthorised absence counts against a parent.")
        }

        // s.444(1A) is the parent's knowing failure: the letter must reach them while there is still absence to
        // know of. One dated the period's last day (often sent at the end of the school day) shows no knowledge of
        // any day in the period, so it must be dated strictly before that day.
        if facts.offence.needsKnowledge && !facts.warningLetters.contains(where: { $0 < period.upperBound }) {
            refuse(
                .noWarningLetter,
                "An s.444(1A) information needs evidence that the parent knew: no warning letter was sent before "
                    + "\(period.upperBound), the period's last day. Lay it under s.444(1), or allege a period that ends after a letter.")
        }

        if facts.defendants.isEmpty {
            refuse(.noDefendant, "The file names no defendant: choose each parent to prosecute, and record why.")
        }
        for defendant in facts.defendants {
            let id = defendant.id
            for notice in facts.penaltyNotices where notice.parent == id && notice.period.overlaps(period) {
                switch framework.outcome(of: notice, previous: facts.penaltyNotices.filter { $0.parent == id }, on: facts.laidOn) {
                case .paid:
                    refuse(
                        .penaltyNoticeCovers,
                        "Defendant \(id) paid the penalty notice issued on \(notice.issuedOn) for \(notice.period.lowerBound) to "
                            + "\(notice.period.upperBound), which overlaps the period: they cannot be convicted for it. "
                            + "Allege a period after the notice's.", defendant: id)
                case .awaitingPayment(let until):
                    refuse(
                        .penaltyNoticeCovers,
                        "Defendant \(id) may still pay the penalty notice issued on \(notice.issuedOn), which covers part of the "
                            + "period, until \(until): lay the information after that day if it is unpaid.", defendant: id)
                case .readyForProsecution, .prosecuted, .withdrawn:
                    break
                }
            }
            refusals += Self.parentRefusals(for: defendant)
        }
        return refusals
    }
}
