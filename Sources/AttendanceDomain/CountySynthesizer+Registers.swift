/// Writes registers: per-session marks for a half term, then as a CTF and as a CSV register export.
extension CountySynthesizer {
    /// The marks of each pupil for the half term's school days: `[pupil][day * 2 + session]` code indexes.
    func markRegisters(
        school: SchoolEntry, pupils: [SyntheticPupil], calendar: SchoolCalendar, halfTerm: HalfTerm,
        random: inout SeededGenerator
    ) -> [[Int16]] {
        let days = calendar.schoolDays(in: halfTerm)
        let modern = configuration.academicYear >= 2024
        func code(_ symbol: String) -> Int16 { Int16(table.code(symbol)!.index) }
        let presentAM = code("/"), presentPM = code("\\"), late = code("L")
        let closure = code(modern ? "Y4" : "Y"), transport = code(modern ? "Y1" : "Y")
        let trip = code("V"), sport = code("P")
        let secondary = school.phase == .secondary
        // Authorised reasons: illness first (the most common reason nationally).
        var authorised: [(Int16, Double)] = [(code("I"), 0.74), (code("M"), 0.06), (code("C"), 0.05), (code("E"), secondary ? 0.04 : 0.015),
                                             (code("R"), 0.01), (code("T"), 0.005)]
        if modern {
            authorised += [(code("C2"), secondary ? 0.03 : 0.01), (code("J1"), secondary ? 0.01 : 0), (code("C1"), 0.003)]
        } else {
            authorised += [(code("H"), 0.04)]
            if configuration.academicYear < 2013 { authorised += [(code("F"), 0.01)] }
        }
        let unauthorised: [(Int16, Double)] = [(code("O"), 0.5), (code("G"), 0.25), (code("N"), 0.13), (code("U"), 0.12)]
        let illness = code("I"), holiday = code("G"), suspended = code("E"), medical = code("M"), lateAfterClose = code("U")
        // School-wide events: an unexpected closure (rare) and a trip for one year group.
        let closureDay = random.chance(0.03) ? random.uniform(days.count) : -1
        let tripDay = random.uniform(days.count)
        let tripGroup = random.pick(Self.yearGroups(school.phase))
        let transportDisrupted = !secondary ? -1 : (random.chance(0.1) ? random.uniform(days.count) : -1)
        var registers: [[Int16]] = []
        registers.reserveCapacity(pupils.count)
        for pupil in pupils {
            var marks = [Int16](repeating: presentAM, count: days.count * 2)
            var spell = 0
            var spellCode = illness
            let startChance = pupil.absenceRate * 0.85 / 1.35
            for day in 0..<days.count {
                let am = day * 2, pm = am + 1
                marks[pm] = presentPM
                if day == closureDay {
                    marks[am] = closure
                    marks[pm] = closure
                    continue
                }
                if spell > 0 {
                    marks[am] = spellCode
                    marks[pm] = spellCode
                    spell -= 1
                    continue
                }
                let draw = random.unit()
                if draw < startChance {
                    let isUnauthorised = random.chance(pupil.unauthorisedShare)
                    let reasons = isUnauthorised ? unauthorised : authorised
                    let reason = reasons[random.weighted(reasons.map(\.1))].0
                    if reason == medical || reason == lateAfterClose {
                        marks[reason == medical ? pm : am] = reason
                        continue
                    }
                    marks[am] = reason
                    marks[pm] = reason
                    spellCode = reason
                    if reason == illness {
                        while spell < 4, random.chance(0.45) { spell += 1 }
                    } else if reason == holiday {
                        spell = random.uniform(2...4)
                    } else if reason == suspended {
                        spell = random.uniform(0...2)
                    }
                    if pupil.absenceRate >= 0.5 { spell += random.uniform(0...3) }
                } else if draw < startChance + pupil.absenceRate * 0.12 {
                    let reason = random.chance(pupil.unauthorisedShare) ? (random.chance(0.5) ? lateAfterClose : code("O")) : medical
                    marks[reason == lateAfterClose ? am : pm] = reason
                } else {
                    if day == tripDay, pupil.yearGroup == tripGroup {
                        marks[am] = trip
                        marks[pm] = trip
                    } else if day == transportDisrupted, random.chance(0.15) {
                        marks[am] = transport
                    } else if random.chance(0.004) {
                        marks[pm] = sport
                    } else if random.chance(0.03) {
                        marks[am] = late
                    }
                }
            }
            registers.append(marks)
        }
        return registers
    }

