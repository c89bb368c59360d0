import Foundation

/// How long the hub keeps the body of a message shared under an agreement: an ISO 8601 duration of
/// years, months, weeks and days (`P6Y`, `P18M`, `P2Y6M`, `P90D`). Counted from the day the hub received
/// the message, on the UTC calendar; then the body is deleted (its audit entries stay).
public struct RetentionPeriod: Sendable, Equatable, CustomStringConvertible {
    public var years: Int
    public var months: Int
    public var days: Int

    /// Parses `P[nY][nM][nW][nD]`; nil for anything else (times, fractions, signs, an empty `P`).
    public init?(_ text: String) {
        guard text.hasPrefix("P"), text.count > 1 else { return nil }
        var years = 0, months = 0, days = 0
        var number = ""
        for character in text.dropFirst() {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number), value <= 1000 else { return nil }
            switch character {
            case "Y": years = value
            case "M": months = value
            case "W": days += value * 7
            case "D": days += value
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty else { return nil }
        self.years = years
        self.months = months
        self.days = days
    }

    public var description: String {
        var text = "P"
        if years > 0 { text += "\(years)Y" }
        if months > 0 { text += "\(months)M" }
        if days > 0 || text == "P" { text += "\(days)D" }
        return text
    }

    /// The end of the period that starts at `start` (milliseconds since 1970, UTC).
    public func end(from start: Int64) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(start) / 1000)
        let end = calendar.date(byAdding: DateComponents(year: years, month: months, day: days), to: date) ?? date
        return Int64((end.timeIntervalSince1970 * 1000).rounded())
    }
}
