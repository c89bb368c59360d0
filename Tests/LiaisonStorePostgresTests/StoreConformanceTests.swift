import Crypto
import Foundation
import LiaisonProtocol
import LiaisonStore
import LiaisonStorePostgres
import MerkleLog
import Synchronization
import Testing

/// The same evidence on both engines (issue 16): one scenario of group commits, with fixed timestamps, run against the
/// SQLite `HubStore` and the PostgreSQL store; every answer the broker reads must be the same, and so must the audit
/// tree's size and root and the checkpoints signed over it.
///
/// The tests are synchronous: PostgresHubStore blocks its caller until PostgreSQL answers, which here is one of the
/// test runner's threads for a few milliseconds (the broker calls it from its own commit thread). `.serialized` keeps
/// at most one of them blocked at a time.
@Suite("The store on SQLite and on PostgreSQL: the same answers and the same evidence", .serialized,
    .enabled(if: PostgresTestDatabase.enabled, "LIAISON_TEST_POSTGRES_URL is not set: make test-postgres runs these"))
struct StoreConformanceTests {
    static let schools = AgencyID("schools")!
    static let council = AgencyID("council")!
    static let police = AgencyID("police")!
    static let type = MessageType("attendance.concern")!

    /// A message from `source` to `recipients`, synthetic throughout.
    static func plan(
        _ id: String, from source: AgencyID = StoreConformanceTests.schools, to recipients: [AgencyID], at: Int64, expiresAt: Int64 = 1_000_000,
        decisionFor: AgencyID? = nil, views: [AgencyID: [UInt8]] = [:], envelopeViews: [AgencyID: [UInt8]] = [:],
        cohort: CohortChange? = nil, subjects: [String] = []
    ) -> MessagePlan {
        let envelope = Envelope(id: id, source: source, type: type, recipients: recipients, time: "2026-12-03T10:00:00Z")
        let body = Array("{\"concern\":\"\(id)\",\"pupil\":\"synthetic\"}".utf8)
        let decisions = decisionFor.map { recipient in
            [AuditEvent(.decision, at: at, agency: source.rawValue, messageID: id, type: type.rawValue, recipient: recipient.rawValue,
                detail: "{\"agreement\":\"isa-7\",\"outcome\":\"minimised\"}")]
        } ?? []
        return MessagePlan(
            envelope: envelope, envelopeBytes: envelope.encoded(), body: body, bodyDigest: Digest.sha256Hex(body), recipients: recipients,
            views: views, envelopeViews: envelopeViews, auditOnInsert: decisions, cohort: cohort, subjects: subjects, receivedAt: at,
            expiresAt: expiresAt, retainUntil: at + 86_400_000)
    }

    static func delivery(_ recipient: AgencyID, _ sequence: Int64) -> QueuedDelivery {
        QueuedDelivery(
            sequence: sequence, recipient: recipient, type: type, messageID: "m", source: schools, envelope: [], body: [],
            bodyDigest: "", attempts: 0, expiresAt: 0)
    }

    static func event(_ kind: AuditEvent.Kind, at: Int64, agency: AgencyID, sequence: Int64? = nil, detail: String? = nil) -> AuditEvent {
        AuditEvent(kind, at: at, agency: agency.rawValue, sequence: sequence, detail: detail)
    }

