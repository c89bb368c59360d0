import Foundation
import GRDB
import LiaisonAdapterKit
import LiaisonStore
import LiaisonTestSupport
import Testing

@Suite("Crash recovery", .timeLimit(.minutes(3)), .realProcesses(.long))
struct CrashRecoveryTests {
    @Test func everyAcceptedMessageIsDeliveredAfterTheBrokerIsKilledMidStream() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let broker = BrokerProcess(hub: hub)
        try await broker.start()
        let sender = try await hub.connect("yot")
        let total = 1500
        let acceptedIDs = Locked<[String]>([])

        // Stream messages; each id is recorded only once the hub has said ACCEPTED.
        let stream = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<total {
                    if index >= 64 { try await group.next() }
                    group.addTask {
                        let id = "crash-\(index)"
                        _ = try await sender.send(type: "test.message", to: ["npas"], body: Array("{\"n\":\(index)}".utf8), id: id)
                        acceptedIDs.withLock { $0.append(id) }
                    }
                }
                try await group.waitForAll()
            }
        }
        // Kill the broker a third of the way through, with 64 sends in flight.
        while acceptedIDs.value.count < 500 { try await Task.sleep(for: .milliseconds(5)) }
        await broker.kill()
        let acceptedBeforeCrash = Set(acceptedIDs.value)
        try await Task.sleep(for: .milliseconds(300))
        try await broker.start()
        try await stream.value  // the adapter kit reconnects and re-sends what was unanswered

        let npas = try await hub.connect("npas", credit: 256)
        let deliveries = await collect(npas, count: total, timeout: .seconds(60))
        let received = Set(deliveries.map(\.envelope.id))
        #expect(acceptedBeforeCrash.isSubset(of: received), "\(acceptedBeforeCrash.subtracting(received).count) accepted messages were lost")
        #expect(received == Set(acceptedIDs.value))
        #expect(received.count == total)
        await sender.close()
        await npas.close()
        await broker.stop()

        // The audit log survived intact: SQLite's own check, and every accepted message recorded once.
        let queue = try DatabaseQueue(path: hub.databasePath)
        #expect(try await queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        let acceptedRows = try await queue.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT message_id) FROM audit_log WHERE kind = 'accepted'")
        }
        #expect(acceptedRows == total)
        let messages = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") }
        #expect(messages == total, "a re-sent message was stored twice")
    }
}