    /// The half term's CTF (CTF 25 element names; mark string from the half term's first day, `#` on non-school days).
    func ctf(school: SchoolEntry, pupils: [SyntheticPupil], registers: [[Int16]], calendar: SchoolCalendar, halfTerm: HalfTerm) -> [UInt8] {
        var out = ByteWriter()
        let year = configuration.academicYear
        out.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        out.line("<CTfile>")
        out.line("  <Header>")
        out.line("    <DocumentName>Common Transfer File</DocumentName>")
        out.line("    <CTFversion>25.0</CTFversion>")
        out.line("    <DateTime>\(halfTerm.end)T16:00:00</DateTime>")
        out.line("    <DocumentQualifier>partial</DocumentQualifier>")
        out.line("    <DataDescriptor>Synthetic half-term attendance (Liaison synth)</DataDescriptor>")
        out.line("    <SupplierID>LiaisonSynth</SupplierID>")
        out.line("    <SourceSchool>")
        out.line("      <LEA>\(school.laestab.laNumber)</LEA>")
        out.line("      <Estab>\(school.laestab.establishment)</Estab>")
        out.line("      <URN>\(school.urn)</URN>")
        out.line("      <SchoolName>\(xml(school.name))</SchoolName>")
        out.line("      <AcademicYear>\(year)</AcademicYear>")
        out.line("    </SourceSchool>")
        out.line("    <DestSchool>")
        out.line("      <LEA>\(school.laestab.laNumber)</LEA>")
        out.line("      <Estab>LLLL</Estab>")
        out.line("    </DestSchool>")
        out.line("  </Header>")
        out.line("  <CTFpupilData>")
        let span = halfTerm.start.days(to: halfTerm.end) + 1
        let schoolDaySlot: [Int] = {
            var slots = [Int](repeating: -1, count: span)
            var next = 0
            for offset in 0..<span where calendar.isSchoolDay(halfTerm.start.adding(days: offset)) {
                slots[offset] = next
                next += 1
            }
            return slots
        }()
        let characters: [UInt8] = table.codes.map { MarkStringMapping.character(for: $0.symbol)?.asciiValue ?? UInt8(ascii: "?") }
        for (pupil, marks) in zip(pupils, registers) {
            var figures = PupilFigures()
            for code in marks { figures.record(table.codes[Int(code)]) }
            out.line("    <Pupil>")
            out.line("      <UPN>\(pupil.upn)</UPN>")
            out.line("      <Surname>\(xml(pupil.surname))</Surname>")
            out.line("      <Forename>\(xml(pupil.forename))</Forename>")
            out.line("      <DOB>\(pupil.dateOfBirth)</DOB>")
            out.line("      <Sex>\(pupil.sex)</Sex>")
            out.line("      <BasicDetails><NCyearActual>\(pupil.yearGroup)</NCyearActual><EnrolStatus>C</EnrolStatus></BasicDetails>")
            if pupil.lookedAfter {
                out.line("      <LookedAfter><InCare>true</InCare><CareAuthority>\(configuration.laNumber)</CareAuthority></LookedAfter>")
            } else {
                out.line("      <LookedAfter><InCare>false</InCare></LookedAfter>")
            }
            let sen = pupil.sen
            if sen.provision != .none {
                out.line("      <SENhistory><SEN><StartDate>\(halfTerm.start)</StartDate><SENprovision>\(sen.provision.code)</SENprovision></SEN>")
                out.line("        <SENneeds><SENneed><SENtypeRank>1</SENtypeRank><SENtype>\(sen.primaryNeed ?? "OTH")</SENtype></SENneed></SENneeds></SENhistory>")
            }
            out.line("      <Address>")
            address(pupil.family.address, into: &out, indent: "        ")
            out.line("      </Address>")
            out.line("      <Contacts>")
            for contact in pupil.family.contacts {
                out.line("        <Contact>")
                out.line("          <Order>\(contact.order ?? 1)</Order><Title>\(xml(contact.title ?? ""))</Title><Surname>\(xml(contact.surname ?? ""))</Surname><Forename>\(xml(contact.forename ?? ""))</Forename>")
                out.line("          <Relationship>\(contact.relationship ?? "OTH")</Relationship><Responsibility>\(contact.hasParentalResponsibility)</Responsibility>")
                if let own = contact.address {
                    out.line("          <Address>")
                    address(own, into: &out, indent: "            ")
                    out.line("          </Address>")
                } else {
                    out.line("          <Address><AddressAsPupil>\(contact.addressAsPupil)</AddressAsPupil></Address>")
                }
                out.line("        </Contact>")
            }
            out.line("      </Contacts>")
            out.line("      <Attendance>")
            out.line("        <YearData>")
            out.line("          <Year>\(year)</Year><LEA>\(school.laestab.laNumber)</LEA><Estab>\(school.laestab.establishment)</Estab><SchoolName>\(xml(school.name))</SchoolName>")
            out.line("          <SessionsPossible>\(figures.possible)</SessionsPossible><SessionsAuthorised>\(figures.authorised)</SessionsAuthorised><SessionsAttended>\(figures.attended)</SessionsAttended><SessionsUnauthorised>\(figures.unauthorised)</SessionsUnauthorised>")
            out.line("          <AttendSessions>")
            out.line("            <AttendanceStartDate>\(halfTerm.start)</AttendanceStartDate>")
            out.append("            <AttendanceMarks>")
            for offset in 0..<span {
                let slot = schoolDaySlot[offset]
                if slot < 0 {
                    out.bytes.append(UInt8(ascii: "#"))
                    out.bytes.append(UInt8(ascii: "#"))
                } else {
                    out.bytes.append(characters[Int(marks[slot * 2])])
                    out.bytes.append(characters[Int(marks[slot * 2 + 1])])
                }
            }
            out.line("</AttendanceMarks>")
            out.line("          </AttendSessions>")
            out.line("        </YearData>")
            out.line("      </Attendance>")
            out.line("    </Pupil>")
        }
        out.line("  </CTFpupilData>")
        out.line("</CTfile>")
        return out.bytes
    }

