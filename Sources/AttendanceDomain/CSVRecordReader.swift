import Foundation

/// A streaming RFC 4180 CSV reader: one record at a time, with the line it starts on.
///
/// Fields may be quoted with `"`; a quoted field may hold commas, line breaks and doubled quotes (`""`).
/// Records end with LF or CRLF. A quote inside an unquoted field, text after a closing quote, or a quoted field
/// left open at the end of the input is malformed: ``next()`` throws ``CSVRecordReader/Malformed`` naming the line
/// and column. The input is read in 64 KiB chunks, so memory is bounded by the longest record.
///
/// ```swift
/// var reader = try CSVRecordReader(path: "registers.csv")
/// while let record = try reader.next() { print(record.line, record.fields) }
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

    /// Why the input is not valid CSV, and where.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        /// The 1-based line of the fault.
        public let line: Int
        /// The 1-based column (in bytes) of the fault.
        public let column: Int
        /// What is wrong.
        public let reason: String
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    private var column = 1
    private var field: [UInt8] = []

    /// Reads the file at `path`.
    /// - Throws: ``AttendanceDomainError/Code/fileUnreadable`` if it cannot be opened.
    public init(path: String) throws(AttendanceDomainError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AttendanceDomainError(.fileUnreadable, "cannot open \(path): check the path and permissions", file: path)
        }
        source = .file(handle)
    }

    /// Reads CSV text held in memory.
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Reads CSV bytes held in memory. A UTF-8 byte-order mark (spreadsheets' "CSV UTF-8") is skipped.
    public init(bytes: [UInt8]) {
        source = .memory
        buffer = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    }

    private enum ByteSource {
        case file(FileHandle)
        case memory
    }

    private mutating func refill() -> Bool {
        guard case .file(let handle) = source, !atEnd else { atEnd = true; return false }
        let chunk = (try? handle.read(upToCount: 1 << 16)) ?? nil
        guard let chunk, !chunk.isEmpty else {
            atEnd = true
            try? handle.close()
            return false
        }
        buffer = Array(chunk)
        // A UTF-8 byte-order mark at the very start of a file is not data.
        position = !readAny && buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        readAny = true
        return position < buffer.count || refill()
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
        func endField(_ fields: inout [String], _ field: inout [UInt8]) {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while true {
            guard let byte = nextByte() else {
                if quoted {
                    throw Malformed(line: line, column: column, reason: "a quoted field starting on line \(startLine) is never closed")
                }
                if fields.isEmpty && !fieldStarted && field.isEmpty { return nil }
                endField(&fields, &field)
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
                endField(&fields, &field)
                afterQuote = false
                fieldStarted = true
            case lf, cr:
                if byte == cr {
                    if peekByte() == lf { _ = nextByte() } else {
                        throw Malformed(line: line, column: column - 1, reason: "a carriage return not followed by a line feed")
                    }
                }
                line += 1
                column = 1
                if fields.isEmpty && !fieldStarted && field.isEmpty && !afterQuote { startLine = line; continue }  // blank line
                endField(&fields, &field)
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

    /// Quotes a field for writing if it holds a comma, quote or line break (RFC 4180).
    public static func escape(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
