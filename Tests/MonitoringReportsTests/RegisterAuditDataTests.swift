import AttendanceDomain
import Foundation
import NPASDesk
import StrictJSON
import Testing

@testable import MonitoringReports

/// ``RegisterAuditData`` reads a school's returns and the county's code totals from a real desk store.
@Suite("Register audit data from the desk's store")
struct RegisterAuditDataTests {
    /// A return body with one pupil per (UPN, codes, marks).
    static func returnBody(_ laestab: String, halfTerm: Int, markedThrough: String? = nil, pupils: [(String, String, String?)]) -> JSONValue {
        let pupils = pupils.map { upn, codes, marks in
            #"{"upn": "\#(upn)", "sessions_possible": 4, "present": 3, "aea": 0, "authorised": 0, "unauthorised": 1, "codes": \#(codes)"#
                + (marks.map { #", "marks": \#($0)"# } ?? "") + "}"
        }
        let through = markedThrough.map { #""marked_through": "\#($0)", "# } ?? ""
        return try! JSONValue.parse(#"""
            {"school": {"laestab": "\#(laestab)", "name": "School \#(laestab)"}, \#(through)
             "period": {"academic_year": 2025, "half_term": \#(halfTerm), "start_date": "2025-09-08", "end_date": "2025-10-24"},
             "pupils": [\#(pupils.joined(separator: ", "))]}
            """#)
    }

    @Test func theSchoolsRowsAndTheCountysTotals() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("register-audit-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        let marks = #"{"2025-09-08": {"am": "/", "pm": "N"}, "2025-09-09": {"am": "B", "pm": "\\"}}"#
        try await store.store(
            try #require(ReturnRows(Self.returnBody("9262001", halfTerm: 1, markedThrough: "2025-09-09", pupils: [
                ("K926200125001", #"{"/": 1, "N": 1, "B": 1, "\\": 1}"#, marks), ("Z926200125002", #"{"/": 2, "\\": 1, "U": 1}"#, nil),
            ]))), messageID: "r1")
        try await store.store(
            try #require(ReturnRows(Self.returnBody("9262002", halfTerm: 1, pupils: [("A926200225003", #"{"/": 2, "\\": 1, "B": 1}"#, nil)]))),
            messageID: "r2")
        // Another half term is not read for half term 1.
        try await store.store(
            try #require(ReturnRows(Self.returnBody("9262001", halfTerm: 2, pupils: [("K926200125001", #"{"/": 3, "X": 1}"#, nil)]))), messageID: "r3")

        let reader = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
        let input = try RegisterAuditData.read(store: reader, laestab: "9262001", academicYear: 2025, halfTerms: 1...1)
        #expect(input.schoolName == "School 9262001")
        #expect(input.returns.count == 1 && input.returns[0].asOf == SchoolDate(parsing: "2025-09-09"))
        #expect(input.pupils.map(\.upn) == ["K926200125001", "Z926200125002"])
        #expect(input.pupils[0].codes == ["/": 1, "N": 1, "B": 1, "\\": 1])
        #expect(input.pupils[0].marks == [
            DayMarks(date: SchoolDate(parsing: "2025-09-08")!, am: "/", pm: "N"), DayMarks(date: SchoolDate(parsing: "2025-09-09")!, am: "B", pm: "\\"),
        ])
        #expect(input.pupils[1].marks == nil)
        // The county: both schools, half term 1 only.
        #expect(input.county.schools == 2 && input.county.sessionsPossible == 12)
        #expect(input.county.codes == ["/": 5, "\\": 3, "N": 1, "B": 2, "U": 1])
        // A school with no return held says so.
        #expect(throws: ReportError.self) { try RegisterAuditData.read(store: reader, laestab: "9262009", academicYear: 2025, halfTerms: 1...6) }
        // And the summary for the governors then has no findings but the programme still.
        let summary = try RegisterAuditSummary.read(
            store: reader, programme: RegisterAuditProgramme(), laestab: "9262009", academicYear: 2025, halfTerms: 1...6, on: SchoolDate(parsing: "2026-01-05")!)
        #expect(summary.findings == nil && summary.schedule.overdue)
    }
}
