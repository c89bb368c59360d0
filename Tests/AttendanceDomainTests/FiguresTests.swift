import AttendanceDomain
import Foundation
import Testing

@Suite("Attendance arithmetic")
struct FiguresTests {
    let table = CodeTable.standard

    @Test("Possible sessions, rates and the 10% / 50% thresholds")
    func arithmetic() {
        var figures = PupilFigures()
        figures.record(table.code("/")!, sessions: 15)
        figures.record(table.code("V")!, sessions: 3)
        figures.record(table.code("I")!, sessions: 1)
        figures.record(table.code("O")!, sessions: 1)
        figures.record(table.code("Y4")!, sessions: 2)
        figures.record(table.code("-")!, sessions: 2)
        figures.recordInvalid(sessions: 1)
        #expect(figures.possible == 20)
        #expect(figures.attended == 18 && figures.absent == 2)
        #expect(figures.notCounted == 2 && figures.missing == 2 && figures.invalid == 1)
        #expect(figures.attendanceRate == 90 && figures.absenceRate == 10)
        #expect(figures.isPersistentlyAbsent)  // exactly 10% is persistent
        #expect(!figures.isSeverelyAbsent)
        #expect(figures.codeCounts == ["/": 15, "V": 3, "I": 1, "O": 1, "Y4": 2, "-": 2])

        var justUnder = PupilFigures()
        justUnder.record(table.code("/")!, sessions: 91)
        justUnder.record(table.code("I")!, sessions: 9)
        #expect(!justUnder.isPersistentlyAbsent)
        var severe = PupilFigures()
        severe.record(table.code("\\")!, sessions: 5)
        severe.record(table.code("G")!, sessions: 5)
        #expect(severe.isSeverelyAbsent)
        #expect(PupilFigures().attendanceRate == nil && !PupilFigures().isPersistentlyAbsent)
    }

    @Test("Marks are checked against their dates")
    func marksByDate() {
        let day = SchoolDate(parsing: "2025-09-08")!
        let figures = PupilFigures(marks: [DayMarks(date: day, am: "H", pm: "J1"), DayMarks(date: day.adding(days: 1), am: "/", pm: "??")])
        #expect(figures.authorised == 1 && figures.present == 1 && figures.invalid == 2)
    }

    @Test("School aggregates sum sessions and count flagged pupils")
    func school() {
        var a = PupilFigures(), b = PupilFigures(), c = PupilFigures()
        a.record(table.code("/")!, sessions: 10)
        b.record(table.code("/")!, sessions: 5)
        b.record(table.code("N")!, sessions: 5)
        c.record(table.code("X")!, sessions: 4)
        let school = SchoolFigures([a, b, c])
        #expect(school.pupils == 3 && school.pupilsWithPossibleSessions == 2 && school.possible == 20)
        #expect(school.attendanceRate == 75 && school.unauthorisedAbsenceRate == 25 && school.authorisedAbsenceRate == 0)
        #expect(school.persistentAbsenceCount == 1 && school.severeAbsenceCount == 1)
        #expect(school.persistentAbsenceRate == 50)
        var county = SchoolFigures()
        county.add(school)
        county.add(school)
        #expect(county.possible == 40 && county.persistentAbsenceCount == 2)
    }

    struct OracleFigures: Decodable {
        var present: Int, aea: Int, authorised: Int, unauthorised: Int, missing: Int, invalid: Int, possible: Int
        var attendance_rate: Double?, absence_rate: Double?, persistent: Bool, severe: Bool
    }

    @Test("Figures from CTF and CSV agree with each other and with the Python oracle")
    func oracle() async throws {
        let folder = TestSupport.temporaryFolder("oracle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let county = try CountySynthesizer(.init(schools: 6, pupils: 900, seed: 11, academicYear: 2025, halfTerms: 2)).write(to: folder)
        let output = try await TestSupport.python(
            [TestSupport.folder.appendingPathComponent("Oracles/figures.py").path, TestSupport.codesCSV]
                + county.csvFiles.filter { $0.hasSuffix("ht2.csv") }.map { folder.appendingPathComponent($0).path })
        let oracle = try JSONDecoder().decode([String: OracleFigures].self, from: Data(output.utf8))
        #expect(oracle.count == 900)
        let reader = MISReader(period: .halfTerm(2))
        var compared = 0
        for file in county.ctfFiles where file.hasSuffix("ht2.xml") {
            let ctf = reader.read(path: folder.appendingPathComponent(file).path)
            let csv = reader.read(path: folder.appendingPathComponent("csv/" + file.dropFirst(4).replacingOccurrences(of: ".xml", with: ".csv")).path)
            #expect(ctf.problems.isEmpty && csv.problems.isEmpty, "\(ctf.problems.prefix(3)) \(csv.problems.prefix(3))")
            #expect(ctf.pupils.map(\.upn) == csv.pupils.map(\.upn))
            for (fromCTF, fromCSV) in zip(ctf.pupils, csv.pupils) {
                #expect(fromCTF.figures == fromCSV.figures)
                #expect(fromCTF.marks == fromCSV.marks)
                guard let expected = oracle[fromCTF.upn] else {
                    Issue.record("the oracle has no \(fromCTF.upn)")
                    continue
                }
                let f = fromCTF.figures
                let ours: [Int] = [f.present, f.aea, f.authorised, f.unauthorised, f.missing, f.invalid, f.possible]
                let theirs: [Int] = [expected.present, expected.aea, expected.authorised, expected.unauthorised, expected.missing, expected.invalid, expected.possible]
                #expect(ours == theirs, "\(fromCTF.upn)")
                #expect(f.isPersistentlyAbsent == expected.persistent && f.isSeverelyAbsent == expected.severe)
                #expect(abs((f.attendanceRate ?? -1) - (expected.attendance_rate ?? -1)) < 1e-9)
                #expect(abs((f.absenceRate ?? -1) - (expected.absence_rate ?? -1)) < 1e-9)
                compared += 1
            }
        }
        #expect(compared == 900)
    }

    @Test("The oracle and the CSV reader agree on a file with missing and invalid marks")
    func oracleOnProblems() async throws {
        let path = TestSupport.fixture("csv-problems.csv")
        let oracle = try JSONDecoder().decode(
            [String: OracleFigures].self,
            from: Data(try await TestSupport.python([TestSupport.folder.appendingPathComponent("Oracles/figures.py").path, TestSupport.codesCSV, path]).utf8))
        let result = MISReader(directory: TestSupport.fixtureDirectory).read(path: path)
        for upn in ["926200121005", "926200121006"].compactMap({ body in result.pupils.first { $0.upn.hasSuffix(body) }?.upn }) {
            let ours = result.pupils.first { $0.upn == upn }!.figures
            #expect(ours.invalid == oracle[upn]!.invalid && ours.possible == oracle[upn]!.possible, "\(upn)")
        }
    }
}
