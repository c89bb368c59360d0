import Foundation

/// A streaming RFC 4180 CSV reader: one record at a time, with the line it starts on.
///
/// Fields may be quoted with `"`; a quoted field may hold commas, line breaks and doubled quotes (`""`).
/// Records end with LF or CRLF. A quote inside an unquoted field, text after a closing quote, or a quoted field
/// left open at the end of the input is malformed: ``next()`` throws ``CSVRecordReader/Malformed`` naming the line
/// and column. The input is read in 64 KiB chunks, so memory is bounded by the longest record.
///
/// **Encodings.** Text is never turned silently into U+FFFD. Valid UTF-8 (with or without a byte-order mark) is
/// read as it is. Spreadsheets on Windows still save "CSV" in Windows-1252 (a superset of Latin-1's printable
/// characters), so a file whose first non-ASCII field is not UTF-8 is read as Windows-1252, and ``encoding`` says
/// so (the register reader reports `decoded-windows-1252`). Bytes Windows-1252 leaves undefined (0x81, 0x8D,
/// 0x8F, 0x90, 0x9D), a field that is not UTF-8 after one that was, or after a UTF-8 byte-order mark, are
/// ``Malformed`` with kind ``Malformed/Kind/encoding``. ASCII reads the same in both, so the choice is made
/// lazily and the reader still streams.
///
/// ```swift
/// var reader = try CSVRecordReader(path: "registers.csv")
/// while let record = try reader.next() { print(record.line, record.fields) }
/// if reader.encoding == .windows1252 { print("read as Windows-1252") }
/// ```
public struct CSVRecordReader {
    /// One record: its fields and the 1-based line it starts on.
    public struct Record: Sendable, Equatable {
        public var fields: [String]
        public var line: Int

        public init(fields: [String], line: Int) {
            self.fields = fields
            self.line = line
        }
    }

    /// Why the input cannot be read as CSV, and where.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        /// What kind of fault.
        public enum Kind: Sendable, Hashable {
            /// Not RFC 4180 CSV: a stray or unclosed quote, a lone carriage return.
            case syntax
            /// Bytes that are neither UTF-8 nor Windows-1252, or a mixture of the two.
            case encoding
            /// The file grew past its size cap while it was read.
            case tooLarge
            /// The file could not be read.
            case unreadable
        }

        /// The 1-based line of the fault.
        public let line: Int
        /// The 1-based column (in bytes) of the fault.
        public let column: Int
        /// What is wrong.
        public let reason: String
        /// What kind of fault.
        public let kind: Kind

        public init(line: Int, column: Int, reason: String, kind: Kind = .syntax) {
            self.line = line
            self.column = column
            self.reason = reason
            self.kind = kind
        }

        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    /// How the text was decoded.
    public enum Encoding: String, Sendable, Hashable {
        case utf8 = "UTF-8"
        case windows1252 = "Windows-1252"
    }

    /// How the fields read so far were decoded: `.windows1252` once any field was not UTF-8.
    public var encoding: Encoding { decision == .windows1252 ? .windows1252 : .utf8 }
    /// The line of the first text read as Windows-1252 (the line of its first byte that is not ASCII), if any.
    public private(set) var windows1252Line: Int?

    private enum Decision: Equatable {
        /// Only ASCII so far: both encodings agree.
        case undecided
        /// A field was UTF-8 (or the input opened with a UTF-8 byte-order mark, `declared`).
        case utf8(declared: Bool)
        case windows1252
    }

    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    private var column = 1
    private var field: [UInt8] = []
    private var decision = Decision.undecided

    /// Reads the file at `path`: a regular file (a link is refused, not followed), at most `maximumSize` bytes.
    /// - Throws: ``AttendanceDomainError/Code/fileUnreadable`` if it cannot be opened or is refused.
    public init(path: String, maximumSize: Int = MISReader.defaultMaximumFileSize) throws(AttendanceDomainError) {
        do { self.init(input: try InputFile.open(path, limit: maximumSize)) } catch {
            throw AttendanceDomainError(.fileUnreadable, "cannot read \(path): \(error.problem.message)", file: path)
        }
    }

    /// Reads a file already opened as untrusted input.
    init(input: InputFile) {
        source = .file(input)
    }

