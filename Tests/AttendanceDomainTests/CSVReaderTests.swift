import AttendanceDomain
import Testing

@Suite("Reading CSV register exports")
struct CSVReaderTests {
    let reader = MISReader(directory: TestSupport.fixtureDirectory)

    @Test("RFC 4180: quoted commas, quotes, line breaks, CRLF")
    func quoting() throws {
        var records = CSVRecordReader(text: "a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\n\nlast,\"\"")
        #expect(try records.next() == .init(fields: ["a", "b, c", "say \"hi\""], line: 1))
        #expect(try records.next() == .init(fields: ["two\nlines", "", "x"], line: 2))
        #expect(try records.next() == .init(fields: ["last", ""], line: 5))
        #expect(try records.next() == nil)
        var open = CSVRecordReader(text: "a,\"never closed\nb\n")
        #expect(throws: CSVRecordReader.Malformed.self) { try open.next() }
        var stray = CSVRecordReader(text: "a,b\"c\n")
        #expect(throws: CSVRecordReader.Malformed.self) { try stray.next() }
        #expect(CSVRecordReader.escape("Fixture, School") == "\"Fixture, School\"")
    }

    @Test("A valid export gives the same pupils and figures as the CTF")
    func valid() {
        let csv = reader.read(path: TestSupport.fixture("csv-valid.csv"))
        let ctf = reader.read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        #expect(csv.problems.isEmpty, "\(csv.problems)")
        #expect(csv.format == .csv && csv.school?.name == "Fixture Primary School, Testwick")
        #expect(csv.period == ctf.period)
        #expect(csv.pupils.map(\.upn) == ctf.pupils.map(\.upn))
        #expect(csv.pupils.map(\.figures) == ctf.pupils.map(\.figures))
        #expect(csv.pupils.map(\.marks) == ctf.pupils.map(\.marks))
        #expect(csv.pupils.map(\.lookedAfter) == [false, true])
    }

    @Test("Every row-level problem is reported with its code and line")
    func problems() {
        let result = reader.read(path: TestSupport.fixture("csv-problems.csv"))
        #expect(!result.hasFatalProblem)
        let expected: Set<String> = [
            "upn-check-letter", "code-unknown", "code-not-valid-on-date", "mark-missing", "dob-year-group", "mark-duplicate",
            "school-mismatch", "row-field-count", "mark-on-non-school-day",
        ]
        #expect(expected.isSubset(of: result.codes), "missing: \(expected.subtracting(result.codes))")
        let unknown = result.problems.first { $0.code == .codeUnknown }!
        #expect(unknown.location.line == 2 + 66 + 6)  // header, the first pupil's 66 rows, then 2025-09-08 AM of the second
        let missing = result.problems.filter { $0.code == .markMissing }.first { $0.upn?.hasSuffix("926200121007") == true }!
        #expect(missing.message.hasPrefix("2 session(s)"))
        let fieldCount = result.problems.first { $0.code == .rowFieldCount }!
        #expect(fieldCount.message.contains("4 fields"))
    }

    @Test("Malformed and foreign CSV files are fatal", arguments: [("csv-malformed.csv", "malformed-csv"), ("csv-not-register.csv", "not-register-csv")])
    func fatal(file: String, code: String) {
        let result = reader.read(path: TestSupport.fixture(file))
        #expect(result.codes == [code], "\(result.problems)")
        #expect(result.hasFatalProblem)
    }

    @Test("The malformed line is named")
    func malformedLine() {
        let problem = reader.read(path: TestSupport.fixture("csv-malformed.csv")).problems[0]
        #expect(problem.location.line == 6 || problem.location.line == 5)
        #expect(problem.message.contains("never closed"))
    }
}
