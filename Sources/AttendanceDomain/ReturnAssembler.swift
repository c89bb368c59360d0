/// One register mark as a reader found it, before the period and the code's date are checked.
struct RawMark {
    /// The session's day (``SchoolDate/dayNumber``).
    var day: Int32
    /// 0 = AM, 1 = PM.
    var session: UInt8
    /// The code's index in the table, or `-1 - k` for the k-th unknown symbol of the pupil.
    var code: Int16
    /// The CSV line (0 for CTF, whose marks share their element's location).
    var line: Int32
}

/// One pupil as a reader found it: text fields still unchecked, marks still raw.
struct RawPupil {
    var upn: String?
    var surname: String?
    var forename: String?
    var dateOfBirth: String?
    var sex: String?
    var yearGroup: String?
    var lookedAfter = false
    var address: PostalAddress?
    var contacts: [PupilContact] = []
    /// The SEN provision code as written (nil: the file does not say), and the primary need.
    var senProvision: String?
    var senNeed: String?
    /// Where the pupil's record starts (CTF Pupil element, CSV first row).
    var location: MISProblem.Location
    /// Where the marks are (CTF marks element); CSV marks carry their own line.
    var marksLocation: MISProblem.Location?
    var marks: [RawMark] = []
    var unknownSymbols: [String] = []
    /// False when a CTF pupil has no YearData for the file's school and year.
    var hasAttendance = true
    /// CTF YearData totals, with where they are.
    var totals: Totals?

    struct Totals {
        var possible: Int?
        var authorised: Int?
        var attended: Int?
        var unauthorised: Int?
        var location: MISProblem.Location
    }

    init(location: MISProblem.Location) { self.location = location }

    /// The code index for an unknown symbol (remembered for the problem message).
    mutating func unknownCode(_ symbol: String) -> Int16 {
        if let index = unknownSymbols.firstIndex(of: symbol) { return Int16(-1 - index) }
        unknownSymbols.append(symbol)
        return Int16(-unknownSymbols.count)
    }
}

/// Turns what a reader found into a ``MISReadResult``: works out the period, checks every pupil and mark, computes
/// the figures. Shared by the CTF and CSV readers so both give the same marks, figures and problem codes.
struct ReturnAssembler {
    let file: String
    let format: MISReadResult.Format
    let table: CodeTable
    let directory: SchoolDirectory?
    let selection: MISReader.PeriodSelection
    var problems: [MISProblem] = []
    var school: MISReadResult.School?
    var academicYear: Int?
    var pupils: [RawPupil] = []
    /// Per code index: the symbol and the first and last day (``SchoolDate/dayNumber``) it is valid.
    private let codeSymbols: [String]
    private let validFrom: [Int]
    private let validTo: [Int]

    init(file: String, format: MISReadResult.Format, reader: MISReader) {
        self.file = file
        self.format = format
        table = reader.table
        codeSymbols = table.codes.map(\.symbol)
        validFrom = table.codes.map { $0.validFrom?.dayNumber ?? Int.min }
        validTo = table.codes.map { $0.validTo?.dayNumber ?? Int.max }
        directory = reader.directory
        selection = reader.period
    }

    mutating func report(_ code: MISProblem.Code, line: Int? = nil, column: Int? = nil, path: String? = nil, upn: String? = nil, _ message: String) {
        problems.append(MISProblem(code, at: MISProblem.Location(file: file, line: line, column: column, elementPath: path), upn: upn, message))
    }

    mutating func report(_ code: MISProblem.Code, at location: MISProblem.Location, upn: String? = nil, _ message: String) {
        problems.append(MISProblem(code, at: location, upn: upn, message))
    }

