import AttendanceDomain

/// An amount and the last day it may be paid.
public struct PaymentDeadline: Hashable, Sendable, CustomStringConvertible {
    /// The last day on which paying ``pence`` settles the notice.
    public let lastDay: SchoolDate
    public let pence: Int

    /// E.g. "£80.00 by 2025-11-24".
    public var description: String { "£\(pence / 100).\(pence % 100 < 10 ? "0" : "")\(pence % 100) by \(lastDay)" }
}

/// What a notice issued on a day would be: which notice it is for the parent and child, and what it costs when.
public struct NoticeTerms: Hashable, Sendable {
    /// 1 for a first notice, 2 for the second within the framework's years, and so on.
    public let sequence: Int
    /// The amounts and their last days, earliest first.
    public let deadlines: [PaymentDeadline]
    /// The last day the notice can be paid at all; unpaid after it, it is ready for prosecution.
    public var payableUntil: SchoolDate { deadlines.last!.lastDay }
}

/// Where a penalty notice stands on a day.
public enum PenaltyNoticeOutcome: Hashable, Sendable {
    /// Unpaid and still payable, to the end of `until`.
    case awaitingPayment(until: SchoolDate)
    /// Paid: the parent cannot be convicted for the period it covers.
    case paid
    /// Unpaid after its last day: the authority prosecutes for the original offence, or withdraws the notice.
    case readyForProsecution(since: SchoolDate)
    /// Prosecuted for the original offence.
    case prosecuted
    /// Withdrawn by the authority.
    case withdrawn
}

extension PenaltyNoticeFramework {
    /// The earlier notices that count towards the limit on `date`: those with a counting status, issued on or
    /// before `date` and no more than ``repeatWithinYears`` years before it (a notice issued exactly three years
    /// before still counts; one a day more does not).
    ///
    /// ```swift
    /// framework.counting(notices, on: today).count   // 2: no third notice
    /// ```
    public func counting(_ notices: [PenaltyNotice], on date: SchoolDate) -> [PenaltyNotice] {
        notices.filter {
            countsTowardsLimit.contains($0.status) && $0.issuedOn <= date && date <= $0.issuedOn.adding(years: repeatWithinYears)
        }
    }

    /// The amounts and last days of a notice issued on `issuedOn`, given the parent's earlier notices for the
    /// child (`previous`; only those issued before `issuedOn` are looked at).
    ///
    /// ```swift
    /// framework.deadlines(issuedOn: SchoolDate(parsing: "2025-11-03")!, previous: [])
    /// // [£80.00 by 2025-11-24, £160.00 by 2025-12-01]
    /// ```
    public func deadlines(issuedOn: SchoolDate, previous: [PenaltyNotice]) -> [PaymentDeadline] {
        let earlier = counting(previous.filter { $0.issuedOn < issuedOn }, on: issuedOn)
        return (earlier.isEmpty ? payment : repeatPayment).map {
            PaymentDeadline(lastDay: issuedOn.adding(days: $0.withinDays), pence: $0.pence)
        }
    }

    /// What a notice issued on `issuedOn` and paid on `paidOn` costs, or nil if that is after its last day
    /// (the notice can no longer be paid). A first notice: £80 to day 21, £160 to day 28; a second within
    /// three years of an earlier one: £160 to day 28.
    ///
    /// ```swift
    /// let issued = SchoolDate(parsing: "2025-11-03")!
    /// framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 21), previous: [])   // 8000
    /// framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 22), previous: [])   // 16000
    /// framework.amountDue(issuedOn: issued, paidOn: issued.adding(days: 29), previous: [])   // nil
    /// ```
    public func amountDue(issuedOn: SchoolDate, paidOn: SchoolDate, previous: [PenaltyNotice]) -> Int? {
        deadlines(issuedOn: issuedOn, previous: previous).first { paidOn <= $0.lastDay }?.pence
    }

    /// Whether a notice may be issued on `date` to a parent whose earlier notices for this child are
    /// `previousNotices`, and if so its terms.
    ///
    /// Refuses: before the framework is in force; while an earlier notice is unpaid and undecided (record its
    /// payment, prosecution or withdrawal first); and once ``limit`` notices count within ``repeatWithinYears``
    /// years (no third notice: use another route). Whether a notice is *worth* considering is the threshold's
    /// question: see ``threshold(marks:calendar:on:)``.
    ///
    /// ```swift
    /// switch framework.mayIssue(previousNotices: [first], on: today) {
    /// case .success(let terms): terms.sequence      // 2, at £160 with no reduction
    /// case .failure(let refusal): refusal.code      // .limitReached for a third
    /// }
    /// ```
    public func mayIssue(previousNotices: [PenaltyNotice], on date: SchoolDate) -> Result<NoticeTerms, PenaltyNoticeRefusal> {
        guard date >= inForceFrom else {
            return .failure(PenaltyNoticeRefusal(
                .frameworkNotInForce, "The \(name) penalty-notice framework applies to notices issued from \(inForceFrom)."))
        }
        if let undecided = previousNotices.filter({ $0.status == .unpaid && $0.issuedOn <= date }).min(by: { $0.issuedOn < $1.issuedOn }) {
            return .failure(PenaltyNoticeRefusal(
                .previousNoticeUndecided,
                "The notice issued on \(undecided.issuedOn) is unpaid: record its payment, or prosecute or withdraw it, before issuing another."))
        }
        let counted = counting(previousNotices, on: date).sorted { $0.issuedOn < $1.issuedOn }
        guard counted.count < limit else {
            let reopens = counted[counted.count - limit].issuedOn.adding(years: repeatWithinYears).adding(days: 1)
            return .failure(PenaltyNoticeRefusal(
                .limitReached,
                "This parent has had \(counted.count) penalty notices for this child within \(repeatWithinYears) years (issued "
                    + counted.map(\.issuedOn.description).joined(separator: ", ")
                    + "); the framework allows \(limit). Use another route, such as prosecution; a notice could next be issued on \(reopens)."))
        }
        return .success(NoticeTerms(sequence: counted.count + 1, deadlines: deadlines(issuedOn: date, previous: counted)))
    }

    /// Where `notice` stands on `date`, given the parent's other notices for the child (which set whether it was
    /// a first or a later notice, and so its last day).
    ///
    /// ```swift
    /// framework.outcome(of: notice, on: notice.issuedOn.adding(days: 28))   // .awaitingPayment(until: day 28)
    /// framework.outcome(of: notice, on: notice.issuedOn.adding(days: 29))   // .readyForProsecution(since: day 29)
    /// ```
    public func outcome(of notice: PenaltyNotice, previous: [PenaltyNotice] = [], on date: SchoolDate) -> PenaltyNoticeOutcome {
        switch notice.status {
        case .paid: return .paid
        case .prosecuted: return .prosecuted
        case .withdrawn: return .withdrawn
        case .unpaid:
            let lastDay = deadlines(issuedOn: notice.issuedOn, previous: previous).last!.lastDay
            return date <= lastDay ? .awaitingPayment(until: lastDay) : .readyForProsecution(since: lastDay.adding(days: 1))
        }
    }
}
