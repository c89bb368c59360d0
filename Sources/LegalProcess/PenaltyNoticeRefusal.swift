import AttendanceDomain

/// Why a penalty notice may not be issued: a code to match and a sentence saying what to do instead.
///
/// ```swift
/// if case .failure(let refusal) = framework.mayIssue(previousNotices: notices, on: today),
///    refusal.code == .limitReached {
///     // consider prosecution instead
/// }
/// ```
public struct PenaltyNoticeRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule refuses (a struct so codes can grow).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case limitReached = "limit-reached"
            case previousNoticeUndecided = "previous-notice-undecided"
            case frameworkNotInForce = "framework-not-in-force"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The parent has had the framework's limit of notices for this child within its years.
        public static let limitReached = Code(.limitReached)
        /// An earlier notice to the parent is unpaid and neither prosecuted nor withdrawn.
        public static let previousNoticeUndecided = Code(.previousNoticeUndecided)
        /// The date is before the framework came into force.
        public static let frameworkNotInForce = Code(.frameworkNotInForce)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// What the rule says and what to do instead.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}
