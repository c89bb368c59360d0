import Foundation
import Hummingbird
import HummingbirdTesting
import LiaisonProtocol
import LiaisonStore
import NIOCore
import Testing

@testable import LiaisonConsole

/// The operator's pages, on a hub store the test fills: two messages for the YOT (one sent and not acknowledged, one
/// never sent), one for Connexions that became a dead letter; decisions under the YOT protocol this month; an imports
/// folder with a processed and a failed file.
@Suite("Console operations pages")
struct OperationsPagesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    /// A synthetic UPN in the first message's body: it must never reach a page.
    static let bodyUPN = "A926200125003"

    /// A hub folder (hub.yaml with the repository's agencies and agreements, its store filled) and an imports folder.
    final class Hub {
        let folder: String
        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("operations-\(UUID().uuidString)").path
            let manager = FileManager.default
            for sub in ["keys", "imports/processed", "imports/failed"] {
                try manager.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            try """
            endpoint: ipc://hub.ipc
            data_dir: data
            keys_dir: keys
            agencies_file: \(repository)/config/agencies.yaml
            agreements_dir: \(repository)/config/agreements

            """.write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
            try "a register".write(toFile: "\(folder)/imports/processed/9262001-2025-ht1.xml", atomically: true, encoding: .utf8)
            try "Imported 30 pupils, 2 problems".write(toFile: "\(folder)/imports/processed/9262001-2025-ht1.xml.report.txt", atomically: true, encoding: .utf8)
            try "not a register".write(toFile: "\(folder)/imports/failed/notes.csv", atomically: true, encoding: .utf8)
            try "no laestab column".write(toFile: "\(folder)/imports/failed/notes.csv.error.txt", atomically: true, encoding: .utf8)

            let store = try HubStore(path: "\(folder)/data/hub.sqlite")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let yot = try #require(AgencyID("yot")), connexions = try #require(AgencyID("connexions"))
            try store.transaction { tx in
                func message(_ id: String, _ body: String) throws -> Int64 {
                    let envelope = #"{"id":"\#(id)","from":"npas","type":"yot.attendance-summary","subject":"half-term summary"}"#
                    let bytes = Array(body.utf8)
                    return try tx.insertMessage(
                        source: "npas", messageID: id, type: "yot.attendance-summary", envelope: Array(envelope.utf8), body: bytes,
                        bodyDigest: Digest.sha256Hex(bytes), receivedAt: now - 60_000, expiresAt: now + 86_400_000
                    ).sequence
                }
                let first = try message("msg-0001", #"{"upn":"\#(OperationsPagesTests.bodyUPN)"}"#)
                let second = try message("msg-0002", #"{"upn":"B926200125004"}"#)
                try tx.insertDeliveries(sequence: first, recipients: [yot, connexions])
                try tx.insertDeliveries(sequence: second, recipients: [yot])
                try tx.recordAttempt(recipient: yot, sequence: first)
                try tx.recordAttempt(recipient: connexions, sequence: first)
                _ = try tx.deadLetter(recipient: connexions, sequence: first, cause: .rejected, reason: "not on our caseload", at: now - 1_000)
                _ = try tx.append(AuditEvent(.accepted, at: now - 60_000, agency: "npas", messageID: "msg-0001", sequence: first))
                _ = try tx.append(AuditEvent(.adapterConnected, at: now - 30_000, agency: "yot", peer: "127.0.0.1"))
                _ = try tx.append(AuditEvent(.adapterGone, at: now - 20_000, agency: "connexions", peer: "127.0.0.1"))
                for (code, detail) in [
                    (0, #"{"agreement":"yot-protocol","flow":"caseload-attendance","fields_withheld":["/sen/status"]}"#),
                    (0, #"{"agreement":"yot-protocol","flow":"caseload-attendance"}"#),
                    (1, #"{"agreement":"yot-protocol","reasons":["yot-protocol/caseload-attendance: not in cohort"]}"#),
                ] {
                    _ = try tx.append(AuditEvent(.decision, at: now - 5_000, agency: "npas", type: "yot.attendance-summary", recipient: "yot", code: code, detail: detail))
                }
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func configure(_ configuration: inout ConsoleConfiguration) {
            configuration.hubConfig = "\(folder)/hub.yaml"
            configuration.hubStorePath = "\(folder)/data/hub.sqlite"
            configuration.importsDirectory = "\(folder)/imports"
        }
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test("the store's queues: backlog never sent, unacknowledged sent, dead letters, last seen from the audit log")
    func queues() throws {
        let hub = try Hub()
        let store = try HubStore(path: "\(hub.folder)/data/hub.sqlite", readOnly: true)
        let queues = try store.agencyQueues()
        #expect(queues.map(\.agency) == ["connexions", "npas", "yot"])
        #expect(queues.map(\.lastSeen).allSatisfy { $0 != nil })
        let yot = try #require(queues.last)
        #expect((yot.backlog, yot.unacknowledged, yot.deadLetters, yot.lastConnected) == (1, 1, 0, true))
        let connexions = try #require(queues.first)
        #expect((connexions.backlog, connexions.unacknowledged, connexions.deadLetters, connexions.lastConnected) == (0, 0, 1, false))
        let letters = try store.deadLetterRecords()
        #expect(letters.map(\.recipient) == ["connexions"] && letters.first?.cause == "rejected" && letters.first?.messageID == "msg-0001")
        let envelope = try #require(try store.storedEnvelope(sequence: 1))
        #expect(envelope.bodySize == #"{"upn":"A926200125003"}"#.utf8.count)
        #expect(envelope.deliveries.map(\.state) == ["dead", "pending"])
        withExtendedLifetime(hub) {}
    }

    @Test("the operator sees the agencies, dead letters, an envelope without its body, agreements and imports; others get 403")
    func pages() async throws {
        let hub = try Hub()
        let harness = try ConsoleHarness(configure: hub.configure)
        for (name, role) in [("ops.one", ConsoleRole.operator), ("esw.one", .esw), ("manager.one", .manager), ("ig.one", .ig)] {
            try await harness.addUser(name, role)
        }
        try await harness.application().test(.router) { client in
            let ops = try await harness.signIn(client, "ops.one")
            let home = Self.body(try await harness.get(client, "/", as: ops))
            #expect(home.contains("href=\"/operations/dead-letters\"") && home.contains("Schools&#39; imports"))

            let agencies = try await harness.get(client, "/operations", as: ops)
            #expect(agencies.status == .ok)
            let agenciesPage = Self.body(agencies)
            HTMLChecks.expectAccessible(agenciesPage)
            #expect(agenciesPage.contains("<td>yot</td>") && agenciesPage.contains("connected</strong>"))
            #expect(agenciesPage.contains("<td>1</td><td>1</td><td>0</td>"))
            #expect(agenciesPage.contains("<td>0</td><td>0</td><td><a href=\"/operations/dead-letters\">1</a></td>"))  // connexions  // yot: backlog, unacknowledged, dead letters

            let letters = Self.body(try await harness.get(client, "/operations/dead-letters", as: ops))
            HTMLChecks.expectAccessible(letters)
            #expect(letters.contains("<td>connexions</td>") && letters.contains("not on our caseload") && letters.contains("href=\"/operations/messages/1\""))

            let message = try await harness.get(client, "/operations/messages/1", as: ops)
            #expect(message.status == .ok)
            let messagePage = Self.body(message)
            HTMLChecks.expectAccessible(messagePage)
            #expect(messagePage.contains("msg-0001") && messagePage.contains("half-term summary") && messagePage.contains("\(#"{"upn":"A926200125003"}"#.utf8.count) bytes"))
            #expect(!messagePage.contains(Self.bodyUPN))
            #expect(try await harness.get(client, "/operations/messages/99", as: ops).status == .notFound)
            #expect(try await harness.get(client, "/operations/messages/one", as: ops).status == .notFound)

            let agreements = try await harness.get(client, "/operations/agreements", as: ops)
            #expect(agreements.status == .ok)
            let agreementsPage = Self.body(agreements)
            HTMLChecks.expectAccessible(agreementsPage)
            #expect(agreementsPage.contains("yot-protocol v2.1") && agreementsPage.contains("2027-05-31"))
            #expect(agreementsPage.contains("2 permitted, 1 minimised, 1 denied") && agreementsPage.contains("<td>caseload-attendance</td>"))
            #expect(agreementsPage.contains("0 permitted, 0 minimised, 0 denied"))  // the other agreements this month

            let imports = Self.body(try await harness.get(client, "/operations/imports", as: ops))
            HTMLChecks.expectAccessible(imports)
            #expect(imports.contains("9262001-2025-ht1.xml") && imports.contains("notes.csv") && !imports.contains(".report.txt</td>"))
            let report = Self.body(try await harness.get(client, "/operations/imports/processed/0", as: ops))
            #expect(report.contains("Imported 30 pupils, 2 problems"))
            #expect(Self.body(try await harness.get(client, "/operations/imports/failed/0", as: ops)).contains("no laestab column"))
            #expect(try await harness.get(client, "/operations/imports/processed/1", as: ops).status == .notFound)
            #expect(try await harness.get(client, "/operations/imports/..%2Fdata/0", as: ops).status == .notFound)

            for name in ["esw.one", "manager.one", "ig.one"] {
                let other = try await harness.signIn(client, name)
                for path in ["/operations", "/operations/dead-letters", "/operations/messages/1", "/operations/agreements", "/operations/imports"] {
                    #expect(try await harness.get(client, path, as: other).status == .forbidden, "\(name) \(path)")
                }
            }
        }
        withExtendedLifetime(hub) {}  // its deinit removes the folder
    }

    @Test("without hub_config or imports the pages say what to set (503)")
    func unconfigured() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("ops.one", .operator)
        try await harness.application().test(.router) { client in
            let ops = try await harness.signIn(client, "ops.one")
            for path in ["/operations", "/operations/dead-letters", "/operations/agreements", "/operations/imports"] {
                let response = try await harness.get(client, path, as: ops)
                #expect(response.status == .serviceUnavailable, "\(path)")
                HTMLChecks.expectAccessible(Self.body(response))
                #expect(Self.body(response).contains("console.yaml"), "\(path)")
            }
        }
    }

    @Test("console.yaml's imports key, resolved against its folder")
    func importsKey() throws {
        let configuration = try ConsoleConfiguration.parse("desk: desk\nstate: state\nimports: ../var/schools\n", file: "/srv/config/console.yaml")
        #expect(configuration.importsDirectory == "/srv/config/../var/schools")
    }
}
