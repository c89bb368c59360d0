import CLibXML2
import Foundation

/// Streams a CTF through libxml2's xmlTextReader into a ``ReturnAssembler``.
///
/// Element names are compared as interned pointers (libxml2 keeps one copy of each name in its dictionary), so the
/// hot loop makes no Swift String per node: only the text of the fields Liaison keeps becomes a String, and mark
/// strings are decoded straight from their bytes. Accepted element-name variants are listed in docs/mis-formats.md.
struct CTFParser {
    enum Source {
        /// A file opened as untrusted input: libxml2 reads it through an I/O callback, so it never opens the path
        /// itself (xmlReaderForFile would follow a link, wait on a FIFO and silently decompress gzip).
        case file(InputFile)
        case memory([UInt8])
    }

    /// The elements the parser acts on; every other name is `.other`.
    enum Element: UInt8 {
        case other
        case ctFile, header, documentName, sourceSchool, lea, estab, urn, schoolName, academicYear
        case pupilData, pupil, upn, surname, forename, dob, sex, basicDetails, yearGroup, lookedAfter, inCare
        case address, bs7666, saon, paon, street, locality, town, administrativeArea, postTown
        case addressLines, addressLine1, addressLine2, addressLine3, addressLine4, addressLine5, county, postCode, addressAsPupil
        case contacts, contact, order, title, relationship, responsibility
        case attendance, yearData, year, sessionsPossible, sessionsAuthorised, sessionsAttended, sessionsUnauthorised
        case sessions, startDate, marks
        case senHistory, sen, senProvision, senNeed, senTypeRank, senType
    }

    /// Element names, with the variants of the CTF versions (see docs/mis-formats.md).
    static let names: [String: Element] = [
        "CTfile": .ctFile, "CTFile": .ctFile, "Header": .header, "DocumentName": .documentName,
        "SourceSchool": .sourceSchool, "LEA": .lea, "Estab": .estab, "URN": .urn, "SchoolName": .schoolName,
        "AcademicYear": .academicYear, "CTFpupilData": .pupilData, "CTFPupilData": .pupilData, "Pupil": .pupil,
        "UPN": .upn, "Surname": .surname, "Forename": .forename, "DOB": .dob, "Sex": .sex, "Gender": .sex,
        "BasicDetails": .basicDetails, "NCyearActual": .yearGroup, "NCYearActual": .yearGroup,
        "LookedAfter": .lookedAfter, "InCare": .inCare, "Address": .address, "BS7666Address": .bs7666,
        "SAON": .saon, "PAON": .paon, "Street": .street, "Locality": .locality, "Town": .town,
        "AdministrativeArea": .administrativeArea, "PostTown": .postTown, "AddressLines": .addressLines,
        "AddressLine1": .addressLine1, "AddressLine2": .addressLine2, "AddressLine3": .addressLine3,
        "AddressLine4": .addressLine4, "AddressLine5": .addressLine5, "County": .county, "PostCode": .postCode,
        "Postcode": .postCode, "AddressAsPupil": .addressAsPupil, "Contacts": .contacts, "Contact": .contact,
        "Order": .order, "Title": .title, "Relationship": .relationship, "Responsibility": .responsibility,
        "ParentalResponsibility": .responsibility, "Attendance": .attendance, "YearData": .yearData, "Year": .year,
        "SessionsPossible": .sessionsPossible, "SessionsAuthorised": .sessionsAuthorised,
        "SessionsAttended": .sessionsAttended, "SessionsUnauthorised": .sessionsUnauthorised,
        "AttendSessions": .sessions, "SessionAttendance": .sessions, "AttendanceSessions": .sessions,
        "AttendanceStartDate": .startDate, "SessionStartDate": .startDate, "StartDate": .startDate,
        "AttendanceMarks": .marks, "SessionMarks": .marks, "Marks": .marks, "AttendanceMarkString": .marks,
        "SENhistory": .senHistory, "SENHistory": .senHistory, "SEN": .sen, "SENprovision": .senProvision, "SENProvision": .senProvision,
        "SENneed": .senNeed, "SENNeed": .senNeed, "SENtypeRank": .senTypeRank, "SENTypeRank": .senTypeRank,
        "SENtype": .senType, "SENType": .senType,
    ]

