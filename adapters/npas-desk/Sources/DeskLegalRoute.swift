import AttendanceDomain

/// A legal route recorded on a case, other than a penalty notice: a notice to improve, a parenting contract, the
/// fast-track timetable, a school attendance order's notice, the order and its breach, an application for an
/// education supervision order. Each has its date and, where it has them, its review points.
///
/// ```swift
/// for route in try store.legalRoutes(of: reference) {
///     for review in route.reviews where review.isOverdue(on: today) { print("\(route.kind.title) \(review.title) was due \(review.due)") }
/// }
/// ```
public struct DeskLegalRoute: Sendable, Equatable {
    /// What the route is.
    public enum Kind: String, Sendable, CaseIterable {
        /// A notice to improve (the national framework's step before a penalty notice).
        case noticeToImprove = "notice_to_improve"
        /// A parenting contract (Anti-social Behaviour Act 2003 s.19): voluntary, with review dates.
        case parentingContract = "parenting_contract"
        /// The fast-track route: a timetable of school weeks with reviews and a decision on prosecution.
        case fastTrack = "fast_track"
        /// The notice before a school attendance order (Education Act 1996 s.437(1)).
        case attendanceOrderNotice = "sao_notice"
        /// The school attendance order itself (s.437(3)), naming a school.
        case attendanceOrder = "sao_order"
        /// A failure to comply with the order (s.443): an offence of its own, prosecuted as `443`.
        case attendanceOrderBreach = "sao_breach"
        /// An application for an education supervision order (Children Act 1989 s.36).
        case supervisionOrderApplication = "eso_application"

        /// For the worker: "parenting contract".
        public var title: String {
            switch self {
            case .noticeToImprove: "notice to improve"
            case .parentingContract: "parenting contract"
            case .fastTrack: "fast track"
            case .attendanceOrderNotice: "school attendance order notice (s.437(1))"
            case .attendanceOrder: "school attendance order (s.437)"
            case .attendanceOrderBreach: "breach of the school attendance order (s.443)"
            case .supervisionOrderApplication: "education supervision order application (Children Act 1989 s.36)"
            }
        }
    }

    /// A review point or milestone of the route, and whether it happened.
    public struct Review: Sendable, Equatable {
        /// Stable within its route: `review-1`, `decision`.
        public var id: String
        public var title: String
        /// Due by the end of this day.
        public var due: SchoolDate
        /// When it was recorded as done, if it was.
        public var doneOn: SchoolDate?

        /// True once `date` is after the due day and it is not done: a review due today is not overdue yet (as
        /// `FastTrackTimetable.overdue(on:completed:)` counts).
        public func isOverdue(on date: SchoolDate) -> Bool { doneOn == nil && due < date }
    }

    /// The row's number, for `liaison case review CASE --route ID`.
    public var id: Int64
    public var caseReference: String
    public var kind: Kind
    /// The referral contact it concerns, where it concerns one parent.
    public var contact: Int?
    /// That parent's reference on the case (`D1`, or `C1` when not a chosen defendant: ``CaseParent``).
    public var parent: String?
    /// The day it was issued, agreed, started, served, made or found.
    public var date: SchoolDate
    /// When it ends: a notice to improve's improvement period, a contract's end, the fast track's last day, a school
    /// attendance order notice's last day for the parent's answer.
    public var endsOn: SchoolDate?
    /// A school attendance order's school (LAESTAB).
    public var school: String?
    public var description: String?
    public var reviews: [Review]
}
