import Foundation
import GRDB
import LiaisonProtocol
import MerkleLog

/// A message waiting in a recipient's queue, as the broker delivers it.
package struct QueuedDelivery: Sendable, Equatable {
    package var sequence: Int64
    package var recipient: AgencyID
    package var type: MessageType
    package var messageID: String
    package var source: AgencyID
    package var envelope: [UInt8]
    package var body: [UInt8]
    package var bodyDigest: String
    package var attempts: Int
    package var expiresAt: Int64
    /// The audit entry that records this exchange (the recipient's decision, or the acceptance).
    package var auditEntry: Int64?

    package init(
        sequence: Int64, recipient: AgencyID, type: MessageType, messageID: String, source: AgencyID, envelope: [UInt8],
        body: [UInt8], bodyDigest: String, attempts: Int, expiresAt: Int64, auditEntry: Int64? = nil
    ) {
        self.auditEntry = auditEntry
        self.sequence = sequence
        self.recipient = recipient
        self.type = type
        self.messageID = messageID
        self.source = source
        self.envelope = envelope
        self.body = body
        self.bodyDigest = bodyDigest
        self.attempts = attempts
        self.expiresAt = expiresAt
    }
}

/// The operations of one group-commit transaction. Statements are cached: this is the broker's hot path.
package final class HubTransaction {
    let db: Database
    /// The audit tree's edge, moved by each append in this transaction.
    var frontier: MerkleFrontier
    let buildsTree: Bool

    init(db: Database, frontier: MerkleFrontier, buildsTree: Bool = true) {
        self.db = db
        self.frontier = frontier
        self.buildsTree = buildsTree
    }

    /// Stores a message (its deliveries follow with `insertDeliveries`, once their audit entries are known).
    ///
    /// - Returns: the message's sequence, and whether (source, id) was already held (then nothing is
    ///   stored and the first message's sequence is returned).
    package func insertMessage(
        source: String, messageID: String, type: String, envelope: [UInt8], body: [UInt8], bodyDigest: String,
        receivedAt: Int64, expiresAt: Int64, retainUntil: Int64? = nil
    ) throws -> (sequence: Int64, duplicate: Bool) {
        let insert = try RawStatement(db, sql: """
            INSERT INTO messages (source, message_id, type, envelope, body, body_sha256, received_at, expires_at, retain_until)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, message_id) DO NOTHING
            """)
        insert.bind(1, source)
        insert.bind(2, messageID)
        insert.bind(3, type)
        insert.bind(4, envelope)
        insert.bind(5, body)
        insert.bind(6, bodyDigest)
        insert.bind(7, receivedAt)
        insert.bind(8, expiresAt)
        insert.bind(9, retainUntil)
        try insert.run()
        if db.changesCount == 0 {
            let existing = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT sequence FROM messages WHERE source = ? AND message_id = ?"),
                arguments: [source, messageID])
            return (existing ?? -1, true)
        }
        return (db.lastInsertedRowID, false)
    }

    /// Queues a stored message for its recipients: one pending delivery each, with the recipient's own view
    /// and envelope when the rules made them, and the audit entry that records the exchange.
    package func insertDeliveries(
        sequence: Int64, recipients: [AgencyID], views: [AgencyID: [UInt8]] = [:], envelopeViews: [AgencyID: [UInt8]] = [:],
        auditEntries: [AgencyID: Int64] = [:]
    ) throws {
        let delivery = try RawStatement(db, sql: """
            INSERT INTO deliveries (recipient, sequence, state, view, envelope_view, audit_entry) VALUES (?, ?, 'pending', ?, ?, ?)
            """)
        for recipient in recipients {
            delivery.bind(1, recipient.rawValue)
            delivery.bind(2, sequence)
            delivery.bind(3, views[recipient])
            delivery.bind(4, envelopeViews[recipient])
            delivery.bind(5, auditEntries[recipient])
            try delivery.run()
            delivery.clear()
        }
    }

    /// Indexes a message under the keyed pseudonyms of the children in it, with the range of audit entries
    /// that record it (its decisions and its acceptance).
    package func indexSubjects(_ pseudonyms: [String], sequence: Int64, entries: ClosedRange<Int64>) throws {
        let statement = try RawStatement(db, sql: """
            INSERT INTO subjects (pseudonym, sequence, first_entry, last_entry) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for pseudonym in pseudonyms {
            statement.bind(1, pseudonym)
            statement.bind(2, sequence)
            statement.bind(3, entries.lowerBound)
            statement.bind(4, entries.upperBound)
            try statement.run()
        }
    }

    /// Appends one audit record with its leaf hash, and stores the subtrees it completes at the levels the store
    /// keeps (`AuditTreeStorage`).
    @discardableResult
    package func append(_ event: AuditEvent) throws -> Int64 {
        guard buildsTree else {
            let statement = try RawStatement(db, sql: """
                INSERT INTO audit_log (at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            statement.bind(event)
            try statement.run()
            return db.lastInsertedRowID
        }
        // The entry's number is the tree's next leaf: stating it makes a log that has moved on without the tree fail
        // here (a primary-key conflict) instead of forking the two.
        let entry = Int64(frontier.size) + 1
        let leaf = AuditLeaf.hash(entry: entry, event)
        let statement = try RawStatement(db, sql: """
            INSERT INTO audit_log (at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail, entry, leaf)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.bind(event)
        statement.bind(12, entry)
        statement.bind(13, leaf)
        do { try statement.run() } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.commitFailed, "Audit entry \(entry) is already taken: the log has moved on without its tree. Run `liaison audit verify`.", cause: error)
        }
        let nodes = frontier.append(leaf, keepingFrom: AuditTreeStorage.lowestStoredLevel)
        guard !nodes.isEmpty else { return entry }
        let insert = try RawStatement(db, sql: "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
        for node in nodes {
            insert.bind(1, Int64(node.level))
            insert.bind(2, Int64(node.index))
            insert.bind(3, node.hash)
            try insert.run()
        }
        return entry
    }

    /// Counts one more delivery attempt.
    package func recordAttempt(recipient: AgencyID, sequence: Int64) throws {
        let statement = try RawStatement(db, sql: "UPDATE deliveries SET attempts = attempts + 1 WHERE recipient = ? AND sequence = ?")
        statement.bind(1, recipient.rawValue)
        statement.bind(2, sequence)
        try statement.run()
    }

    /// Marks a delivery acknowledged: it will never be delivered again.
    package func acknowledge(recipient: AgencyID, sequence: Int64, at: Int64) throws {
        let statement = try RawStatement(db, sql: """
            UPDATE deliveries SET state = 'acknowledged', settled_at = ? WHERE recipient = ? AND sequence = ? AND state = 'pending'
            """)
        statement.bind(1, at)
        statement.bind(2, recipient.rawValue)
        statement.bind(3, sequence)
        try statement.run()
    }

    /// Changes an agency's cohort: `replace` its members, `add` to them, or `remove` from them.
    package func updateCohort(owner: AgencyID, name: String, operation: CohortOperation, members: [String]) throws {
        let owner = owner.rawValue
        if operation == .replace {
            try db.execute(sql: "DELETE FROM cohorts WHERE owner = ? AND name = ?", arguments: [owner, name])
        }
        let statement = try db.cachedStatement(
            sql: operation == .remove
                ? "DELETE FROM cohorts WHERE owner = ? AND name = ? AND member = ?"
                : "INSERT INTO cohorts (owner, name, member) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        for member in members { try statement.execute(arguments: [owner, name, member]) }
    }

    /// Moves a delivery to the dead-letter store with its cause and reason.
    ///
    /// - Returns: false when the delivery was no longer pending (e.g. acknowledged earlier in the same
    ///   transaction): then nothing is recorded.
    @discardableResult
    package func deadLetter(recipient: AgencyID, sequence: Int64, cause: DeadLetterCause, reason: String, at: Int64) throws -> Bool {
        try db.cachedStatement(sql: """
            UPDATE deliveries SET state = 'dead', settled_at = ? WHERE recipient = ? AND sequence = ? AND state = 'pending'
            """).execute(arguments: [at, recipient.rawValue, sequence])
        guard db.changesCount == 1 else { return false }
        try db.cachedStatement(sql: """
            INSERT INTO dead_letters (recipient, sequence, cause, reason, at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (recipient, sequence) DO NOTHING
            """).execute(arguments: [recipient.rawValue, sequence, cause.rawValue, reason, at])
        return true
    }

    /// Puts a dead letter back on its recipient's queue: its row goes and its delivery is pending again, with its
    /// attempts from zero.
    ///
    /// - Returns: false when there is no such dead letter (or it was discarded): then nothing changes.
    package func replayDeadLetter(recipient: AgencyID, sequence: Int64) throws -> Bool {
        try db.execute(
            sql: "DELETE FROM dead_letters WHERE recipient = ? AND sequence = ? AND discarded_at IS NULL",
            arguments: [recipient.rawValue, sequence])
        guard db.changesCount == 1 else { return false }
        try db.execute(
            sql: "UPDATE deliveries SET state = 'pending', settled_at = NULL, attempts = 0 WHERE recipient = ? AND sequence = ? AND state = 'dead'",
            arguments: [recipient.rawValue, sequence])
        return true
    }

    /// Marks a dead letter discarded: kept for the record, no longer listed for the operator, never delivered.
    ///
    /// - Returns: false when there is no such dead letter (or it was already discarded).
    package func discardDeadLetter(recipient: AgencyID, sequence: Int64, at: Int64) throws -> Bool {
        try db.execute(
            sql: "UPDATE dead_letters SET discarded_at = ? WHERE recipient = ? AND sequence = ? AND discarded_at IS NULL",
            arguments: [at, recipient.rawValue, sequence])
        return db.changesCount == 1
    }
}

extension HubStore {
    /// The next pending deliveries for `recipient` after `sequence`, oldest first, with their bodies.
    package func pendingDeliveries(recipient: AgencyID, after sequence: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery] {
        try read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT d.sequence, d.attempts, m.type, m.message_id, m.source, COALESCE(d.envelope_view, m.envelope), COALESCE(d.view, m.body), m.body_sha256, m.expires_at, d.audit_entry
                    FROM deliveries d JOIN messages m ON m.sequence = d.sequence
                    WHERE d.recipient = ? AND d.state = 'pending' AND d.sequence > ?
                    ORDER BY d.sequence LIMIT ?
                    """),
                arguments: [recipient.rawValue, sequence, limit])
            return rows.map { row in
                QueuedDelivery(
                    sequence: row[0], recipient: recipient, type: MessageType(stored: row[2]), messageID: row[3],
                    source: AgencyID(stored: row[4]),
                    envelope: [UInt8](row[5] as Data), body: [UInt8]((row[6] as Data?) ?? Data()), bodyDigest: row[7],
                    attempts: row[1], expiresAt: row[8], auditEntry: row[9])
            }
        }
    }

    /// The sequence and recipients of a message already held, for answering a resend.
    package func heldSequence(source: AgencyID, messageID: String) throws(StoreError) -> (sequence: Int64, recipients: [AgencyID])? {
        try read { db in
            guard let sequence = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT sequence FROM messages WHERE source = ? AND message_id = ?"),
                arguments: [source.rawValue, messageID])
            else { return nil }
            let recipients = try String.fetchAll(
                db.cachedStatement(sql: "SELECT recipient FROM deliveries WHERE sequence = ? ORDER BY recipient"), arguments: [sequence])
            return (sequence, recipients.map(AgencyID.init(stored:)))
        }
    }

    /// Messages whose bodies the hub still holds, oldest first (for replaying under proposed rules).
    package func heldMessages() throws(StoreError) -> [(sequence: Int64, source: String, type: String, body: [UInt8])] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT sequence, source, type, body FROM messages WHERE body IS NOT NULL ORDER BY sequence").map {
                (sequence: $0[0], source: $0[1], type: $0[2], body: [UInt8](($0[3] as Data?) ?? Data()))
            }
        }
    }

    /// Every cohort: owner agency, then cohort name, then members.
    package func cohorts() throws(StoreError) -> [String: [String: Set<String>]] {
        try read { db in
            var result: [String: [String: Set<String>]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT owner, name, member FROM cohorts") {
                result[row[0], default: [:]][row[1], default: []].insert(row[2])
            }
            return result
        }
    }

    /// Pending deliveries whose message expired at or before `now`.
    package func expiredDeliveries(now: Int64, limit: Int = 10_000) throws(StoreError) -> [QueuedDelivery] {
        try read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT d.recipient, d.sequence, d.attempts, m.type, m.message_id, m.source, m.body_sha256, m.expires_at
                    FROM deliveries d JOIN messages m ON m.sequence = d.sequence
                    WHERE d.state = 'pending' AND m.expires_at <= ? LIMIT ?
                    """),
                arguments: [now, limit])
            return rows.map { row in
                QueuedDelivery(
                    sequence: row[1], recipient: AgencyID(stored: row[0]), type: MessageType(stored: row[3]), messageID: row[4],
                    source: AgencyID(stored: row[5]), envelope: [],
                    body: [], bodyDigest: row[6], attempts: row[2], expiresAt: row[7])
            }
        }
    }

    /// The audit records after `entry`, oldest first.
    static func auditRecords(_ db: Database, after entry: Int64, limit: Int) throws -> [AuditRecord] {
        try Row.fetchAll(
            db, sql: """
                SELECT \(HubStore.auditColumns)
                FROM audit_log WHERE entry > ? ORDER BY entry LIMIT ?
                """, arguments: [entry, limit]
        ).map(record)
    }

    /// The audit log's columns in the order `record(_:)` reads them.
    static let auditColumns = "entry, at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail"

    /// An audit record from a row selected with `auditColumns`.
    static func record(_ row: Row) -> AuditRecord {
        AuditRecord(
            entry: row[0],
            event: AuditEvent(
                AuditEvent.Kind(rawValue: row[2]) ?? .rejected, at: row[1], agency: row[3], peer: row[4], messageID: row[5],
                sequence: row[6], type: row[7], recipient: row[8], bodyDigest: row[9], code: row[10], detail: row[11]))
    }

    /// The last `count` audit records after `entry`, oldest first.
    package func auditTail(count: Int, after entry: Int64 = 0) throws(StoreError) -> [AuditRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT * FROM (SELECT \(HubStore.auditColumns)
                    FROM audit_log WHERE entry > ? ORDER BY entry DESC LIMIT ?) ORDER BY entry
                    """, arguments: [entry, count]
            ).map(HubStore.record)
        }
    }
}
