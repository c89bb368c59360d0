import StrictJSON
import Foundation

/// The `format` values Liaison's schemas assert.
enum Formats {
    static let checks: [String: @Sendable (String) -> Bool] = [
        "date": isDate, "date-time": isDateTime, "email": isEmail, "uuid": isUUID,
    ]

    /// RFC 3339 full-date: YYYY-MM-DD with a real day of that month.
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// RFC 3339 date-time: full-date "T" time with seconds, optional fraction, and an offset.
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            isDate(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return false }
        let time = Array(bytes[11...])
        guard time.count >= 9, time[2] == UInt8(ascii: ":"), time[5] == UInt8(ascii: ":"),
            let hour = number(time[0..<2]), let minute = number(time[3..<5]), let second = number(time[6..<8]),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = 8
        if time[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < time.count, time[index].isDigit { index += 1 }
            guard index > start else { return false }
        }
        guard index < time.count else { return false }
        var offsetHour = 0, offsetMinute = 0, sign = 0
        switch time[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index == time.count - 1 else { return false }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard time.count - index == 6, time[index + 3] == UInt8(ascii: ":"),
                let h = number(time[(index + 1)..<(index + 3)]), let m = number(time[(index + 4)..<(index + 6)]), h <= 23, m <= 59
            else { return false }
            offsetHour = h
            offsetMinute = m
            sign = time[index] == UInt8(ascii: "+") ? 1 : -1
        default:
            return false
        }
        if second == 60 {
            // A leap second is only ever 23:59:60 in UTC.
            let utcMinutes = ((hour * 60 + minute - sign * (offsetHour * 60 + offsetMinute)) % 1440 + 1440) % 1440
            return utcMinutes == 23 * 60 + 59
        }
        return true
    }

    /// An RFC 5321 mailbox: a dot-atom or quoted local part, "@", and a host name or an address literal.
    static func isEmail(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return false }
        if local.hasPrefix("\"") {
            guard local.count >= 2, local.hasSuffix("\""), local.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
            else { return false }
        } else {
            let atom = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
            let parts = local.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { atom.contains($0) } }) else { return false }
        }
        if domain.hasPrefix("[") {
            guard domain.hasSuffix("]") else { return false }
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return literal.dropFirst(5).allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
            let octets = literal.split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets.allSatisfy { part in
                guard let value = Int(part), part.allSatisfy(\.isNumber), part.count <= 3 else { return false }
                return value <= 255
            }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }
    }

    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard byte.isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20) else { return false }
            }
        }
        return true
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.allSatisfy(\.isDigit) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
}
