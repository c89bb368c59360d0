/// One DfE register code: its symbol, meaning, category and the dates it may be used on.
public struct RegisterCode: Hashable, Sendable, CustomStringConvertible {
    /// The code as the DfE writes it: `/`, `I`, `J1`, `Y4`, ... (`-` for "no mark yet").
    public let symbol: String
    /// What the code means, e.g. "Illness (not medical or dental appointment)".
    public let meaning: String
    /// How the code counts.
    public let category: AttendanceCategory
    /// True if a session with this code is a possible session.
    public let countsAsPossibleSession: Bool
    /// The first day the code may be used, or nil if always.
    public let validFrom: SchoolDate?
    /// The last day the code may be used, or nil if still valid.
    public let validTo: SchoolDate?
    /// The code's position in its ``CodeTable`` (a compact handle for the readers).
    public let index: Int

    /// True if the code may be recorded for a session on `date`.
    public func isValid(on date: SchoolDate) -> Bool {
        if let validFrom, date < validFrom { return false }
        if let validTo, date > validTo { return false }
        return true
    }

    /// The dates the code is valid, e.g. "from 2024-08-19", "until 2024-08-18", "always".
    public var validity: String {
        switch (validFrom, validTo) {
        case (nil, nil): return "always"
        case (let from?, nil): return "from \(from)"
        case (nil, let to?): return "until \(to)"
        case (let from?, let to?): return "from \(from) to \(to)"
        }
    }

    public var description: String { symbol }
}
