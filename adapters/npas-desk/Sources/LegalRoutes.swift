import AttendanceDomain
import Foundation
import LegalProcess

/// The desk's legal routes other than prosecution, worked on a case: penalty notices under the national framework,
/// notices to improve, parenting contracts, the fast track, school attendance orders and their breach.
///
/// The law is `LegalProcess`'s (``LegalRules``, loaded from `config/legal/`): this type gathers the facts from the
/// desk's store, asks the library, and records what it decides. Every function takes the day it acts on, so the
/// rules are tested on fixed days; the `liaison case` commands pass today by default.
///
/// ```swift
/// let routes = LegalRoutes(rules: try LegalRules.load(directory: "config/legal"), store: store)
/// let prepared = try routes.prepareNotice(for: deskCase, parent: "D1", on: today, officer: "E. Worker")
/// // send prepared.body as penalty.notice to schools-mis, then:
/// try routes.record(prepared, receipt: "hub sequence 12")
/// let status = try routes.status(of: deskCase, on: today)   // warnings, and "ready for prosecution"
/// ```
public struct LegalRoutes: Sendable {
    public let rules: LegalRules
    public let store: DeskStore
    /// Which days are school days: the county's calendar (the synthetic one unless told otherwise).
    public let calendar: SchoolDays

    public init(rules: LegalRules, store: DeskStore, calendar: SchoolDays = .synthetic) {
        self.rules = rules
        self.store = store
        self.calendar = calendar
    }

    var framework: PenaltyNoticeFramework { rules.penaltyNotices }

    // MARK: Penalty notices

    /// The penalty-notice threshold for the case's child on `date`, from every register the desk holds for the
    /// child, and the first day in the school year to `date` on which it was met.
    public func threshold(for deskCase: DeskCase, on date: SchoolDate) throws -> (assessment: ThresholdAssessment, firstMet: SchoolDate?) {
        let marks = try store.childMarks(upn: deskCase.upn)
        let yearStart = SchoolDate(year: SchoolCalendar.academicYear(containing: date), month: 9, day: 1)!
        return (
            framework.threshold(marks: marks, calendar: calendar, on: date),
            framework.firstDayThresholdMet(marks: marks, calendar: calendar, in: min(yearStart, date)...date)
        )
    }

    /// A notice ready to send: its record, its message body and id, and its terms.
    public struct PreparedNotice: @unchecked Sendable {
        // @unchecked: `body` holds only JSONSerialization's immutable values.
        public let notice: DeskPenaltyNotice
        public let parent: CaseParent
        public let terms: NoticeTerms
        /// The notice's words in brief, for the case's record and a prosecution file's exhibits.
        public let text: String
        /// The `penalty.notice` body, as JSON bytes (sorted keys).
        public let body: [UInt8]
        /// `penalty-notice-PN-2026-0001`: the notice's reference, nothing about the child or parent. Sending the
        /// same notice again after an unclear failure is answered by the hub as a duplicate.
        public let messageID: String
        /// What the record and the command say: "£80.00 if paid by ...; £160.00 if paid by ...".
        public var amountsText: String { terms.deadlines.map(PaymentText.line).joined(separator: "; ") }
    }

