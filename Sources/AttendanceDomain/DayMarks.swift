/// The two register marks of one school day, as full codes (`J1`, not a mark-string character).
public struct DayMarks: Hashable, Sendable, Codable {
    /// The school day.
    public let date: SchoolDate
    /// The morning mark (`-` if none was recorded).
    public let am: String
    /// The afternoon mark (`-` if none was recorded).
    public let pm: String

    public init(date: SchoolDate, am: String, pm: String) {
        self.date = date
        self.am = am
        self.pm = pm
    }
}

/// A register session: morning or afternoon.
public enum Session: String, Sendable, CaseIterable, Codable {
    case am = "AM"
    case pm = "PM"
}
