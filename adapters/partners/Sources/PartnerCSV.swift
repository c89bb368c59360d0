import AttendanceDomain

/// A partner's CSV as named values: the header (trimmed, lower case) and each row as column name to value,
/// blank values left out and blank rows skipped; a row with the wrong number of fields is a problem.
///
/// The bytes are UTF-8 or, as spreadsheets on Windows still save "CSV", Windows-1252: ``encoding`` says which,
/// so that the reply can tell the agency (text is never turned silently into U+FFFD). Bytes that are neither are
/// an error naming the line.
struct PartnerCSV {
    var header: [String]
    var rows: [(line: Int, values: [String: String])] = []
    var problems: [(line: Int, problem: String)] = []
    /// How the file was decoded.
    var encoding: CSVRecordReader.Encoding = .utf8
    /// The first line read as Windows-1252, when it was.
    var windows1252Line: Int?

    /// The header alone, to tell which kind of list a file is; nil if there is none.
    static func header(of bytes: [UInt8]) -> [String]? {
        var reader = CSVRecordReader(bytes: bytes)
        return (try? reader.next())??.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// Whether a header names a child: a `upn` column, or forename, surname and date of birth.
    static func namesAChild(_ header: [String]) -> Bool {
        header.contains("upn") || (header.contains("forename") && header.contains("surname") && header.contains("date_of_birth"))
    }

    init(_ bytes: [UInt8]) throws {
        var reader = CSVRecordReader(bytes: bytes)  // skips a spreadsheet's byte-order mark
        // The record on which the reader first decoded Windows-1252, for the reply (its own line may be the next).
        var firstWindows1252: Int?
        func next() throws -> CSVRecordReader.Record? {
            let record = try reader.next()
            if firstWindows1252 == nil, reader.encoding == .windows1252 { firstWindows1252 = record?.line }
            return record
        }
        header = try next()?.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? []
        while let record = try next() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count == header.count else {
                problems.append((record.line, "has \(record.fields.count) fields; the header has \(header.count)"))
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(header, record.fields) {
                let value = value.trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { values[name] = value }
            }
            rows.append((record.line, values))
        }
        encoding = reader.encoding
        windows1252Line = firstWindows1252
    }

    /// The reply's note for a file read as Windows-1252, or nil for UTF-8.
    static func encodingNote(_ encoding: CSVRecordReader.Encoding, line: Int?) -> String? {
        guard encoding == .windows1252 else { return nil }
        return "the file is not UTF-8: it was read as Windows-1252 (the first such text on line \(line ?? 1)); "
            + "check that names with accents came through as written, and save lists as CSV UTF-8"
    }
}
