/// The offences of a parent whose child fails to attend school (Education Act 1996 s.444), or who fails to
/// comply with a school attendance order (s.443).
///
/// ```swift
/// Offence(rawValue: "444(1A)")   // .section444_1A
/// Offence.section444_1.rawValue  // "444(1)"
/// ```
public enum Offence: String, Hashable, Sendable, CaseIterable, Codable {
    /// s.444(1): the child fails to attend regularly; strict liability; a level 3 fine.
    case section444_1 = "444(1)"
    /// s.444(1A): the same, and the parent knew and failed without reasonable justification to make the child
    /// attend; a level 4 fine and/or up to three months' imprisonment. The warning letters evidence knowledge.
    case section444_1A = "444(1A)"
    /// s.443: the parent fails to comply with a school attendance order (the child is not registered at the school
    /// the order names); a level 3 fine. Its checks are ``ProsecutionChecks/refusals(for:orders:)`` on an
    /// ``AttendanceOrderBreach``, not the register's: the offence is the order's breach, not the absence.
    case section443 = "443"

    /// True if the offence needs evidence that the parent knew of the absence (s.444(1A)).
    public var needsKnowledge: Bool { self == .section444_1A }
}

/// A parent the worker proposes to prosecute, with what makes them a parent in law and who chose them.
///
/// The Education Act's parent (s.576) is anyone with parental responsibility *or* anyone who has care of the
/// child (a step-parent or partner living with the child can be one). Each is a separate defendant, chosen
/// case by case: prosecuting one parent and not another is a decision the worker records with a reason.
///
/// ```swift
/// let mother = Defendant(id: "D1", parentalResponsibility: true, hasCare: true,
///                        choice: .init(by: "esw.jones", reason: "lives with the child and received both letters"))
/// ```
public struct Defendant: Hashable, Sendable {
    /// Who chose to prosecute this parent, and why.
    public struct Choice: Hashable, Sendable {
        /// The worker who made the decision (an account name, not a personal detail of the parent).
        public var by: String
        /// Why this parent is prosecuted (and, where relevant, why another is not).
        public var reason: String

        public init(by: String, reason: String) {
            self.by = by
            self.reason = reason
        }
    }

    /// The caller's reference for the defendant (e.g. `D1`), as used in ``PenaltyNotice/parent``; it appears in
    /// refusal messages, so it must not be a name.
    public var id: String
    public var parentalResponsibility: Bool
    public var hasCare: Bool
    /// The worker's recorded decision to prosecute, or nil if nobody has chosen this parent.
    public var choice: Choice?

    public init(id: String, parentalResponsibility: Bool, hasCare: Bool, choice: Choice? = nil) {
        self.id = id
        self.parentalResponsibility = parentalResponsibility
        self.hasCare = hasCare
        self.choice = choice
    }

    /// True if the person is a parent within s.576 (parental responsibility or care of the child).
    public var isParentInLaw: Bool { parentalResponsibility || hasCare }
}
