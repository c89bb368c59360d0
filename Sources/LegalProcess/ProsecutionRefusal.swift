/// One reason a prosecution file must not go to court: a code to match, a sentence for the worker, and the
/// defendant it concerns when it concerns only one.
///
/// ```swift
/// for refusal in ProsecutionChecks(framework: framework).refusals(for: facts) {
///     print(refusal)   // "The information must be laid by 2026-06-19 ... [out-of-time]"
/// }
/// ```
public struct ProsecutionRefusal: Hashable, Sendable, CustomStringConvertible {
    /// Which rule refuses (a struct wrapping a private enum, so codes can grow without breaking `switch`es).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case notOfCompulsorySchoolAge = "not-of-compulsory-school-age"
            case outOfTime = "out-of-time"
            case laidBeforePeriodEnds = "laid-before-period-ends"
            case hearingNotAfterLaying = "hearing-not-after-laying"
            case noUnauthorisedAbsence = "no-unauthorised-absence"
            case noWarningLetter = "no-warning-letter"
            case penaltyNoticeCovers = "penalty-notice-covers"
            case notAParent = "not-a-parent"
            case defendantNotChosen = "defendant-not-chosen"
            case noDefendant = "no-defendant"
            case noAttendanceOrder = "no-attendance-order"
            case compliancePeriodNotPassed = "compliance-period-not-passed"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The child was not of compulsory school age on every day of the period (Education Act 1996 s.8).
        public static let notOfCompulsorySchoolAge = Code(.notOfCompulsorySchoolAge)
        /// Laid more than six calendar months after the period's end (Magistrates' Courts Act 1980 s.127).
        public static let outOfTime = Code(.outOfTime)
        /// Laid before the period alleged has ended.
        public static let laidBeforePeriodEnds = Code(.laidBeforePeriodEnds)
        /// The hearing is on or before the day the information is laid.
        public static let hearingNotAfterLaying = Code(.hearingNotAfterLaying)
        /// The register shows no unauthorised absence in the period (s.444(1): only that counts against a parent).
        public static let noUnauthorisedAbsence = Code(.noUnauthorisedAbsence)
        /// s.444(1A) without a warning letter sent before the period's end (the evidence the parent knew).
        public static let noWarningLetter = Code(.noWarningLetter)
        /// A penalty notice to the defendant, paid or still within its time to pay, covers part of the period.
        public static let penaltyNoticeCovers = Code(.penaltyNoticeCovers)
        /// The defendant has neither parental responsibility nor care of the child (s.576).
        public static let notAParent = Code(.notAParent)
        /// No worker has recorded the decision to prosecute this defendant, with a reason.
        public static let defendantNotChosen = Code(.defendantNotChosen)
        /// The file names no defendant.
        public static let noDefendant = Code(.noDefendant)
        /// s.443: no school attendance order was made before the breach alleged.
        public static let noAttendanceOrder = Code(.noAttendanceOrder)
        /// s.443: the breach is dated within the order's compliance period, when the parent could still comply.
        public static let compliancePeriodNotPassed = Code(.compliancePeriodNotPassed)

        /// The stable text of the code, e.g. "out-of-time".
        public var description: String { value.rawValue }
    }

    public let code: Code
    /// What is wrong and what to do about it, without personal details.
    public let message: String
    /// The ``Defendant/id`` the refusal concerns, or nil if it concerns the whole file.
    public let defendant: String?

    public init(_ code: Code, _ message: String, defendant: String? = nil) {
        self.code = code
        self.message = message
        self.defendant = defendant
    }

    public var description: String { "\(message) [\(code)]" }
}
