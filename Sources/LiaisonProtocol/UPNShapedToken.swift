/// Finds tokens shaped like a Unique Pupil Number in free text: what must never reach a message id, a subject, a
/// correlation id or an audit leaf, which can never be erased.
///
/// A token is a maximal run of ASCII letters and digits. It is UPN-shaped when it is exactly 13 characters: a
/// letter, 11 digits, then a digit or a letter (a permanent UPN ends in a digit, a temporary one in a letter),
/// in either case. The check letter is deliberately not verified: a mistyped UPN is still a child's UPN.
/// Hex digests, timestamps and case references do not have this shape, so opaque ids never trip it.
///
/// A UPN written into a longer run (`pupilQ926200024001`, `Q9262000240012026`) is found too, where it can be told
/// from chance: 13 characters inside the run that are a whole UPN as a school writes it (capitals, a check letter
/// from `ABCDEFGHJKLMNPQRTUVWXYZ` that the other twelve give). In a run of hex digits, where a random uppercase
/// digest would hold one about once in 200, it counts only when the rest of the run has no letter (a UPN with a date
/// or a year beside it), so opaque ids still never trip it.
public enum UPNShapedToken {
    /// Every UPN-shaped token in `text`, in order.
    public static func find(in text: String) -> [Substring] {
        var found: [Substring] = []
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            guard isAlphanumeric(utf8[index]) else {
                index = utf8.index(after: index)
                continue
            }
            let start = index
            var count = 0
            while index < utf8.endIndex, isAlphanumeric(utf8[index]) {
                count += 1
                index = utf8.index(after: index)
            }
            if count == 13, matches(utf8[start..<index]) {
                found.append(text[start..<index])
            } else if count > 13 {
                let allHex = utf8[start..<index].allSatisfy(isHexDigit)
                var offset = start
                while utf8.distance(from: offset, to: index) >= 13 {
                    let end = utf8.index(offset, offsetBy: 13)
                    // In a run of hex digits (a digest), only where nothing else in the run is a letter: a UPN whose
                    // check letter is A-F, with digits before or after it (a date, a year), is still found.
                    if isWholeUPN(utf8[offset..<end]),
                        !allHex || !(utf8[start..<offset].contains(where: isLetter) || utf8[end..<index].contains(where: isLetter))
                    {
                        found.append(text[offset..<end])
                        offset = end
                    } else {
                        offset = utf8.index(after: offset)
                    }
                }
            }
        }
        return found
    }

    /// Whether `text` holds at least one UPN-shaped token.
    public static func occurs(in text: String) -> Bool { !find(in: text).isEmpty }

    /// `token` masked for a report or a log line: its first character and the count of the rest.
    public static func masked(_ token: Substring) -> String { "\(token.prefix(1))\(String(repeating: "•", count: 12))" }

    static func matches(_ token: Substring.UTF8View) -> Bool {
        for (offset, byte) in token.enumerated() {
            switch offset {
            case 0: guard isLetter(byte) else { return false }
            case 1...11: guard isDigit(byte) else { return false }
            default: guard isDigit(byte) || isLetter(byte) else { return false }
            }
        }
        return true
    }

    /// The check letters (and a temporary UPN's last character): A-Z without I, O and S.
    static let alphabet: [UInt8] = Array("ABCDEFGHJKLMNPQRTUVWXYZ".utf8)

    /// 13 characters that are a UPN as a school writes it: a check letter, 11 digits, a digit or a letter of the
    /// alphabet, and the check letter the other twelve give (the arithmetic of `AttendanceDomain`'s `UPN`, which this
    /// protocol-level target does not depend on; `UPNShapedTokenTests` hold the two to the same answers).
    static func isWholeUPN(_ token: Substring.UTF8View) -> Bool {
        var sum = 0
        var first: UInt8 = 0
        for (offset, byte) in token.enumerated() {
            let value: Int
            switch offset {
            case 0:
                guard alphabet.contains(byte) else { return false }
                first = byte
                continue
            case 1...11:
                guard isDigit(byte) else { return false }
                value = Int(byte - 0x30)
            default:
                if isDigit(byte) {
                    value = Int(byte - 0x30)
                } else if let index = alphabet.firstIndex(of: byte) {
                    value = index
                } else {
                    return false
                }
            }
            sum += value * (offset + 1)
        }
        return alphabet[sum % 23] == first
    }

    static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66) }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
}
