import AttendanceDomain
import Foundation
import Testing

@Suite("Reading CTF files")
struct CTFReaderTests {
    let reader = MISReader(directory: TestSupport.fixtureDirectory)

    @Test("A valid CTF 25 file: school, period, pupils, contacts, address, marks and figures")
    func valid() throws {
        let result = reader.read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.format == .ctf)
        #expect(result.school?.laestab.value == "9262001" && result.school?.name == "Fixture Primary School")
        #expect(result.school?.phase == .primary)
        #expect(result.period?.academicYear == 2025 && result.period?.halfTerm == 1)
        #expect(result.pupils.count == 2)
        let first = result.pupils[0], second = result.pupils[1]
        #expect(first.surname == "Fixtureby" && first.forename == "Ada" && first.sex == "F")
        #expect(first.dateOfBirth == SchoolDate(parsing: "2018-03-14") && first.yearGroup == YearGroup("3"))
        #expect(!first.lookedAfter && second.lookedAfter)
        #expect(first.address == PostalAddress(lines: ["Flat 2", "12 Fixture Street", "Testwick", "Synthshire"], postcode: "XX1 1AA"))
        #expect(first.contacts.count == 2)
        #expect(first.contactsWithParentalResponsibility.map(\.relationship) == ["MUM"])
        #expect(first.contacts[0].addressAsPupil && first.contacts[1].address?.postcode == "XX2 2BB")
        #expect(first.marks.count == 33 && first.figures.possible == 66 && first.figures.present == 66)
        // Pupil 2: II, II, /M, J1 J1, C2 C2, GG, O\, VV, Y4 Y4, L\ .
        let f = second.figures
        #expect(f.codeCounts["I"] == 4 && f.codeCounts["J1"] == 2 && f.codeCounts["C2"] == 2 && f.codeCounts["Y4"] == 2)
        #expect(f.possible == 64 && f.authorised == 9 && f.unauthorised == 3 && f.aea == 2 && f.notCounted == 2)
        #expect(second.marks.first { $0.date == SchoolDate(parsing: "2025-09-15") } == DayMarks(date: SchoolDate(parsing: "2025-09-15")!, am: "J1", pm: "J1"))
        #expect(f.isPersistentlyAbsent)  // 12 of 64
    }

    @Test("An older CTF's element names give the same pupils and figures")
    func variants() throws {
        let modern = reader.read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        let older = reader.read(path: TestSupport.fixture("ctf-valid-v12.xml"))
        #expect(older.problems.isEmpty, "\(older.problems)")
        #expect(older.pupils.map(\.figures) == modern.pupils.map(\.figures))
        #expect(older.pupils.map(\.marks) == modern.pupils.map(\.marks))
        #expect(older.pupils.map(\.yearGroup) == modern.pupils.map(\.yearGroup))
        #expect(older.pupils.map(\.sex) == ["F", "F"])
        #expect(older.pupils[0].address?.lines == ["Flat 2", "12 Fixture Street", "Testwick", "Synthshire"])
        #expect(older.pupils[0].contacts[0].hasParentalResponsibility)
    }

    @Test("Every pupil-level problem is reported with its code, UPN and location")
    func problems() throws {
        let result = reader.read(path: TestSupport.fixture("ctf-problems.xml"))
        #expect(!result.hasFatalProblem)
        let expected: Set<String> = [
            "upn-check-letter", "upn-malformed", "code-unknown", "code-not-valid-on-date", "mark-missing", "totals-mismatch",
            "dob-year-group", "pupil-duplicate", "mark-on-non-school-day", "mark-outside-period", "mark-string-length",
        ]
        #expect(expected.isSubset(of: result.codes), "missing: \(expected.subtracting(result.codes))")
        let checkLetter = result.problems.first { $0.code == .upnCheckLetter }!
        #expect(checkLetter.message.contains("digits give"))
        #expect(checkLetter.location.elementPath == "/CTfile/CTFpupilData/Pupil[1]" && checkLetter.location.line == 17)
        let notValid = result.problems.first { $0.code == .codeNotValidOnDate }!
        #expect(notValid.message.contains("code H") && notValid.message.contains("2025-09-08 AM"))
        #expect(notValid.location.elementPath?.hasSuffix("Pupil[4]/Attendance/YearData[1]/AttendSessions/AttendanceMarks") == true)
        let totals = result.problems.first { $0.code == .totalsMismatch }!
        #expect(totals.message.contains("SessionsPossible 70 but the marks give 66"))
        let unknown = result.problems.first { $0.code == .codeUnknown }!
        #expect(unknown.message.contains("\"A\""))
        // A duplicate is dropped; invalid marks are counted apart from possible sessions.
        #expect(result.pupils.count == 10)
        let withH = result.pupils.first { $0.figures.invalid == 2 }
        #expect(withH?.figures.possible == 64)
        #expect(result.problems.allSatisfy { $0.severity == .recoverable })
    }

    @Test("Malformed XML is fatal and says where", arguments: [("ctf-malformed.xml", "malformed-xml"), ("not-ctf.xml", "not-ctf"),
                                                               ("ctf-bad-laestab.xml", "laestab-malformed"), ("ctf-no-marks.xml", "no-marks")])
    func fatal(file: String, code: String) throws {
        let result = reader.read(path: TestSupport.fixture(file))
        #expect(result.hasFatalProblem)
        #expect(result.codes.contains(code), "\(result.problems)")
        #expect(result.pupils.isEmpty)
    }

    @Test("The malformed element is named with its line and column")
    func malformedLocation() {
        let problem = reader.read(path: TestSupport.fixture("ctf-malformed.xml")).problems.first!
        #expect(problem.location.line == 20)
        #expect(problem.message.contains("Forename"))
        #expect(problem.location.elementPath == nil)  // libxml2 parses ahead of the reader: the line is what is known
        #expect(problem.message.contains("last element read: /CTfile/CTFpupilData/Pupil[1]"))
    }

    @Test("A school missing from the directory is fatal; without a directory it is accepted")
    func unknownSchool() {
        let other = SchoolDirectory([SchoolEntry(laestab: try! LAESTAB("9262002"), urn: "120002", name: "Other", phase: .primary)])
        let result = MISReader(directory: other).read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        #expect(result.codes == ["school-unknown"] && result.hasFatalProblem)
        #expect(!MISReader().read(path: TestSupport.fixture("ctf-valid-v25.xml")).hasFatalProblem)
    }

    @Test("A file that cannot be opened is reported, not thrown")
    func unreadable() {
        let result = reader.read(path: "/nonexistent/liaison.xml")
        #expect(result.codes == ["file-unreadable"])
    }

    @Test("CTF held in memory reads the same as from a file")
    func memory() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: TestSupport.fixture("ctf-valid-v25.xml"))))
        let result = reader.readCTF(bytes: bytes)
        #expect(result.problems.isEmpty && result.pupils.count == 2)
    }
}
