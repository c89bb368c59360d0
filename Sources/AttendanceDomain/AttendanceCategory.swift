/// What a register code means for the arithmetic (the `category` column of attendance-codes.csv).
public enum AttendanceCategory: String, Sendable, CaseIterable, Codable {
    /// Present in school (`/`, `\`, `L`).
    case present
    /// Approved educational activity off site: counts as attendance (`V`, `P`, `W`, `B`, `K`, and `J` before 2024).
    case aea
    /// Authorised absence (`I`, `M`, `C`, ...).
    case authorised
    /// Unauthorised absence (`G`, `N`, `O`, `U`).
    case unauthorised
    /// Not a possible session (`X`, `Y1`-`Y7`, `#`, ...).
    case notCounted = "not_counted"
    /// No mark recorded yet (`-`): a data-quality fault, never silently 0.
    case missing

    /// True for the categories that make up possible sessions (present, aea, authorised, unauthorised).
    public var isPossibleSession: Bool {
        switch self {
        case .present, .aea, .authorised, .unauthorised: return true
        case .notCounted, .missing: return false
        }
    }
}