    private func address(_ address: PostalAddress, into out: inout ByteWriter, indent: String) {
        out.line("\(indent)<AddressLines>")
        for (index, line) in address.lines.prefix(5).enumerated() {
            out.line("\(indent)  <AddressLine\(index + 1)>\(xml(line))</AddressLine\(index + 1)>")
        }
        out.line("\(indent)</AddressLines>")
        if let postcode = address.postcode { out.line("\(indent)<PostCode>\(xml(postcode))</PostCode>") }
    }

    /// The same registers as a CSV register export: one row per pupil per session, columns as documented.
    func csv(school: SchoolEntry, pupils: [SyntheticPupil], registers: [[Int16]], calendar: SchoolCalendar, halfTerm: HalfTerm) -> [UInt8] {
        var out = ByteWriter()
        out.line(CSVRegisterParser.columns.joined(separator: ","))
        let days = calendar.schoolDays(in: halfTerm).map { Array("\($0),".utf8) }
        // "No mark" is written blank (the format's own way to say it), not as "-": the CSV writer neutralises a
        // leading "-" against spreadsheet formulas, which would make it a different code.
        let symbols = table.codes.map { Array(($0.symbol == table.missing.symbol ? "" : CSVRecordReader.escape($0.symbol)).utf8) }
        let sessions = [Array("AM,".utf8), Array("PM,".utf8)]
        for (pupil, marks) in zip(pupils, registers) {
            let fields = [school.laestab.value, school.name, pupil.upn.value, pupil.surname, pupil.forename, pupil.dateOfBirth.description,
                          pupil.sex, pupil.yearGroup.rawValue, pupil.lookedAfter ? "true" : "false", pupil.sen.provision.code, pupil.sen.primaryNeed ?? ""]
            let prefix = Array((fields.map(CSVRecordReader.escape).joined(separator: ",") + ",").utf8)
            for (dayIndex, day) in days.enumerated() {
                for session in 0..<2 {
                    out.bytes.append(contentsOf: prefix)
                    out.bytes.append(contentsOf: day)
                    out.bytes.append(contentsOf: sessions[session])
                    out.bytes.append(contentsOf: symbols[Int(marks[dayIndex * 2 + session])])
                    out.bytes.append(10)
                }
            }
        }
        return out.bytes
    }

    private func xml(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return text }
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// An append-only byte buffer for writing files.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func line(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        bytes.append(10)
    }
}
