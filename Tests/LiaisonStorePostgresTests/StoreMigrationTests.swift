import Crypto
import Foundation
import LiaisonProtocol
import LiaisonStore
import LiaisonStorePostgres
import LiaisonTestSupport
import MerkleLog
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `liaison store migrate` (issue 16): a SQLite store copied into an empty PostgreSQL store has the same rows, the same
/// audit tree and checkpoints, and every proof from one verifies against the other's checkpoint; a copy into a store
/// that holds anything is refused, and a copy that fails leaves nothing behind.
@Suite("Moving a hub's store from SQLite to PostgreSQL", .serialized,
    .enabled(if: PostgresTestDatabase.enabled, "LIAISON_TEST_POSTGRES_URL is not set: make test-postgres runs these"))
struct StoreMigrationTests {
    typealias Scenario = StoreConformanceTests

    /// A SQLite hub store in a new folder: the conformance scenario (messages, resends, dead letters, replays, cohorts,
    /// subtrees), then `messages` more in batches of 100 to the council and the police with decisions and subjects,
    /// the police's acknowledged, a checkpoint after each batch, and a legal hold.
    static func sqliteStore(messages: Int, key: Curve25519.Signing.PrivateKey, in given: String? = nil) throws -> (folder: String, store: HubStore) {
        let folder = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("liaison-migrate-\(UUID().uuidString.prefix(8))").path
        let store = try HubStore(path: "\(folder)/hub.sqlite")
        for batch in Scenario.batches { _ = try store.commit(batch.operations, at: batch.at) }
        try store.writeCheckpoint(origin: "liaison-hub", key: key, at: 4_500)
        var at: Int64 = 10_000
        for start in stride(from: 0, to: messages, by: 100) {
            let plans = (start..<min(start + 100, messages)).map { index in
                Scenario.plan(
                    "m-\(index)", to: [Scenario.council, Scenario.police], at: at, decisionFor: Scenario.council,
                    subjects: ["ps-\(index % 7)"])
            }
            let result = try store.commit(plans.map { .insert($0) }, at: at)
            at += 500
            let acknowledgements: [StoreOperation] = result.stored.sorted { $0.key < $1.key }.map(\.value).flatMap { stored -> [StoreOperation] in
                [.acknowledge(Scenario.delivery(Scenario.police, stored.sequence)),
                 .audit(Scenario.event(.acknowledged, at: at, agency: Scenario.police, sequence: stored.sequence))]
            }
            _ = try store.commit(acknowledgements, at: at)
            try store.writeCheckpoint(origin: "liaison-hub", key: key, at: at)
            at += 500
        }
        _ = try store.transaction { transaction in try transaction.placeHold(pseudonym: "ps-3", reference: "HOLD-1", at: at) }
        return (folder, store)
    }

