import Foundation
import GRDB
import LiaisonTestSupport
import Testing

/// What the adapters keep for themselves, as their own processes: the desk's store private whatever the umask,
/// and the schools' and courts' message ids keyed with each adapter's own `state/id.key` (files of children's
/// returns and defendants' outcomes must not be confirmable from the hub's audit log by their plain digest).
@Suite("The adapters' own state", .timeLimit(.minutes(2)), .realProcesses)
struct AdapterStateTests {
    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        for _ in 0..<400 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
    }

    /// The ids of the hub's messages of `type`, in order.
    func ids(_ running: RunningHub, type: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: running.hub.databasePath, configuration: configuration).read { db in
            try String.fetchAll(db, sql: "SELECT message_id FROM messages WHERE type = ? ORDER BY sequence", arguments: [type])
        }
    }

    @Test func theDesksStoreIsPrivateWhateverTheUmask() async throws {
        let running = try await RunningHub.start(agencies: ["npas"])
        defer { running.finish() }
        let folder = "\(running.hub.directory)/npas"
        let desk = AdapterProcess("npas-desk", hub: running.hub, folder: folder)
        try await desk.start()
        defer { desk.stopInBackground() }
        // The tests run under the usual umask (022): SQLite would make desk.sqlite 0644 and its -wal and -shm
        // (which take the store's mode) too, for every local user to read every child's returns.
        let files = ["desk.sqlite", "desk.sqlite-wal", "desk.sqlite-shm"].map { "\(folder)/\($0)" }
        try await waitUntil("the desk's store and its journal") { files.allSatisfy { FileManager.default.fileExists(atPath: $0) } }
        for file in files {
            let made = try mode(file)
            #expect(made == 0o600, "\(file) is \(String(made, radix: 8))")
        }
    }

    @Test func theSchoolsAndCourtsIdsAreKeyedWithTheirOwnKeys() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let mis = try await county.schoolsMIS()
        defer { mis.stopInBackground() }
        let courts = try await county.adapter("courts")
        defer { courts.stopInBackground() }
        for agency in ["schools-mis", "courts"] {
            #expect(try mode("\(county.folder)/\(agency)/state") == 0o700)
            #expect(try mode("\(county.folder)/\(agency)/state/id.key") == 0o600)
        }

        let ctf = try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/ctf").sorted()
        try county.drop("\(county.county)/ctf/\(ctf[0])")
        try """
            case_reference,court,hearing_date,defendant_number,offence,outcome,amount,months,costs,adjourned_to,band,note
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1A),fine,450,,150,,B,

            """.write(toFile: "\(county.folder)/outcomes.csv", atomically: true, encoding: .utf8)
        let inbox = "\(county.folder)/courts/inbox"
        try FileManager.default.copyItem(atPath: "\(county.folder)/outcomes.csv", toPath: "\(inbox)/outcomes.csv.part")
        try FileManager.default.moveItem(atPath: "\(inbox)/outcomes.csv.part", toPath: "\(inbox)/outcomes.csv")
        try await waitUntil("both files") {
            FileManager.default.fileExists(atPath: "\(county.folder)/schools-mis/processed/\(ctf[0])")
                && FileManager.default.fileExists(atPath: "\(county.folder)/courts/processed/outcomes.csv")
        }

        let returns = try ids(county.running, type: "attendance.return"), rolls = try ids(county.running, type: "pupil.roll")
        let outcomes = try ids(county.running, type: "court.outcome")
        #expect(returns.count == 1 && rolls.count == 1 && outcomes.count == 1, "\(returns) \(rolls) \(outcomes)")
        // TYPE-, 32 hex digits (the keyed digest; the plain one was 24), -N.
        let digest = try #require(returns.first?.wholeMatch(of: /attendance\.return-([0-9a-f]{32})-1/)?.output.1, "\(returns)")
        #expect(rolls.first == "pupil.roll-\(digest)-2", "one file's messages share its digest: \(rolls)")
        #expect(outcomes.first?.wholeMatch(of: /court\.outcome-[0-9a-f]{32}-1/) != nil, "\(outcomes)")
        // Keyed: the plain SHA-256 of the file appears in no id.
        for (file, id) in [("\(county.folder)/schools-mis/processed/\(ctf[0])", returns[0]), ("\(county.folder)/courts/processed/outcomes.csv", outcomes[0])] {
            let sha = try await LiaisonExecutableTestsSHA.sha256(file)
            #expect(!id.contains(sha.prefix(16)), "\(id) is the plain digest of \(file)")
        }
    }
}

/// The SHA-256 of a file, by `sha256sum` (the integration tests do not link a digest library).
enum LiaisonExecutableTestsSHA {
    static func sha256(_ path: String) async throws -> String {
        let output = try await ChildProcess.run("/usr/bin/env", ["sha256sum", path]).output
        return output.split(separator: " ").first.map(String.init) ?? ""
    }
}
