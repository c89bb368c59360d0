import Foundation

/// A calendar date with no time and no time zone: the day a register session belongs to.
///
/// Registers are kept in local school days, so attendance arithmetic never needs clocks or zones.
/// Dates compare chronologically, parse and format as `YYYY-MM-DD`, and count days through
/// ``dayNumber`` (days since 1970-01-01, proleptic Gregorian).
///
/// ```swift
/// let start = SchoolDate(parsing: "2025-09-03")!   // a Wednesday
/// start.weekday                                      // .wednesday
/// start.adding(days: 2).description                  // "2025-09-05"
/// ```
public struct SchoolDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, e.g. 2025.
    public let year: Int
    /// The month, 1-12.
    public let month: Int
    /// The day of the month, 1-31.
    public let day: Int

    /// A date from its parts, or nil if the parts do not name a real day (e.g. 2025-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= SchoolDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `dayNumber` days after 1970-01-01 (negative before it).
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Parses `YYYY-MM-DD` exactly (four-digit year, two-digit month and day); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(10)
        bytes.append(contentsOf: text.utf8.prefix(11))
        guard let date = bytes.withUnsafeBufferPointer({ SchoolDate(isoBytes: $0) }) else { return nil }
        self = date
    }

    /// Parses `YYYY-MM-DD` from UTF-8 bytes without making a String (the MIS readers' hot path).
    public init?(isoBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil); differences are day counts.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day of the week.
    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((dayNumber % 7) + 7 + 3) % 7  // 0 = Monday
        return Weekday(rawValue: index + 1)!
    }

    /// True on Saturdays and Sundays.
    public var isWeekend: Bool { weekday == .saturday || weekday == .sunday }

    /// The date `days` days later (earlier when negative).
    public func adding(days: Int) -> SchoolDate { SchoolDate(dayNumber: dayNumber + days) }

    /// Today in a time zone: UTC (the hub judges agreements in UTC) unless another is given.
    public static func today(in timeZone: TimeZone = TimeZone(identifier: "UTC")!) -> SchoolDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return SchoolDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// Whole years from this date (a date of birth) to `date`: a person's age on that day.
    public func years(to date: SchoolDate) -> Int {
        date.year - year - ((date.month, date.day) < (month, day) ? 1 : 0)
    }

    /// The number of days from `self` to `other` (positive when `other` is later).
    public func days(to other: SchoolDate) -> Int { other.dayNumber - dayNumber }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: SchoolDate, rhs: SchoolDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The number of days in a month of a year.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(year) ? 29 : 28
        default: return 31
        }
    }

    /// True for Gregorian leap years.
    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
}

/// A day of the week, Monday = 1 to Sunday = 7 (ISO 8601).
public enum Weekday: Int, Sendable, CaseIterable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday
}

extension SchoolDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = SchoolDate(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a date as YYYY-MM-DD, found \"\(text)\"")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
