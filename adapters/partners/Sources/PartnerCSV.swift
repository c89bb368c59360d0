import AttendanceDomain

/// A partner's CSV as named values: the header (trimmed, lower case) and each row as column name to value,
/// blank values left out and blank rows skipped; a row with the wrong number of fields is a problem.
struct PartnerCSV {
    var header: [String]
    var rows: [(line: Int, values: [String: String])] = []
    var problems: [(line: Int, problem: String)] = []

    /// The header alone, to tell which kind of list a file is; nil if there is none.
    static func header(of text: String) -> [String]? {
        var reader = CSVRecordReader(text: text)
        return (try? reader.next())??.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// Whether a header names a child: a `upn` column, or forename, surname and date of birth.
    static func namesAChild(_ header: [String]) -> Bool {
        header.contains("upn") || (header.contains("forename") && header.contains("surname") && header.contains("date_of_birth"))
    }

    init(_ text: String) throws {
        var reader = CSVRecordReader(text: text)  // skips a spreadsheet's byte-order mark
        header = try reader.next()?.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? []
        while let record = try reader.next() {
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
    }
}
