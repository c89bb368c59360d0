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

    /// - Precondition: `noticePeriodDays` is at least ``statutoryMinimumNoticeDays``.
    public init(noticePeriodDays: Int) {
        precondition(noticePeriodDays >= Self.statutoryMinimumNoticeDays, "s.437(1): the notice period is at least 15 days")
        self.noticePeriodDays = noticePeriodDays
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
        try top.finish()
        return SchoolAttendanceOrder(noticePeriodDays: days)
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
}