    @Test("Every table copied, the same tree, checkpoints and answers; proofs verify across; a second copy refused")
    func migrate() throws {
        let key = Curve25519.Signing.PrivateKey()
        let (folder, sqlite) = try Self.sqliteStore(messages: 300, key: key)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = try PostgresTestDatabase.open("migrate")
        defer { PostgresTestDatabase.drop(target) }

        let source = try HubStore(path: sqlite.path, readOnly: true)
        let report = try PostgresHubStore.importStore(from: source, into: target.configuration, batchRows: 128)

        // What was copied is what the source holds, table by table, and none is left out.
        let read = try source.export { _, _ in }
        #expect(report.rows.map(\.table) == StoreTable.all.map(\.name))
        for row in report.rows {
            #expect(row.count == read.rows[row.table], "\(row.table)")
            #expect(row.count > 0, "the scenario fills \(row.table)")
        }
        #expect(read.rows["messages"] ?? 0 > 300 && read.rows["audit_log"] ?? 0 > 900)

        let head = try sqlite.treeHead()
        #expect(report.treeSize == head.size && report.treeRoot == head.root)
        let copy = try PostgresHubStore(configuration: target.configuration)
        defer { copy.close() }
        let copyHead = try copy.treeHead()
        #expect(copyHead.size == head.size && copyHead.root == head.root)
        #expect(copy.frontier == sqlite.frontier, "the copy's edge, rebuilt from its stored subtrees")
        let notes = try sqlite.checkpointNotes()
        #expect(notes.count == 4 && report.checkpoints == 4)
        #expect(try copy.checkpointNotes() == notes)
        let verified = try copy.verifyLeaves(publicKey: key.publicKey)
        #expect(verified.problem == nil && verified.entries == head.size && verified.root == head.root)
        #expect(try copy.checkStoredTree().problem == nil)

        // The broker's reads give the same answers on the copy.
        for recipient in [Scenario.council, Scenario.police] {
            #expect(try copy.pendingDeliveries(recipient: recipient, after: 0, limit: 1_000) == sqlite.pendingDeliveries(recipient: recipient, after: 0, limit: 1_000))
        }
        #expect(try copy.pendingDeliveryCounts() == sqlite.pendingDeliveryCounts())
        #expect(try copy.pendingDeliveryCounts()["council"] == 301)
        #expect(try copy.cohorts() == sqlite.cohorts())
        #expect(try copy.deadLetterRecords() == sqlite.deadLetterRecords())
        let held = try #require(try copy.heldSequence(source: Scenario.schools, messageID: "m-299"))
        let heldOnSQLite = try #require(try sqlite.heldSequence(source: Scenario.schools, messageID: "m-299"))
        #expect(held.sequence == heldOnSQLite.sequence && held.recipients == heldOnSQLite.recipients)

        // Every proof from SQLite verifies against PostgreSQL's latest signed checkpoint, and the other way round; and a
        // consistency proof from SQLite links PostgreSQL's first checkpoint to its latest.
        let checkpoints = try copy.checkpointNotes().map { try Checkpoint.verify(note: $0, publicKey: key.publicKey) }
        let latest = try #require(checkpoints.last)
        let first = try #require(checkpoints.first)
        for entry in [1, 2, 16, 17, 64, 65, 500, Int64(latest.size)] as [Int64] {
            let fromSQLite = try sqlite.inclusionProof(entry: entry, size: latest.size)
            #expect(MerkleTree.verifyInclusion(
                leafHash: fromSQLite.leaf, index: Int(entry) - 1, size: latest.size, proof: fromSQLite.path, root: latest.root), "entry \(entry)")
            let fromPostgres = try copy.inclusionProof(entry: entry, size: latest.size)
            #expect(fromPostgres.leaf == fromSQLite.leaf && fromPostgres.path == fromSQLite.path && fromPostgres.root == latest.root)
        }
        let consistency = try sqlite.consistencyProof(old: first.size, new: latest.size)
        #expect(MerkleTree.verifyConsistency(
            oldSize: first.size, newSize: latest.size, oldRoot: first.root, newRoot: latest.root, proof: consistency.path))
        #expect(try copy.treeRoot(size: first.size) == first.root)

        // The copy goes on where SQLite stopped: the same next commit gives the same tree on both.
        let next: [StoreOperation] = [.insert(Scenario.plan("after-1", to: [Scenario.council], at: 900_000))]
        #expect(try copy.commit(next, at: 900_000) == sqlite.commit(next, at: 900_000))
        #expect(try copy.treeHead().root == sqlite.treeHead().root)

        // A second copy into the same store is refused, naming why, and changes nothing.
        let refused = #expect(throws: StoreError.self) {
            _ = try PostgresHubStore.importStore(from: source, into: target.configuration)
        }
        #expect(refused?.message.contains("is not empty (its messages table holds 307 rows)") == true, "\(String(describing: refused))")
        #expect(try copy.treeHead().size == head.size + 1)
    }

    @Test("A copy that fails part way leaves the target empty: the next copy goes through")
    func failedCopyRollsBack() throws {
        let key = Curve25519.Signing.PrivateKey()
        let (folder, sqlite) = try Self.sqliteStore(messages: 100, key: key)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = try PostgresTestDatabase.open("migrate_rollback")
        defer { PostgresTestDatabase.drop(target) }
        // The messages, deliveries, dead letters and cohorts go in; audit entry 50 does not.
        try target.execute("ALTER TABLE audit_log ADD CONSTRAINT test_refuses CHECK (entry < 50)")
        let failed = #expect(throws: StoreError.self) {
            _ = try PostgresHubStore.importStore(from: sqlite, into: target.configuration)
        }
        #expect(failed?.message.contains("nothing was copied") == true && failed?.message.contains("23514") == true, "\(String(describing: failed))")
        try target.execute("ALTER TABLE audit_log DROP CONSTRAINT test_refuses")
        let report = try PostgresHubStore.importStore(from: sqlite, into: target.configuration)
        #expect(report.treeSize == (try sqlite.treeHead()).size)
    }

    @Test("An empty SQLite store copies to an empty tree")
    func emptyStore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-migrate-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sqlite = try HubStore(path: "\(folder)/hub.sqlite")
        let target = try PostgresTestDatabase.open("migrate_empty")
        defer { PostgresTestDatabase.drop(target) }
        let report = try PostgresHubStore.importStore(from: sqlite, into: target.configuration)
        #expect(report.treeSize == 0 && report.rows.allSatisfy { $0.count == 0 } && report.checkpoints == 0)
    }

    @Test("liaison store migrate and audit verify --store, as processes: refused beside a broker, copied, verified, tampering found")
    func commandLine() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let (folder, _) = try Self.sqliteStore(messages: 2_000, key: key)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let publicKeyPath = "\(folder)/checkpoint.pub"
        try key.publicKey.rawRepresentation.base64EncodedString().write(toFile: publicKeyPath, atomically: true, encoding: .utf8)
        let target = try PostgresTestDatabase.open("migrate_cli")
        defer { PostgresTestDatabase.drop(target) }
        let url = try #require(PostgresTestDatabase.url) + "&schema=\(target.configuration.schema)"
        let head = try HubStore(path: "\(folder)/hub.sqlite", readOnly: true).treeHead()

        // A broker's lease held (here by this process): refused, nothing copied.
        let fd = open("\(folder)/broker.lock", O_RDWR | O_CREAT, 0o600)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        _ = "\(getpid())\n".withCString { write(fd, $0, strlen($0)) }
        let refused = try await LiaisonExecutable.run(["store", "migrate", "--from", folder, "--to", url])
        flock(fd, LOCK_UN)
        close(fd)
        #expect(refused.status != 0)
        #expect(refused.output.contains("a broker (process \(getpid())) is running on this store: stop it first"), "\(refused.output)")
        #expect(try target.treeHead().size == 0)

        let migrated = try await LiaisonExecutable.run(["store", "migrate", "--from", folder, "--to", url, "--key", publicKeyPath])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(migrated.output.contains("audit tree: \(head.size) entries, root \(Digest.hex(head.root))"), "\(migrated.output)")
        #expect(migrated.output.contains("messages       2006"), "\(migrated.output)")
        #expect(migrated.output.contains("verified: every entry matches its leaf, 21 signed checkpoints checked"), "\(migrated.output)")
        print("store migrate, \(head.size) audit entries:\n\(migrated.output)")

        let again = try await LiaisonExecutable.run(["store", "migrate", "--from", folder, "--to", url])
        #expect(again.status != 0)
        #expect(again.output.contains("is not empty"), "\(again.output)")

        let verified = try await LiaisonExecutable.run(["audit", "verify", "--store", url, "--key", publicKeyPath])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("OK: \(head.size) entries, tree root \(Digest.hex(head.root))\n21 signed checkpoints checked"), "\(verified.output)")

        // hub.yaml's store: naming the PostgreSQL store, and its keys_dir holding the checkpoint key: no --store, no --key.
        let hub = try TemporaryHub(agencies: ["police"], extraConfig: "store: \"\(url)\"\n")
        defer { try? FileManager.default.removeItem(atPath: hub.directory) }
        try FileManager.default.copyItem(atPath: publicKeyPath, toPath: "\(hub.keysDirectory)/checkpoint.pub")
        let fromConfig = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath])
        #expect(fromConfig.status == 0, "\(fromConfig.output)")
        #expect(fromConfig.output.contains("OK: \(head.size) entries, tree root \(Digest.hex(head.root))"), "\(fromConfig.output)")

        // An entry changed behind the triggers' back (by the schema's owner): named, exit 1.
        try target.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        try target.execute("UPDATE audit_log SET detail = 'altered' WHERE entry = 40")
        let broken = try await LiaisonExecutable.run(["audit", "verify", "--store", url, "--key", publicKeyPath])
        #expect(broken.status == 1)
        #expect(broken.output.contains("BROKEN: audit entry 40 does not match its leaf"), "\(broken.output)")
    }

    @Test("audit verify --key on the SQLite store: the given key checks the checkpoints, a wrong one is refused")
    func sqliteVerifyKey() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let hub = try TemporaryHub(agencies: ["police"])
        defer { try? FileManager.default.removeItem(atPath: hub.directory) }
        _ = try Self.sqliteStore(messages: 100, key: key, in: "\(hub.directory)/data")
        let keyPath = "\(hub.directory)/elsewhere.pub"
        try key.publicKey.rawRepresentation.base64EncodedString().write(toFile: keyPath, atomically: true, encoding: .utf8)
        let wrongPath = "\(hub.directory)/wrong.pub"
        try Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString().write(toFile: wrongPath, atomically: true, encoding: .utf8)

        let withKey = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath, "--key", keyPath])
        #expect(withKey.status == 0 && withKey.output.contains("2 signed checkpoints checked"), "\(withKey.output)")
        let withoutKey = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath])
        #expect(withoutKey.status == 0 && withoutKey.output.contains("signed checkpoints not checked"), "\(withoutKey.output)")
        let wrong = try await LiaisonExecutable.run(["audit", "verify", "--config", hub.configPath, "--key", wrongPath])
        #expect(wrong.status == 1 && wrong.output.contains("BROKEN: a checkpoint is not valid"), "\(wrong.output)")
    }

    /// How long a larger copy takes (docs/operations.md's figure): `LIAISON_MIGRATE_MESSAGES=N` messages, each with two
    /// deliveries, three audit entries and a subject row. Off unless the variable is set.
    @Test("A larger copy through the command, timed", .enabled(if: ProcessInfo.processInfo.environment["LIAISON_MIGRATE_MESSAGES"] != nil))
    func timedCopy() async throws {
        let messages = Int(ProcessInfo.processInfo.environment["LIAISON_MIGRATE_MESSAGES"] ?? "") ?? 20_000
        let key = Curve25519.Signing.PrivateKey()
        let built = ContinuousClock.now
        let (folder, _) = try Self.sqliteStore(messages: messages, key: key)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let target = try PostgresTestDatabase.open("migrate_timed")
        defer { PostgresTestDatabase.drop(target) }
        let url = try #require(PostgresTestDatabase.url) + "&schema=\(target.configuration.schema)"
        print("SQLite store of \(messages) messages built in \(ContinuousClock.now - built)")
        let reading = ContinuousClock.now
        let read = try HubStore(path: "\(folder)/hub.sqlite", readOnly: true).export { _, _ in }
        print("read alone (\(read.rows.values.reduce(0, +)) rows): \(ContinuousClock.now - reading)")
        let batchRows = ProcessInfo.processInfo.environment["LIAISON_MIGRATE_BATCH_ROWS"] ?? "1000"
        let migrated = try await LiaisonExecutable.run(["store", "migrate", "--from", folder, "--to", url, "--batch-rows", batchRows])
        #expect(migrated.status == 0, "\(migrated.output)")
        #expect(try target.treeHead().size == (try HubStore(path: "\(folder)/hub.sqlite", readOnly: true).treeHead()).size)
        print("store migrate, \(messages) messages:\n\(migrated.output)")
    }
}
