import AttendanceDomain
import Foundation
import MonitoringReports
import NPASDesk
import StrictJSON
import Testing

/// The casework sums of the senior team's report and the impact of prosecution in the members' report, on a desk
/// whose every referral, case, intervention, prosecution and return was made by hand here, with the expected figures
/// worked out by hand in the comments.
@Suite("Casework in the reports, worked by hand")
struct CaseworkReportsTests {
    static let laestab = "9262001"
    static let upns = ["A926200125001", "A926200125002", "A926200125003"]

    static func desk() throws -> (folder: String, store: DeskStore) {
        let folder = NSTemporaryDirectory() + "liaison-casework-reports-\(UUID().uuidString)"
        return (folder, try DeskStore(path: "\(folder)/desk/desk.sqlite"))
    }

    /// Opens a case for each UPN (a referral each), newest first as `cases()` lists them; returns the references in
    /// the UPNs' order.
    static func refer(_ store: DeskStore, _ upns: [String]) async throws -> [String] {
        for (index, upn) in upns.enumerated() {
            let body = #"{"school": {"laestab": "\#(laestab)"}, "pupil": {"upn": "\#(upn)"}}"#
            try await store.storeReferral(messageID: "referral-\(index)", source: "schools-mis", body: Array(body.utf8))
        }
        let cases = try store.cases()
        return upns.map { upn in cases.first { $0.upn == upn }!.reference }
    }

