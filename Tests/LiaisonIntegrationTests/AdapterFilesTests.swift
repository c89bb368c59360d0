import Foundation
import GRDB
import LiaisonTestSupport
import Testing

/// The file adapters' edges, as their own processes: the size cap an operator sets (`--max-file-mib`), lists and
/// outcomes saved in Windows-1252 (read, and the reply says so), folders private whatever the umask, CSV cells
/// that cannot run as formulas, and the partner adapter's keyed message ids.
@Suite("The file adapters' edges", .timeLimit(.minutes(2)), .realProcesses)
struct AdapterFilesTests {
    func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        for _ in 0..<400 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Writes `bytes` to `folder/inbox/name` as a writer should: under `.part`, then renamed.
    func drop(_ bytes: [UInt8], into folder: String, as name: String) throws {
        try FileManager.default.createDirectory(atPath: "\(folder)/inbox", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/inbox/\(name).part"))
        try FileManager.default.moveItem(atPath: "\(folder)/inbox/\(name).part", toPath: "\(folder)/inbox/\(name)")
    }

    /// Latin-1 bytes of `text` (each scalar below 256 one byte), as a spreadsheet's "CSV" on Windows saves it.
    func windows1252(_ text: String) -> [UInt8] { text.unicodeScalars.map { UInt8($0.value) } }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    // MARK: The size cap

    @Test func theOperatorsCapSendsALargerFileToFailedUnread() async throws {
        let running = try await RunningHub.start(agencies: ["schools-mis", "social-services"])
        defer { running.finish() }
        let schools = "\(running.hub.directory)/schools-mis", social = "\(running.hub.directory)/social-services"
        let adapters = [
            AdapterProcess("schools-mis", hub: running.hub, folder: schools, extra: ["--max-file-mib", "1"]),
            AdapterProcess("partner", hub: running.hub, folder: social, leading: ["social-services"], extra: ["--max-file-mib", "1"]),
        ]
        for adapter in adapters { try await adapter.start() }
        defer { for adapter in adapters { adapter.stopInBackground() } }

        // 1 MiB and a byte: over the cap, whatever it holds.
        let large = Array("upn\n".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) - 3)
        try drop(large, into: schools, as: "9262001-2025-ht1.csv")
        try drop(large, into: social, as: "children-in-care.csv")
        for folder in [schools, social] {
            let name = folder == schools ? "9262001-2025-ht1.csv" : "children-in-care.csv"
            try await waitUntil("\(name) in failed/") { exists("\(folder)/failed/\(name).error.txt") }
            #expect(read("\(folder)/failed/\(name).error.txt").contains("over this adapter's limit of 1048576 bytes"))
        }

        // A cap outside 1-4096 MiB is refused at start.
        let refused = try await LiaisonExecutable.run([
            "adapter", "courts", "--config", running.hub.configPath, "--folder", "\(running.hub.directory)/courts", "--max-file-mib", "0",
        ])
        #expect(refused.status != 0 && refused.output.contains("--max-file-mib must be between 1 and 4096"), "\(refused.output)")
    }

    // MARK: Windows-1252

    @Test func outcomesAndListsSavedInWindows1252AreReadAndTheReplySaysSo() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let courts = try await county.adapter("courts")
        let social = try await county.adapter("partner", ["social-services"])
        defer { courts.stopInBackground(); social.stopInBackground() }

        // The clerk's note and a child's forename with an accent, as Windows saves them: é and ë are single bytes.
        let outcomes = "case_reference,court,hearing_date,defendant_number,offence,outcome,note\n"
            + "NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1),withdrawn,Caf\u{E9} owner's evidence\n"
        try drop(windows1252(outcomes), into: "\(county.folder)/courts", as: "outcomes.csv")
        let list = "upn,forename,surname,date_of_birth\n\(PartnersTests.inCare),Zo\u{EB},Synthetic,2013-05-17\n"
        try drop(windows1252(list), into: "\(county.folder)/social-services", as: "children-in-care.csv")

