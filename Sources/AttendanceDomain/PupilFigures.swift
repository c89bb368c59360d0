/// One pupil's attendance over a period: sessions per code and per category, the rates, and the absence flags.
///
/// The rules (DfE):
/// - possible sessions = present + aea + authorised + unauthorised;
/// - attendance % = (present + aea) / possible x 100; absence % = (authorised + unauthorised) / possible x 100;
/// - persistently absent: absence is 10% or more of possible sessions; severely absent: 50% or more;
/// - `-` (no mark) is counted in ``missing`` and a code that is unknown or not valid on its date in ``invalid``:
///   neither is a possible session, and neither is ever silently treated as present or absent;
/// - codes in the `not_counted` category (`X`, `Y1`-`Y7`, `#`, ...) are counted in ``notCounted``.
///
/// Rates are nil when there are no possible sessions.
///
/// ```swift
/// var figures = PupilFigures()
/// figures.record(CodeTable.standard.code("/")!, sessions: 18)
/// figures.record(CodeTable.standard.code("I")!, sessions: 2)
/// figures.attendanceRate          // 90.0
/// figures.isPersistentlyAbsent    // true (2 of 20 is 10%)
/// ```
public struct PupilFigures: Hashable, Sendable {
    /// Sessions per register code used (including `-` and `#`; not including invalid codes).
    public private(set) var codeCounts: [String: Int] = [:]
    public private(set) var present = 0
    /// Approved educational activity: counts as attendance.
    public private(set) var aea = 0
    public private(set) var authorised = 0
    public private(set) var unauthorised = 0
    /// Sessions with a code that is not a possible session (`X`, `Y1`, `#`, ...).
    public private(set) var notCounted = 0
    /// Sessions with no mark (`-` or no mark at all).
    public private(set) var missing = 0
    /// Sessions whose code is unknown or not valid on its date (reported as problems; not possible sessions).
    public private(set) var invalid = 0

    public init() {}

    /// The figures of a pupil's marks, each code checked against its date.
    public init(marks: some Sequence<DayMarks>, table: CodeTable = .standard) {
        for day in marks {
            for symbol in [day.am, day.pm] {
                if case .valid(let code) = table.lookup(symbol, on: day.date) {
                    record(code)
                } else {
                    recordInvalid()
                }
            }
        }
    }

    /// The figures of sessions counted per code (`["I": 3, "/": 120]`), as a return carries them; a code the table
    /// does not know counts as invalid.
    public init(codeCounts: [String: Int], table: CodeTable = .standard) {
        for (symbol, sessions) in codeCounts {
            if let code = table.code(symbol) { record(code, sessions: sessions) } else { recordInvalid(sessions: sessions) }
        }
    }

    /// Counts `sessions` sessions of `code` (whose validity on the date the caller has checked).
    public mutating func record(_ code: RegisterCode, sessions: Int = 1) {
        codeCounts[code.symbol, default: 0] += sessions
        switch code.category {
        case .present: present += sessions
        case .aea: aea += sessions
        case .authorised: authorised += sessions
        case .unauthorised: unauthorised += sessions
        case .notCounted: notCounted += sessions
        case .missing: missing += sessions
        }
    }

    /// Counts sessions whose code is unknown or not valid on its date.
    public mutating func recordInvalid(sessions: Int = 1) { invalid += sessions }

    /// present + aea + authorised + unauthorised.
    public var possible: Int { present + aea + authorised + unauthorised }
    /// present + aea (CTF SessionsAttended).
    public var attended: Int { present + aea }
    /// authorised + unauthorised.
    public var absent: Int { authorised + unauthorised }

    /// (present + aea) / possible x 100, or nil with no possible sessions.
    public var attendanceRate: Double? { rate(attended) }
    /// (authorised + unauthorised) / possible x 100, or nil.
    public var absenceRate: Double? { rate(absent) }
    /// authorised / possible x 100, or nil.
    public var authorisedRate: Double? { rate(authorised) }
    /// unauthorised / possible x 100, or nil.
    public var unauthorisedRate: Double? { rate(unauthorised) }

    /// Absence is 10% or more of possible sessions (exact integer comparison).
    public var isPersistentlyAbsent: Bool { possible > 0 && absent * 10 >= possible }
    /// Absence is 50% or more of possible sessions.
    public var isSeverelyAbsent: Bool { possible > 0 && absent * 2 >= possible }

    private func rate(_ count: Int) -> Double? { possible == 0 ? nil : Double(count) / Double(possible) * 100 }
}