    /// Elements whose text the parser keeps.
    static let leaves: Set<Element> = [
        .documentName, .lea, .estab, .urn, .schoolName, .academicYear, .upn, .surname, .forename, .dob, .sex, .yearGroup,
        .inCare, .saon, .paon, .street, .locality, .town, .administrativeArea, .postTown, .addressLine1, .addressLine2,
        .addressLine3, .addressLine4, .addressLine5, .county, .postCode, .addressAsPupil, .order, .title, .relationship,
        .responsibility, .year, .sessionsPossible, .sessionsAuthorised, .sessionsAttended, .sessionsUnauthorised,
        .startDate, .marks, .senProvision, .senTypeRank, .senType,
    ]

    /// ``leaves`` as a table indexed by raw value (the hot loop's membership test).
    static let isLeaf: [Bool] = (0...255).map { Element(rawValue: UInt8($0)).map(leaves.contains) ?? false }

    /// An address being read: BS7666 parts or lines.
    struct AddressParts {
        var parts: [Element: String] = [:]
        var asPupil = false
        var address: PostalAddress? {
            var lines: [String] = []
            func add(_ text: String?) { if let text, !text.isEmpty { lines.append(text) } }
            add(parts[.saon])
            add([parts[.paon], parts[.street]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " "))
            add(parts[.locality])
            add(parts[.town])
            if parts[.postTown] != parts[.town] { add(parts[.postTown]) }
            for line in [Element.addressLine1, .addressLine2, .addressLine3, .addressLine4, .addressLine5] { add(parts[line]) }
            add(parts[.administrativeArea])
            add(parts[.county])
            let postcode = parts[.postCode].flatMap { $0.isEmpty ? nil : $0 }
            return lines.isEmpty && postcode == nil ? nil : PostalAddress(lines: lines, postcode: postcode)
        }
    }

    /// A YearData being read.
    struct YearData {
        var fields: [Element: String] = [:]
        var lines: [Element: Int] = [:]
        var marks: [UInt8] = []
        var marksLocation: MISProblem.Location?
        var location: MISProblem.Location
    }

    var assembler: ReturnAssembler
    let table: CodeTable
    private var stack: [Element] = []
    private var stackNames: [UnsafePointer<xmlChar>] = []
    private var stackOrdinals: [Int] = []
    /// Per depth, how many Pupil/Contact/YearData children were seen (for element paths like Pupil[12]).
    private var childCounts: [Int] = []
    private var elementCache: [UnsafeRawPointer: Element] = [:]
    private var text: [UInt8] = []
    private var textLine = 0
    private var collecting = false
    private var stopped = false
    private var sawHeaderSchool = false
    private var headerFields: [Element: String] = [:]
    private var pupil: RawPupil?
    private var pupilAddress = AddressParts()
    private var contact: PupilContact?
    private var contactAddress = AddressParts()
    private var yearData: YearData?
    /// The SENneed being read: its rank and type.
    private var senNeed: (rank: Int?, type: String?) = (nil, nil)
    private var senNeedRank = Int.max
    /// The SEN entry being read (its start date and provision), and the start of the latest one so far.
    private var senEntry: (start: String?, provision: String?) = (nil, nil)
    private var latestSENStart: String?
    /// Whether the file has any SENhistory: one that has none at all was exported without SEN, which is unknown.
    private var sawSENHistory = false
    private var reader: OpaquePointer?
    /// The file being read, if it is one: why a read stopped (too large, unreadable, empty, compressed).
    private var input: InputFile?
    /// The first bytes of a document held in memory, to recognise a compressed one.
    private var memoryHead: [UInt8] = []

    init(file: String, reader: MISReader) {
        assembler = ReturnAssembler(file: file, format: .ctf, reader: reader)
        table = reader.table
    }

