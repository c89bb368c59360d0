import AttendanceDomain

/// School attendance orders (Education Act 1996 ss.437-443): the notice to the parent and when the order may
/// follow, from `config/legal/school-attendance-orders.yaml`.
///
/// Before making an order the authority serves notice requiring the parent to satisfy it, within the period
/// the notice specifies (not less than 15 days: s.437(1)), that the child is receiving suitable education. The
/// days run from the day after service; the order may be made once the period has ended. Failing to comply
/// with an order is an offence (s.443).
///
/// ```swift
/// let orders = try SchoolAttendanceOrder.load(path: "config/legal/school-attendance-orders.yaml")
/// let served = SchoolDate(parsing: "2025-11-03")!
/// orders.responseDue(noticeServed: served)          // 2025-11-18: the parent's last day
/// orders.earliestOrderDate(noticeServed: served)    // 2025-11-19
/// ```
public struct SchoolAttendanceOrder: Hashable, Sendable {
    /// The least period the law allows a notice to give (s.437(1)).
    public static let statutoryMinimumNoticeDays = 15

    /// The period the authority's notices give the parent, in days.
    public let noticePeriodDays: Int
    /// The days an order gives the parent to register the child at the school it names (`compliance_period_days`,
    /// 15 when the file does not say): the statute sets no number, so this is the authority's practice. A failure
    /// to comply (s.443) can only be found after it.
    public let compliancePeriodDays: Int

    /// The compliance period used when the file gives none.
    public static let defaultCompliancePeriodDays = 15

    /// - Precondition: `noticePeriodDays` is at least ``statutoryMinimumNoticeDays``; `compliancePeriodDays` at least 1.
    public init(noticePeriodDays: Int, compliancePeriodDays: Int = defaultCompliancePeriodDays) {
        precondition(noticePeriodDays >= Self.statutoryMinimumNoticeDays, "s.437(1): the notice period is at least 15 days")
        precondition(compliancePeriodDays >= 1, "an order gives the parent at least a day to comply")
        self.noticePeriodDays = noticePeriodDays
        self.compliancePeriodDays = compliancePeriodDays
    }

    /// Reads and checks the file.
    /// - Throws: ``LegalProcessError`` naming the file, line and key; `invalid-value` for a period under 15 days.
    public static func load(path: String) throws(LegalProcessError) -> SchoolAttendanceOrder {
        try read(LegalConfigNode.load(path: path))
    }

    /// Parses and checks the file's text; `file` names it in errors.
    /// - Throws: ``LegalProcessError`` as ``load(path:)``.
    public static func parse(_ text: String, file: String) throws(LegalProcessError) -> SchoolAttendanceOrder {
        try read(LegalConfigNode.parse(text, file: file))
    }

    static func read(_ root: LegalConfigNode) throws(LegalProcessError) -> SchoolAttendanceOrder {
        let top = try root.mapping()
        let node = try top.required("notice_period_days")
        guard let days = Int(try node.string()), days >= statutoryMinimumNoticeDays, days <= 366 else {
            throw node.error(
                .invalidValue, "Expected a number of days from \(statutoryMinimumNoticeDays) (the least s.437(1) allows) to 366.")
        }
        var compliance = defaultCompliancePeriodDays
        if let node = top.optional("compliance_period_days") {
            guard let value = Int(try node.string()), (1...366).contains(value) else {
                throw node.error(.invalidValue, "Expected the days an order gives the parent to comply, from 1 to 366.")
            }
            compliance = value
        }
        try top.finish()
        return SchoolAttendanceOrder(noticePeriodDays: days, compliancePeriodDays: compliance)
    }

    /// The last day of the notice period: the parent may satisfy the authority until the end of it.
    ///
    /// ```swift
    /// orders.responseDue(noticeServed: SchoolDate(parsing: "2025-11-03")!)   // 2025-11-18
    /// ```
    public func responseDue(noticeServed: SchoolDate) -> SchoolDate { noticeServed.adding(days: noticePeriodDays) }

    /// The first day an order may be served: the day after the notice period ends.
    ///
    /// ```swift
    /// orders.earliestOrderDate(noticeServed: SchoolDate(parsing: "2025-11-03")!)   // 2025-11-19
    /// ```
    public func earliestOrderDate(noticeServed: SchoolDate) -> SchoolDate { responseDue(noticeServed: noticeServed).adding(days: 1) }

    /// The last day of an order's compliance period: the parent may register the child at the named school until
    /// the end of it, so a breach is found only after it.
    ///
    /// ```swift
    /// orders.complianceEnds(orderMade: SchoolDate(parsing: "2025-11-19")!)   // 2025-12-04
    /// ```
    public func complianceEnds(orderMade: SchoolDate) -> SchoolDate { orderMade.adding(days: compliancePeriodDays) }
}
