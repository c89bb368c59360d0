import CZeroMQ
import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonTestSupport
import Testing
import ZeroMQ

@testable import LiaisonConsole

/// The broker's admin interface (docs/protocol.md, "Admin interface") through the real broker process.
@Suite("The broker's admin interface", .timeLimit(.minutes(2)), .realProcesses)
struct AdminInterfaceTests {
    /// One request over a REQ socket, bounded by a receive timeout; the answer's JSON.
    static func ask(_ endpoint: String, _ request: String) throws -> [String: Any] {
        let context = ZeroMQContext(ioThreads: 1)
        defer { context.terminate() }
        let socket = try ZeroMQSocket(context: context, type: .req)
        defer { socket.close() }
        try socket.setOption(ZMQ_RCVTIMEO, 10_000)
        try socket.setOption(ZMQ_LINGER, 0)
        try socket.connect(endpoint)
        try socket.send([Array(request.utf8)])
        let received = try socket.receive()
        let answer = try #require(received?.frames.first, "no answer from \(endpoint)")
        let object = try JSONSerialization.jsonObject(with: Data(answer))
        return try #require(object as? [String: Any])
    }

    @Test func statusShowsACreditAndReplayRedeliversADeadLetterWithAnAuditRecord() async throws {
        let running = try await RunningHub.start(extraConfig: "admin_endpoint: ipc://admin/admin.ipc\n")
        defer { running.finish() }
        let endpoint = "ipc://\(running.hub.directory)/admin/admin.ipc"
        let mode = try FileManager.default.attributesOfItem(atPath: "\(running.hub.directory)/admin/admin.ipc")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let sender = try await running.hub.connect("yot")
        let accepted = try await sendMany(sender, count: 1, to: ["npas"], window: 1)
        let npas = try await running.hub.connect("npas", credit: 3)
        let first = await collect(npas, count: 1, ack: false)
        #expect(first.first?.envelope.id == accepted[0])
        npas.nack(first[0], .reject, reason: "cannot read this")
        let dead = try #require(try await running.waitForAudit { $0.event.kind == .deadLettered })
        let sequence = try #require(dead.event.sequence)

        let status = try Self.ask(endpoint, #"{"op":"status"}"#)
        let sessions = try #require(status["sessions"] as? [[String: Any]])
        let npasSession = try #require(sessions.first { $0["agency"] as? String == "npas" })
        #expect(npasSession["credit"] as? Int == 3)

        // The metrics are the registry's Prometheus text: the dead letter is counted by its cause.
        let metrics = try Self.ask(endpoint, #"{"op":"metrics"}"#)
        let text = try #require(metrics["text"] as? String)
        #expect(text.contains(#"liaison_dead_letters_total{cause="rejected"} 1"#), "\(text)")

        // The console's client reads the real broker's answers (the console's own tests use a stand-in).
        let client = HubAdminClient(endpoint: endpoint)
        let live = try client.status()
        #expect(live.sessions.first { $0.agency == "npas" }?.credit == 3)
        #expect(live.agencies.first { $0.agency == "npas" }?.sessions == 1)
        let parsed = PrometheusText(try client.metrics())
        #expect(parsed.value(HubMetricsView.Name.deadLetters, ["cause": "rejected"]) == 1)
        #expect(parsed.value(HubMetricsView.Name.accepted) == 1)
        #expect(parsed.value("\(HubMetricsView.Name.commitDuration)_count") ?? 0 > 0)

        let replayed = try Self.ask(endpoint, #"{"op":"replay","sequence":\#(sequence),"recipient":"npas","by":"Test Operator"}"#)
        #expect(replayed["ok"] as? Bool == true, "\(replayed)")
        let again = await collect(npas, count: 1, timeout: .seconds(10))
        #expect(again.first?.envelope.id == accepted[0])
        let record = try await running.waitForAudit { $0.event.kind == .deadLetterReplayed }
        #expect(record?.event.detail == "by Test Operator")
        #expect(try HubStore(path: running.hub.databasePath, readOnly: true).deadLetterRecords().isEmpty)

        let twice = try Self.ask(endpoint, #"{"op":"discard","sequence":\#(sequence),"recipient":"npas","by":"Test Operator"}"#)
        #expect((twice["error"] as? [String: Any])?["code"] as? String == "not_found")
        await sender.close()
        await npas.close()
    }
}
