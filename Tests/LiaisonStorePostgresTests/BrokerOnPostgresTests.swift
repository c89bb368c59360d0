import Foundation
import LiaisonAdapterKit
import LiaisonProtocol
import LiaisonStore
import LiaisonStorePostgres
import LiaisonTestSupport
import MerkleLog
import Testing

/// The real broker, as a process, on a PostgreSQL store (`store:` in hub.yaml): two brokers on one database, one
/// holding the lease; the other takes over when the first is killed; a broker whose session is cut opens the store
/// again and carries on; nothing accepted is lost (docs/operations.md).
@Suite(
    "The broker on PostgreSQL", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: PostgresTestDatabase.enabled, "LIAISON_TEST_POSTGRES_URL is not set: make test-postgres runs these"))
struct BrokerOnPostgresTests {
    /// A hub whose store is a schema of its own in the test database, and a store opened on that schema for checks.
    static func hub(_ name: String) throws -> (TemporaryHub, url: String) {
        let store = try PostgresTestDatabase.open(name)
        let url = PostgresTestDatabase.url(of: store)
        store.close()
        return (try TemporaryHub(extraConfig: "store: \"\(url)\"\n"), url)
    }

    /// Checks the store after a run: every id is held once, the recipient received each, and the audit log verifies
    /// (every leaf recomputed from its row, every signed checkpoint's root).
    static func checkStore(_ hub: TemporaryHub, url: String, ids: [String], received: Set<String>) throws {
        try checkStore(hub, urls: [url], ids: ids, received: received)
    }

    /// As `checkStore(_:url:ids:received:)`, on whichever of `urls` is the writable primary (the survivor).
    static func checkStore(_ hub: TemporaryHub, urls: [String], ids: [String], received: Set<String>) throws {
        let store = try PostgresHubStore.open(urls: urls, lease: nil)
        defer { PostgresTestDatabase.drop(store) }
        for id in ids {
            #expect(try store.heldSequence(source: AgencyID("yot")!, messageID: id) != nil, "\(id) was accepted but is not in the store")
        }
        #expect(Set(ids).isSubset(of: received), "\(Set(ids).subtracting(received).count) accepted messages were never delivered")
        let key = try Checkpoint.loadPublicKey(path: "\(hub.keysDirectory)/checkpoint.pub")
        let verified = try store.verifyLeaves(publicKey: key)
        #expect(verified.problem == nil, "\(verified.problem ?? "")")
        #expect(try store.checkpointNotes().count > 0, "the brokers signed no checkpoint")
    }

