import AttendanceDomain
import Foundation
import Testing

@Suite("Registers to date (daily and weekly exports)")
struct RegisterToDateTests {
    let reader = MISReader(directory: TestSupport.fixtureDirectory)
    let header = "laestab,upn,date,session,code\n"

    func rows(_ upn: String, _ days: [String], code: String = "/") -> String {
        days.flatMap { day in ["9262001,\(upn),\(day),AM,\(code)", "9262001,\(upn),\(day),PM,\(code)"] }.joined(separator: "\n") + "\n"
    }

    @Test("The half term is read to the last day any pupil has a mark: later days are not yet, not missing")
    func toDate() throws {
        let days = ["2025-09-03", "2025-09-04", "2025-09-05"]
        let result = reader.readCSV(text: header + rows("Q926200024001", days) + rows("B801200005001", days, code: "N"))
        #expect(!result.problems.contains { $0.code == .markMissing }, "\(result.problems)")
        #expect(result.markedThrough == SchoolDate(parsing: "2025-09-05"))
        #expect(result.period?.halfTerm == 1 && result.period?.end == SchoolDate(parsing: "2025-10-17"))
        #expect(result.pupils.allSatisfy { $0.marks.count == 3 && $0.figures.missing == 0 })
        #expect(result.pupils[1].figures.possible == 6 && result.pupils[1].figures.unauthorised == 6)
    }

    @Test("A pupil without the last days' marks, when others have them, is still missing marks")
    func onePupilShort() throws {
        let result = reader.readCSV(
            text: header + rows("Q926200024001", ["2025-09-03", "2025-09-04", "2025-09-05"]) + rows("B801200005001", ["2025-09-03"]))
        #expect(result.markedThrough == SchoolDate(parsing: "2025-09-05"))
        #expect(result.problems.contains { $0.code == .markMissing && $0.upn == "B801200005001" && $0.message.contains("4 session(s)") })
    }

    @Test("A half term that ends with a closure day (#) is complete, not a register to date")
    func endsWithClosure() throws {
        let calendar = SchoolCalendar(academicYear: 2025)
        let days = calendar.schoolDays(in: calendar.halfTerms[0]).map(\.description)
        let text = header + rows("Q926200024001", Array(days.dropLast())) + rows("Q926200024001", [days.last!], code: "#")
        let result = reader.readCSV(text: text)
        #expect(result.markedThrough == nil)
        #expect(result.pupils.first?.marks.count == days.count)
    }

    @Test("A complete half term is not a register to date")
    func complete() throws {
        let result = reader.read(path: TestSupport.fixture("ctf-valid-v25.xml"))
        #expect(result.markedThrough == nil)
    }
}