    /// Checks the school against the directory (fatal if unknown) and fills in its name, URN and phase.
    mutating func identifySchool(_ laestab: LAESTAB, name: String?, urn: String?, location: MISProblem.Location) {
        var school = MISReadResult.School(laestab: laestab, name: name, urn: urn, phase: nil)
        if let directory {
            if let entry = directory[laestab] {
                school.name = school.name ?? entry.name
                school.urn = school.urn ?? entry.urn
                school.phase = entry.phase
            } else {
                report(.schoolUnknown, at: location,
                    "school \(laestab) is not in the school directory (\(directory.schools.count) schools): check the LA and establishment numbers, or add the school to schools.csv")
            }
        }
        self.school = school
    }

    /// The finished result. Stops early, keeping the problems, when a fatal problem was found.
    mutating func finish() -> MISReadResult {
        var result = MISReadResult(file: file, format: format, school: school, period: nil, pupils: [], problems: [])
        guard !problems.contains(where: { $0.severity == .fatal }) else {
            result.problems = problems
            return result
        }
        let firstMarkDay = pupils.lazy.flatMap(\.marks).first?.day
        if academicYear == nil, let firstMarkDay {
            let year = SchoolCalendar.academicYear(containing: SchoolDate(dayNumber: Int(firstMarkDay)))
            academicYear = year
            report(.academicYearInferred, path: format == .ctf ? "/CTfile/Header/SourceSchool/AcademicYear" : nil,
                "no readable academic year: \(year)/\(String(year + 1).suffix(2)) assumed from the first mark's date")
        }
        guard let academicYear, firstMarkDay != nil else {
            report(.noMarks, "the file holds no attendance marks: export the registers for the half term")
            result.problems = problems
            return result
        }
        let calendar = SchoolCalendar(academicYear: academicYear)
        let yearStart = SchoolDate(year: academicYear, month: 9, day: 1)!.dayNumber
        let yearEnd = SchoolDate(year: academicYear + 1, month: 8, day: 31)!.dayNumber
        // Half term of each day of the academic year (0 = not a school day).
        var halfTermOfDay = [Int8](repeating: 0, count: yearEnd - yearStart + 1)
        for halfTerm in calendar.halfTerms {
            for date in calendar.schoolDays(in: halfTerm) { halfTermOfDay[date.dayNumber - yearStart] = Int8(halfTerm.number) }
        }
        let closure = Int16(table.closure.index), missing = Int16(table.missing.index)
        let halfTerms: ClosedRange<Int>
        switch selection {
        case .halfTerm(let number): halfTerms = number...number
        case .wholeYear: halfTerms = 1...6
        case .infer:
            var counts = [Int](repeating: 0, count: 7)
            for pupil in pupils {
                for mark in pupil.marks where mark.code != closure && mark.code != missing {
                    let offset = Int(mark.day) - yearStart
                    if offset >= 0, offset < halfTermOfDay.count { counts[Int(halfTermOfDay[offset])] += 1 }
                }
            }
            let best = (1...6).max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
            halfTerms = best...best
        }
        let period = ReportingPeriod(calendar: calendar, halfTerms: halfTerms)
        result.period = period
        let periodStart = period.start.dayNumber
        let periodDays = period.start.days(to: period.end) + 1
        // Slot of each day of the period (-1 = not a school day).
        var slotOfDay = [Int](repeating: -1, count: periodDays)
        var schoolDays: [SchoolDate] = []
        for offset in 0..<periodDays where halfTermOfDay[periodStart + offset - yearStart] != 0 {
            slotOfDay[offset] = schoolDays.count
            schoolDays.append(period.start.adding(days: offset))
        }
        // A register to date: when no pupil has a mark after some school day before the period's end (a daily or
        // weekly export), the period is read to that day, and the days after it are not yet, not missing.
        var lastMarked = Int.min
        for pupil in pupils {
            // A closure (#) on a school day is a mark too: a half term ending with an INSET day is complete.
            for mark in pupil.marks where mark.code != missing {
                let offset = Int(mark.day) - periodStart
                if offset >= 0, offset < slotOfDay.count, slotOfDay[offset] >= 0 { lastMarked = max(lastMarked, Int(mark.day)) }
            }
        }
        if lastMarked != Int.min, let last = schoolDays.last, lastMarked < last.dayNumber {
            schoolDays.removeAll { $0.dayNumber > lastMarked }
            result.markedThrough = SchoolDate(dayNumber: lastMarked)
        }
        var seen = Set<String>()
        for pupil in pupils {
            if let record = assemble(pupil, schoolDays: schoolDays, slotOfDay: slotOfDay, periodStart: periodStart,
                                     calendar: calendar, halfTermOfDay: halfTermOfDay, yearStart: yearStart, seen: &seen)
            {
                result.pupils.append(record)
            }
        }
        result.problems = problems
        return result
    }

