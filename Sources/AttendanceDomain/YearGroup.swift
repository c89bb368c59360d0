/// A national curriculum year group, as CTF's NCyearActual writes it: N1, N2, R, 1-14 or X.
public struct YearGroup: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The text: "N1", "N2", "R", "1" ... "14", "X".
    public let rawValue: String

    /// Every year group the return schema allows.
    public static let all = ["N1", "N2", "R"] + (1...14).map(String.init) + ["X"]

    /// A year group from its text, or nil if it is not one of ``all``.
    public init?(_ text: String) {
        guard YearGroup.all.contains(text) else { return nil }
        rawValue = text
    }

    /// The year's offset from reception: N1 = -2, N2 = -1, R = 0, 1 ... 14; nil for X (not following the curriculum).
    public var offset: Int? {
        switch rawValue {
        case "N1": return -2
        case "N2": return -1
        case "R": return 0
        case "X": return nil
        default: return Int(rawValue)
        }
    }

    /// The year group a pupil born on `dateOfBirth` is normally in during `academicYear` (children start reception in
    /// the September after they turn four), or nil outside N1-14.
    public static func expected(dateOfBirth: SchoolDate, academicYear: Int) -> YearGroup? {
        // Born 1 September of year B to 31 August of B+1: reception in academic year B + 5.
        let cohort = dateOfBirth.month >= 9 ? dateOfBirth.year : dateOfBirth.year - 1
        let offset = academicYear - cohort - 5
        switch offset {
        case -2: return YearGroup("N1")
        case -1: return YearGroup("N2")
        case 0: return YearGroup("R")
        case 1...14: return YearGroup(String(offset))
        default: return nil
        }
    }

    /// The range of dates of birth that fit this year group in `academicYear`, or nil for X.
    public func dateOfBirthRange(academicYear: Int) -> ClosedRange<SchoolDate>? {
        guard let offset else { return nil }
        let cohort = academicYear - offset - 5
        return SchoolDate(year: cohort, month: 9, day: 1)!...SchoolDate(year: cohort + 1, month: 8, day: 31)!
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let group = YearGroup(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown year group \(text)"))
        }
        self = group
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