        for (folder, name) in [("courts", "outcomes.csv"), ("social-services", "children-in-care.csv")] {
            let reply = "\(county.folder)/\(folder)/outbox/replies/\(name).reply.csv"
            try await waitUntil("\(folder)'s reply") { exists(reply) }
            let text = read(reply)
            #expect(text.contains("0,note,\"the file is not UTF-8: it was read as Windows-1252 (the first such text on line 2)"), "\(text)")
            #expect(text.contains("2,sent,") || text.contains("0,sent,1 children"), "\(text)")
            // The reply goes out before the file is filed with its report (written atomically): wait for that too.
            let report = "\(county.folder)/\(folder)/processed/\(name).report.txt"
            try await waitUntil("\(folder)'s report") { exists(report) }
            #expect(read(report).contains("Windows-1252"))
        }
    }

    // MARK: Private folders

    @Test func theDeskAndThePartnerAdapterKeepTheirStatePrivateWhateverTheUmask() async throws {
        let running = try await RunningHub.start(agencies: ["npas", "yot"])
        defer { running.finish() }
        let npas = "\(running.hub.directory)/npas", yot = "\(running.hub.directory)/yot"
        let adapters = [
            AdapterProcess("npas-desk", hub: running.hub, folder: npas),
            AdapterProcess("partner", hub: running.hub, folder: yot, leading: ["yot"]),
        ]
        for adapter in adapters { try await adapter.start() }
        defer { for adapter in adapters { adapter.stopInBackground() } }
        // The tests run under the usual umask (022): a folder made with the default mode would be 0755.
        for folder in [npas, "\(yot)/state"] {
            let made = try mode(folder)
            #expect(made == 0o700, "\(folder) is \(String(made, radix: 8))")
            #expect(try mode("\(folder)/id.key") == 0o600)
        }
    }

    // MARK: CSV cells

    @Test func cellsSendersWriteReachThePartnersAndTheAdvisoryServicesCSVAsText() async throws {
        let running = try await RunningHub.start(agencies: ["tester", "social-services", "advisory-service"])  // no schemas
        defer { running.finish() }
        let social = "\(running.hub.directory)/social-services", advisory = "\(running.hub.directory)/advisory-service"
        let adapters = [
            AdapterProcess("partner", hub: running.hub, folder: social, leading: ["social-services"]),
            AdapterProcess("advisory-service", hub: running.hub, folder: advisory),
        ]
        for adapter in adapters { try await adapter.start() }
        defer { for adapter in adapters { adapter.stopInBackground() } }

        let tester = try await running.hub.connect("tester")
        // A field name and values a spreadsheet would run: the first message makes the header, the second is
        // appended under it and must find its column.
        for (index, value) in [#"=HYPERLINK(""http://x"",""y"")"#, "+1+1"].enumerated() {
            let body = #"{"upn":"\#(PartnersTests.inCare)","=SUM(A1)":"\#(value.replacingOccurrences(of: "\"\"", with: "\\\""))","session":"AM"}"#
            _ = try await tester.send(type: "care.attendance-alert", to: ["social-services"], body: Array(body.utf8), id: "alert-\(index)")
        }
        var feed = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/attendance.termly-feed/valid-1.json"))) as? [String: Any])
        var schools = try #require(feed["schools"] as? [[String: Any]])
        schools[0]["laestab"] = "=cmd|' /C calc'!A0"
        feed["schools"] = schools
        _ = try await tester.send(
            type: "attendance.termly-feed", to: ["advisory-service"], body: Array(try JSONSerialization.data(withJSONObject: feed)), id: "feed-1")
        await tester.close()

        let alerts = "\(social)/outbox/care.attendance-alert.csv"
        try await waitUntil("both alerts") { read(alerts).split(separator: "\n").count == 3 }
        let lines = read(alerts).split(separator: "\n").map(String.init)
        #expect(lines[0] == #"message_id,"'=SUM(A1)",session,upn"#, "\(lines)")
        #expect(lines[1] == #"alert-0,"'=HYPERLINK(""http://x"",""y"")",AM,\#(PartnersTests.inCare)"#, "\(lines)")
        #expect(lines[2] == #"alert-1,"'+1+1",AM,\#(PartnersTests.inCare)"#, "\(lines)")

        let csv = "\(advisory)/outbox/2024-autumn.csv"
        try await waitUntil("the feed's CSV") { exists(csv) }
        let rows = read(csv).split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix(#"2024,autumn,"'=cmd|' /C calc'!A0",primary,212,"#) }, "\(rows)")
    }

    // MARK: Keyed ids

    /// The hub's `yot.case-update` ids, in order.
    func caseUpdateIDs(_ running: RunningHub) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: running.hub.databasePath, configuration: configuration).read { db in
            try String.fetchAll(db, sql: "SELECT message_id FROM messages WHERE type = 'yot.case-update' ORDER BY sequence")
        }
    }

    @Test func theYOTsCaseUpdateIdsAreKeyedAndTheSameAfterARestart() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let folder = "\(county.folder)/yot"
        var yot = try await county.adapter("partner", ["yot"])
        defer { yot.stopInBackground() }
        try drop(Array("upn,case_reference\n\(PartnersTests.inCare),YOT-2025-0001\n".utf8), into: folder, as: "caseload.csv")
        try await waitUntil("the caseload") { exists("\(folder)/processed/caseload.csv") }
        let first = try caseUpdateIDs(county.running)
        #expect(first.count == 1 && first.allSatisfy { $0.wholeMatch(of: /yot-case-[0-9a-f]{32}/) != nil }, "\(first)")

        // The same list taken up again after a restart (as a stopped run leaves it), the caseload it replaced
        // forgotten: the same change, under the same id, which the hub knows (and the adapter then resends anew).
        await yot.stop()
        try FileManager.default.removeItem(atPath: "\(folder)/state/yot-caseload.json")
        try FileManager.default.removeItem(atPath: "\(folder)/processed/caseload.csv.report.txt")
        try FileManager.default.moveItem(atPath: "\(folder)/processed/caseload.csv", toPath: "\(folder)/processing/caseload.csv")
        yot = try await county.adapter("partner", ["yot"])
        try await waitUntil("the caseload again") { exists("\(folder)/processed/caseload.csv") }
        let again = try caseUpdateIDs(county.running)
        #expect(again.count == 2 && again[1].hasPrefix(first[0] + "-"), "\(again)")
    }
}
