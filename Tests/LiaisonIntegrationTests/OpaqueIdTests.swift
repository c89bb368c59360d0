import Foundation
import GRDB
import LiaisonTestSupport
import Testing

/// The ids the desk and the partner adapters make never hold a child's UPN: a message id, a subject and a
/// correlation id go into the audit log, which can never be erased, and an id such as `care-alert-<UPN>-...` told
/// anyone reading it which children are looked after. The ids are keyed digests instead, the same for the same
/// message after a restart, so the hub still answers a resend as a duplicate.
@Suite("Opaque message ids", .timeLimit(.minutes(3)), .realProcesses(.long))
struct OpaqueIdTests {
    static let secondary = PartnerSharesTests.secondary

    /// Every token shaped like a UPN in `text`: a maximal run of ASCII letters and digits that is 13 long, a letter,
    /// 11 digits, then a digit or a letter (written here apart from the hub's own check, as an oracle).
    static func upnShaped(_ text: String) -> [String] {
        let runs = text.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return runs.filter { run in
            let characters = Array(run)
            return characters.count == 13 && characters[0].isLetter && characters[1...11].allSatisfy(\.isNumber)
                && (characters[12].isLetter || characters[12].isNumber)
        }.map(String.init)
    }

    @Test func theOracleFindsAUPNAndNothingInADigest() {
        #expect(Self.upnShaped("care-alert-Q926200024001-2025-09-04-AM-3") == ["Q926200024001"])
        #expect(Self.upnShaped("x/n926400123002a") == [])  // 14 characters: not one
        #expect(Self.upnShaped("care-alert-0123456789abcdef0123456789abcdef").isEmpty)
    }

    @Test func theDeskWillNotStartOnAKeyThatIsShortOrReadableByOthersAndNeverReplacesIt() async throws {
        let hub = try TemporaryHub(agencies: ["npas"])
        defer { hub.remove() }
        let folder = "\(hub.directory)/npas"
        let key = "\(folder)/id.key"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (bytes, mode, says) in [(16, 0o600, "holds 16 bytes, not 32"), (32, 0o644, "chmod 600 \(key)")] {
            try? FileManager.default.removeItem(atPath: key)
            FileManager.default.createFile(atPath: key, contents: Data(repeating: 7, count: bytes), attributes: [.posixPermissions: mode])
            let desk = AdapterProcess("npas-desk", hub: hub, folder: folder)
            await #expect(throws: (any Error).self) { try await desk.start(timeout: .seconds(10)) }
            #expect(desk.log.contains(key) && desk.log.contains(says), "\(desk.log)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == Data(repeating: 7, count: bytes), "the key was replaced")
        }
    }