    /// The scenario's batches, each with its commit time: new messages with decisions, views, subjects and cohort
    /// changes; resends (in the same batch and a later one); attempts, an ack, dead letters, a replay, a discard, and one
    /// of each that finds nothing; then enough audit records to fill stored subtrees of the tree.
    static let batches: [(at: Int64, operations: [StoreOperation])] = {
        let council = Self.council, police = Self.police, schools = Self.schools
        var batches: [(at: Int64, operations: [StoreOperation])] = []
        batches.append((1_000, [
            .audit(event(.adapterConnected, at: 1_000, agency: schools, detail: "schools-mis")),
            .insert(plan(
                "c-1", to: [council, police], at: 1_000, decisionFor: council, views: [council: Array("{\"concern\":\"c-1\"}".utf8)],
                envelopeViews: [police: Array("{\"id\":\"c-1\"}".utf8)], subjects: ["ps-aaaa", "ps-bbbb"])),
            .insert(plan("c-2", to: [council], at: 1_000, expiresAt: 1_500)),
            .insert(plan("c-1", to: [council, police], at: 1_000)),  // a resend in the same batch
            .insert(plan(
                "cohort-1", from: council, to: [], at: 1_000,
                cohort: CohortChange(owner: council, name: "persistent-absence", operation: .replace, members: ["ps-a", "ps-b", "ps-c"]))),
        ]))
        batches.append((2_000, [
            .insert(plan("c-1", to: [council, police], at: 2_000)),  // a resend in a later batch
            .attempt(recipient: council, sequence: 1),
            .attempt(recipient: council, sequence: 1),
            .attempt(recipient: police, sequence: 1),
            .acknowledge(delivery(police, 1)),
            .audit(event(.acknowledged, at: 2_000, agency: police, sequence: 1)),
            .deadLetter(delivery(council, 1), cause: .rejected, reason: "schema", audit: event(.deadLettered, at: 2_000, agency: council, sequence: 1)),
            // Already acknowledged: no dead letter, no audit record.
            .deadLetter(delivery(police, 1), cause: .attempts, reason: "too many", audit: event(.deadLettered, at: 2_000, agency: police, sequence: 1)),
            .insert(plan(
                "cohort-2", from: council, to: [], at: 2_000,
                cohort: CohortChange(owner: council, name: "persistent-absence", operation: .add, members: ["ps-d"]))),
            .insert(plan(
                "cohort-3", from: council, to: [], at: 2_000,
                cohort: CohortChange(owner: council, name: "persistent-absence", operation: .remove, members: ["ps-a"]))),
            .insert(plan("c-3", to: [police], at: 2_000, subjects: ["ps-aaaa"])),
        ]))
        batches.append((3_000, [
            .replayDeadLetter(recipient: council, sequence: 1, audit: event(.deadLetterReplayed, at: 3_000, agency: council, sequence: 1)),
            .deadLetter(delivery(council, 2), cause: .expired, reason: "ttl", audit: event(.expired, at: 3_000, agency: council, sequence: 2)),
            .discardDeadLetter(recipient: council, sequence: 2, audit: event(.deadLetterDiscarded, at: 3_000, agency: council, sequence: 2)),
            .replayDeadLetter(recipient: police, sequence: 99, audit: event(.deadLetterReplayed, at: 3_000, agency: police, sequence: 99)),
            .discardDeadLetter(recipient: council, sequence: 2, audit: event(.deadLetterDiscarded, at: 3_000, agency: council, sequence: 2)),
            .deadLetter(delivery(police, 6), cause: .rejected, reason: "refused", audit: event(.deadLettered, at: 3_000, agency: police, sequence: 6)),
        ]))
        // Past 32, 64 entries: subtrees of 16 and 32 leaves stored, and an edge with a partial subtree above them.
        batches.append((4_000, (0..<60).map { index in .audit(event(.adapterGone, at: 4_000 + Int64(index), agency: police, detail: "n\(index)")) }))
        return batches
    }()

    /// A SQLite store (in a new folder, returned for removal) and a PostgreSQL store in a schema of its own, both after
    /// the scenario's batches.
    static func bothAfterScenario(_ name: String) throws -> (HubStore, PostgresHubStore, folder: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-conformance-\(UUID().uuidString)").path
        let sqlite = try HubStore(path: "\(folder)/hub.sqlite")
        let postgres = try PostgresTestDatabase.open(name)
        for batch in batches {
            _ = try sqlite.commit(batch.operations, at: batch.at)
            _ = try postgres.commit(batch.operations, at: batch.at)
        }
        return (sqlite, postgres, folder)
    }

    @Test("The same commit results, queues, dead letters, cohorts, tree and checkpoints")
    func sameAnswers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-conformance-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sqlite = try HubStore(path: "\(folder)/hub.sqlite")
        let postgres = try PostgresTestDatabase.open("conformance")
        defer { PostgresTestDatabase.drop(postgres) }

