import Foundation
import LiaisonAdapterKit
import LiaisonProtocol
import LiaisonStore
import LiaisonStorePostgres
import LiaisonTestSupport
import Testing

/// `make failover-drill` (issue 16): two brokers on a PostgreSQL primary with a synchronous streaming standby
/// (scripts/postgres-cluster.sh --with-standby), under load. First the active broker is killed with kill -9; then,
/// in a second run, the primary database is lost and its standby promoted. Each time: nothing accepted is lost, a
/// re-sent message is held once, the log verifies on the survivor, and the longest pause in acceptance from the loss
/// on is printed. Runs only under the drill (it promotes the test cluster's standby).
@Suite(
    "Failover drill", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: ProcessInfo.processInfo.environment["LIAISON_FAILOVER_DRILL"] == "1", "make failover-drill runs this"))
struct FailoverDrillTests {
    static let environment = ProcessInfo.processInfo.environment
    /// Messages in each run, with 64 in flight at a time.
    static let total = Int(environment["LIAISON_DRILL_MESSAGES"] ?? "") ?? 10_000

    /// Both brokers' hub.yaml name the primary, then the standby (`store:` as a list), in a schema of the run's own.
    static func pair(_ name: String) async throws -> (TemporaryHub, urls: [String], active: BrokerProcess, standby: BrokerProcess) {
        let store = try PostgresTestDatabase.open(name)
        let schema = store.configuration.schema
        store.close()
        var urls = [PostgresTestDatabase.url(of: store)]
        if let standby = environment["LIAISON_TEST_POSTGRES_STANDBY_URL"] { urls.append("\(standby)&schema=\(schema)") }
        let hub = try TemporaryHub(extraConfig: "store:\n" + urls.map { "  - \"\($0)\"\n" }.joined())
        let active = BrokerProcess(hub: hub)
        try await active.start()
        let standby = BrokerProcess(
            hub: hub, name: "standby", configPath: try hub.standbyConfig(), arguments: ["--standby"])
        try await standby.start(until: "Standby")
        return (hub, urls, active, standby)
    }

    /// Streams `total` messages, calls `fail` once a quarter are accepted, and checks and reports the outcome.
    static func drill(_ name: String, loss: String, fail: (BrokerProcess, BrokerProcess) async throws -> Void) async throws {
        let (hub, urls, active, standby) = try await pair(name)
        defer { hub.remove() }
        let sender = try await hub.connectKnowingStandby("yot")
        let accepted = Acceptances([])
        let started = ContinuousClock.now
        let stream = streamAccepted(sender, total: total, prefix: name, accepted: accepted)
        while accepted.value.count < total / 4 { try await Task.sleep(for: .milliseconds(2)) }
        let elapsed = started.duration(to: .now).components
        let rate = Double(accepted.value.count) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        let lostAt = ContinuousClock.now
        let acceptedBefore = Set(accepted.value.map(\.id))
        try await fail(active, standby)
        try await stream.value
        // The outage: the longest pause from the loss on, between the loss and an acceptance or two acceptances (a
        // primary stopped mid-stream may still answer for its last moments, so the pause can come after a few).
        let times = [lostAt] + accepted.value.map(\.at).filter { $0 >= lostAt }.sorted()
        let pause = zip(times, times.dropFirst()).map { $0.duration(to: $1) }.max() ?? .zero
        let servedBy = active.log.contains("Lost the connection") && !standby.log.contains("Took over") ? "the active broker, reconnected"
            : standby.log.contains("Took over") ? "the standby broker" : "the active broker"
        let npas = try await hub.connectKnowingStandby("npas", credit: 512)
        let received = Set(await collect(npas, count: total, timeout: .seconds(120)).map(\.envelope.id))
        await sender.close()
        await npas.close()
        await active.stop()
        await standby.stop()
        #expect(received.count == total)
        // Checked on the survivor: the promoted standby when the primary was lost.
        try BrokerOnPostgresTests.checkStore(hub, urls: urls, ids: accepted.value.map(\.id), received: received)
        print("""
            FAILOVER DRILL (\(loss)): \(total) messages, \(acceptedBefore.count) accepted before the loss at \
            \(Int(rate)) msg/s; acceptance paused at most \(pause) from the loss on; served afterwards by \(servedBy); \
            all \(total) accepted and delivered, none lost, audit verified on the survivor
            """)
    }

    @Test func killingTheActiveBrokerUnderLoad() async throws {
        try await Self.drill("drill_kill", loss: "kill -9 of the active broker") { active, standby in
            await active.kill()
            try await standby.waitUntilRunning()
        }
    }

    @Test func losingThePrimaryDatabaseUnderLoad() async throws {
        let script = try #require(Self.environment["LIAISON_TEST_POSTGRES_FAILOVER"], "run under scripts/postgres-cluster.sh --with-standby")
        try await Self.drill("drill_promote", loss: "primary database stopped (immediate), standby promoted") { _, _ in
            let promote = try await ChildProcess.run("/bin/bash", [script], mergingErrors: true)
            print(promote.output.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(promote.status == 0)
        }
    }
}
