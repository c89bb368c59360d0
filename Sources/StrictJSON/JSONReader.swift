/// A strict RFC 8259 reader into `JSONValue`.
///
/// Written by hand because Foundation's `JSONDecoder` decoding an enum of every JSON type (each failed
/// `try?` throws) made the sharing rules cost two thirds of the broker's rate in `make bench`. Tests
/// compare it with Foundation's `JSONSerialization` on valid and invalid documents.
struct JSONReader {
    typealias Failure = JSONParseError

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    /// The members of the objects being read, innermost last, each with the offset of its value (for a name given twice).
    var pending: [(key: String, value: JSONValue, offset: Int)] = []

    static func parse(_ input: [UInt8]) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure> = input.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer)
            return Result { () throws(Failure) -> JSONValue in
                // RFC 8259 §8.1: a byte-order mark is not JSON; name it, since it is invisible in an editor.
                if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                    throw Failure(offset: 0, byteOrderMark: true)
                }
                let value = try reader.value()
                reader.skipWhitespace()
                guard reader.index == buffer.count else { throw Failure(offset: reader.index) }
                return value
            }
        }
        return try result.get()
    }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
            index += 1
        }
    }

    func fail() -> Failure { Failure(offset: index) }

    mutating func value() throws(Failure) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw fail() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw fail() }
        index += count
    }

    mutating func object() throws(Failure) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw Failure(offset: index, tooDeep: true) }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        // The members go on a stack shared by every object being read, and into a dictionary of the right size at
        // the end: one hash per name and no growing (an object read name by name was a fifth of reading a return).
        let base = pending.count
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail() }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail() }
            index += 1
            let offset = index
            pending.append((key, try value(), offset))
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail() }
            index += 1
            var members = [String: JSONValue](minimumCapacity: pending.count - base)
            for member in pending[base...] {
                // A name given twice is refused (I-JSON, RFC 7493): readers disagree on which value counts, so the
                // hub could check one value while a recipient reads the other.
                guard members.updateValue(member.value, forKey: member.key) == nil else {
                    throw Failure(offset: member.offset, duplicateKey: member.key)
                }
            }
            pending.removeSubrange(base...)
            return .object(members)
        }
    }

    mutating func array() throws(Failure) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw Failure(offset: index, tooDeep: true) }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipWhitespace()
            guard index < bytes.count else { throw fail() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail() }
            index += 1
            return .array(items)
        }
    }

    mutating func number() throws(Failure) -> Double {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - from
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw fail() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw fail() }
        }
        var whole = true  // no fraction, no exponent
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            whole = false
            guard digits() > 0 else { throw fail() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            whole = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail() }
        }
        // Most numbers are small integers (counts, years): read those directly, without making a string for strtod.
        if whole, index - start <= 16 {
            var magnitude: Int64 = 0
            for position in (bytes[start] == UInt8(ascii: "-") ? start + 1 : start)..<index {
                magnitude = magnitude * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
            }
            return bytes[start] == UInt8(ascii: "-") ? -Double(magnitude) : Double(magnitude)
        }
        // A number too large for a Double is refused rather than read as infinity (which JSON cannot write back).
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)),
            value.isFinite
        else {
            throw fail()
        }
        return value
    }

    mutating func string() throws(Failure) -> String {
        index += 1  // the opening quote
        let start = index
        var seen: UInt8 = 0  // every byte OR-ed together: below 0x80 when the string is ASCII
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // ASCII is valid UTF-8 as it stands; anything else is validated (a malformed sequence is refused).
                if seen < 0x80 { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self) else { throw fail() }
                return text
            }
            seen |= byte
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail() }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw fail() }
                return text
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw fail() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw fail() }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail() }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw fail()
                }
            default:
                if byte < 0x20 { throw fail() }
                out.append(byte)
            }
        }
        throw fail()
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail()
            }
            value = value << 4 | digit
        }
        return value
    }
}

/// Writes `JSONValue` as compact JSON with keys in code-point order (deterministic, and fast: no
/// locale-aware sorting as with Foundation's encoder).
package enum JSONWriter {
    package static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            if number.rounded() == number, abs(number) < 9e15 {
                integer(Int64(number), into: &out)
            } else {
                out.append(contentsOf: "\(number)".utf8)
            }
        case .string(let text): string(text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (position, member) in codePointSorted(members).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                string(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A dictionary's members in Unicode code-point order of their names: their UTF-8 bytes compared as bytes
    /// (UTF-8 keeps code-point order). `String`'s `<` is not this order (it compares canonical equivalents as equal).
    ///
    /// Each name's first 16 bytes are read once, as two big-endian integers, and the sort compares those; only names
    /// longer than 16 bytes that share their first 16 are compared in full. Comparing the `utf8` views pair by pair
    /// was most of the time the desk took to write a return's marks (33 dates a pupil).
    package static func codePointSorted(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        let pairs = Array(members)
        return codePointOrder(of: pairs.map(\.key)).map { pairs[$0] }
    }

    /// The positions of `names` in Unicode code-point order (not generic, so that a caller in another module runs it
    /// specialised: `SortedJSONWriter` orders each pupil's marks with it).
    package static func codePointOrder(of names: [String]) -> [Int] {
        guard names.count > 1 else { return Array(names.indices) }
        var items = names.enumerated().map { position, name in
            var (high, low): (UInt64, UInt64) = (0, 0)
            var count = 0
            for byte in name.utf8 {
                if count < 8 {
                    high |= UInt64(byte) << (56 - 8 * UInt64(count))
                } else if count < 16 {
                    low |= UInt64(byte) << (56 - 8 * UInt64(count - 8))
                } else {
                    break
                }
                count += 1
            }
            return (position: position, high: high, low: low, length: name.utf8.count)
        }
        items.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            // The same first 16 bytes (unused bytes count as zero): a name of at most 16 bytes is a prefix of the other.
            if a.length <= 16 || b.length <= 16 { return a.length < b.length }
            return names[a.position].utf8.lexicographicallyPrecedes(names[b.position].utf8)
        }
        return items.map(\.position)
    }

    package static func string(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { string(utf8: $0, into: &out) }
    }

    /// An integer's decimal digits, written in place (no `String` made: every audit leaf has two or three).
    package static func integer(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var count = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            count += 1
        }
        var index = out.count + count - 1
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        repeat {
            out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
    }

    /// A JSON string from UTF-8 bytes (e.g. straight from SQLite's column buffer).
    package static func string(utf8 bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy those in one go (this runs per field of every envelope,
        // receipt and audit leaf).
        guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        // Unescaped runs go in one copy each; an escape is appended byte by byte (no array made for it: a
        // decision's record, itself JSON, is escaped into every audit leaf that carries it).
        var runStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let escape: UInt8
            switch byte {
            case UInt8(ascii: "\""): escape = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case 0x0A: escape = UInt8(ascii: "n")
            case 0x0D: escape = UInt8(ascii: "r")
            case 0x09: escape = UInt8(ascii: "t")
            case 0..<0x20: escape = UInt8(ascii: "u")
            default:
                index += 1
                continue
            }
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            out.append(UInt8(ascii: "\\"))
            out.append(escape)
            if escape == UInt8(ascii: "u") {
                let hex: StaticString = "0123456789abcdef"
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0x0F)])
            }
            index += 1
            runStart = index
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        out.append(UInt8(ascii: "\""))
    }
}
