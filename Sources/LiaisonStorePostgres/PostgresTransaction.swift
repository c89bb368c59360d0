import LiaisonProtocol
import LiaisonStore
import MerkleLog
import NIOCore
import PostgresNIO

/// The writes of one group commit on PostgreSQL: `HubTransaction`'s statements, in PostgreSQL's SQL, with every value a
/// bind parameter and bodies as binary `bytea`. What a batch does with them is `LedgerTransaction.apply`.
///
/// Writes that nothing in the transaction reads back wait in `buffer` and go in one statement per table at `flush()`:
/// before any statement whose answer could depend on them (a dead letter, a replay, the retention sweep) and before
/// COMMIT (`PostgresHubStore.transaction`).
package final class PostgresTransaction: LedgerTransaction {
    let store: PostgresHubStore
    /// The audit tree's edge, moved by each append in this transaction.
    var frontier: MerkleFrontier
    /// Writes not yet sent.
    var buffer = PostgresWriteBuffer()
    private var acknowledged: Set<PostgresWriteBuffer.Key> = []
    /// The next message's sequence (read once, then counted here), and the sequence of every message already looked
    /// up: held before this transaction (a resend) or inserted in it.
    private var nextSequence: Int64?
    private var held: [PostgresWriteBuffer.MessageKey: Int64] = [:]
    private var lookedUp: Set<PostgresWriteBuffer.MessageKey> = []

    init(store: PostgresHubStore, frontier: MerkleFrontier) {
        self.store = store
        self.frontier = frontier
    }

    @discardableResult
    private func run(_ query: PostgresQuery) throws -> PostgresQueryResult { try store.run(query) }

    /// The rows a statement changed.
    private func changed(_ query: PostgresQuery) throws -> Int { try run(query).metadata.rows ?? 0 }

    /// Reads ahead, in at most two statements, what the batch's new messages need: the next sequence, and which of them
    /// are held already (resends). Writers hold the advisory lock, so neither can change before COMMIT.
    package func prepare(_ operations: [StoreOperation]) throws {
        var keys: [PostgresWriteBuffer.MessageKey] = []
        for case .insert(let plan) in operations { keys.append(.init(source: plan.envelope.source.rawValue, messageID: plan.envelope.id)) }
        try lookUp(keys)
    }

    /// Reads the next sequence (once per transaction) and which of `keys` not looked up yet are held already.
    private func lookUp(_ keys: [PostgresWriteBuffer.MessageKey]) throws {
        let unknown = keys.filter { !lookedUp.contains($0) }
        guard !unknown.isEmpty else { return }
        if nextSequence == nil {
            nextSequence = try run("SELECT COALESCE(MAX(sequence), 0) + 1 FROM messages").rows.first?.decode(Int64.self) ?? 1
        }
        for row in try run("""
            SELECT m.source, m.message_id, m.sequence FROM messages m
            JOIN unnest(\(unknown.map(\.source))::text[], \(unknown.map(\.messageID))::text[]) AS k (source, message_id)
                ON m.source = k.source AND m.message_id = k.message_id
            """).rows {
            let (source, messageID, sequence) = try row.decode((String, String, Int64).self)
            held[.init(source: source, messageID: messageID)] = sequence
        }
        lookedUp.formUnion(unknown)
    }

    /// Finds a message held already (its first sequence), or assigns the next sequence, the highest plus one as SQLite's
    /// rowid gives it, so both engines number the same messages alike, and buffers the row. `prepare` has looked the
    /// batch's messages up; one inserted without it is looked up here.
    package func insertMessage(
        source: String, messageID: String, type: String, envelope: [UInt8], body: [UInt8], bodyDigest: String,
        receivedAt: Int64, expiresAt: Int64, retainUntil: Int64?
    ) throws -> (sequence: Int64, duplicate: Bool) {
        let key = PostgresWriteBuffer.MessageKey(source: source, messageID: messageID)
        try lookUp([key])
        if let sequence = held[key] { return (sequence, true) }
        let next = nextSequence ?? 1
        held[key] = next
        nextSequence = next + 1
        buffer.messages.append(.init(
            sequence: next, source: source, messageID: messageID, type: type, envelope: envelope, body: body, bodyDigest: bodyDigest,
            receivedAt: receivedAt, expiresAt: expiresAt, retainUntil: retainUntil))
        return (next, false)
    }

    package func insertDeliveries(
        sequence: Int64, recipients: [AgencyID], views: [AgencyID: [UInt8]], envelopeViews: [AgencyID: [UInt8]],
        auditEntries: [AgencyID: Int64]
    ) throws {
        for recipient in recipients {
            buffer.deliveries.append(.init(
                recipient: recipient.rawValue, sequence: sequence, view: views[recipient], envelopeView: envelopeViews[recipient],
                auditEntry: auditEntries[recipient]))
        }
    }

    package func indexSubjects(_ pseudonyms: [String], sequence: Int64, entries: ClosedRange<Int64>) throws {
        for pseudonym in pseudonyms {
            buffer.subjects.append((pseudonym, sequence, entries.lowerBound, entries.upperBound))
        }
    }

    @discardableResult
    package func append(_ event: AuditEvent) throws -> Int64 {
        // The entry's number is the tree's next leaf: stating it makes a log that has moved on without the tree fail
        // here (a primary-key conflict) instead of forking the two.
        let entry = Int64(frontier.size) + 1
        let leaf = AuditLeaf.hash(entry: entry, event)
        buffer.audit.append(.init(entry: entry, event: event, leaf: leaf))
        for node in frontier.append(leaf, keepingFrom: AuditTreeStorage.lowestStoredLevel) {
            buffer.nodes.append((Int64(node.level), Int64(node.index), node.hash))
        }
        return entry
    }

    /// Sends every buffered write.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        let statements = buffer.statements()
        let firstEntry = buffer.audit.first?.entry
        buffer = PostgresWriteBuffer()
        acknowledged = []
        for statement in statements {
            do {
                try run(statement)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.tableName] == "audit_log" {
                // The entry numbers come from the tree's edge: one already taken means the log moved on without it.
                throw StoreError(
                    .commitFailed,
                    "Audit entry \(firstEntry.map(String.init) ?? "?") or a later one is already taken: the log has moved on without its tree. "
                        + "Run `liaison audit verify`.",
                    cause: PostgresHubStore.Failure(error))
            }
        }
    }

    package func recordAttempt(recipient: AgencyID, sequence: Int64) throws {
        let key = PostgresWriteBuffer.Key(recipient: recipient.rawValue, sequence: sequence)
        if buffer.attempts[key] == nil { buffer.attemptOrder.append(key) }
        buffer.attempts[key, default: 0] += 1
    }

    package func acknowledge(recipient: AgencyID, sequence: Int64, at: Int64) throws {
        // The first acknowledgement settles a delivery; a second in the same batch changes nothing, as in SQLite.
        let key = PostgresWriteBuffer.Key(recipient: recipient.rawValue, sequence: sequence)
        guard acknowledged.insert(key).inserted else { return }
        buffer.acknowledgements.append((key, at))
    }

    package func updateCohort(owner: AgencyID, name: String, operation: CohortOperation, members: [String]) throws {
        let owner = owner.rawValue
        if operation == .replace {
            try run("DELETE FROM cohorts WHERE owner = \(owner) AND name = \(name)")
        }
        guard !members.isEmpty else { return }
        // One statement for all the members: an array bound as one parameter.
        if operation == .remove {
            try run("DELETE FROM cohorts WHERE owner = \(owner) AND name = \(name) AND member = ANY(\(members))")
        } else {
            try run("""
                INSERT INTO cohorts (owner, name, member) SELECT \(owner), \(name), unnest(\(members)::text[])
                ON CONFLICT DO NOTHING
                """)
        }
    }

    @discardableResult
    package func deadLetter(recipient: AgencyID, sequence: Int64, cause: DeadLetterCause, reason: String, at: Int64) throws -> Bool {
        try flush()
        guard try changed("""
            UPDATE deliveries SET state = 'dead', settled_at = \(at)
            WHERE recipient = \(recipient.rawValue) AND sequence = \(sequence) AND state = 'pending'
            """) == 1
        else { return false }
        try run("""
            INSERT INTO dead_letters (recipient, sequence, cause, reason, at)
            VALUES (\(recipient.rawValue), \(sequence), \(cause.rawValue), \(reason), \(at))
            ON CONFLICT (recipient, sequence) DO NOTHING
            """)
        return true
    }

    package func replayDeadLetter(recipient: AgencyID, sequence: Int64) throws -> Bool {
        try flush()
        guard try changed("""
            DELETE FROM dead_letters WHERE recipient = \(recipient.rawValue) AND sequence = \(sequence) AND discarded_at IS NULL
            """) == 1
        else { return false }
        try run("""
            UPDATE deliveries SET state = 'pending', settled_at = NULL, attempts = 0
            WHERE recipient = \(recipient.rawValue) AND sequence = \(sequence) AND state = 'dead'
            """)
        return true
    }

    package func discardDeadLetter(recipient: AgencyID, sequence: Int64, at: Int64) throws -> Bool {
        try flush()
        return try changed("""
            UPDATE dead_letters SET discarded_at = \(at)
            WHERE recipient = \(recipient.rawValue) AND sequence = \(sequence) AND discarded_at IS NULL
            """) == 1
    }

    package func deleteExpiredBodies(now: Int64, limit: Int) throws -> [Int64] {
        try flush()
        let sequences = try run("""
            SELECT m.sequence FROM messages m
            WHERE m.body IS NOT NULL AND m.retain_until IS NOT NULL AND m.retain_until <= \(now)
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.sequence = m.sequence AND d.state = 'pending')
              AND m.sequence NOT IN (SELECT s.sequence FROM legal_holds h JOIN subjects s ON s.pseudonym = h.pseudonym)
            ORDER BY m.retain_until, m.sequence LIMIT \(Int64(limit))
            """).rows.map { try $0.decode(Int64.self) }
        guard !sequences.isEmpty else { return [] }
        try run("UPDATE messages SET body = NULL, envelope = ''::bytea, deleted_at = \(now) WHERE sequence = ANY(\(sequences))")
        try run("UPDATE deliveries SET view = NULL, envelope_view = NULL WHERE sequence = ANY(\(sequences))")
        try run("""
            UPDATE dead_letters SET reason = \(DeadLetterCause.reasonDeletedWithBody)
            WHERE sequence = ANY(\(sequences)) AND cause = \(DeadLetterCause.rejected.rawValue)
            """)
        return sequences.sorted()
    }
}
