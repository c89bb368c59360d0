import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonTestSupport
import Testing

/// The main job through the real broker and real adapter processes: a synthetic county's MIS exports
/// dropped in the schools' inbox, the returns kept by the attendance service's desk, the termly feed
/// delivered to the Advisory Service; bad files, duplicates and restarts; letters to schools.
@Suite("A county's returns through the real adapters", .timeLimit(.minutes(3)), .realProcesses(.long))
struct CountyExchangeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let agencies = ["npas", "schools-mis", "connexions", "yot", "social-services", "courts", "advisory-service"]

    /// A hub with the project's own schemas and agreements, and a synthetic county beside it.
    struct County {
        let running: RunningHub
        let county: String
        var folder: String { running.hub.directory }
        var inbox: String { "\(folder)/schools-mis/inbox" }

        static func start(schools: Int = 3, pupils: Int = 150) async throws -> County {
            let running = try await RunningHub.start(
                agencies: CountyExchangeTests.agencies,
                extraConfig: """
                    schemas_dir: \(CountyExchangeTests.repository)/schemas
                    agreements_dir: \(CountyExchangeTests.repository)/config/agreements
                    limits: { max_body_bytes: 16777216 }

                    """)
            let county = "\(running.hub.directory)/county"
            let synth = try await LiaisonExecutable.run([
                "synth", "--schools", "\(schools)", "--pupils", "\(pupils)", "--seed", "11", "--academic-year", "2025",
                "--half-terms", "2", "--out", county,
            ])
            #expect(synth.status == 0, "\(synth.output)")
            return County(running: running, county: county)
        }

        func adapter(_ name: String, _ extra: [String] = []) async throws -> AdapterProcess {
            // `partner AGENCY` takes its agency as an argument before the options.
            let process = name == "partner"
                ? AdapterProcess(name, hub: running.hub, folder: "\(folder)/\(extra[0])", leading: extra)
                : AdapterProcess(name, hub: running.hub, folder: "\(folder)/\(name == "npas-desk" ? "npas" : name)", extra: extra)
            try await process.start()
            return process
        }

        func schoolsMIS() async throws -> AdapterProcess {
            try await adapter("schools-mis", ["--schools", "\(county)/schools.csv"])
        }

        /// Drops a file into the inbox as a writer should: under a temporary name, then renamed.
        func drop(_ source: String, as name: String? = nil) throws {
            let target = "\(inbox)/\(name ?? (source as NSString).lastPathComponent)"
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: target + ".part")
            try FileManager.default.copyItem(atPath: source, toPath: target + ".part")
            try FileManager.default.moveItem(atPath: target + ".part", toPath: target)
        }

        /// The files in `subfolder` (reports and files still being written left out), by name.
        func files(_ subfolder: String, suffix: String = "") -> [String] {
            // NAME.report.txt.part is a report being written atomically (DropFolder.writeAtomically): counted, it
            // made a file look imported twice for a moment, and tests that count files flaky.
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(subfolder)")) ?? [])
                .filter { !$0.hasSuffix(".txt") && !$0.hasSuffix(".part") && $0.hasSuffix(suffix) }.sorted()
        }

        /// Waits (bounded) until `count` files have left the inbox for processed/ or failed/.
        func waitForFiles(_ count: Int) async throws {
            for _ in 0..<1200 {
                if files("schools-mis/processed").count + files("schools-mis/failed").count >= count { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("only \(files("schools-mis/processed")) processed and \(files("schools-mis/failed")) failed")
        }

        /// Waits (bounded) until the desk holds `count` returns. Each look is a `liaison` process: one every 250 ms.
        func waitForReturns(_ count: Int) async throws -> String {
            var output = ""
            for _ in 0..<240 {
                output = try await LiaisonExecutable.run(["desk", "returns", "--folder", "\(folder)/npas"]).output
                if output.components(separatedBy: "half term").count - 1 >= count { return output }
                try await Task.sleep(for: .milliseconds(250))
            }
            Issue.record("the desk holds: \(output)")
            return output
        }

        func report(_ name: String, in subfolder: String) -> String {
            let suffix = subfolder == "failed" ? ".error.txt" : ".report.txt"
            return (try? String(contentsOfFile: "\(folder)/schools-mis/\(subfolder)/\(name)\(suffix)", encoding: .utf8)) ?? ""
        }
    }

    @Test func aCountysReturnsReachTheDeskAndOnlyItsAggregatesReachTheAdvisoryService() async throws {
        let county = try await County.start()
        defer { county.running.finish() }
        let adapters = [try await county.schoolsMIS(), try await county.adapter("npas-desk"), try await county.adapter("advisory-service")]
        // Most schools export CTF; the first sends its second half term as the CSV register export.
        let ctf = try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/ctf").sorted()
        for (index, name) in ctf.enumerated() {
            if index == 1 {
                try county.drop("\(county.county)/csv/\((name as NSString).deletingPathExtension).csv")
            } else {
                try county.drop("\(county.county)/ctf/\(name)")
            }
        }
        try await county.waitForFiles(ctf.count)
        #expect(county.files("schools-mis/failed").isEmpty, "\(county.files("schools-mis/failed"))")
        _ = try await county.waitForReturns(ctf.count)
        // The import reads each file while the one before it is being stored, but sends in the files' order, each
        // file's return before its roll.
        let sent = try county.running.audit().filter { $0.event.kind == .accepted && $0.event.agency == "schools-mis" }
            .sorted { ($0.event.sequence ?? 0) < ($1.event.sequence ?? 0) }.compactMap(\.event.type)
        #expect(sent == Array(repeating: ["attendance.return", "pupil.roll"], count: ctf.count).flatMap { $0 }, "\(sent)")

        let feed = try await LiaisonExecutable.run([
            "desk", "term-end", "--config", county.running.hub.configPath, "--folder", "\(county.folder)/npas", "--year", "2025",
            "--term", "autumn", "--schools", "\(county.county)/schools.csv",
        ])
        #expect(feed.status == 0, "\(feed.output)")
        let outbox = "\(county.folder)/advisory-service/outbox"
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: "\(outbox)/2025-autumn.csv") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let csv = try String(contentsOfFile: "\(outbox)/2025-autumn.csv", encoding: .utf8)
        let json = try String(contentsOfFile: "\(outbox)/2025-autumn.json", encoding: .utf8)
        for adapter in adapters { await adapter.stop() }

        // The figures, against an independent computation from the CSV registers (Python, from the code table).
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = rows[0]
        func column(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        #expect(rows.count == 1 + 3)
        var upns: [String] = []
        var withheld: [Int] = []  // the oracle's persistent absence counts the feed withheld (`c`)
        for row in rows.dropFirst() {
            let laestab = column(row, "laestab")
            let oracle = try await Self.oracle(["\(county.county)/csv/\(laestab)-2025-ht1.csv", "\(county.county)/csv/\(laestab)-2025-ht2.csv"])
            upns += oracle.keys
            let pupils = oracle.values.filter { ($0["possible"] as? Int ?? 0) > 0 }
            let possible = pupils.reduce(0) { $0 + ($1["possible"] as? Int ?? 0) }
            let attended = pupils.reduce(0) { $0 + ($1["present"] as? Int ?? 0) + ($1["aea"] as? Int ?? 0) }
            let persistent = pupils.filter { $0["persistent"] as? Bool == true }.count
            #expect(column(row, "pupils") == "\(oracle.count)")
            #expect(column(row, "sessions_possible") == "\(possible)")
            if column(row, "persistent_absence_count") == "c" {
                withheld.append(persistent)
            } else {
                #expect(column(row, "persistent_absence_count") == "\(persistent)")
            }
            #expect(abs(Double(column(row, "attendance_rate"))! - Double(attended) / Double(possible) * 100) <= 0.051)
        }
        // Disclosure control: a count is withheld only because one of them is 1 or 2, and never alone (the county's
        // total would give it back).
        #expect(withheld.isEmpty || (withheld.contains { (1...2).contains($0) } && withheld.count >= 2), "\(withheld)")
        // Nothing about any one pupil: no UPN anywhere, and only the feed's school-level members.
        #expect(upns.count == 150)
        #expect(!upns.contains { csv.contains($0) || json.contains($0) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object.keys.sorted() == ["county", "national", "period", "schools"])

        // A pupil-level body for the Advisory Service is refused by the agreement, and a feed with pupils in it
        // by the schema.
        let npas = try await county.running.hub.connect("npas")
        let example = try Data(contentsOf: URL(fileURLWithPath: "\(Self.repository)/schemas/examples/attendance.return/valid-1.json"))
        await #expect(throws: AdapterError.self) {
            _ = try await npas.send(type: "attendance.return", to: ["advisory-service"], body: Array(example))
        }
        var tampered = object
        tampered["pupils"] = [["upn": upns[0]]]
        do {
            _ = try await npas.send(type: "attendance.termly-feed", to: ["advisory-service"], body: Array(try JSONSerialization.data(withJSONObject: tampered)))
            Issue.record("a feed with pupils in it was accepted")
        } catch {
            #expect((error as? AdapterError)?.protocolError?.code.number == 422, "\(error)")
        }
        await npas.close()
        await county.running.broker.stop()
        let verify = try await LiaisonExecutable.run(["audit", "verify", "--config", county.running.hub.configPath])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test func badFilesAreRefusedWithAReportAndNoFileIsImportedTwice() async throws {
        let county = try await County.start(schools: 2, pupils: 60)
        defer { county.running.finish() }
        let desk = try await county.adapter("npas-desk")
        defer { desk.stopInBackground() }
        let ctf = "\(county.county)/ctf"
        let good = try FileManager.default.contentsOfDirectory(atPath: ctf).sorted()
        let text = try String(contentsOfFile: "\(ctf)/\(good[0])", encoding: .utf8)
        try Data(text.utf8.prefix(2500)).write(to: URL(fileURLWithPath: "\(county.folder)/truncated.xml"))
        let estab = String(good[0].dropFirst(3).prefix(4))
        try text.replacingOccurrences(of: "<Estab>\(estab)</Estab>", with: "<Estab>9999</Estab>")
            .write(toFile: "\(county.folder)/unknown-school.xml", atomically: true, encoding: .utf8)

        // A file a stopped adapter had claimed but not finished is processed when it starts again.
        try FileManager.default.createDirectory(atPath: "\(county.folder)/schools-mis/processing", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(ctf)/\(good[1])", toPath: "\(county.folder)/schools-mis/processing/\(good[1])")
        try county.drop("\(county.folder)/truncated.xml")
        try county.drop("\(county.folder)/unknown-school.xml")
        try county.drop("\(ctf)/\(good[0])")
        let mis = try await county.schoolsMIS()
        defer { mis.stopInBackground() }
        try await county.waitForFiles(4)
        #expect(county.files("schools-mis/failed") == ["truncated.xml", "unknown-school.xml"])
        #expect(county.report("truncated.xml", in: "failed").contains("malformed-xml"))
        #expect(county.report("unknown-school.xml", in: "failed").contains("school-unknown"))
        #expect(county.files("schools-mis/processed") == [good[0], good[1]].sorted())

        // The same export again, under another name: the hub knows it, the desk does not get it twice.
        try county.drop("\(ctf)/\(good[0])", as: "again-\(good[0])")
        try await county.waitForFiles(5)
        #expect(county.report("again-\(good[0])", in: "processed").contains("already received"))

        // A register with one mark that is not valid on its date (H was withdrawn in 2024): the return still
        // goes, without that pupil, and the problem is reported and counted.
        let csvName = (good[1] as NSString).deletingPathExtension + ".csv"
        var lines = try String(contentsOfFile: "\(county.county)/csv/\(csvName)", encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].dropLast()) + "H"
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(county.folder)/\(csvName)", atomically: true, encoding: .utf8)
        try county.drop("\(county.folder)/\(csvName)")
        try await county.waitForFiles(6)
        let withheld = county.report(csvName, in: "processed")
        #expect(withheld.contains("1 withheld"), "\(withheld)")
        #expect(withheld.contains("code-not-valid-on-date"), "\(withheld)")
        let returns = try await county.waitForReturns(2)
        #expect(returns.components(separatedBy: "half term").count - 1 == 2, "\(returns)")
        // Two schools, and the second's return again without the withheld pupil: three, never four.
        var acknowledged = 0
        for _ in 0..<100 {
            acknowledged = try county.running.audit().filter { $0.event.kind == .acknowledged && $0.event.type == "attendance.return" }.count
            if acknowledged >= 3 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(acknowledged == 3)
    }

    @Test func theAttendanceServicesLettersReachTheSchoolsOutbox() async throws {
        let county = try await County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let mis = try await county.schoolsMIS()
        defer { mis.stopInBackground() }
        let npas = try await county.running.hub.connect("npas")
        let body = try Data(contentsOf: URL(fileURLWithPath: "\(Self.repository)/schemas/examples/case.feedback/valid-1.json"))
        _ = try await npas.send(type: "case.feedback", to: ["schools-mis"], body: Array(body), id: "feedback-1")
        await npas.close()
        var letters: [String] = []
        for _ in 0..<200 {
            letters = county.files("schools-mis/outbox/9264001").filter { !$0.hasSuffix(".part") }
            if letters.count == 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Named by the message's type and the hub's sequence, never by the sender's id (adapters/schools-mis/README.md).
        #expect(letters == ["case.feedback-1.html", "case.feedback-1.json"])
        let html = try String(contentsOfFile: "\(county.folder)/schools-mis/outbox/9264001/case.feedback-1.html", encoding: .utf8)
        #expect(html.contains("<h1>Feedback on a referral</h1>"))
        #expect(html.contains("NPAS-2025-0042"))
    }

    @Test func aDataOfficerChecksFilesBeforeTheyGo() async throws {
        let county = try await County.start(schools: 1, pupils: 30)
        defer { county.running.finish() }
        let file = "\(county.county)/ctf/" + (try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/ctf").sorted()[0])
        let good = try await LiaisonExecutable.run(["mis", "check", file, "--format", "csv", "--schools", "\(county.county)/schools.csv"])
        #expect(good.status == 0, "\(good.output)")
        // One row per pupil with the figures, and no problem.
        #expect(good.output.split(separator: "\n").filter { $0.contains(",9262001") || $0.contains("9262001,") }.count >= 30, "\(good.output)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try Data(text.utf8.prefix(2000)).write(to: URL(fileURLWithPath: "\(county.folder)/cut.xml"))
        let bad = try await LiaisonExecutable.run(["mis", "check", "\(county.folder)/cut.xml"])
        #expect(bad.status == 1)
        #expect(bad.output.contains("malformed-xml"), "\(bad.output)")
    }

    @Test func aReferralFileReachesTheDesk() async throws {
        let county = try await County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let desk = try await county.adapter("npas-desk")
        defer { desk.stopInBackground() }
        let mis = try await county.schoolsMIS()
        defer { mis.stopInBackground() }
        try county.drop("\(Self.repository)/schemas/examples/referral/valid-1.json", as: "referral-1.json")
        try "{\"not\": \"a referral\"".write(toFile: "\(county.folder)/broken.json", atomically: true, encoding: .utf8)
        try county.drop("\(county.folder)/broken.json")
        try await county.waitForFiles(2)
        #expect(county.files("schools-mis/processed") == ["referral-1.json"])
        #expect(county.report("broken.json", in: "failed").contains("not valid JSON"))
        var held = ""
        for _ in 0..<25 {  // each look is a `liaison` process: one every 200 ms
            held = try await LiaisonExecutable.run(["desk", "returns", "--folder", "\(county.folder)/npas"]).output
            if held.contains("1 referral held") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(held.contains("1 referral held"), "\(held)")
    }

    /// Per-pupil figures from the registers by the Python oracle (Tests/AttendanceDomainTests/Oracles).
    static func oracle(_ registers: [String]) async throws -> [String: [String: Any]] {
        let result = try await ChildProcess.run("/usr/bin/python3", [
            "\(repository)/Tests/AttendanceDomainTests/Oracles/figures.py",
            "\(repository)/Sources/AttendanceDomain/Resources/attendance-codes.csv",
        ] + registers)
        return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: Any]] ?? [:]
    }
}