    /// A count of like faults in one pupil's marks, reported once with the first occurrence.
    private struct Tally {
        var count = 0
        var first: (date: SchoolDate, session: Int, line: Int32)?
        mutating func add(_ date: SchoolDate, _ session: Int, _ line: Int32) {
            count += 1
            if first == nil { first = (date, session, line) }
        }
        var where_: String {
            guard let first else { return "" }
            return "\(first.date) \(first.session == 0 ? "AM" : "PM")"
        }
    }

    private mutating func assemble(
        _ pupil: RawPupil, schoolDays: [SchoolDate], slotOfDay: [Int], periodStart: Int, calendar: SchoolCalendar,
        halfTermOfDay: [Int8], yearStart: Int, seen: inout Set<String>
    ) -> PupilRecord? {
        let upnText = pupil.upn ?? ""
        let upn: String? = upnText.isEmpty ? nil : upnText
        let location = pupil.location
        if let upn {
            if !seen.insert(upn).inserted {
                report(.pupilDuplicate, at: location, upn: upn,
                    "UPN \(upn) appears twice: this record is ignored; remove the duplicate from the export")
                return nil
            }
            switch UPN.check(upn) {
            case .valid: break
            case .invalid(.badCheckLetter(let found, let expected)):
                report(.upnCheckLetter, at: location, upn: upn,
                    "UPN \(upn): the check letter is \(found) but the digits give \(expected); correct the UPN in the MIS")
            case .invalid(let reason):
                report(.upnMalformed, at: location, upn: upn, "UPN \"\(upn)\": \(reason); correct it in the MIS")
            }
        } else {
            report(.upnMalformed, at: location, "a pupil has no UPN: record the UPN in the MIS")
        }
        var record = PupilRecord(upn: upnText, surname: pupil.surname, forename: pupil.forename, sex: pupil.sex,
                                 lookedAfter: pupil.lookedAfter, address: pupil.address, contacts: pupil.contacts)
        if let code = pupil.senProvision {
            if let provision = SENRecord.Provision(code: code) {
                let need = pupil.senNeed.flatMap { $0.isEmpty ? nil : $0.uppercased() }
                if let need, !SENRecord.needs.contains(need) {
                    report(.fieldMalformed, at: location, upn: upn, "SEN need \"\(need)\" is not a DfE type of need (\(SENRecord.needs.joined(separator: ", ")))")
                    record.sen = SENRecord(provision: provision)
                } else {
                    record.sen = SENRecord(provision: provision, primaryNeed: need)
                }
            } else {
                report(.fieldMalformed, at: location, upn: upn, "SEN provision \"\(code)\" is not N, K or E: the pupil's SEN status is not sent")
            }
        }
        for (value, field) in [(pupil.surname, "surname"), (pupil.forename, "forename"), (pupil.dateOfBirth, "date of birth"), (pupil.yearGroup, "year group")]
        where value == nil || value!.isEmpty {
            report(.fieldMissing, at: location, upn: upn, "the pupil has no \(field): record it in the MIS")
        }
        if let text = pupil.dateOfBirth, !text.isEmpty {
            if let date = SchoolDate(parsing: text) {
                record.dateOfBirth = date
            } else {
                report(.fieldMalformed, at: location, upn: upn, "date of birth \"\(text)\" is not a date YYYY-MM-DD")
            }
        }
        if let text = pupil.yearGroup, !text.isEmpty {
            if let group = YearGroup(text) {
                record.yearGroup = group
            } else {
                report(.fieldMalformed, at: location, upn: upn,
                    "year group \"\(text)\" is not one of \(YearGroup.all.joined(separator: ", "))")
            }
        }
        if let dob = record.dateOfBirth, let group = record.yearGroup, let range = group.dateOfBirthRange(academicYear: calendar.academicYear),
            !range.contains(dob)
        {
            let expected = YearGroup.expected(dateOfBirth: dob, academicYear: calendar.academicYear).map { "year \($0)" } ?? "no school year group"
            report(.dobYearGroup, at: location, upn: upn,
                "born \(dob), so \(expected) in \(calendar.academicYear)/\(String(calendar.academicYear + 1).suffix(2)), but recorded in year \(group) (born \(range.lowerBound) to \(range.upperBound)): check the date of birth and the year group")
        }
        if !pupil.hasAttendance {
            report(.attendanceMissing, at: location, upn: upn,
                "no attendance (YearData) for this school and academic year: every session of the period is counted as missing")
        }
        // Place the marks in the period's grid of sessions.
        let none = Int16.min
        var grid = [Int16](repeating: none, count: schoolDays.count * 2)
        var gridLine = [Int32](repeating: 0, count: format == .csv ? grid.count : 0)
        var nonSchoolDay = Tally(), outside = Tally(), duplicate = Tally()
        let closure = Int16(table.closure.index)
        for mark in pupil.marks {
            let offset = Int(mark.day) - periodStart
            if offset >= 0, offset < slotOfDay.count, slotOfDay[offset] >= schoolDays.count { continue }  // after a register to date
            if offset >= 0, offset < slotOfDay.count, slotOfDay[offset] >= 0 {
                let slot = slotOfDay[offset] * 2 + Int(mark.session)
                if grid[slot] != none {
                    duplicate.add(SchoolDate(dayNumber: Int(mark.day)), Int(mark.session), mark.line)
                } else {
                    grid[slot] = mark.code
                    if !gridLine.isEmpty { gridLine[slot] = mark.line }
                }
                continue
            }
            if mark.code == closure { continue }  // '#' on a non-school day is how CTF fills the gaps
            let yearOffset = Int(mark.day) - yearStart
            let date = SchoolDate(dayNumber: Int(mark.day))
            if yearOffset >= 0, yearOffset < halfTermOfDay.count, halfTermOfDay[yearOffset] == 0 {
                nonSchoolDay.add(date, Int(mark.session), mark.line)
            } else {
                outside.add(date, Int(mark.session), mark.line)
            }
        }
        func markLocation(_ line: Int32) -> MISProblem.Location {
            if line > 0 { return MISProblem.Location(file: file, line: Int(line)) }
            return pupil.marksLocation ?? location
        }
        if duplicate.count > 0 {
            report(.markDuplicate, at: markLocation(duplicate.first!.line), upn: upn,
                "\(duplicate.count) session(s) recorded twice, first \(duplicate.where_): the first mark is kept; remove the duplicate rows")
        }
        if nonSchoolDay.count > 0 {
            report(.markOnNonSchoolDay, at: markLocation(nonSchoolDay.first!.line), upn: upn,
                "\(nonSchoolDay.count) mark(s) on days that are not school days (weekend, holiday or bank holiday), first \(nonSchoolDay.where_): ignored; use # for non-school days")
        }
        if outside.count > 0 {
            report(.markOutsidePeriod, at: markLocation(outside.first!.line), upn: upn,
                "\(outside.count) mark(s) outside the period \(SchoolDate(dayNumber: periodStart)) to \(SchoolDate(dayNumber: periodStart + slotOfDay.count - 1)), first \(outside.where_): ignored; export one half term per file")
        }
        // Codes, dates and figures: counted by code index, turned into PupilFigures once per code.
        var counts = [Int](repeating: 0, count: table.codes.count)
        var invalidCount = 0
        var marks: [DayMarks] = []
        marks.reserveCapacity(schoolDays.count)
        var missingTally = Tally()
        var unknown: [String: Tally] = [:]
        var notValid: [String: Tally] = [:]
        let missingIndex = table.missing.index
        var symbols: [String] = ["", ""]
        for (dayIndex, date) in schoolDays.enumerated() {
            let day = date.dayNumber
            for session in 0..<2 {
                let slot = dayIndex * 2 + session
                let code = grid[slot]
                let line = gridLine.isEmpty ? 0 : gridLine[slot]
                if code == none {
                    symbols[session] = codeSymbols[missingIndex]
                    counts[missingIndex] += 1
                    missingTally.add(date, session, line)
                } else if code < 0 {
                    let symbol = pupil.unknownSymbols[Int(-1 - code)]
                    symbols[session] = symbol
                    invalidCount += 1
                    unknown[symbol, default: Tally()].add(date, session, line)
                } else {
                    let index = Int(code)
                    symbols[session] = codeSymbols[index]
                    if day < validFrom[index] || day > validTo[index] {
                        invalidCount += 1
                        notValid[codeSymbols[index], default: Tally()].add(date, session, line)
                    } else {
                        counts[index] += 1
                        if index == missingIndex { missingTally.add(date, session, line) }
                    }
                }
            }
            marks.append(DayMarks(date: date, am: symbols[0], pm: symbols[1]))
        }
        var figures = PupilFigures()
        for (index, count) in counts.enumerated() where count > 0 { figures.record(table.codes[index], sessions: count) }
        figures.recordInvalid(sessions: invalidCount)
        if missingTally.count > 0 {
            report(.markMissing, at: markLocation(missingTally.first!.line), upn: upn,
                "\(missingTally.count) session(s) have no mark, first \(missingTally.where_): counted as missing, not as possible sessions; complete the register")
        }
        for (symbol, tally) in unknown.sorted(by: { $0.key < $1.key }) {
            report(.codeUnknown, at: markLocation(tally.first!.line), upn: upn,
                "unknown register code \"\(symbol)\" in \(tally.count) session(s), first \(tally.where_): not counted; use a DfE code (see attendance-codes.csv)")
        }
        for (symbol, tally) in notValid.sorted(by: { $0.key < $1.key }) {
            let code = table.code(symbol)!
            report(.codeNotValidOnDate, at: markLocation(tally.first!.line), upn: upn,
                "code \(symbol) (\(code.meaning)) is valid \(code.validity), but used in \(tally.count) session(s), first \(tally.where_): not counted; record the code in force on that date")
        }
        if let totals = pupil.totals {
            // The totals describe the YearData's own marks (every known code, whatever its date).
            var ownCounts = [Int](repeating: 0, count: table.codes.count)
            for mark in pupil.marks where mark.code >= 0 { ownCounts[Int(mark.code)] += 1 }
            var own = PupilFigures()
            for (index, count) in ownCounts.enumerated() where count > 0 { own.record(table.codes[index], sessions: count) }
            var differences: [String] = []
            for (name, stated, computed) in [
                ("SessionsPossible", totals.possible, own.possible), ("SessionsAttended", totals.attended, own.attended),
                ("SessionsAuthorised", totals.authorised, own.authorised), ("SessionsUnauthorised", totals.unauthorised, own.unauthorised),
            ] {
                if let stated, stated != computed { differences.append("\(name) \(stated) but the marks give \(computed)") }
            }
            if !differences.isEmpty {
                report(.totalsMismatch, at: totals.location, upn: upn,
                    differences.joined(separator: "; ") + ": the figures are computed from the marks; correct the totals or the marks in the MIS")
            }
        }
        record.marks = marks
        record.figures = figures
        return record
    }
}