    /// The school's return for one half term of 2025/26 with each pupil's present and unauthorised (O) sessions.
    static func storeReturn(_ store: DeskStore, halfTerm: Int, _ pupils: [(upn: String, present: Int, absent: Int)]) async throws {
        let period = try #require(SchoolCalendar(academicYear: 2025).halfTerm(halfTerm))
        let body: JSONValue = .object([
            "school": .object(["laestab": .string(laestab), "name": .string("Example Primary School")]),
            "period": .object([
                "academic_year": .number(2025), "half_term": .number(Double(halfTerm)),
                "start_date": .string(period.start.description), "end_date": .string(period.end.description),
            ]),
            "pupils": .array(pupils.map { pupil in
                .object([
                    "upn": .string(pupil.upn), "sessions_possible": .number(Double(pupil.present + pupil.absent)), "year_group": .string("5"),
                    "codes": .object(["/": .number(Double(pupil.present)), "O": .number(Double(pupil.absent))]),
                ])
            }),
        ])
        try await store.store(try #require(ReturnRows(body)), messageID: "return-\(halfTerm)")
    }

    @Test("the senior team's report counts this term's referrals, allocations, cases per worker and interventions")
    func seniorTeam() async throws {
        let (folder, store) = try Self.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases = try await Self.refer(store, Self.upns)
        // Allocated: cases 1 and 2 to E. Worker; case 1 closed; interventions: two home visits and a warning notice.
        try store.allocate(cases[0], esw: "E. Worker")
        try store.allocate(cases[1], esw: "E. Worker")
        try store.setStatus(cases[0], "closed", detail: "attendance improved")
        let today = SchoolDate.today()
        try store.add(DeskIntervention(date: today.description, type: "home_visit"), to: cases[0])
        try store.add(DeskIntervention(date: today.description, type: "home_visit"), to: cases[1])
        try store.add(DeskIntervention(date: today.description, type: "warning_notice"), to: cases[1])
        // An intervention dated a year ago falls in no term of this report.
        try store.add(DeskIntervention(date: today.adding(days: -365).description, type: "home_visit"), to: cases[2])

        // The term the desk's clock is in (autumn: September to December; spring: January to April; summer: May to August).
        let year = SchoolCalendar.academicYear(containing: today)
        let term: Term = today.month >= 9 ? .autumn : today.month <= 4 ? .spring : .summer
        let report = try SeniorTeamReport(academicYear: year, term: term, madeOn: today.description)
            .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
        let summary = try #require(report.sections.first { $0.title.hasPrefix("Referrals") }?.blocks.first)
        guard case .summary(let rows) = summary else { Issue.record("no summary list"); return }
        let values = Dictionary(uniqueKeysWithValues: rows.map { ($0.label, $0.value) })
        #expect(values["Referrals received"] == "3")
        #expect(values["Cases allocated to a worker"] == "2")
        #expect(values["Allocated within 5 days"] == "2 of 2")
        let workers = try #require(report.tables.first { $0.id == "workers" })
        #expect(workers.rows.map { $0.map(\.text) } == [["E. Worker", "2", "1"], ["not allocated", "1", "0"], ["All workers", "3", "1"]])
        let interventions = try #require(report.tables.first { $0.id == "interventions" })
        #expect(interventions.rows.map { $0.map(\.text) } == [["home visit", "2"], ["warning notice", "1"]])
    }

    @Test("the members' report gives each prosecuted child's attendance before the file and after the disposal")
    func prosecutionImpact() async throws {
        let (folder, store) = try Self.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Half terms 1 and 2 (before the file, heard 2026-01-20) and 4 and 5 (after the disposal of 2026-02-10):
        //   child 1: (45 + 40) / (60 + 50) = 77.27% before; (48 + 57) / (50 + 60) = 95.45% after: +18.2 points
        //   child 2: (30 + 25) / 110 = 50.0% before; (50 + 60) / 110 = 100.0% after: +50.0 points
        //   child 3: (54 + 45) / 110 = 90.0% before; (44 + 55) / 110 = 90.0% after: 0.0 points
        // Half term 3 (the hearing's) and 6 count for neither.
        let (a, b, c) = (Self.upns[0], Self.upns[1], Self.upns[2])
        try await Self.storeReturn(store, halfTerm: 1, [(a, 45, 15), (b, 30, 30), (c, 54, 6)])
        try await Self.storeReturn(store, halfTerm: 2, [(a, 40, 10), (b, 25, 25), (c, 45, 5)])
        try await Self.storeReturn(store, halfTerm: 3, [(a, 0, 60), (b, 0, 60), (c, 0, 60)])
        try await Self.storeReturn(store, halfTerm: 4, [(a, 48, 2), (b, 50, 0), (c, 44, 6)])
        try await Self.storeReturn(store, halfTerm: 5, [(a, 57, 3), (b, 60, 0), (c, 55, 5)])
        try await Self.storeReturn(store, halfTerm: 6, [(a, 0, 60), (b, 0, 60), (c, 0, 60)])
        let cases = try await Self.refer(store, Self.upns)
        for (index, reference) in cases.enumerated() {
            try store.recordProsecution(
                reference, hearingDate: "2026-01-20", offence: "444(1)", defendants: [("D1", 1)], messageID: "file-\(index)", receipt: "test")
            _ = try store.recordOutcome(reference, messageID: "outcome-\(index)", hearingDate: "2026-02-10", defendants: [("D1", 1, "fined", "{}")])
        }
        let directory = SchoolDirectory([SchoolEntry(laestab: try LAESTAB(Self.laestab), urn: "120001", name: "Example Primary School", phase: .primary)])
        let report = try MembersReport(academicYear: 2025, directory: directory, madeOn: "2026-07-24")
            .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
        let impact = try #require(report.tables.first { $0.id == "prosecution-impact" })
        #expect(impact.rows.map { $0.map(\.text) } == [
            ["Child 1", "77.3", "95.5", "18.2"], ["Child 2", "50.0", "100.0", "50.0"], ["Child 3", "90.0", "90.0", "0.0"],
        ])
        let section = try #require(report.sections.first { $0.title == "The impact of prosecution" })
        let improved = section.blocks.contains { block in
            if case .summary(let rows) = block { return rows.contains { $0.label == "Children whose attendance improved" && $0.value == "2 of 3" } }
            return false
        }
        #expect(improved)

        // With a threshold of 4, three children are too few: only their counts, each c.
        let withheld = try MembersReport(academicYear: 2025, directory: directory, madeOn: "2026-07-24", control: DisclosureControl(threshold: 4))
            .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
        let counts = try #require(withheld.tables.first { $0.id == "prosecution-impact" })
        #expect(counts.rows == [[.suppressed, .suppressed, .suppressed]])
        #expect(!withheld.tables.contains { $0.rows.contains { $0.first == .text("Child 1") } })
    }
}