    /// Decides whether a notice may be issued to `parent` on `date`, and prepares it.
    ///
    /// Refused when the framework refuses (``LegalRouteError/Code/noticeRefused``: a third notice to the parent for
    /// the child within three years, an earlier notice still undecided, a date before the framework); when the
    /// child was not of compulsory school age on every day of the period the notice covers
    /// (``LegalRouteError/Code/notOfCompulsorySchoolAge``, or ``LegalRouteError/Code/noChildDateOfBirth`` when the
    /// referral gives no date of birth to show it: s.444A applies only where a s.444 offence could be, and there is
    /// none before the child is of compulsory school age or after it); and when the
    /// child's unauthorised absence does not reach the threshold on `date`
    /// (``LegalRouteError/Code/thresholdNotMet``) unless the worker gives `despiteThreshold`, their reason for
    /// issuing anyway (the framework says when a notice is to be *considered*; it does not forbid one below it).
    /// The period is the threshold's window (the 10 school weeks to `date`) unless `period` is given.
    ///
    /// - Throws: ``LegalRouteError``.
    public func prepareNotice(
        for deskCase: DeskCase, parent reference: String, on date: SchoolDate, period: ClosedRange<SchoolDate>? = nil, officer: String,
        authority: String = "Example County Council", despiteThreshold: String? = nil
    ) throws -> PreparedNotice {
        let parent = try self.parent(reference, on: deskCase)
        let earlier = try store.penaltyNotices(upn: deskCase.upn).filter { $0.parentKey == parent.key && $0.issuedOn <= date }
        let terms: NoticeTerms
        switch framework.mayIssue(previousNotices: earlier.map(\.legal), on: date) {
        case .success(let allowed): terms = allowed
        case .failure(let refusal):
            throw LegalRouteError(.noticeRefused, "No penalty notice to \(reference) on case \(deskCase.reference): \(refusal.message)", refusal: refusal)
        }
        let marks = try store.childMarks(upn: deskCase.upn)
        guard !marks.days.isEmpty else {
            throw LegalRouteError(.noMarks, "The desk holds no register marks for the child of case \(deskCase.reference): it needs the school's returns.")
        }
        let assessment = framework.threshold(marks: marks, calendar: calendar, on: date)
        let covered = period ?? assessment.window
        try Self.checkCompulsorySchoolAge(of: deskCase, throughout: covered)
        if !assessment.met, despiteThreshold == nil {
            throw LegalRouteError(
                .thresholdNotMet,
                "The child has \(assessment.unauthorisedSessions) unauthorised session(s) in the \(assessment.schoolWeeks) school weeks "
                    + "\(assessment.window.lowerBound) to \(assessment.window.upperBound); the \(framework.name) framework considers a notice "
                    + "from \(assessment.requiredSessions). Give the reason for issuing one anyway (--despite-threshold) or use another route.")
        }
        guard covered.upperBound <= date else {
            throw LegalRouteError(.invalidDates, "A notice issued on \(date) cannot cover absence after it (the period ends \(covered.upperBound)).")
        }
        let noticeReference = try store.nextNoticeReference(year: date.year)
        let notice = DeskPenaltyNotice(
            noticeReference: noticeReference, caseReference: deskCase.reference, upn: deskCase.upn, contact: parent.contact,
            parent: parent.reference, defendantNumber: parent.defendantNumber, parentKey: parent.key, issuedOn: date, period: covered,
            sequence: terms.sequence, status: .unpaid)
        let sessions = marks.unauthorisedSessions(in: covered)
        let body = PenaltyNoticeBody.build(
            notice: notice, deskCase: deskCase, parent: parent, terms: terms, framework: framework,
            unauthorisedSessions: sessions, officer: officer, authority: authority)
        return PreparedNotice(
            notice: notice, parent: parent, terms: terms,
            text: PenaltyNoticeBody.text(notice: notice, terms: terms, framework: framework, unauthorisedSessions: sessions, authority: authority)
                + (despiteThreshold.map { " Issued below the framework's threshold because: \($0)" } ?? ""),
            body: Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])), messageID: "penalty-notice-\(noticeReference)")
    }

    /// Refuses unless the case's child was of compulsory school age on every day of `period` (the worker's reason for
    /// issuing below the threshold does not lift this: no offence, no notice).
    static func checkCompulsorySchoolAge(of deskCase: DeskCase, throughout period: ClosedRange<SchoolDate>) throws(LegalRouteError) {
        let referral = (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
        guard let dateOfBirth = ((referral["pupil"] as? [String: Any])?["date_of_birth"] as? String).flatMap({ SchoolDate(parsing: $0) }) else {
            throw LegalRouteError(
                .noChildDateOfBirth,
                "The referral of case \(deskCase.reference) gives no date of birth for the child, which shows compulsory school age: "
                    + "ask the school for it before issuing a penalty notice.")
        }
        guard CompulsorySchoolAge.covers(period: period, dateOfBirth: dateOfBirth) else {
            let age = CompulsorySchoolAge.span(dateOfBirth: dateOfBirth)
            throw LegalRouteError(
                .notOfCompulsorySchoolAge,
                "The child of case \(deskCase.reference) is of compulsory school age from \(age.lowerBound) to \(age.upperBound), not throughout "
                    + "the period \(period.lowerBound) to \(period.upperBound) the notice would cover: a penalty notice (s.444A) needs an "
                    + "offence under s.444, which there is not outside those dates. Give a period inside them (--from, --to) or use another route.")
        }
    }

    /// Records a notice the hub has accepted (its receipt in the history).
    public func record(_ prepared: PreparedNotice, receipt: String) throws {
        try store.recordPenaltyNotice(
            prepared.notice, messageID: prepared.messageID, text: prepared.text, firstAmountPence: prepared.terms.deadlines[0].pence,
            defendantNumber: prepared.parent.defendantNumber, receipt: receipt)
    }

    /// The parent `reference` (`D1` or `C1`) names on the case.
    func parent(_ reference: String, on deskCase: DeskCase) throws -> CaseParent {
        try CaseParent(parent: reference, in: deskCase, defendants: try store.defendants(of: deskCase.reference))
    }

    /// The case's notice `noticeReference`, still undecided.
    func undecidedNotice(_ noticeReference: String, on reference: String) throws -> DeskPenaltyNotice {
        guard let notice = try store.penaltyNotices(of: reference).first(where: { $0.noticeReference == noticeReference }) else {
            throw LegalRouteError(.unknownNotice, "Case \(reference) has no penalty notice \(noticeReference): `liaison case routes \(reference)` lists them.")
        }
        guard notice.status == .unpaid else {
            throw LegalRouteError(.noticeDecided, "Penalty notice \(noticeReference) is already \(notice.status.rawValue).")
        }
        return notice
    }

    /// The parent's notices for the child issued before `notice`: they decide whether it was a first or a later notice.
    func previous(to notice: DeskPenaltyNotice) throws -> [PenaltyNotice] {
        try store.penaltyNotices(upn: notice.upn).filter { $0.parentKey == notice.parentKey && $0.issuedOn < notice.issuedOn }.map(\.legal)
    }

    /// Records a payment made on `date`: the amount the framework says was due on that day (£80 to day 21, £160 to
    /// day 28 for a first notice). Refused after the last day: the notice can then only be prosecuted or withdrawn.
    ///
    /// - Returns: the notice and the pence due.
    /// - Throws: ``LegalRouteError`` (`unknown-notice`, `notice-decided`, `not-payable`).
    @discardableResult
    public func pay(_ noticeReference: String, on reference: String, paidOn date: SchoolDate) throws -> (notice: DeskPenaltyNotice, pence: Int) {
        let notice = try undecidedNotice(noticeReference, on: reference)
        let previous = try previous(to: notice)
        guard date >= notice.issuedOn, let pence = framework.amountDue(issuedOn: notice.issuedOn, paidOn: date, previous: previous) else {
            let last = framework.deadlines(issuedOn: notice.issuedOn, previous: previous).last!.lastDay
            throw LegalRouteError(
                .notPayable,
                date < notice.issuedOn
                    ? "Penalty notice \(noticeReference) was issued on \(notice.issuedOn): a payment cannot be dated \(date)."
                    : "Penalty notice \(noticeReference) could be paid only to \(last): on \(date) it is for the authority to prosecute or withdraw it "
                        + "(`liaison case penalty-notice withdraw`).")
        }
        try store.recordPayment(notice, paidOn: date, pence: pence)
        return (notice, pence)
    }

    /// Withdraws a notice (it then never counts towards the limit).
    /// - Throws: ``LegalRouteError`` (`unknown-notice`, `notice-decided`).
    public func withdraw(_ noticeReference: String, on reference: String, date: SchoolDate, reason: String) throws {
        try store.recordWithdrawal(try undecidedNotice(noticeReference, on: reference), on: date, reason: reason)
    }

    // MARK: Notices to improve, parenting contracts, fast track

    /// Records a notice to improve to `parent`: its improvement period to `endsOn`, and review points.
    @discardableResult
    public func noticeToImprove(
        for deskCase: DeskCase, parent reference: String, date: SchoolDate, endsOn: SchoolDate?, reviews: [SchoolDate], description: String?
    ) throws -> Int64 {
        try agreement(.noticeToImprove, for: deskCase, parent: reference, date: date, endsOn: endsOn, reviews: reviews, description: description,
                      interventionType: "warning_notice")
    }

    /// Records a parenting contract (Anti-social Behaviour Act 2003 s.19) with `parent`, with its review dates.
    @discardableResult
    public func parentingContract(
        for deskCase: DeskCase, parent reference: String, date: SchoolDate, endsOn: SchoolDate?, reviews: [SchoolDate], description: String?
    ) throws -> Int64 {
        try agreement(.parentingContract, for: deskCase, parent: reference, date: date, endsOn: endsOn, reviews: reviews, description: description,
                      interventionType: "parenting_contract")
    }

    private func agreement(
        _ kind: DeskLegalRoute.Kind, for deskCase: DeskCase, parent reference: String, date: SchoolDate, endsOn: SchoolDate?,
        reviews: [SchoolDate], description: String?, interventionType: String
    ) throws -> Int64 {
        let parent = try self.parent(reference, on: deskCase)
        guard !reviews.isEmpty else { throw LegalRouteError(.invalidDates, "A \(kind.title) needs at least one review date (--review).") }
        if let early = reviews.first(where: { $0 <= date }) {
            throw LegalRouteError(.invalidDates, "A review on \(early) is not after the \(kind.title)'s date, \(date).")
        }
        if let endsOn, endsOn <= date { throw LegalRouteError(.invalidDates, "The \(kind.title) ends (\(endsOn)) on or before its date (\(date)).") }
        let sorted = reviews.sorted()
        let route = DeskLegalRoute(
            id: 0, caseReference: deskCase.reference, kind: kind, contact: parent.contact, parent: parent.reference, date: date, endsOn: endsOn,
            school: nil, description: description,
            reviews: sorted.enumerated().map { .init(id: "review-\($0.offset + 1)", title: "review \($0.offset + 1)", due: $0.element) })
        let detail = "\(kind.title) with \(parent.reference) on \(date)" + (endsOn.map { " to \($0)" } ?? "") + ", reviews "
            + sorted.map(\.description).joined(separator: ", ") + (description.map { ": \($0)" } ?? "")
        return try store.addLegalRoute(route, interventionType: interventionType, detail: detail)
    }

    /// Puts the case on the fast track from `start`: its timetable of school weeks (``FastTrack``, 12 by default)
    /// with each review and the decision date, as the case's reviews.
    ///
    /// - Throws: `LegalProcessError` `calendar-too-short` if the calendar runs out of school weeks.
    @discardableResult
    public func startFastTrack(for deskCase: DeskCase, start: SchoolDate) throws -> (id: Int64, timetable: FastTrackTimetable) {
        let timetable = try rules.fastTrack.timetable(start: start, calendar: calendar)
        let route = DeskLegalRoute(
            id: 0, caseReference: deskCase.reference, kind: .fastTrack, contact: nil, parent: nil, date: start, endsOn: timetable.endsOn, school: nil,
            description: "\(rules.fastTrack.lengthSchoolWeeks) school weeks",
            reviews: timetable.milestones.map { .init(id: $0.id, title: $0.title, due: $0.due) })
        let detail = "fast track from \(start) for \(rules.fastTrack.lengthSchoolWeeks) school weeks to \(timetable.endsOn): "
            + timetable.milestones.map { "\($0.title) by \($0.due)" }.joined(separator: ", ")
        return (try store.addLegalRoute(route, interventionType: "fast_track", detail: detail), timetable)
    }

    // MARK: School attendance orders (Education Act 1996 ss.437-443)

    /// Records the s.437(1) notice served on `parent` on `served`: the parent has until the end of the notice period
    /// (15 days from config, never fewer) to satisfy the authority that the child is receiving suitable education.
    @discardableResult
    public func serveAttendanceOrderNotice(for deskCase: DeskCase, parent reference: String, served: SchoolDate, description: String?) throws -> Int64 {
        let parent = try self.parent(reference, on: deskCase)
        let due = rules.schoolAttendanceOrders.responseDue(noticeServed: served)
        let route = DeskLegalRoute(
            id: 0, caseReference: deskCase.reference, kind: .attendanceOrderNotice, contact: parent.contact, parent: parent.reference, date: served, endsOn: due, school: nil,
            description: description, reviews: [])
        let detail = "school attendance order notice (s.437(1)) served on \(parent.reference) on \(served): the parent may satisfy the authority "
            + "until \(due); an order may be made from \(rules.schoolAttendanceOrders.earliestOrderDate(noticeServed: served))"
        return try store.addLegalRoute(route, interventionType: "other", detail: detail)
    }

    /// Records a school attendance order naming `school` (LAESTAB), made on `date`.
    /// - Throws: ``LegalRouteError`` `no-attendance-order-notice` without a notice, `order-too-early` before the
    ///   notice's period has ended.
    @discardableResult
    public func makeAttendanceOrder(for deskCase: DeskCase, school: String, date: SchoolDate, description: String?) throws -> Int64 {
        guard (try? LAESTAB(school)) != nil else { throw LegalRouteError(.invalidDates, "--school is the named school's LAESTAB, 7 digits: '\(school)' is not.") }
        guard let notice = try store.legalRoutes(of: deskCase.reference).last(where: { $0.kind == .attendanceOrderNotice }) else {
            throw LegalRouteError(
                .noAttendanceOrderNotice,
                "No school attendance order notice (s.437(1)) has been served on case \(deskCase.reference): serve it first (`liaison case sao notice`).")
        }
        let earliest = rules.schoolAttendanceOrders.earliestOrderDate(noticeServed: notice.date)
        guard date >= earliest else {
            throw LegalRouteError(
                .orderTooEarly,
                "The notice served on \(notice.date) gives the parent until \(earliest.adding(days: -1)) (\(rules.schoolAttendanceOrders.noticePeriodDays) "
                    + "days, s.437(1)): an order may be made from \(earliest), not on \(date).")
        }
        let route = DeskLegalRoute(
            id: 0, caseReference: deskCase.reference, kind: .attendanceOrder, contact: notice.contact, parent: notice.parent, date: date, endsOn: nil, school: school,
            description: description, reviews: [])
        return try store.addLegalRoute(route, interventionType: "other", detail: "school attendance order (s.437) made on \(date) naming school \(school)")
    }

    /// Records a failure to comply with the order found on `date`: an offence under s.443, a prosecution of its own.
    /// The history says the case is ready for a s.443 prosecution (offence `443`).
    /// - Throws: ``LegalRouteError`` `no-attendance-order` without an order made on or before `date`.
    @discardableResult
    public func recordAttendanceOrderBreach(for deskCase: DeskCase, date: SchoolDate, description: String) throws -> Int64 {
        guard let order = try store.legalRoutes(of: deskCase.reference).last(where: { $0.kind == .attendanceOrder && $0.date <= date }) else {
            throw LegalRouteError(.noAttendanceOrder, "Case \(deskCase.reference) has no school attendance order made on or before \(date) to breach.")
        }
        let route = DeskLegalRoute(
            id: 0, caseReference: deskCase.reference, kind: .attendanceOrderBreach, contact: order.contact, parent: order.parent, date: date, endsOn: nil, school: order.school,
            description: description, reviews: [])
        return try store.addLegalRoute(
            route, interventionType: nil,
            detail: "the school attendance order of \(order.date) was not complied with (\(date)): \(description); "
                + "the case is ready for a s.443 prosecution (offence 443)")
    }

    // MARK: Education supervision orders

    /// Records that the application pack for an education supervision order was written on `date`
    /// (``EducationSupervisionPack``); the case's interventions then list it.
    @discardableResult
    public func recordSupervisionOrderApplication(for deskCase: DeskCase, date: SchoolDate) throws -> Int64 {
        let route = DeskLegalRoute(
            id: 0, caseReference: deskCase.reference, kind: .supervisionOrderApplication, contact: nil, parent: nil, date: date, endsOn: nil,
            school: nil, description: nil, reviews: [])
        return try store.addLegalRoute(
            route, interventionType: "education_supervision_order",
            detail: "education supervision order application pack (Children Act 1989 s.36) written on \(date)")
    }

    // MARK: Where the case stands

    /// What the legal routes say about a case on `date`: a line for each notice and route, the warnings (reviews
    /// and milestones past their day), and what the case is ready for.
    public struct CaseStatus: Sendable, Equatable {
        /// One line per penalty notice and route, for `liaison case routes` and `case show`.
        public var lines: [String]
        /// Dates passed: overdue reviews, fast-track milestones, a notice period ended with no order.
        public var warnings: [String]
        /// "ready for prosecution (penalty notice PN-2026-0001 unpaid since 2026-02-10)", "ready for a s.443 prosecution".
        public var ready: [String]
    }

    /// Where the case's legal routes stand on `date`. A notice unpaid after its last day is noted once in the case's
    /// history (`ready-for-prosecution`), so `liaison case show` prints it there too.
    public func status(of deskCase: DeskCase, on date: SchoolDate) throws -> CaseStatus {
        var status = CaseStatus(lines: [], warnings: [], ready: [])
        for notice in try store.penaltyNotices(of: deskCase.reference) {
            let outcome = framework.outcome(of: notice.legal, previous: try previous(to: notice), on: date)
            var line = "penalty notice \(notice.noticeReference) to \(notice.parent), issued \(notice.issuedOn) for \(notice.period.lowerBound) "
                + "to \(notice.period.upperBound): "
            switch outcome {
            case .awaitingPayment(let until):
                let deadlines = framework.deadlines(issuedOn: notice.issuedOn, previous: try previous(to: notice))
                let now = deadlines.first { date <= $0.lastDay }!
                line += "unpaid; \(PaymentText.pounds(now.pence)) due by \(now.lastDay), payable until \(until)"
            case .paid:
                line += "paid" + (notice.amountPaidPence.map { " \(PaymentText.pounds($0))" } ?? "") + (notice.paidOn.map { " on \($0)" } ?? "")
            case .prosecuted: line += "unpaid, prosecuted"
            case .withdrawn: line += "withdrawn" + (notice.withdrawnReason.map { ": \($0)" } ?? "")
            case .readyForProsecution(let since):
                line += "unpaid after its last day: READY FOR PROSECUTION since \(since)"
                status.ready.append("ready for prosecution: penalty notice \(notice.noticeReference) unpaid since \(since)")
                try store.noteReadyForProsecution(notice, since: since)
            }
            status.lines.append(line)
        }
        let routes = try store.legalRoutes(of: deskCase.reference)
        for route in routes {
            var line = "#\(route.id) \(route.kind.title)" + (route.parent.map { " (\($0))" } ?? "") + " \(route.date)"
            if let endsOn = route.endsOn { line += route.kind == .attendanceOrderNotice ? ", answer due by \(endsOn)" : " to \(endsOn)" }
            if let school = route.school { line += ", school \(school)" }
            if !route.reviews.isEmpty {
                line += "; " + route.reviews.map { "\($0.id) \($0.due)" + ($0.doneOn.map { " held \($0)" } ?? (($0.isOverdue(on: date)) ? " OVERDUE" : "")) }
                    .joined(separator: ", ")
            }
            status.lines.append(line)
            for review in route.reviews where review.isOverdue(on: date) {
                status.warnings.append(
                    "\(route.kind.title) #\(route.id): \(review.title) was due by \(review.due) and is not recorded "
                        + "(`liaison case review \(deskCase.reference) --route \(route.id) --milestone \(review.id)`)")
            }
            switch route.kind {
            case .attendanceOrderNotice:
                let earliest = rules.schoolAttendanceOrders.earliestOrderDate(noticeServed: route.date)
                if date >= earliest, !routes.contains(where: { $0.kind == .attendanceOrder && $0.date >= route.date }) {
                    status.warnings.append(
                        "the school attendance order notice of \(route.date) gave the parent until \(route.endsOn ?? earliest.adding(days: -1)): "
                            + "decide whether to make the order (`liaison case sao order`)")
                }
            case .attendanceOrderBreach:
                status.ready.append("ready for a s.443 prosecution: the school attendance order was not complied with (\(route.date))")
            case .fastTrack:
                if let endsOn = route.endsOn, endsOn < date, route.reviews.contains(where: { $0.doneOn == nil }) {
                    status.warnings.append("the fast track ended on \(endsOn) with its milestones not all recorded")
                }
            default: break
            }
        }
        return status
    }
}