    /// Ends the session holding the store's lease, as a database restart or a network cut would.
    static func cutSession(url: String) throws {
        let admin = try PostgresHubStore(url: url)
        let lock = admin.leaseLock
        try admin.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND classid = \(lock.classID) AND objid = \(lock.objectID) AND objsubid = 2
            """)
        admin.close()
    }

    @Test func aStandbyBrokerTakesTheLeaseWhenTheActiveIsKilledAndNothingAcceptedIsLost() async throws {
        let (hub, url) = try Self.hub("failover")
        defer { hub.remove() }
        let active = BrokerProcess(hub: hub)
        try await active.start()
        // Without --standby a second broker on the same database is refused at once, naming the reason.
        let refused = try await LiaisonExecutable.run(["broker", "--config", try hub.standbyConfig()])
        #expect(refused.status != 0 && refused.output.contains("Another broker is running on this store"), "\(refused.output)")
        let standby = BrokerProcess(hub: hub, name: "standby", configPath: try hub.standbyConfig(), arguments: ["--standby"])
        try await standby.start(until: "Standby")
        #expect(!FileManager.default.fileExists(atPath: "\(hub.directory)/standby.ipc"), "a standby binds nothing before it takes over")

        let sender = try await hub.connectKnowingStandby("yot")
        let total = 2000
        let accepted = Acceptances([])
        let stream = streamAccepted(sender, total: total, prefix: "pg-failover", accepted: accepted)
        while accepted.value.count < 500 { try await Task.sleep(for: .milliseconds(5)) }
        await active.kill()
        let killedAt = ContinuousClock.now
        let acceptedBeforeKill = Set(accepted.value.map(\.id))
        try await standby.waitUntilRunning()
        try await stream.value
        if let first = accepted.value.first(where: { !acceptedBeforeKill.contains($0.id) && $0.at > killedAt }) {
            print("PostgreSQL standby broker took over: first message accepted \(killedAt.duration(to: first.at)) after the kill")
        }
        let npas = try await hub.connectKnowingStandby("npas", credit: 256)
        let received = Set(await collect(npas, count: total, timeout: .seconds(60)).map(\.envelope.id))
        #expect(received.count == total)
        await sender.close()
        await npas.close()
        await standby.stop()
        #expect(standby.log.contains("Took over the store's lease"))
        try Self.checkStore(hub, url: url, ids: accepted.value.map(\.id), received: received)
    }

    @Test func aBrokerWhoseSessionIsCutOpensTheStoreAgainAndCarriesOn() async throws {
        let (hub, url) = try Self.hub("reconnect")
        defer { hub.remove() }
        let broker = BrokerProcess(hub: hub)
        try await broker.start()
        let sender = try await hub.connectKnowingStandby("yot")
        let total = 1500
        let accepted = Acceptances([])
        let stream = streamAccepted(sender, total: total, prefix: "pg-cut", accepted: accepted)
        while accepted.value.count < 400 { try await Task.sleep(for: .milliseconds(5)) }
        // As a database restart or a network cut would: the server ends the broker's session, and with it the lease.
        try Self.cutSession(url: url)
        try await stream.value
        #expect(broker.log.contains("Lost the connection to the hub's store"))
        let npas = try await hub.connectKnowingStandby("npas", credit: 256)
        let received = Set(await collect(npas, count: total, timeout: .seconds(60)).map(\.envelope.id))
        #expect(received.count == total)
        await sender.close()
        await npas.close()
        await broker.stop()
        try Self.checkStore(hub, url: url, ids: accepted.value.map(\.id), received: received)
    }

    @Test func aBrokerThatCannotStartAgainAfterLosingItsStoreFailsItsProcess() async throws {
        let (hub, url) = try Self.hub("restartfails")
        defer { hub.remove() }
        let broker = BrokerProcess(hub: hub)
        try await broker.start()
        // The hub's key goes missing while it runs, so that opening the store again is followed by a failed start.
        try FileManager.default.removeItem(atPath: "\(hub.keysDirectory)/hub.key")
        try Self.cutSession(url: url)
        // A supervisor restarts a process that failed, and its operator reads why: the start-up's own error.
        let status = await broker.waitForExit()
        #expect(status != nil && status != 0, "the broker ended with status \(status.map(String.init) ?? "none")")
        #expect(broker.log.contains("Lost the connection to the hub's store"))
        let lastWords = broker.log.split(separator: "\n").filter { $0.hasPrefix("Error: broker:") }
        #expect(lastWords.contains { $0.contains("Generate the hub's keys") }, "\(broker.log.suffix(600))")
        let store = try PostgresHubStore.open(urls: [url], lease: nil)
        PostgresTestDatabase.drop(store)
    }

    @Test func anInformationGovernanceOfficerPlacesAndReleasesALegalHoldOnThePostgreSQLStore() async throws {
        let (hub, url) = try Self.hub("holds")
        defer { hub.remove() }
        _ = try PseudonymKeyFile.loadOrCreate(path: "\(hub.keysDirectory)/pseudonym.key")
        let hold = try await LiaisonExecutable.run(
            ["audit", "hold", "--config", hub.configPath, "--upn", "Q926200024001", "--reference", "SAR-2026-014"])
        #expect(hold.status == 0 && hold.output.contains("Legal hold SAR-2026-014 placed"), "\(hold.output)")
        let holds = try await LiaisonExecutable.run(["audit", "holds", "--config", hub.configPath])
        #expect(holds.output.contains("SAR-2026-014"), "\(holds.output)")
        #expect(!holds.output.contains("Q926200024001"), "the UPN never leaves the command")
        let release = try await LiaisonExecutable.run(
            ["audit", "release", "--config", hub.configPath, "--upn", "Q926200024001", "--reference", "SAR-2026-014-closed"])
        #expect(release.status == 0 && release.output.contains("released"), "\(release.output)")
        // A command that reads only SQLite says so, rather than read (or create) a SQLite file beside the hub's real store.
        let tail = try await LiaisonExecutable.run(["audit", "tail", "--config", hub.configPath])
        #expect(tail.status != 0 && tail.output.contains("this hub's store is on PostgreSQL"), "\(tail.output)")
        #expect(!FileManager.default.fileExists(atPath: hub.databasePath), "no SQLite store was made")

        let store = try PostgresHubStore(url: url)
        defer { PostgresTestDatabase.drop(store) }
        #expect(try store.legalHolds().isEmpty)
        let head = try store.treeHead()
        #expect(head.size == 2, "the hold and its release are in the PostgreSQL store's audit log")

        // The hold's entry is provable from the PostgreSQL store, against its root.
        let proof = try await LiaisonExecutable.run(["audit", "proof", "--config", hub.configPath, "--entry", "1"])
        #expect(proof.status == 0, "\(proof.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(proof.output.utf8)) as? [String: Any])
        func bytes(_ hex: String) -> [UInt8] {
            stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
        }
        let path = (json["inclusion_proof"] as? [String] ?? []).map(bytes)
        #expect(json["root"] as? String == head.root.map { String(format: "%02x", $0) }.joined())
        #expect(MerkleTree.verifyInclusion(
            leafHash: bytes(json["leaf_hash"] as? String ?? ""), index: 0, size: 2, proof: path, root: head.root))
        #expect((json["leaf"] as? String)?.contains("SAR-2026-014") == true)
    }
}
