/// Reads a CSV register export (one row per pupil per session) into a ``ReturnAssembler``.
///
/// Required columns: `laestab, upn, date, session, code`. Optional: `school_name, surname, forename, dob, sex,
/// year_group, looked_after, sen_provision, sen_need`. Columns are found by header name, in any order; other columns are ignored.
struct CSVRegisterParser {
    var assembler: ReturnAssembler
    let table: CodeTable

    static let required = ["laestab", "upn", "date", "session", "code"]
    static let optional = ["school_name", "surname", "forename", "dob", "sex", "year_group", "looked_after", "sen_provision", "sen_need"]
    /// The columns the synthesiser writes, in order.
    static let columns = [
        "laestab", "school_name", "upn", "surname", "forename", "dob", "sex", "year_group", "looked_after", "sen_provision", "sen_need",
        "date", "session", "code",
    ]

    init(assembler: ReturnAssembler, table: CodeTable) {
        self.assembler = assembler
        self.table = table
    }

    /// Parses `yes`/`no`-like text: true, false, yes, no, y, n, 1, 0 (any case).
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "y", "1": return true
        case "false", "no", "n", "0", "": return false
        default: return nil
        }
    }

    /// Reports why the records could not be read: not CSV, not a known encoding, too large or unreadable.
    private mutating func report(_ error: CSVRecordReader.Malformed, _ context: String) {
        let code: MISProblem.Code
        switch error.kind {
        case .syntax: code = .malformedCSV
        case .encoding: code = .unknownEncoding
        case .tooLarge: code = .fileTooLarge
        case .unreadable: code = .fileUnreadable
        }
        assembler.report(code, line: error.line, column: error.column, "\(error.reason): \(context)")
    }

    mutating func parse(_ input: CSVRecordReader) {
        var records = input
        let header: CSVRecordReader.Record
        do {
            guard let first = try records.next() else {
                assembler.report(.emptyFile, line: 1, "the file is empty: expected a header with \(Self.required.joined(separator: ","))")
                return
            }
            header = first
        } catch {
            report(error, "the header could not be read")
            return
        }
        var column: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            column[name.trimmingASCIISpaces().lowercased()] = column[name.trimmingASCIISpaces().lowercased()] ?? index
        }
        let absent = Self.required.filter { column[$0] == nil }
        guard absent.isEmpty else {
            assembler.report(.notRegisterCSV, line: header.line,
                "not a register export: the header lacks \(absent.joined(separator: ", ")) (needs \(Self.required.joined(separator: ",")); see docs/mis-formats.md)")
            return
        }
        let laestabColumn = column["laestab"]!, upnColumn = column["upn"]!, dateColumn = column["date"]!
        let sessionColumn = column["session"]!, codeColumn = column["code"]!
        let optionalColumns = Self.optional.map { column[$0] }
        var pupilIndex: [String: Int] = [:]
        var inconsistent = Set<Int>()
        var otherSchool = (count: 0, firstLine: 0, laestab: "")
        var codeIndex: [String: Int16] = [:]
        for code in table.codes { codeIndex[code.symbol] = Int16(code.index) }
        let fieldCount = header.fields.count
        while true {
            let record: CSVRecordReader.Record
            do {
                guard let next = try records.next() else { break }
                record = next
            } catch {
                report(error, "the file cannot be read past this point")
                return
            }
            let fields = record.fields
            let line = record.line
            guard fields.count == fieldCount else {
                assembler.report(.rowFieldCount, line: line, "the row has \(fields.count) fields, the header \(fieldCount): row ignored")
                continue
            }
            let laestabText = fields[laestabColumn]
            if let school = assembler.school {
                if laestabText != school.laestab.value {
                    if otherSchool.count == 0 { otherSchool = (0, line, laestabText) }
                    otherSchool.count += 1
                    continue
                }
            } else {
                let location = MISProblem.Location(file: assembler.file, line: line)
                do {
                    let laestab = try LAESTAB(laestabText)
                    let name = optionalColumns[0].map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                    assembler.identifySchool(laestab, name: name, urn: nil, location: location)
                    if assembler.problems.contains(where: { $0.severity == .fatal }) { return }
                } catch {
                    assembler.report(.laestabMalformed, at: location, "column laestab: \(error)")
                    return
                }
            }
            let upn = fields[upnColumn]
            guard let date = SchoolDate(parsing: fields[dateColumn]) else {
                assembler.report(.fieldMalformed, line: line, upn: upn, "column date: \"\(fields[dateColumn])\" is not a date YYYY-MM-DD: row ignored")
                continue
            }
            let session: UInt8
            switch fields[sessionColumn].uppercased() {
            case "AM": session = 0
            case "PM": session = 1
            default:
                assembler.report(.fieldMalformed, line: line, upn: upn, "column session: \"\(fields[sessionColumn])\" is not AM or PM: row ignored")
                continue
            }
            if assembler.academicYear == nil { assembler.academicYear = SchoolCalendar.academicYear(containing: date) }
            let details = optionalColumns.map { $0.map { fields[$0] } }
            let index: Int
            if let existing = pupilIndex[upn] {
                index = existing
                let pupil = assembler.pupils[index]
                let known = [pupil.surname, pupil.forename, pupil.dateOfBirth, pupil.sex, pupil.yearGroup]
                let now = [details[1], details[2], details[3], details[4], details[5]]
                let lookedAfter = details[6].flatMap(Self.boolean)
                if (known != now || (lookedAfter != nil && lookedAfter != pupil.lookedAfter)), !inconsistent.contains(index) {
                    inconsistent.insert(index)
                    assembler.report(.pupilInconsistent, line: line, upn: upn,
                        "this row's pupil details (names, date of birth, sex, year group, looked after) differ from line \(pupil.location.line ?? 0): the first are kept; correct the export")
                }
            } else {
                index = assembler.pupils.count
                pupilIndex[upn] = index
                var pupil = RawPupil(location: MISProblem.Location(file: assembler.file, line: line))
                pupil.upn = upn
                pupil.surname = details[1]
                pupil.forename = details[2]
                pupil.dateOfBirth = details[3]
                pupil.sex = details[4]
                pupil.yearGroup = details[5]
                pupil.senProvision = details[7]  // nil when the export has no such column: SEN not known
                pupil.senNeed = details[8]
                if let text = details[6] {
                    if let flag = Self.boolean(text) { pupil.lookedAfter = flag } else {
                        assembler.report(.fieldMalformed, line: line, upn: upn, "column looked_after: \"\(text)\" is not true or false")
                    }
                }
                assembler.pupils.append(pupil)
            }
            var symbol = fields[codeColumn]
            if symbol.isEmpty { symbol = "-" }
            let code = codeIndex[symbol] ?? assembler.pupils[index].unknownCode(symbol)
            assembler.pupils[index].marks.append(RawMark(day: Int32(date.dayNumber), session: session, code: code, line: Int32(line)))
        }
        if records.encoding == .windows1252 {
            assembler.report(.decodedWindows1252, line: records.windows1252Line,
                "the file is not UTF-8: it was read as Windows-1252 (Latin-1), from the first field that is not ASCII; "
                    + "check the names read right, and save the export as CSV UTF-8 next time")
        }
        if otherSchool.count > 0 {
            assembler.report(.schoolMismatch, line: otherSchool.firstLine,
                "\(otherSchool.count) row(s) for school \(otherSchool.laestab), not this file's \(assembler.school!.laestab): ignored; export one school per file")
        }
    }
}

extension String {
    /// The text without leading and trailing ASCII spaces, tabs and line breaks.
    func trimmingASCIISpaces() -> String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end, [9, 10, 13, 32].contains(bytes[start]) { start += 1 }
        while end > start, [9, 10, 13, 32].contains(bytes[end - 1]) { end -= 1 }
        return start == 0 && end == bytes.count ? self : String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
