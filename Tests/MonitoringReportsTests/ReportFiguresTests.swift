import AttendanceDomain
import Foundation
import MonitoringReports
import NPASDesk
import Testing

/// The reports' figures against `liaison mis check`'s: a synthetic county's registers are read by the MIS reader,
/// stored in a desk as the schools' returns would carry them, and every school's figures in the governors' report
/// and the county's in the members' report are compared with sums over `mis check`'s CSV (its per-pupil rows).
@Suite("The reports' figures match mis check's")
struct ReportFiguresTests {
    /// A county of 4 schools and 400 pupils, one half term, in a desk; and `mis check`'s CSV of the same files.
    static func county() async throws -> (folder: String, store: DeskStore, directory: SchoolDirectory, csv: [[String: String]]) {
        let folder = NSTemporaryDirectory() + "liaison-report-figures-\(UUID().uuidString)"
        let synth = try CountySynthesizer(.init(schools: 4, pupils: 400, seed: 11, academicYear: 2025, halfTerms: 1, formats: [.csv]))
        let county = try synth.write(to: URL(fileURLWithPath: "\(folder)/county"))
        let directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: "\(folder)/county/schools.csv"))
        let reader = MISReader(directory: directory)
        let results = county.csvFiles.sorted().map { reader.read(path: "\(folder)/county/\($0)") }
        let store = try DeskStore(path: "\(folder)/desk/desk.sqlite")
        for result in results {
            let school = try #require(result.school)
            try await store.store(try #require(ReturnRows(result)), messageID: "test-\(school.laestab.value)")
        }
        // What `liaison mis check --format csv` prints for the same files.
        let text = MISCheckReport(results).render(.csv)
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines.removeFirst()
        let rows = lines.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }.filter { $0["record"] == "pupil" }
        return (folder, store, directory, rows)
    }

    /// Sums over mis check's pupil rows: pupils, possible, attended, authorised, unauthorised, persistent, severe.
    static func sums(_ rows: [[String: String]]) -> (pupils: Int, possible: Int, attended: Int, authorised: Int, unauthorised: Int, persistent: Int, severe: Int) {
        var out = (pupils: 0, possible: 0, attended: 0, authorised: 0, unauthorised: 0, persistent: 0, severe: 0)
        for row in rows {
            out.pupils += 1
            out.possible += Int(row["sessions_possible"]!)!
            out.attended += Int(row["present"]!)! + Int(row["aea"]!)!
            out.authorised += Int(row["authorised"]!)!
            out.unauthorised += Int(row["unauthorised"]!)!
            if row["persistent"] == "true" { out.persistent += 1 }
            if row["severe"] == "true" { out.severe += 1 }
        }
        return out
    }

    static func percent(_ part: Int, _ whole: Int) -> String { ReportCell.oneDecimal(Double(part) * 100 / Double(whole)) }

    @Test("every school's figures in its governors' report are mis check's")
    func governors() async throws {
        let (folder, store, directory, rows) = try await Self.county()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let all = Self.sums(rows)
        for school in directory.schools {
            let laestab = school.laestab.value
            let expected = Self.sums(rows.filter { $0["laestab"] == laestab })
            #expect(expected.pupils > 0)
            let report = try GovernorsReport(school: school, academicYear: 2025, madeOn: "2025-12-19", control: DisclosureControl(threshold: 1))
                .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
            let table = try #require(report.tables.first { $0.id == "attendance" })
            func cell(_ measure: String, _ column: Int) -> String? { table.rows.first { $0[0] == .text(measure) }?[column].text }
            #expect(cell("Attendance", 1) == Self.percent(expected.attended, expected.possible))
            #expect(cell("Authorised absence", 1) == Self.percent(expected.authorised, expected.possible))
            #expect(cell("Unauthorised absence", 1) == Self.percent(expected.unauthorised, expected.possible))
            #expect(cell("Persistent absence (pupils)", 1) == Self.percent(expected.persistent, expected.pupils))
            #expect(cell("Severe absence (pupils)", 1) == Self.percent(expected.severe, expected.pupils))
            #expect(cell("Attendance", 3) == Self.percent(all.attended, all.possible))
            let groups = try #require(report.tables.first { $0.id == "year-groups" })
            let total = try #require(groups.rows.last)
            #expect(total[1] == .count(expected.pupils))
            #expect(total[4] == .count(expected.persistent))
        }
    }

    @Test("the county's figures in the members' report are mis check's, by phase and in total")
    func members() async throws {
        let (folder, store, directory, rows) = try await Self.county()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let all = Self.sums(rows)
        let report = try MembersReport(academicYear: 2025, directory: directory, madeOn: "2025-12-19", control: DisclosureControl(threshold: 1))
            .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
        let trend = try #require(report.tables.first { $0.id == "trend" })
        #expect(trend.rows.count == 1)
        #expect(trend.rows[0][1] == .count(all.pupils))
        #expect(trend.rows[0][2].text == Self.percent(all.attended, all.possible))
        #expect(trend.rows[0][5].text == Self.percent(all.persistent, all.pupils))
        #expect(trend.rows[0][7].text == Self.percent(all.severe, all.pupils))
        let phases = try #require(report.tables.first { $0.id == "phases" })
        for phase in Set(directory.schools.map(\.phase)) {
            let schools = Set(directory.schools.filter { $0.phase == phase }.map(\.laestab.value))
            let expected = Self.sums(rows.filter { schools.contains($0["laestab"]!) })
            let row = try #require(phases.rows.first { $0[0] == .text(phase.rawValue.capitalized) })
            #expect(row[1] == .count(expected.pupils))
            #expect(row[2].text == Self.percent(expected.attended, expected.possible))
        }
        let districts = try #require(report.tables.first { $0.id == "districts" })
        #expect(districts.rows.dropLast().map { $0[1] } .compactMap { if case .count(let n) = $0 { n } else { nil } }.reduce(0, +) == all.pupils)
        // Fewer than three years held: the report says so.
        #expect(report.sections[0].blocks.contains { if case .notice(let text) = $0 { text.contains("three") } else { false } })
    }
}
