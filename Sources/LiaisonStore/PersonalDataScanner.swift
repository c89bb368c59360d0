import LiaisonProtocol

/// Finds tokens in text that look like a person's data, for `liaison audit scan`: an operator with a log
/// written before ids were made opaque (issue 11) can see which entries hold what, without the report itself
/// repeating it (every token is masked).
///
/// What it detects, and how it avoids the hub's own tokens (ISO timestamps, hex digests and pseudonyms,
/// sequence lists, key fingerprints):
/// - `upn`: a UPN-shaped token (`UPNShapedToken`: a maximal run of 13 ASCII letters and digits, a letter,
///   11 digits, then a digit or a letter; the check letter is not verified, a mistyped UPN is still one), or a
///   whole UPN (capitals, its check letter agreeing) inside a longer run (in a run of hex digits, only when the rest
///   of the run has no letter).
/// - `email`: `local@domain.tld`, the top-level domain two or more letters.
/// - `phone`: a UK number, `0` then 9 or 10 more digits (a first digit of 1-3 or 7-9), or `+44` then 9 or
///   10 digits, groups split by single spaces or hyphens; the digits are bounded by no other letter or digit.
/// - `postcode`: a UK postcode, `SW1A 1AA` (any case) or `SW1A1AA` (capitals only, and not a run of hex
///   digits); the inward letters exclude C, I, K, M, O and V, as Royal Mail's do.
/// - `date-of-birth`: a calendar date (`2012-03-14`, `14/03/2012`, `14-03-2012`, `14.03.2012`,
///   `14 March 2012`) whose year makes someone 3 to 25 years old when the entry was written, not followed by
///   a letter or digit (so `2012-03-14T09:00:00Z`, a timestamp, is not one).
///
/// Names are not detected: no rule tells a name from an agency's or a type's word without a list of names.
package enum PersonalDataScanner {
    package enum Kind: String, Sendable, CaseIterable, Comparable {
        case upn
        case email
        case phone
        case postcode
        case dateOfBirth = "date-of-birth"

        package static func < (a: Kind, b: Kind) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// One token found: its kind, and where it is in the text's UTF-8.
    package struct Token: Sendable, Equatable {
        package var kind: Kind
        package var text: String

        /// The token as a report may print it: never whole. A UPN keeps its first 6 characters (the letter
        /// and the LA and school digits), never its serial or check character.
        package var masked: String {
            let characters = Array(text)
            switch kind {
            case .upn: return String(characters.prefix(6)) + "…"
            case .email:
                guard let at = characters.firstIndex(of: "@") else { return "…" }
                return String(characters.prefix(1)) + "…@" + String(characters[(at + 1)...])
            case .phone: return String(characters.prefix(4)) + "…"
            case .postcode: return String(text.split(separator: " ").first.map { $0.count > 4 ? $0.prefix($0.count - 3) : $0 } ?? "") + " …"
            case .dateOfBirth:
                let year = text.split(whereSeparator: { !$0.isNumber }).first { $0.count == 4 } ?? ""
                return "…\(year)"
            }
        }
    }

    /// Every personal-looking token in `text`, in order of kind then position.
    ///
    /// - Parameter year: the year the text was written (dates of birth are judged against it).
    package static func find(in text: String, year: Int) -> [Token] {
        var tokens = UPNShapedToken.find(in: text).map { Token(kind: .upn, text: String($0)) }
        let bytes = Array(text.utf8)
        tokens += emails(bytes).map { Token(kind: .email, text: $0) }
        tokens += phones(bytes).map { Token(kind: .phone, text: $0) }
        tokens += postcodes(bytes).map { Token(kind: .postcode, text: $0) }
        tokens += dates(bytes, year: year).map { Token(kind: .dateOfBirth, text: $0) }
        return tokens
    }

    /// `text` with every personal-looking token replaced by its masked form (for reports that print ids).
    package static func redacted(_ text: String, year: Int) -> String {
        var result = text
        for token in find(in: text, year: year) {
            result = result.replacingOccurrences(of: token.text, with: token.masked)
        }
        return result
    }

    // MARK: Detectors, over UTF-8 bytes

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the byte at `index` (if any) is a letter or digit: a token must not run on into one.
    static func alphanumeric(_ bytes: [UInt8], at index: Int) -> Bool {
        index >= 0 && index < bytes.count && isAlphanumeric(bytes[index])
    }

    static func emails(_ bytes: [UInt8]) -> [String] {
        var found: [String] = []
        func local(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || "._%+-".utf8.contains(byte) }
        func domain(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || ".-".utf8.contains(byte) }
        for at in bytes.indices where bytes[at] == UInt8(ascii: "@") {
            var start = at
            while start > 0, local(bytes[start - 1]) { start -= 1 }
            var end = at + 1
            while end < bytes.count, domain(bytes[end]) { end += 1 }
            while end > at + 1, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }  // a sentence's full stop
            guard start < at, let dot = bytes[(at + 1)..<end].lastIndex(of: UInt8(ascii: ".")), dot > at + 1,
                end - dot - 1 >= 2, bytes[(dot + 1)..<end].allSatisfy(isLetter)
            else { continue }
            found.append(string(bytes[start..<end]))
        }
        return found
    }

    static func phones(_ bytes: [UInt8]) -> [String] {
        var found: [String] = []
        var index = 0
        while index < bytes.count {
            let start = index
            guard !alphanumeric(bytes, at: start - 1), bytes[start] == UInt8(ascii: "0") || bytes[start] == UInt8(ascii: "+") else {
                index += 1
                continue
            }
            var cursor = start
            var international = false
            if bytes[cursor] == UInt8(ascii: "+") {
                guard cursor + 2 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "4"), bytes[cursor + 2] == UInt8(ascii: "4") else {
                    index += 1
                    continue
                }
                international = true
                cursor += 3
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            }
            // Digits in groups split by single spaces or hyphens.
            var digits: [UInt8] = []
            var end = cursor
            while cursor < bytes.count {
                if isDigit(bytes[cursor]) {
                    digits.append(bytes[cursor])
                    cursor += 1
                    end = cursor
                } else if (bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "-")), cursor + 1 < bytes.count,
                    isDigit(bytes[cursor + 1]), !digits.isEmpty
                {
                    cursor += 1
                } else {
                    break
                }
            }
            let national = international ? digits : Array(digits.dropFirst())
            let plausible =
                !alphanumeric(bytes, at: end) && (9...10).contains(national.count)
                && "123789".utf8.contains(national.first ?? 0)
            if plausible {
                found.append(string(bytes[start..<end]))
                index = end
            } else {
                index = max(end, start + 1)
            }
        }
        return found
    }

    static func postcodes(_ bytes: [UInt8]) -> [String] {
        // Maximal runs of letters and digits, with their ranges.
        var runs: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isAlphanumeric(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isAlphanumeric(bytes[index]) { index += 1 }
            runs.append(start..<index)
        }
        func outward(_ run: ArraySlice<UInt8>) -> Bool {
            // A9, A99, AA9, AA99, A9A, AA9A.
            let letters = run.prefix(while: isLetter).count
            guard (1...2).contains(letters), (2...4).contains(run.count) else { return false }
            let rest = run.dropFirst(letters)
            guard let first = rest.first, isDigit(first) else { return false }
            return rest.dropFirst().allSatisfy(isAlphanumeric) && rest.dropFirst().count <= 1
        }
        func inward(_ run: ArraySlice<UInt8>) -> Bool {
            let excluded = Array("CIKMOVcikmov".utf8)
            return run.count == 3 && isDigit(run[run.startIndex])
                && run.dropFirst().allSatisfy { isLetter($0) && !excluded.contains($0) }
        }
        var found: [String] = []
        var skipNext = false
        for (position, run) in runs.enumerated() {
            if skipNext {
                skipNext = false
                continue
            }
            let slice = bytes[run]
            if position + 1 < runs.count, runs[position + 1].lowerBound == run.upperBound + 1,
                bytes[run.upperBound] == UInt8(ascii: " "), outward(slice), inward(bytes[runs[position + 1]])
            {
                found.append(string(bytes[run.lowerBound..<runs[position + 1].upperBound]))
                skipNext = true
                continue
            }
            let hex = slice.allSatisfy { isDigit($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
            if (5...7).contains(slice.count), !hex, slice.allSatisfy({ isDigit($0) || (0x41...0x5A).contains($0) }),
                outward(slice.dropLast(3)), inward(slice.suffix(3))
            {
                found.append(string(slice))
            }
        }
        return found
    }

    static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december",
    ]

    static func dates(_ bytes: [UInt8], year: Int) -> [String] {
        var found: [String] = []
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from >= 0, from + count <= bytes.count, bytes[from..<(from + count)].allSatisfy(isDigit) else { return nil }
            return Int(string(bytes[from..<(from + count)]))
        }
        func plausible(_ y: Int, _ m: Int, _ d: Int) -> Bool {
            (1...12).contains(m) && (1...31).contains(d) && (year - 25...year - 3).contains(y)
        }
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            guard isDigit(bytes[index]), !alphanumeric(bytes, at: index - 1) else { continue }
            // YYYY-MM-DD or YYYY/MM/DD
            if let y = number(index, 4), index + 10 <= bytes.count, [UInt8(ascii: "-"), UInt8(ascii: "/")].contains(bytes[index + 4]),
                bytes[index + 7] == bytes[index + 4], let m = number(index + 5, 2), let d = number(index + 8, 2),
                !alphanumeric(bytes, at: index + 10), plausible(y, m, d)
            {
                found.append(string(bytes[index..<(index + 10)]))
                index += 9
                continue
            }
            // D/M/YYYY, DD-MM-YYYY, DD.MM.YYYY (day and month of one or two digits)
            let dayLength = (index + 1 < bytes.count && isDigit(bytes[index + 1])) ? 2 : 1
            let separator = index + dayLength
            if let d = number(index, dayLength), separator < bytes.count, "/-.".utf8.contains(bytes[separator]) {
                let monthStart = separator + 1
                let monthLength = (monthStart + 1 < bytes.count && isDigit(bytes[monthStart + 1])) ? 2 : 1
                let second = monthStart + monthLength
                if let m = number(monthStart, monthLength), second < bytes.count, bytes[second] == bytes[separator],
                    let y = number(second + 1, 4), !alphanumeric(bytes, at: second + 5), plausible(y, m, d)
                {
                    found.append(string(bytes[index..<(second + 5)]))
                    index = second + 4
                    continue
                }
            }
            // D Month YYYY (the month's full name or its first three letters)
            if let d = number(index, dayLength), separator < bytes.count, bytes[separator] == UInt8(ascii: " ") {
                var cursor = separator + 1
                while cursor < bytes.count, isLetter(bytes[cursor]) { cursor += 1 }
                let word = string(bytes[(separator + 1)..<cursor]).lowercased()
                if let month = months.firstIndex(where: { $0 == word || (word.count == 3 && $0.hasPrefix(word)) }),
                    cursor < bytes.count, bytes[cursor] == UInt8(ascii: " "), let y = number(cursor + 1, 4),
                    !alphanumeric(bytes, at: cursor + 5), plausible(y, month + 1, d)
                {
                    found.append(string(bytes[index..<(cursor + 5)]))
                    index = cursor + 4
                    continue
                }
            }
        }
        return found
    }
}
