/// What a `cohort.update` does to the sending agency's cohort (docs/rules.md, cohorts).
public enum CohortOperation: String, Sendable, CaseIterable {
    /// The cohort becomes exactly the members listed.
    case replace
    /// The members listed join the cohort.
    case add
    /// The members listed leave the cohort.
    case remove

    /// The cohort after this operation with `members`.
    public func apply(_ members: [String], to current: Set<String>) -> Set<String> {
        switch self {
        case .replace: Set(members)
        case .add: current.union(members)
        case .remove: current.subtracting(members)
        }
    }
}
