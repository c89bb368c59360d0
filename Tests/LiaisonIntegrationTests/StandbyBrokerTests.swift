import Foundation
import GRDB
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// A standby broker (`liaison broker --standby`) on the same store: it waits while the active broker holds the store's
/// lease and takes over when that one is killed; adapters given both endpoints (`standby_endpoints`) move to it, and
/// nothing accepted is lost (docs/operations.md, "A standby broker").
@Suite("A standby broker takes over", .timeLimit(.minutes(3)), .realProcesses(.long))
struct StandbyBrokerTests {
    /// The active broker, running, and a standby on the same store, waiting for the lease.
    static func startPair(_ hub: TemporaryHub) async throws -> (active: BrokerProcess, standby: BrokerProcess) {
        let active = BrokerProcess(hub: hub)
        try await active.start()
        let standby = BrokerProcess(hub: hub, name: "standby", configPath: try hub.standbyConfig(), arguments: ["--standby"])
        try await standby.start(until: "Standby")
        return (active, standby)
    }

    @Test func theStandbyTakesOverWhenTheActiveBrokerIsKilledAndNothingAcceptedIsLost() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let (active, standby) = try await Self.startPair(hub)
        #expect(!FileManager.default.fileExists(atPath: "\(hub.directory)/standby.ipc"), "a standby binds nothing before it takes over")

        let sender = try await hub.connectKnowingStandby("yot")
        // The kill comes a third of the way in, with 64 in flight: accepted before it, unanswered at it, and sent after.
        let total = 1500
        let accepted = Acceptances([])
        let stream = streamAccepted(sender, total: total, prefix: "failover", accepted: accepted)
        while accepted.value.count < 500 { try await Task.sleep(for: .milliseconds(5)) }
        await active.kill()
        let killedAt = ContinuousClock.now
        let acceptedBeforeKill = Set(accepted.value.map(\.id))
        try await standby.waitUntilRunning()
        try await stream.value  // the sender moves to the standby's endpoint and re-sends what was unanswered

        // The time from the kill to the first message the new broker accepted (reported, not asserted: a benchmark's
        // business, and `make failover-drill`'s).
        if let first = accepted.value.first(where: { !acceptedBeforeKill.contains($0.id) && $0.at > killedAt }) {
            print("standby took over: first message accepted \(killedAt.duration(to: first.at)) after the kill")
        }
        let npas = try await hub.connectKnowingStandby("npas", credit: 256)
        let deliveries = await collect(npas, count: total, timeout: .seconds(60))
        let received = Set(deliveries.map(\.envelope.id))
        #expect(acceptedBeforeKill.isSubset(of: received), "\(acceptedBeforeKill.subtracting(received).count) accepted messages were lost")
        #expect(received.count == total)
        await sender.close()
        await npas.close()
        await standby.stop()
        #expect(standby.log.contains("Took over the store's lease"))

        let queue = try DatabaseQueue(path: hub.databasePath)
        let messages = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") }
        #expect(messages == total, "a re-sent message was stored twice")
        let verify = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test func aStandbyThatIsStoppedWhileWaitingExitsCleanlyAndTheActiveKeepsRunning() async throws {
        let hub = try TemporaryHub()
        defer { hub.remove() }
        let (active, standby) = try await Self.startPair(hub)
        await standby.stop()
        #expect(!standby.log.contains("Broker running"))
        // Without --standby a second broker is refused at once, naming the reason.
        let refused = try await LiaisonExecutable.run(["broker", "--config", try hub.standbyConfig()])
        #expect(refused.status != 0 && refused.output.contains("Another broker is running on this store"))
        let sender = try await hub.connect("yot")
        _ = try await sender.send(type: "test.message", to: ["npas"], body: Array("{}".utf8))
        await sender.close()
        await active.stop()
    }
}
