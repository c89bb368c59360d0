import AttendanceDomain

/// The national framework for penalty notices (Education Act 1996 ss.444A-444B; the 2007 regulations as amended
/// from 19 August 2024), as data from `config/legal/penalty-notices.yaml`.
///
/// The framework sets when a notice may be considered (10 unauthorised sessions in a rolling 10 school weeks),
/// what it costs (£80 within 21 days, £160 within 28), and how many a parent may receive for one child (a
/// second within three years at £160 with no reduction; no third). Each number is a key of the file, so a
/// change in the regulations is a change of data; the file is read strictly (see docs/legal-process.md).
///
/// ```swift
/// let framework = try PenaltyNoticeFramework.load(path: "config/legal/penalty-notices.yaml")
/// framework.thresholdMet(marks: marks, calendar: .synthetic, on: today)
/// switch framework.mayIssue(previousNotices: earlierToThisParent, on: today) {
/// case .success(let terms): print(terms.deadlines)     // [£80 by day 21, £160 by day 28]
/// case .failure(let refusal): print(refusal.message)  // e.g. the limit of two in three years is reached
/// }
/// ```
public struct PenaltyNoticeFramework: Hashable, Sendable {
    /// One amount and the days it is payable within, counted from the day after the notice's date.
    public struct PaymentTerm: Hashable, Sendable {
        public let withinDays: Int
        public let pence: Int

        public init(withinDays: Int, pence: Int) {
            self.withinDays = withinDays
            self.pence = pence
        }
    }

    /// The framework's name in the file (`national-2024`), for documents and audit.
    public let name: String
    /// The first day notices may be issued under it.
    public let inForceFrom: SchoolDate
    /// Unauthorised sessions that make a notice worth considering...
    public let thresholdSessions: Int
    /// ...within this many school weeks.
    public let thresholdSchoolWeeks: Int
    /// What a first notice costs, by the days within which it is paid (shortest first).
    public let payment: [PaymentTerm]
    /// What each later notice within ``repeatWithinYears`` costs (no reduction in the national framework).
    public let repeatPayment: [PaymentTerm]
    /// The years over which notices to one parent for one child are counted.
    public let repeatWithinYears: Int
    /// The most notices one parent may receive for one child within ``repeatWithinYears``.
    public let limit: Int
    /// The statuses of earlier notices that count towards ``limit``.
    public let countsTowardsLimit: Set<PenaltyNotice.Status>

    public init(
        name: String, inForceFrom: SchoolDate, thresholdSessions: Int, thresholdSchoolWeeks: Int, payment: [PaymentTerm],
        repeatPayment: [PaymentTerm], repeatWithinYears: Int, limit: Int, countsTowardsLimit: Set<PenaltyNotice.Status>
    ) {
        self.name = name
        self.inForceFrom = inForceFrom
        self.thresholdSessions = thresholdSessions
        self.thresholdSchoolWeeks = thresholdSchoolWeeks
        self.payment = payment
        self.repeatPayment = repeatPayment
        self.repeatWithinYears = repeatWithinYears
        self.limit = limit
        self.countsTowardsLimit = countsTowardsLimit
    }

    /// Reads and checks the framework file.
    ///
    /// ```swift
    /// let framework = try PenaltyNoticeFramework.load(path: "config/legal/penalty-notices.yaml")
    /// ```
    /// - Throws: ``LegalProcessError`` naming the file, line and key: `unreadable`, `syntax`, `unknown-key`,
    ///   `missing-key`, `duplicate-key` or `invalid-value` (e.g. payment days that do not increase).
    public static func load(path: String) throws(LegalProcessError) -> PenaltyNoticeFramework {
        try read(LegalConfigNode.load(path: path))
    }

    /// Parses and checks framework text; `file` names it in errors.
    ///
    /// ```swift
    /// let framework = try PenaltyNoticeFramework.parse(text, file: "penalty-notices.yaml")
    /// ```
    /// - Throws: ``LegalProcessError`` as ``load(path:)``.
    public static func parse(_ text: String, file: String) throws(LegalProcessError) -> PenaltyNoticeFramework {
        try read(LegalConfigNode.parse(text, file: file))
    }

    static func read(_ root: LegalConfigNode) throws(LegalProcessError) -> PenaltyNoticeFramework {
        let top = try root.mapping()
        let name = try top.required("framework").string()
        let inForceFrom = try top.required("in_force_from").date()

        let thresholdNode = try top.required("threshold").mapping()
        let sessions = try thresholdNode.required("unauthorised_sessions").int(in: 1...1000)
        let weeks = try thresholdNode.required("school_weeks").int(in: 1...52)
        try thresholdNode.finish()

        let payment = try terms(top.required("payment"))
        let repeatNode = try top.required("repeat").mapping()
        let years = try repeatNode.required("within_years").int(in: 1...20)
        let limit = try repeatNode.required("limit").int(in: 1...20)
        let repeatPayment = try terms(repeatNode.required("payment"))
        try repeatNode.finish()

        let countsNode = try top.required("counts_towards_limit")
        var counts: Set<PenaltyNotice.Status> = []
        for item in try countsNode.sequence() {
            let text = try item.string()
            guard let status = PenaltyNotice.Status(rawValue: text), status != .unpaid else {
                throw item.error(.invalidValue, "Expected paid, prosecuted or withdrawn (an unpaid notice is decided before it can count).")
            }
            guard counts.insert(status).inserted else { throw item.error(.invalidValue, "\(text) is listed twice.") }
        }
        try top.finish()
        return PenaltyNoticeFramework(
            name: name, inForceFrom: inForceFrom, thresholdSessions: sessions, thresholdSchoolWeeks: weeks, payment: payment,
            repeatPayment: repeatPayment, repeatWithinYears: years, limit: limit, countsTowardsLimit: counts)
    }

    /// A payment schedule: at least one term, days strictly increasing.
    static func terms(_ node: LegalConfigNode) throws(LegalProcessError) -> [PaymentTerm] {
        var result: [PaymentTerm] = []
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error(.invalidValue, "Expected at least one `within_days` and `pence`.") }
        for item in items {
            let reader = try item.mapping()
            let daysNode = try reader.required("within_days")
            let days = try daysNode.int(in: 1...366)
            let pence = try reader.required("pence").int(in: 1...10_000_000)
            try reader.finish()
            if let last = result.last, days <= last.withinDays {
                throw daysNode.error(.invalidValue, "Each `within_days` must be more than the one before (\(last.withinDays)).")
            }
            result.append(PaymentTerm(withinDays: days, pence: pence))
        }
        return result
    }
}