        for batch in Self.batches {
            let expected = try sqlite.commit(batch.operations, at: batch.at)
            let got = try postgres.commit(batch.operations, at: batch.at)
            #expect(got == expected, "commit at \(batch.at)")
        }
        // The scenario did what it says (so that equal answers mean something).
        let first = try sqlite.commit([.insert(Self.plan("c-1", to: [Self.council], at: 5_000))], at: 5_000)
        #expect(first.stored[0] == .init(sequence: 1, duplicate: true, auditEntry: nil, recipientEntries: [:]))
        #expect(try postgres.commit([.insert(Self.plan("c-1", to: [Self.council], at: 5_000))], at: 5_000) == first)

        for recipient in [Self.council, Self.police] {
            let expected = try sqlite.pendingDeliveries(recipient: recipient, after: 0, limit: 100)
            #expect(try postgres.pendingDeliveries(recipient: recipient, after: 0, limit: 100) == expected)
        }
        let councilQueue = try postgres.pendingDeliveries(recipient: Self.council, after: 0, limit: 100)
        #expect(councilQueue.map(\.sequence) == [1], "c-1 replayed (c-2 discarded)")
        #expect(councilQueue.first?.attempts == 0, "a replay starts its attempts from zero")
        #expect(councilQueue.first?.body == Array("{\"concern\":\"c-1\"}".utf8), "the council's minimised view")
        #expect(try postgres.pendingDeliveries(recipient: Self.police, after: 0, limit: 100).isEmpty)

        let expired = try sqlite.expiredDeliveries(now: 1_000_000, limit: 100).sorted { ($0.sequence, $0.recipient) < ($1.sequence, $1.recipient) }
        #expect(try postgres.expiredDeliveries(now: 1_000_000, limit: 100) == expired)
        #expect(!expired.isEmpty)

        let held = try #require(try sqlite.heldSequence(source: Self.schools, messageID: "c-1"))
        let heldOnPostgres = try #require(try postgres.heldSequence(source: Self.schools, messageID: "c-1"))
        #expect(heldOnPostgres.sequence == held.sequence && heldOnPostgres.recipients == held.recipients)
        #expect(try postgres.heldSequence(source: Self.schools, messageID: "never-sent") == nil)

        #expect(try postgres.cohorts() == sqlite.cohorts())
        #expect(try postgres.cohorts()["council"]?["persistent-absence"] == ["ps-b", "ps-c", "ps-d"])
        #expect(try postgres.pendingDeliveryCounts() == sqlite.pendingDeliveryCounts())
        let deadLetters = try sqlite.deadLetterRecords()
        #expect(try postgres.deadLetterRecords() == deadLetters)
        #expect(deadLetters.map { "\($0.recipient)/\($0.sequence)" } == ["police/6"], "replayed and discarded ones are not listed")

        // The same evidence: the tree's size and root, as each store holds its edge and as rebuilt from what is stored.
        #expect(sqlite.frontier.size > 64)
        #expect(postgres.frontier == sqlite.frontier)
        let head = try sqlite.treeHead()
        let postgresHead = try postgres.treeHead()
        #expect(postgresHead.size == head.size && postgresHead.root == head.root)
        let reopened = try PostgresHubStore(configuration: postgres.configuration)
        defer { reopened.close() }
        #expect(reopened.frontier == sqlite.frontier, "the edge rebuilt from the stored subtrees and leaves")