    /// Parses the whole source, or until a fatal problem.
    mutating func parse(source: Source) {
        // No DTD loading, no entity substitution, no default attributes, no XInclude (XML_PARSE_DTDLOAD, NOENT,
        // DTDATTR, XINCLUDE are left off on purpose) and no network; a DOCTYPE is refused outright in run().
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOCDATA.rawValue)
        let capture = UnsafeMutablePointer<clx_error_capture>.allocate(capacity: 1)
        capture.initialize(to: clx_error_capture())
        defer { capture.deallocate() }
        switch source {
        case .file(let file):
            input = file
            guard file.size > 0 else {
                assembler.report(.emptyFile, "the file is empty (0 bytes): export the CTF again")
                return
            }
            let context = Unmanaged.passUnretained(file).toOpaque()
            reader = xmlReaderForIO({ context, buffer, length in
                guard let context, let buffer, length > 0 else { return -1 }
                let file = Unmanaged<InputFile>.fromOpaque(context).takeUnretainedValue()
                return Int32(file.read(into: UnsafeMutableRawPointer(buffer), count: Int(length)))
            }, nil, context, assembler.file, nil, options)
            guard reader != nil else {
                assembler.report(.fileUnreadable, "libxml2 could not create a reader for the file")
                return
            }
            run(capture)
        case .memory(let bytes):
            memoryHead = Array(bytes.prefix(4))
            guard bytes.contains(where: { !InputFile.blank($0) }) else {
                assembler.report(.emptyFile, "the file is empty (\(bytes.isEmpty ? "0 bytes" : "only white space")): export the CTF again")
                return
            }
            bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                    reader = xmlReaderForMemory(base, Int32(buffer.count), assembler.file, nil, options)
                    if reader != nil { run(capture) }
                }
            }
            if reader == nil { assembler.report(.fileUnreadable, "libxml2 could not create a reader for the document") }
        }
        if let reader { xmlFreeTextReader(reader) }
        reader = nil
        // A CTF lists SEN only for pupils who have it: in a file with any SENhistory, a pupil without one has none.
        // A file with none at all was exported without SEN, so its pupils' SEN is not known.
        if sawSENHistory {
            for index in assembler.pupils.indices where assembler.pupils[index].senProvision == nil { assembler.pupils[index].senProvision = "N" }
        }
    }

    private mutating func run(_ capture: UnsafeMutablePointer<clx_error_capture>) {
        guard let reader else { return }
        clx_capture_errors(reader, capture)
        var sawRoot = false
        while !stopped {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            if status < 0 {
                if reportInputFailure() { return }
                let error = capture.pointee
                let message = error.set != 0 ? withUnsafeBytes(of: error.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } : "the XML parser stopped"
                let context = stack.isEmpty ? "" : " (last element read: \(path()))"
                assembler.report(.malformedXML, line: error.set != 0 ? Int(error.line) : nil,
                                 column: error.set != 0 && error.column > 0 ? Int(error.column) : nil,
                                 "not well-formed XML: \(message)\(context): fix the export or re-export the CTF")
                return
            }
            switch xmlTextReaderNodeType(reader) {
            case 10:  // document type: a DTD may declare entities, which change the text without it showing
                assembler.report(.dtdNotAllowed, line: line(),
                    "the file has a DOCTYPE (a document type declaration): Liaison refuses DTDs and entity declarations, "
                        + "as an entity can change what the marks say without it showing; export the CTF again without one")
                return
            case 1:  // element
                let name = xmlTextReaderConstLocalName(reader)!
                let element = lookUp(name)
                let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
                if !sawRoot {
                    sawRoot = true
                    guard element == .ctFile else {
                        let found = String(cString: name)
                        assembler.report(.notCTF, line: line(), path: "/\(found)",
                            "the root element is <\(found)>, not <CTfile>: this is not a Common Transfer File")
                        return
                    }
                }
                push(element, name)
                start(element)
                if isEmpty { finishTop() }
            case 15:  // end element
                finishTop()
            case 3, 4:  // text, CDATA
                if collecting, let value = xmlTextReaderConstValue(reader) {
                    let length = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
                    text.append(contentsOf: UnsafeBufferPointer(start: value, count: length))
                }
            default:
                break
            }
        }
        if !stopped, !sawRoot {
            if reportInputFailure() { return }
            assembler.report(.notCTF, "the document has no root element: this is not a Common Transfer File")
        }
        if !stopped, sawRoot, assembler.school == nil {
            assembler.report(.laestabMalformed, path: "/CTfile/Header/SourceSchool",
                "no SourceSchool with LEA and Estab in the header: the sending school cannot be identified")
        }
    }

    /// When the parser stopped because of the input rather than the XML, reports why and returns true: the file
    /// grew past the size cap, could not be read, is empty, or is compressed.
    private mutating func reportInputFailure() -> Bool {
        if let input {
            if input.exceededLimit {
                assembler.report(.fileTooLarge, "the file grew past the limit of \(input.limit) bytes while it was read: it was not used; drop it in again once it is complete")
                return true
            }
            if let reason = input.readError {
                assembler.report(.fileUnreadable, "the file could not be read (\(reason)): drop it in again")
                return true
            }
            if !input.sawContent {
                assembler.report(.emptyFile, "the file is empty (only white space): export the CTF again")
                return true
            }
        }
        if let compression = InputFile.looksCompressed(input?.head ?? memoryHead) {
            assembler.report(.malformedXML, line: 1,
                "not XML: the file is compressed (\(compression)), and compressed files are not opened; send the CTF itself, uncompressed")
            return true
        }
        return false
    }

    @inline(__always)
    private mutating func lookUp(_ name: UnsafePointer<xmlChar>) -> Element {
        let key = UnsafeRawPointer(name)
        if let element = elementCache[key] { return element }
        let element = CTFParser.names[String(cString: name)] ?? .other
        if elementCache.count < 4096 { elementCache[key] = element }
        return element
    }

    private mutating func push(_ element: Element, _ name: UnsafePointer<xmlChar>) {
        var ordinal = 0
        if element == .pupil || element == .contact || element == .yearData, !childCounts.isEmpty {
            childCounts[childCounts.count - 1] += 1
            ordinal = childCounts[childCounts.count - 1]
        }
        stack.append(element)
        stackNames.append(name)
        stackOrdinals.append(ordinal)
        childCounts.append(0)
    }

    private func line() -> Int? {
        guard let reader, let node = xmlTextReaderCurrentNode(reader) else { return nil }
        let line = xmlGetLineNo(node)
        return line > 0 ? Int(line) : nil
    }

    /// The element path of the current element, e.g. `/CTfile/CTFpupilData/Pupil[3]/UPN`.
    private func path() -> String {
        var path = ""
        for index in stack.indices {
            path += "/" + String(cString: stackNames[index])
            if stackOrdinals[index] > 0 { path += "[\(stackOrdinals[index])]" }
        }
        return path
    }

    private func location() -> MISProblem.Location {
        MISProblem.Location(file: assembler.file, line: line(), elementPath: path())
    }

    private var parent: Element { stack.count >= 2 ? stack[stack.count - 2] : .other }

    private mutating func start(_ element: Element) {
        guard element != .other else {
            collecting = false
            return
        }
        if CTFParser.isLeaf[Int(element.rawValue)] {
            collecting = true
            text.removeAll(keepingCapacity: true)
            textLine = line() ?? 0
            if element == .marks, yearData != nil { yearData!.marksLocation = location() }
            return
        }
        collecting = false
        switch element {
        case .pupil:
            if !sawHeaderSchool { checkHeader() }
            pupil = RawPupil(location: location())
            pupil!.hasAttendance = false
            pupilAddress = AddressParts()
            senNeedRank = Int.max
            latestSENStart = nil
        case .senHistory:
            sawSENHistory = true
        case .sen where pupil != nil:
            senEntry = (nil, nil)
        case .senNeed where pupil != nil:
            senNeed = (nil, nil)
        case .contact where pupil != nil:
            contact = PupilContact()
            contactAddress = AddressParts()
        case .yearData where pupil != nil:
            yearData = YearData(location: location())
        case .pupilData:
            if !sawHeaderSchool { checkHeader() }
        default: break
        }
    }

    /// Pops the top element and acts on its end.
    private mutating func finishTop() {
        guard let element = stack.last else { return }
        if element != .other { end(element) }
        collecting = false
        stack.removeLast()
        stackNames.removeLast()
        stackOrdinals.removeLast()
        childCounts.removeLast()
    }

    /// The collected text, without surrounding whitespace.
    private func value() -> String {
        var start = 0, end = text.count
        while start < end, text[start] <= 32 { start += 1 }
        while end > start, text[end - 1] <= 32 { end -= 1 }
        return String(decoding: text[start..<end], as: UTF8.self)
    }

    private mutating func end(_ element: Element) {
        let parent = self.parent
        let text = collecting && element != .marks ? value() : ""
        switch element {
        case .documentName, .academicYear:
            if parent == .header || parent == .sourceSchool { headerFields[element] = text }
        case .lea, .estab, .urn, .schoolName:
            if parent == .sourceSchool { headerFields[element] = text } else if parent == .yearData, yearData != nil {
                yearData!.fields[element] = text
            }
        case .sourceSchool where stack.count == 3:
            checkHeader()
        case .upn where parent == .pupil: pupil?.upn = text
        case .surname, .forename:
            if parent == .pupil {
                if element == .surname { pupil?.surname = text } else { pupil?.forename = text }
            } else if parent == .contact, contact != nil {
                if element == .surname { contact!.surname = text } else { contact!.forename = text }
            }
        case .dob where parent == .pupil: pupil?.dateOfBirth = text
        case .sex where parent == .pupil: pupil?.sex = text
        case .yearGroup where parent == .basicDetails: pupil?.yearGroup = text
        case .inCare where parent == .lookedAfter:
            if let flag = boolean(text, what: "InCare") { pupil?.lookedAfter = flag }
        case .saon, .paon, .street, .locality, .town, .administrativeArea, .postTown, .addressLine1, .addressLine2,
            .addressLine3, .addressLine4, .addressLine5, .county, .postCode:
            if contact != nil { contactAddress.parts[element] = text } else if pupil != nil { pupilAddress.parts[element] = text }
        case .addressAsPupil where contact != nil:
            if let flag = boolean(text, what: "AddressAsPupil") { contactAddress.asPupil = flag }
        case .order where parent == .contact:
            let text = text
            if let order = Int(text) { contact?.order = order } else if !text.isEmpty { malformed("Order", text, "a whole number") }
        case .title where parent == .contact: contact?.title = text
        case .relationship where parent == .contact: contact?.relationship = text
        case .responsibility where parent == .contact:
            if let flag = boolean(text, what: "Responsibility") { contact?.hasParentalResponsibility = flag }
        case .contact:
            if var finished = contact, pupil != nil {
                finished.addressAsPupil = contactAddress.asPupil
                finished.address = contactAddress.address
                pupil!.contacts.append(finished)
            }
            contact = nil
        case .year, .sessionsPossible, .sessionsAuthorised, .sessionsAttended, .sessionsUnauthorised:
            if parent == .yearData, yearData != nil {
                yearData!.fields[element] = text
                yearData!.lines[element] = textLine
            }
        case .startDate where parent == .sessions || parent == .yearData:
            yearData?.fields[.startDate] = text
        case .marks where parent == .sessions || parent == .yearData:
            if yearData != nil {
                let bytes = self.text
                var start = 0, end = bytes.count
                while start < end, bytes[start] <= 32 { start += 1 }
                while end > start, bytes[end - 1] <= 32 { end -= 1 }
                yearData!.marks = Array(bytes[start..<end])
            }
        case .yearData:
            if let finished = yearData { finishYearData(finished) }
            yearData = nil
        case .startDate where parent == .sen:
            senEntry.start = text
        case .senProvision where parent == .sen:
            senEntry.provision = text
        case .senProvision where pupil != nil:
            pupil!.senProvision = text
        case .sen where pupil != nil:
            // The current provision is the entry that started last (the last of equal dates).
            if let provision = senEntry.provision, (senEntry.start ?? "") >= (latestSENStart ?? "") {
                pupil!.senProvision = provision
                latestSENStart = senEntry.start ?? ""
            }
        case .senTypeRank where parent == .senNeed:
            senNeed.rank = Int(text)
        case .senType where parent == .senNeed:
            senNeed.type = text
        case .senNeed where pupil != nil:
            let rank = senNeed.rank ?? Int.max - 1
            if let type = senNeed.type, rank < senNeedRank {
                pupil!.senNeed = type
                senNeedRank = rank
            }
        case .pupil:
            if var finished = pupil {
                finished.address = pupilAddress.address
                assembler.pupils.append(finished)
            }
            pupil = nil
        default: break
        }
    }

    private mutating func malformed(_ name: String, _ text: String, _ expected: String) {
        assembler.report(.fieldMalformed, at: location(), upn: pupil?.upn, "\(name) \"\(text)\" is not \(expected)")
    }

    private mutating func boolean(_ text: String, what: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "y", "yes": return true
        case "false", "0", "n", "no", "": return false
        default:
            malformed(what, text, "true or false")
            return nil
        }
    }

    /// Checks the header's school once: LAESTAB (fatal if unusable), the directory, the document name, the year.
    private mutating func checkHeader() {
        guard !sawHeaderSchool else { return }
        sawHeaderSchool = true
        let headerPath = "/CTfile/Header"
        if let name = headerFields[.documentName], name != "Common Transfer File" {
            assembler.report(.documentName, path: headerPath + "/DocumentName",
                "DocumentName is \"\(name)\", not \"Common Transfer File\": read as a CTF anyway")
        }
        let la = headerFields[.lea] ?? "", estab = headerFields[.estab] ?? ""
        let schoolLocation = MISProblem.Location(file: assembler.file, elementPath: headerPath + "/SourceSchool")
        do {
            let laestab = try LAESTAB(la: la, establishment: estab)
            assembler.identifySchool(laestab, name: headerFields[.schoolName], urn: headerFields[.urn], location: schoolLocation)
        } catch {
            assembler.report(.laestabMalformed, at: schoolLocation,
                "SourceSchool LEA \"\(la)\" and Estab \"\(estab)\" do not make a LAESTAB (3 + 4 digits): the sending school cannot be identified")
        }
        if let text = headerFields[.academicYear], let year = Int(text), (2000...2099).contains(year) {
            assembler.academicYear = year
        }
        if assembler.problems.contains(where: { $0.severity == .fatal }) { stopped = true }
    }

    /// Keeps a pupil's YearData if it is for the file's academic year and school: decodes its marks and totals.
    private mutating func finishYearData(_ data: YearData) {
        guard pupil != nil else { return }
        if let year = data.fields[.year], let academicYear = assembler.academicYear, Int(year) != academicYear { return }
        if let school = assembler.school, let la = data.fields[.lea], let estab = data.fields[.estab],
            la + estab != school.laestab.value
        {
            return
        }
        pupil!.hasAttendance = true
        let upn = pupil!.upn
        var totals = pupil!.totals ?? RawPupil.Totals(location: data.location)
        for (element, name) in [(Element.sessionsPossible, "SessionsPossible"), (.sessionsAuthorised, "SessionsAuthorised"),
                                (.sessionsAttended, "SessionsAttended"), (.sessionsUnauthorised, "SessionsUnauthorised")] {
            guard let text = data.fields[element], !text.isEmpty else { continue }
            guard let number = Int(text), number >= 0 else {
                assembler.report(.fieldMalformed, at: MISProblem.Location(file: assembler.file, line: data.lines[element], elementPath: (data.location.elementPath ?? "") + "/" + name),
                                 upn: upn, "\(name) \"\(text)\" is not a whole number of sessions")
                continue
            }
            switch element {
            case .sessionsPossible: totals.possible = (totals.possible ?? 0) + number
            case .sessionsAuthorised: totals.authorised = (totals.authorised ?? 0) + number
            case .sessionsAttended: totals.attended = (totals.attended ?? 0) + number
            default: totals.unauthorised = (totals.unauthorised ?? 0) + number
            }
        }
        pupil!.totals = totals
        guard !data.marks.isEmpty else { return }
        let marksLocation = data.marksLocation ?? data.location
        pupil!.marksLocation = marksLocation
        guard let startText = data.fields[.startDate], let start = SchoolDate(parsing: startText) else {
            assembler.report(data.fields[.startDate] == nil ? .fieldMissing : .fieldMalformed, at: marksLocation, upn: upn,
                "the marks have no readable AttendanceStartDate (\"\(data.fields[.startDate] ?? "")\"), so they cannot be dated: marks ignored")
            return
        }
        let marks = data.marks
        if marks.count % 2 != 0 {
            assembler.report(.markStringLength, at: marksLocation, upn: upn,
                "the mark string has \(marks.count) characters, not 2 per day (AM, PM): the last half day is ignored")
        }
        let startDay = start.dayNumber
        pupil!.marks.reserveCapacity(pupil!.marks.count + marks.count)
        for index in 0..<(marks.count / 2 * 2) {
            let byte = marks[index]
            var code = Int16(table.index(markByte: byte))
            if code < 0 {
                let symbol = byte < 128 ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
                code = pupil!.unknownCode(symbol)
            }
            pupil!.marks.append(RawMark(day: Int32(startDay + index / 2), session: UInt8(index % 2), code: code, line: 0))
        }
    }
}
