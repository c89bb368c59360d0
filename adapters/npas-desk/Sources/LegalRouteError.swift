import LegalProcess

/// Why the desk will not take a step on a legal route, with a code tests and callers can match and a message that
/// says what to do instead. Messages name cases, notices and parents by reference (`D1`), never by name.
///
/// ```swift
/// do { _ = try routes.prepareNotice(for: deskCase, parent: "D1", on: today, officer: "E. Worker") }
/// catch let error as LegalRouteError where error.code == .noticeRefused { print(error.message) }
/// ```
public struct LegalRouteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule refuses (a struct so codes can grow).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case unknownParent = "unknown-parent"
            case notAParent = "not-a-parent"
            case thresholdNotMet = "threshold-not-met"
            case noticeRefused = "notice-refused"
            case unknownNotice = "unknown-notice"
            case noticeDecided = "notice-decided"
            case notPayable = "not-payable"
            case noAttendanceOrderNotice = "no-attendance-order-notice"
            case orderTooEarly = "order-too-early"
            case noAttendanceOrder = "no-attendance-order"
            case invalidDates = "invalid-dates"
            case noMarks = "no-marks"
            case notOfCompulsorySchoolAge = "not-of-compulsory-school-age"
            case noChildDateOfBirth = "no-child-date-of-birth"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The parent reference names no parent in the case's referral.
        public static let unknownParent = Code(.unknownParent)
        /// The contact has neither parental responsibility nor (as the worker recorded) care of the child (s.576).
        public static let notAParent = Code(.notAParent)
        /// The child's unauthorised absence does not reach the framework's threshold on the day.
        public static let thresholdNotMet = Code(.thresholdNotMet)
        /// The framework refuses the notice (a third within three years, an earlier one undecided, not in force):
        /// ``LegalRouteError/refusal`` says which.
        public static let noticeRefused = Code(.noticeRefused)
        /// No notice with that reference on the case.
        public static let unknownNotice = Code(.unknownNotice)
        /// The notice is already paid, withdrawn or prosecuted.
        public static let noticeDecided = Code(.noticeDecided)
        /// The payment date is after the notice's last day (or before its issue).
        public static let notPayable = Code(.notPayable)
        /// A school attendance order needs the s.437(1) notice first.
        public static let noAttendanceOrderNotice = Code(.noAttendanceOrderNotice)
        /// The order's date is within the notice's period.
        public static let orderTooEarly = Code(.orderTooEarly)
        /// A breach (s.443) needs an order.
        public static let noAttendanceOrder = Code(.noAttendanceOrder)
        /// Dates in the wrong order (a review before the start, an end before the beginning).
        public static let invalidDates = Code(.invalidDates)
        /// The desk holds no register marks for the child.
        public static let noMarks = Code(.noMarks)
        /// The child is not of compulsory school age on every day the penalty notice would cover: s.444A applies only
        /// where a s.444 offence could have been committed (Education Act 1996 s.8).
        public static let notOfCompulsorySchoolAge = Code(.notOfCompulsorySchoolAge)
        /// The referral gives no (valid) date of birth for the child, so compulsory school age cannot be shown.
        public static let noChildDateOfBirth = Code(.noChildDateOfBirth)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// What is wrong and what to do.
    public let message: String
    /// The framework's refusal, for ``Code/noticeRefused``.
    public let refusal: PenaltyNoticeRefusal?

    public init(_ code: Code, _ message: String, refusal: PenaltyNoticeRefusal? = nil) {
        self.code = code
        self.message = message
        self.refusal = refusal
    }

    public var description: String { "\(message) [\(code)]" }
}