    /// Reads CSV text held in memory (UTF-8 by construction).
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
        decision = .utf8(declared: true)
    }

    /// Reads CSV bytes held in memory, UTF-8 or Windows-1252 (see ``encoding``). A UTF-8 byte-order mark
    /// (spreadsheets' "CSV UTF-8") is skipped, and declares the bytes UTF-8.
    public init(bytes: [UInt8]) {
        source = .memory
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            buffer = Array(bytes.dropFirst(3))
            decision = .utf8(declared: true)
        } else {
            buffer = bytes
        }
    }

    private enum ByteSource {
        case file(InputFile)
        case memory
    }

    private mutating func refill() -> Bool {
        guard case .file(let input) = source, !atEnd else { atEnd = true; return false }
        if buffer.count != 1 << 16 { buffer = [UInt8](repeating: 0, count: 1 << 16) }
        let count = buffer.withUnsafeMutableBytes { input.read(into: $0.baseAddress!, count: $0.count) }
        guard count > 0 else {
            // An error or a file grown past its cap: next() throws, rather than take what was read as the whole.
            atEnd = true
            buffer.removeAll()
            position = 0
            return false
        }
        if count < buffer.count { buffer.removeSubrange(count...) }
        // A UTF-8 byte-order mark at the very start of a file is not data, and says the file is UTF-8.
        position = 0
        if !readAny, buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
            position = 3
            decision = .utf8(declared: true)
        }
        readAny = true
        return position < buffer.count || refill()
    }

    /// Why the input stopped early, if it did (a file grown past its cap, or a read error).
    private var inputFailure: (kind: Malformed.Kind, reason: String)? {
        guard case .file(let input) = source else { return nil }
        if input.exceededLimit {
            return (.tooLarge, "the file grew past the limit of \(input.limit) bytes while it was read: drop it in again once it is complete")
        }
        if let reason = input.readError { return (.unreadable, "the file could not be read (\(reason))") }
        return nil
    }

    /// Whether any chunk of the file has been read (a byte-order mark can only open the first).
    private var readAny = false

    /// The next byte, or nil at the end of the input.
    @inline(__always)
    private mutating func nextByte() -> UInt8? {
        if position == buffer.count, !refill() { return nil }
        let byte = buffer[position]
        position += 1
        return byte
    }

    @inline(__always)
    private mutating func peekByte() -> UInt8? {
        if position == buffer.count, !refill() { return nil }
        return buffer[position]
    }

    /// Windows-1252's characters for 0x80-0x9F (nil: undefined); 0xA0-0xFF are Latin-1's, the same code points.
    private static let windows1252High: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]

    /// The field's text, decoded as the input's encoding (deciding it at the first field that is not ASCII).
    private mutating func decodeField() throws(Malformed) -> String {
        defer { field.removeAll(keepingCapacity: true) }
        guard field.contains(where: { $0 >= 0x80 }) else { return String(decoding: field, as: UTF8.self) }
        switch decision {
        case .undecided, .utf8:
            if let text = String(validating: field, as: UTF8.self) {
                if case .undecided = decision { decision = .utf8(declared: false) }
                return text
            }
            if case .utf8(let declared) = decision {
                throw Malformed(line: line, column: column, reason: declared
                    ? "a field that is not UTF-8, though the file says it is (a UTF-8 byte-order mark): save the file as CSV UTF-8"
                    : "a field that is not UTF-8 after fields that were: the file mixes encodings; save it as CSV UTF-8",
                    kind: .encoding)
            }
            decision = .windows1252
            // `line` is the line the field ends on (a record's last field is decoded before its line break is
            // counted); a quoted field may span lines, so count back the line breaks after its first such byte.
            let first = field.firstIndex(where: { $0 >= 0x80 })!
            windows1252Line = line - field[first...].lazy.filter { $0 == 0x0A }.count
        case .windows1252:
            break
        }
        var text = String.UnicodeScalarView()
        for byte in field {
            if byte < 0x80 || byte >= 0xA0 {
                text.append(Unicode.Scalar(byte))
            } else if let value = Self.windows1252High[Int(byte - 0x80)], let scalar = Unicode.Scalar(value) {
                text.append(scalar)
            } else {
                throw Malformed(line: line, column: column, reason: String(format: "byte 0x%02X is neither UTF-8 nor a Windows-1252 character: ", byte)
                    + "the file's encoding is unknown; save it as CSV UTF-8", kind: .encoding)
            }
        }
        return String(text)
    }

    /// The next record, or nil at the end of the input. Blank lines are skipped.
    /// - Throws: ``Malformed`` at the first fault.
    public mutating func next() throws(Malformed) -> Record? {
        var fields: [String] = []
        var startLine = line
        var quoted = false
        var afterQuote = false
        var fieldStarted = false
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        field.removeAll(keepingCapacity: true)
        while true {
            guard let byte = nextByte() else {
                if let failure = inputFailure { throw Malformed(line: line, column: column, reason: failure.reason, kind: failure.kind) }
                if quoted {
                    throw Malformed(line: line, column: column, reason: "a quoted field starting on line \(startLine) is never closed")
                }
                if fields.isEmpty && !fieldStarted && field.isEmpty { return nil }
                fields.append(try decodeField())
                return Record(fields: fields, line: startLine)
            }
            column += 1
            if quoted {
                if byte == quote {
                    if peekByte() == quote {
                        _ = nextByte()
                        column += 1
                        field.append(quote)
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if byte == lf { line += 1; column = 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case comma:
                fields.append(try decodeField())
                afterQuote = false
                fieldStarted = true
            case lf, cr:
                if byte == cr {
                    if peekByte() == lf { _ = nextByte() } else {
                        throw Malformed(line: line, column: column - 1, reason: "a carriage return not followed by a line feed")
                    }
                }
                if fields.isEmpty && !fieldStarted && field.isEmpty && !afterQuote {  // blank line
                    line += 1
                    column = 1
                    startLine = line
                    continue
                }
                // Decoded before the line break is counted: the field, and any encoding fault in it, is on this line.
                fields.append(try decodeField())
                line += 1
                column = 1
                return Record(fields: fields, line: startLine)
            case quote:
                if afterQuote || !field.isEmpty {
                    throw Malformed(line: line, column: column - 1, reason: "a quote inside an unquoted field (quote the whole field and double the quote)")
                }
                quoted = true
                fieldStarted = true
            default:
                if afterQuote {
                    throw Malformed(line: line, column: column - 1, reason: "text after a closing quote (a field must be quoted whole)")
                }
                field.append(byte)
                fieldStarted = true
            }
        }
    }

    /// A field as written to CSV: quoted if it holds a comma, quote or line break (RFC 4180), and neutralised if
    /// a spreadsheet would run it as a formula (OWASP "CSV injection").
    ///
    /// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written as `'` and the text,
    /// quoted: spreadsheets show the quote and never evaluate the cell. A plain number (`-3`, `-0.25`, `+5`) is
    /// left alone: a spreadsheet reads it as a number, never as a formula, and figures stay figures. Every CSV
    /// Liaison writes goes through this one function.
    ///
    /// ```swift
    /// CSVRecordReader.escape("=HYPERLINK(\"http://x\")")  // "'=HYPERLINK(""http://x"")", quoted
    /// CSVRecordReader.escape("-0.25")                      // -0.25
    /// ```
    public static func escape(_ field: String) -> String {
        let bytes = field.utf8
        if let first = bytes.first, formulaStarts.contains(first), !isPlainNumber(bytes) {
            return "\"'" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        guard bytes.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The first bytes that make a spreadsheet read a cell as a formula: `=`, `+`, `-`, `@`, tab, carriage return.
    private static let formulaStarts: Set<UInt8> = [61, 43, 45, 64, 9, 13]

    /// An optional sign, digits, and optionally a point and more digits: `-3`, `+5`, `-0.25`.
    private static func isPlainNumber(_ bytes: String.UTF8View) -> Bool {
        var index = bytes.startIndex
        if index != bytes.endIndex, bytes[index] == 43 || bytes[index] == 45 { index = bytes.index(after: index) }
        var digits = 0, point = false, digitsAfterPoint = 0
        while index != bytes.endIndex {
            let byte = bytes[index]
            if (48...57).contains(byte) {
                if point { digitsAfterPoint += 1 } else { digits += 1 }
            } else if byte == 46, !point {
                point = true
            } else {
                return false
            }
            index = bytes.index(after: index)
        }
        return digits > 0 && (!point || digitsAfterPoint > 0)
    }
}