        // Checkpoints signed over either store name the same tree, and PostgreSQL's log checks out against its own.
        let key = Curve25519.Signing.PrivateKey()
        let sqliteNote = try #require(try sqlite.writeCheckpoint(origin: "liaison-hub", key: key, at: 6_000))
        let postgresNote = try #require(try postgres.writeCheckpoint(origin: "liaison-hub", key: key, at: 6_000))
        #expect(try postgres.writeCheckpoint(origin: "liaison-hub", key: key, at: 6_001) == nil, "nothing new to sign")
        let fromSQLite = try Checkpoint.verify(note: sqliteNote, publicKey: key.publicKey)
        let fromPostgres = try Checkpoint.verify(note: postgresNote, publicKey: key.publicKey)
        #expect(fromPostgres == fromSQLite)
        #expect(try postgres.checkpointNotes() == [postgresNote])
        let verified = try postgres.verifyLeaves(publicKey: key.publicKey)
        #expect(verified.problem == nil)
        #expect(verified.entries == head.size && verified.root == head.root)
        #expect(try sqlite.verify(publicKey: key.publicKey).problem == nil)
    }

    @Test("Writers take turns: a second store's appends continue the first's tree")
    func twoWriters() throws {
        let first = try PostgresTestDatabase.open("writers")
        defer { PostgresTestDatabase.drop(first) }
        let second = try PostgresHubStore(configuration: first.configuration)
        defer { second.close() }
        for index in 0..<20 {
            let store = index.isMultiple(of: 3) ? second : first
            _ = try store.commit([.audit(Self.event(.adapterConnected, at: Int64(index), agency: Self.police))], at: Int64(index))
        }
        var expected = MerkleFrontier()
        for index in 0..<20 {
            _ = expected.append(AuditLeaf.hash(entry: Int64(index + 1), Self.event(.adapterConnected, at: Int64(index), agency: Self.police)))
        }
        let head = try first.treeHead()
        #expect(head.size == 20 && head.root == expected.root)
    }

    @Test("The broker's retention sweep deletes the same bodies and records the same audit entry on both engines")
    func sameRetentionSweep() throws {
        let (sqlite, postgres, folder) = try Self.bothAfterScenario("retention")
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            PostgresTestDatabase.drop(postgres)
        }
        // Through BrokerStore, as the broker's housekeeping calls it: past every message's retention.
        let engines: [any BrokerStore] = [sqlite, postgres]
        let deleted = try engines.map { try $0.deleteExpiredBodies(now: 900_000_000, limit: 1000) }
        #expect(deleted[0] == deleted[1])
        // c-1 still waits for the council (replayed) and keeps its body; the messages with nothing pending lose theirs.
        #expect(deleted[0] > 0)
        #expect(try postgres.pendingDeliveries(recipient: Self.council, after: 0, limit: 10).first?.body.isEmpty == false)
        #expect(try engines.map { try $0.deleteExpiredBodies(now: 900_000_000, limit: 1000) } == [0, 0], "a second sweep finds nothing")
        // The police's reason for rejecting c-3 (sequence 6) went with its body, alike on both engines.
        let letters = try sqlite.deadLetterRecords()
        #expect(try postgres.deadLetterRecords() == letters)
        #expect(letters.first { $0.sequence == 6 }?.reason == DeadLetterCause.reasonDeletedWithBody)
        let (size, root) = try sqlite.treeHead()
        let head = try postgres.treeHead()
        #expect(head.size == size && head.root == root, "the sweep's audit entry is the same leaf on both")
        #expect(engines.map(\.auditTreeSize) == [size, size])
    }

    @Test("A PostgreSQL store whose bodies went before the sweep took the reasons with them loses the reasons when opened")
    func olderStoresLoseTheirReasonsWhenOpened() throws {
        let postgres = try PostgresTestDatabase.open("old_reasons")
        defer { PostgresTestDatabase.drop(postgres) }
        for batch in Self.batches { _ = try postgres.commit(batch.operations, at: batch.at) }
        // c-3 (sequence 6), rejected by the police with a reason, its body deleted as the sweep did before 2026-12-05.
        try postgres.execute("UPDATE messages SET body = NULL, envelope = ''::bytea, deleted_at = 10 WHERE sequence = 6")
        #expect(try postgres.deadLetterRecords().first { $0.sequence == 6 }?.reason == "refused")
        let reopened = try PostgresHubStore(url: PostgresTestDatabase.url(of: postgres))
        defer { reopened.close() }
        #expect(try reopened.deadLetterRecords().first { $0.sequence == 6 }?.reason == DeadLetterCause.reasonDeletedWithBody)
    }

    @Test("A legal hold keeps a child's bodies through the retention sweep, placed and released alike on both engines")
    func sameLegalHolds() throws {
        let (sqlite, postgres, folder) = try Self.bothAfterScenario("holds")
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            PostgresTestDatabase.drop(postgres)
        }
        // ps-aaaa is a subject of c-1 and c-3; c-3 has nothing pending, so only the hold keeps its body.
        let placed = try sqlite.transaction { try $0.placeHold(pseudonym: "ps-aaaa", reference: "SAR-2026-014", at: 5_000) }
        #expect(try postgres.transaction { try $0.placeHold(pseudonym: "ps-aaaa", reference: "SAR-2026-014", at: 5_000) } == placed)
        #expect(try postgres.legalHolds() == sqlite.legalHolds())
        #expect(try postgres.legalHolds().map(\.reference) == ["SAR-2026-014"])
        let heldSweep = try [sqlite.deleteExpiredBodies(now: 900_000_000, limit: 1000), postgres.deleteExpiredBodies(now: 900_000_000, limit: 1000)]
        #expect(heldSweep[0] == heldSweep[1])

        let released = try sqlite.transaction { try $0.releaseHold(pseudonym: "ps-aaaa", reference: "SAR-2026-014/closed", at: 6_000) }
        #expect(released != nil)
        #expect(try postgres.transaction { try $0.releaseHold(pseudonym: "ps-aaaa", reference: "SAR-2026-014/closed", at: 6_000) } == released)
        #expect(try postgres.transaction { try $0.releaseHold(pseudonym: "ps-aaaa", reference: "again", at: 6_000) } == nil, "no hold: nothing written")
        #expect(try postgres.legalHolds().isEmpty)
        // Released: c-3's body goes at the next sweep, on both.
        let afterRelease = try [sqlite.deleteExpiredBodies(now: 900_000_000, limit: 1000), postgres.deleteExpiredBodies(now: 900_000_000, limit: 1000)]
        #expect(afterRelease[0] == afterRelease[1] && afterRelease[0] >= 1)
        let (size, root) = try sqlite.treeHead()
        let head = try postgres.treeHead()
        #expect(head.size == size && head.root == root)
    }

    @Test("Reads on one thread while another commits, as the broker's loop and commit thread do: every commit whole")
    func readsWhileCommitting() throws {
        let postgres = try PostgresTestDatabase.open("threads")
        defer { PostgresTestDatabase.drop(postgres) }
        let box = UncheckedStore(postgres)
        let failures = Mutex<[String]>([])
        let done = Atomic<Bool>(false)
        let reader = Thread {
            while !done.load(ordering: .acquiring) {
                do {
                    _ = try box.store.pendingDeliveries(recipient: Self.council, after: 0, limit: 50)
                    _ = try box.store.heldSequence(source: Self.schools, messageID: "t-1")
                } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        reader.start()
        var sequences: [Int64] = []
        for index in 0..<200 {
            let result = try postgres.commit([.insert(Self.plan("t-\(index)", to: [Self.council], at: Int64(index)))], at: Int64(index))
            sequences.append(try #require(result.stored[0]).sequence)
        }
        done.store(true, ordering: .releasing)
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(failures.withLock { $0 }.isEmpty)
        // Interleaved on one session, a read's COMMIT would end a group commit half-way: PostgreSQL only warns.
        #expect(postgres.mostTransactionsAtOnce == 1, "two transactions were open at once on the store's one connection")
        #expect(sequences == Array(1...200))
        // Each commit wrote its message, its acceptance and its delivery, and nothing else, in order.
        #expect(try postgres.treeHead().size == 200)
        #expect(try postgres.pendingDeliveryCounts()["council"] == 200)
    }
}

/// Hands the store to the reader thread (the store takes a transaction at a time; see `PostgresHubStore`).
private final class UncheckedStore: @unchecked Sendable {
    let store: PostgresHubStore
    init(_ store: PostgresHubStore) { self.store = store }
}