    /// Waits (bounded: 600 looks 50 ms apart, or as many fewer as `every` is longer) until `condition` holds. A
    /// condition that runs a `liaison` command looks every 200 ms: each look is a process.
    func waitUntil(_ what: String, every interval: Int = 50, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<(600 * 50 / interval) {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(interval))
        }
        Issue.record("timed out waiting for \(what)")
    }

    func database(_ county: CountyExchangeTests.County) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: county.running.hub.databasePath, configuration: configuration)
    }

    func files(_ folder: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] }

    @Test func noIdSubjectOrCorrelationIdTheAdaptersMakeHoldsAUPNAndTheDesksIdsSurviveARestart() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 8, pupils: 300)
        defer { county.running.finish() }
        var desk = try await county.adapter("npas-desk")
        let others = [
            try await county.schoolsMIS(), try await county.adapter("partner", ["social-services"]), try await county.adapter("partner", ["yot"]),
            try await county.adapter("partner", ["connexions"]),
        ]
        defer {
            desk.stopInBackground()
            for adapter in others { adapter.stopInBackground() }
        }

        // The first half term gives the desk the roll, by which it finds a child the YOT names without a UPN.
        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht1.xml")
        try await waitUntil("the first half term's roll", every: 200) {
            let output = try await LiaisonExecutable.run(["desk", "returns", "--folder", "\(county.folder)/npas"]).output
            return output.split(separator: "\n").contains { $0.contains(Self.secondary) && $0.contains("half term 1") && $0.contains("with roll") }
        }
        let roll = try PartnerSharesTests.pupils(county, halfTerm: 1).values.sorted { $0.upn < $1.upn }
        let yot = "\(county.folder)/yot", social = "\(county.folder)/social-services"
        try PartnerSharesTests().drop(
            "upn,forename,surname,date_of_birth,case_reference\n\(roll[0].upn),,,,YOT-2025-0001\n,\(roll[1].forename),\(roll[1].surname),\(roll[1].dob),YOT-2025-0002\n",
            into: yot, as: "caseload.csv")
        // Social Services list every looked-after child of the first school that has any.
        var inCare: Set<String> = [], caring = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: "\(county.county)/csv").sorted() where name.hasSuffix("-2025-ht2.csv") {
            let register = try String(contentsOfFile: "\(county.county)/csv/\(name)", encoding: .utf8).split(separator: "\n")
            let header = register[0].split(separator: ",").map(String.init)
            let (upnColumn, caredColumn) = (try #require(header.firstIndex(of: "upn")), try #require(header.firstIndex(of: "looked_after")))
            inCare = Set(register.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                .filter { $0[caredColumn] == "true" }.map { $0[upnColumn] })
            caring = String(name.prefix(7))
            if !inCare.isEmpty { break }
        }
        try #require(!inCare.isEmpty, "the county should have looked-after children")
        try PartnerSharesTests().drop("upn\n" + inCare.sorted().joined(separator: "\n") + "\n", into: social, as: "children-in-care.csv")
        try await waitUntil("both lists' replies") {
            FileManager.default.fileExists(atPath: "\(yot)/processed/caseload.csv")
                && FileManager.default.fileExists(atPath: "\(social)/outbox/replies/children-in-care.csv.reply.csv")
        }

        // The second half term: care alerts, the YOT's summaries and Connexions' notifications.
        try county.drop("\(county.county)/ctf/\(Self.secondary)-2025-ht2.xml")
        if caring != Self.secondary { try county.drop("\(county.county)/ctf/\(caring)-2025-ht2.xml") }
        try await waitUntil("the partners' shares") {
            files("\(yot)/outbox/yot.attendance-summary").count >= 2 && !files("\(county.folder)/connexions/outbox/connexions.notification").isEmpty
                && FileManager.default.fileExists(atPath: "\(social)/outbox/care.attendance-alert.csv")
        }
        try await Task.sleep(for: .milliseconds(500))

        // Every message's id, subject and correlation id, and every audit entry's message id: no UPN.
        let database = try database(county)
        let messages = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT source, message_id, type, envelope FROM messages ORDER BY sequence").map { row in
                (source: row[0] as String, id: row[1] as String, type: row[2] as String, envelope: row[3] as Data)
            }
        }
        var made: [String: Int] = [:]
        for message in messages {
            made["\(message.source) \(message.type)", default: 0] += 1
            let envelope = try #require(try JSONSerialization.jsonObject(with: message.envelope) as? [String: Any])
            for attribute in ["id", "subject", "correlationid"] {
                let value = envelope[attribute] as? String ?? ""
                #expect(Self.upnShaped(value).isEmpty, "\(message.source) \(message.type): \(attribute) \(value)")
            }
        }
        for kind in [
            "npas care.attendance-alert", "npas yot.attendance-summary", "npas connexions.notification", "npas pupil.match-result",
            "yot yot.case-update", "yot pupil.match-request", "yot cohort.update", "social-services cohort.update",
        ] {
            #expect(made[kind, default: 0] >= 1, "no \(kind) was sent: \(made)")
        }
        #expect(made["yot yot.case-update"] == 2, "\(made)")
        let audited = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, message_id, code FROM audit_log").map { (kind: $0[0] as String, id: $0[1] as String?, code: $0[2] as Int?) }
        }
        for entry in audited { #expect(Self.upnShaped(entry.id ?? "").isEmpty, "audit \(entry.kind): \(entry.id ?? "")") }
        #expect(!audited.contains { $0.code == 419 }, "the hub refused an id as personal data")
        // The operators' own check, on this whole county's log: `liaison audit scan` finds nothing personal.
        let scan = try await LiaisonExecutable.run(["audit", "scan", "--config", county.running.hub.configPath])
        #expect(scan.status == 0, "\(scan.output)")
        #expect(scan.output.contains("No personal-looking tokens"), "\(scan.output)")

        // The desk's key: made once, 32 bytes, the owner's alone.
        let key = "\(county.folder)/npas/id.key"
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let keyBytes = try Data(contentsOf: URL(fileURLWithPath: key))

        // After a restart, the same return again (under a new id) makes the same care alerts: the hub takes each as
        // a duplicate, and Social Services are not told twice.
        let alerts = Set(messages.filter { $0.type == "care.attendance-alert" }.map(\.id))
        await desk.stop()
        desk = try await county.adapter("npas-desk")
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == keyBytes, "the key was replaced")
        let caringSchool = caring
        let body = try #require(try await database.read { db in
            try Data.fetchOne(
                db, sql: "SELECT body FROM messages WHERE type = 'attendance.return' AND CAST(body AS TEXT) LIKE ? ORDER BY sequence DESC LIMIT 1",
                arguments: ["%\"laestab\":\"\(caringSchool)\"%"])
        })
        let school = try await county.running.hub.connect("schools-mis")
        _ = try await school.send(type: "attendance.return", to: [], body: Array(body), id: "resend-ht2")
        await school.close()
        try await waitUntil("the alerts sent again") {
            try database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log WHERE kind = 'duplicate' AND type = 'care.attendance-alert'") ?? 0
            } >= alerts.count
        }
        let after = try await database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT message_id FROM messages WHERE type = 'care.attendance-alert'"))
        }
        #expect(after == alerts, "the desk's ids changed across a restart")
        #expect(alerts.allSatisfy { $0.hasPrefix("care-alert-") && $0.count == "care-alert-".count + 32 }, "\(alerts)")
    }
}
