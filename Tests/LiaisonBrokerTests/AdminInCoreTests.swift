import Foundation
import LiaisonConfig
import LiaisonProtocol
import LiaisonStore
import Testing

@testable import LiaisonBroker

/// The admin interface's decisions (docs/protocol.md, "Admin interface"), driven in memory.
@Suite("HubCore admin requests: status, replay, discard")
struct AdminInCoreTests {
    /// Parses an answer's JSON.
    static func json(_ bytes: [UInt8]?) throws -> [String: Any] {
        let bytes = try #require(bytes)
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any])
    }

    /// A harness with one dead letter for yot (sequence returned), yot still connected with credit 1.
    static func deadLetter() throws -> (CoreHarness, yot: RoutingID, sequence: Int64) {
        var hub = try CoreHarness()
        let npas = hub.connect("npas")
        let yot = hub.connect("yot", credit: 1)
        let tag = try #require(hub.send("m-1", type: "case.note", from: npas, as: "npas", to: ["yot"], body: HubCoreTests.body).deliveries.first?.tag)
        hub.receive(.nack(tag: tag, disposition: .reject, reason: "unreadable"), from: yot, as: "yot")
        #expect(hub.ledger.deadLetters.count == 1)
        return (hub, yot, tag)
    }

    @Test func statusListsSessionsWithCreditAndTheAgenciesBacklog() throws {
        var hub = try CoreHarness()
        _ = hub.connect("yot", credit: 7)
        let answer = try Self.json(hub.core.admin(Array(#"{"op":"status"}"#.utf8), time: hub.time))
        #expect(answer["ok"] as? Bool == true)
        let sessions = try #require(answer["sessions"] as? [[String: Any]])
        #expect(sessions.count == 1)
        #expect(sessions.first?["agency"] as? String == "yot")
        #expect(sessions.first?["credit"] as? Int == 7)
        #expect(sessions.first?["connected_since"] as? Int == Int(hub.time.wall))
        let agencies = try #require(answer["agencies"] as? [[String: Any]])
        #expect(agencies.count == CoreHarness.agencyIDs.count)
    }

    @Test func metricsAnswersWithTheTextTheLoopGivesAndChangesNothing() throws {
        var hub = try CoreHarness()
        let answer = try Self.json(hub.core.admin(Array(#"{"op":"metrics"}"#.utf8), time: hub.time, metrics: { "liaison_commits_total 3\n" }))
        #expect(answer["ok"] as? Bool == true)
        #expect(answer["op"] as? String == "metrics")
        #expect(answer["text"] as? String == "liaison_commits_total 3\n")
        #expect(hub.core.takeAdminAnswer() == nil, "answered at once, nothing waits for a commit")
    }

    @Test func replayPutsTheDeadLetterBackAndItIsDeliveredAgainWithAnAuditRecord() throws {
        var (hub, yot, sequence) = try Self.deadLetter()
        let request = #"{"op":"replay","sequence":\#(sequence),"recipient":"yot","by":"Ada Operator"}"#
        let immediate = hub.core.admin(Array(request.utf8), time: hub.time)
        #expect(immediate == nil, "answered only after its commit")
        let sent = hub.cycle()
        let answer = try Self.json(hub.core.takeAdminAnswer())
        #expect(answer["ok"] as? Bool == true)
        #expect(sent.deliveries.map(\.tag) == [sequence])
        #expect(sent.deliveries.first?.to == yot)
        #expect(hub.ledger.deadLetters.isEmpty)
        let audit = hub.ledger.events(.deadLetterReplayed)
        #expect(audit.count == 1)
        #expect(audit.first?.detail == "by Ada Operator")
        #expect(audit.first?.sequence == sequence)
        // A second replay finds nothing and is not audited.
        _ = hub.core.admin(Array(request.utf8), time: hub.time)
        _ = hub.cycle()
        let again = try Self.json(hub.core.takeAdminAnswer())
        #expect((again["error"] as? [String: Any])?["code"] as? String == "not_found")
        #expect(hub.ledger.events(.deadLetterReplayed).count == 1)
    }

    @Test func discardRemovesTheDeadLetterWithoutDeliveringIt() throws {
        var (hub, _, sequence) = try Self.deadLetter()
        let request = #"{"op":"discard","sequence":\#(sequence),"recipient":"yot","by":"Ada Operator"}"#
        let immediate = hub.core.admin(Array(request.utf8), time: hub.time)
        #expect(immediate == nil)
        let sent = hub.cycle()
        #expect(try Self.json(hub.core.takeAdminAnswer())["ok"] as? Bool == true)
        #expect(sent.deliveries.isEmpty)
        #expect(hub.ledger.deadLetters.isEmpty)
        #expect(hub.ledger.events(.deadLetterDiscarded).count == 1)
    }

    @Test func malformedRequestsAreAnsweredAtOnceWithACode() throws {
        var hub = try CoreHarness()
        for (request, code) in [
            ("not json", "bad_request"), (#"{"op":"reboot"}"#, "unknown_op"),
            (#"{"op":"replay","sequence":1,"recipient":"yot"}"#, "bad_request"),
            (#"{"op":"replay","sequence":1.5,"recipient":"yot","by":"a"}"#, "bad_request"),
            (#"{"op":"discard","sequence":1,"recipient":"nobody","by":"a"}"#, "not_found"),
        ] {
            let answer = try Self.json(hub.core.admin(Array(request.utf8), time: hub.time))
            #expect((answer["error"] as? [String: Any])?["code"] as? String == code, "\(request)")
        }
        #expect(!hub.core.hasPendingWork)
    }

    @Test func hubYamlReadsAnIpcAdminEndpointAndRefusesTcpWithItsLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("admin-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let base = "endpoint: tcp://127.0.0.1:5570\ndata_dir: data\nkeys_dir: keys\nagencies_file: agencies.yaml\n"
        try (base + "admin_endpoint: ipc://run/admin.ipc\n").write(toFile: "\(folder)/hub.yaml", atomically: true, encoding: .utf8)
        #expect(try HubConfiguration.load(path: "\(folder)/hub.yaml").adminEndpoint == "ipc://\(folder)/run/admin.ipc")
        try (base + "admin_endpoint: tcp://127.0.0.1:5571\n").write(toFile: "\(folder)/open.yaml", atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) { try HubConfiguration.load(path: "\(folder)/open.yaml") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("open.yaml:5"))
        #expect("\(error.map { "\($0)" } ?? "")".contains("ipc://"))
    }
}
