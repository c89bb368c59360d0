import Foundation
import GRDB
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// The short form of `make chaos` (scripts/chaos.py): kill -9 the broker twice and the receiving agency's
/// process once while messages stream, restart each, and check that nothing accepted was lost. The crash
/// recovery suite kills the broker once with the recipient offline; this kills the recipient too, mid-delivery,
/// so redelivery of unacknowledged messages (at-least-once, under the same id) is on the path.
@Suite("Chaos, short form", .timeLimit(.minutes(2)), .realProcesses(.long))
struct ChaosTests {
    /// `liaison listen --as npas --out DIR`: a real recipient process that acknowledges each body only once it
    /// is on disk as DIR/SEQUENCE.body.
    final class Listener: @unchecked Sendable {
        // @unchecked: `process` is only touched by the test that owns this object, one call at a time.
        let hub: TemporaryHub
        let out: String
        private var process: Process?

        init(hub: TemporaryHub) {
            self.hub = hub
            out = "\(hub.directory)/received"
        }

        func start() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try LiaisonExecutable.path())
            process.arguments = ["listen", "--config", hub.configPath, "--as", "npas", "--out", out, "--log-level", "warning"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.environment = ChildProcess.environment()
            try process.run()
            self.process = process
        }

        /// Kills the listener with SIGKILL and waits (off the cooperative pool) until it is gone.
        func kill() async {
            guard let process else { return }
            self.process = nil
            Foundation.kill(process.processIdentifier, SIGKILL)
            _ = await process.exitStatus()
        }

        /// The message ids of the bodies written so far (each body names its id), with how many files hold each.
        func received() -> [String: Int] {
            var ids: [String: Int] = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where name.hasSuffix(".body") {
                guard let data = FileManager.default.contents(atPath: "\(out)/\(name)"),
                    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let id = object["id"] as? String
                else { continue }
                ids[id, default: 0] += 1
            }
            return ids
        }

        deinit {
            guard let process, process.isRunning else { return }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.reapInBackground()
        }
    }

    @Test func nothingAcceptedIsLostWhenTheBrokerAndTheRecipientAreKilled() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let broker = BrokerProcess(hub: hub)
        try await broker.start()
        let listener = Listener(hub: hub)
        try listener.start()
        let sender = try await hub.connect("yot")
        let total = 1200
        let accepted = Locked<[String]>([])

        // Stream messages, 32 in flight; an id is recorded only once the hub has said ACCEPTED.
        let stream = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<total {
                    if index >= 32 { try await group.next() }
                    group.addTask {
                        let id = "chaos-\(index)"
                        _ = try await sender.send(type: "test.message", to: ["npas"], body: Array("{\"id\":\"\(id)\"}".utf8), id: id)
                        accepted.withLock { $0.append(id) }
                    }
                }
                try await group.waitForAll()
            }
        }
        func waitUntilAccepted(_ count: Int) async throws {
            while accepted.value.count < count { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await waitUntilAccepted(250)
        await broker.kill()
        try await Task.sleep(for: .milliseconds(200))
        try await broker.start()
        try await waitUntilAccepted(500)
        await listener.kill()  // with deliveries written but not yet acknowledged, and others in flight
        try await Task.sleep(for: .milliseconds(200))
        try listener.start()
        try await waitUntilAccepted(800)
        await broker.kill()
        let acceptedBeforeSecondKill = Set(accepted.value)
        try await Task.sleep(for: .milliseconds(200))
        try await broker.start()
        try await stream.value  // the adapter kit reconnects and re-sends what was unanswered

        let deadline = ContinuousClock.now + .seconds(30)
        while listener.received().count < total, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let received = listener.received()
        #expect(acceptedBeforeSecondKill.isSubset(of: received.keys), "accepted before the broker's second kill, then lost")
        #expect(Set(received.keys) == Set(accepted.value), "\(Set(accepted.value).subtracting(received.keys).count) accepted messages never arrived")
        #expect(received.count == total)
        // A message is written once per delivery tag (the hub's sequence), so a redelivery rewrites its own file.
        #expect(received.values.allSatisfy { $0 == 1 }, "a message arrived under two sequences: stored twice")
        await sender.close()

        // Settled in the store: every delivery acknowledged, redeliveries only under the message's own id.
        let queue = try DatabaseQueue(path: hub.databasePath)
        var pending = -1
        for _ in 0..<50 {
            pending = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM deliveries WHERE state != 'acknowledged'") } ?? -1
            if pending == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(pending == 0, "deliveries not acknowledged at the end")
        let foreignIDs = try await queue.read {
            try Int.fetchOne($0, sql: """
                SELECT COUNT(*) FROM audit_log a JOIN messages m ON m.sequence = a.sequence
                WHERE a.kind = 'delivered' AND a.message_id IS NOT NULL AND a.message_id != m.message_id
                """)
        }
        #expect(foreignIDs == 0)
        #expect(try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") } == total)
        await listener.kill()
        await broker.stop()
        let verify = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
