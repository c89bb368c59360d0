import Foundation
import GRDB

/// What the operator's pages read from the store (read-only, safe while the broker runs): each agency's queue, the
/// dead letters, and one stored message's envelope. Never a body: a message is shown by its size and digest only.
extension HubStore {
    /// One recipient's queue.
    package struct AgencyQueue: Sendable, Equatable {
        package var agency: String
        /// Pending deliveries never sent to the agency (no attempt yet).
        package var backlog: Int
        /// Pending deliveries sent at least once and not yet acknowledged (including those nacked for a retry).
        package var unacknowledged: Int
        /// Deliveries that became dead letters.
        package var deadLetters: Int
        /// The latest audit record of the agency acting (connecting, leaving, sending, acknowledging), ms since 1970.
        package var lastSeen: Int64?
        /// Whether that record is `adapter-connected` (connected then, as far as the log says).
        package var lastConnected: Bool
    }

    /// Every agency with a delivery, a dead letter or an audit record of its own, by name.
    package func agencyQueues() throws(StoreError) -> [AgencyQueue] {
        try read { db in
            var queues: [String: AgencyQueue] = [:]
            func entry(_ agency: String) -> AgencyQueue {
                queues[agency] ?? AgencyQueue(agency: agency, backlog: 0, unacknowledged: 0, deadLetters: 0, lastSeen: nil, lastConnected: false)
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT recipient, SUM(state = 'pending' AND attempts = 0), SUM(state = 'pending' AND attempts > 0), SUM(state = 'dead')
                FROM deliveries GROUP BY recipient
                """) {
                let agency: String = row[0]
                var queue = entry(agency)
                queue.backlog = row[1] ?? 0
                queue.unacknowledged = row[2] ?? 0
                queue.deadLetters = row[3] ?? 0
                queues[agency] = queue
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT a.agency, a.at, a.kind FROM audit_log a
                JOIN (SELECT agency, MAX(entry) AS last FROM audit_log
                      WHERE agency IS NOT NULL AND kind IN ('adapter-connected', 'adapter-gone', 'accepted', 'duplicate', 'acknowledged', 'nack-retry')
                      GROUP BY agency) l ON a.entry = l.last
                """) {
                let agency: String = row[0]
                var queue = entry(agency)
                queue.lastSeen = row[1]
                let kind: String = row[2]
                queue.lastConnected = kind != "adapter-gone"
                queues[agency] = queue
            }
            return queues.values.sorted { $0.agency < $1.agency }
        }
    }

    /// A dead letter with its message's identity.
    package struct DeadLetterRecord: Sendable, Equatable {
        package var recipient: String
        package var sequence: Int64
        package var cause: String
        package var reason: String
        package var at: Int64
        package var source: String
        package var messageID: String
        package var type: String

        package init(
            recipient: String, sequence: Int64, cause: String, reason: String, at: Int64, source: String, messageID: String, type: String
        ) {
            self.recipient = recipient
            self.sequence = sequence
            self.cause = cause
            self.reason = reason
            self.at = at
            self.source = source
            self.messageID = messageID
            self.type = type
        }
    }

    /// The dead letters, newest first, at most `limit`.
    package func deadLetterRecords(limit: Int = 500) throws(StoreError) -> [DeadLetterRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.recipient, d.sequence, d.cause, d.reason, d.at, m.source, m.message_id, m.type
                FROM dead_letters d JOIN messages m ON m.sequence = d.sequence
                WHERE d.discarded_at IS NULL
                ORDER BY d.at DESC, d.sequence DESC, d.recipient LIMIT ?
                """, arguments: [limit]).map { row in
                DeadLetterRecord(
                    recipient: row[0], sequence: row[1], cause: row[2], reason: row[3], at: row[4], source: row[5], messageID: row[6],
                    type: row[7])
            }
        }
    }

    /// A stored message as the operator may see it: the envelope's bytes, the body's size and digest only.
    package struct StoredEnvelope: Sendable, Equatable {
        package struct Delivery: Sendable, Equatable {
            package var recipient: String
            package var state: String
            package var attempts: Int
            package var settledAt: Int64?
        }
        package var sequence: Int64
        package var source: String
        package var messageID: String
        package var type: String
        package var envelope: [UInt8]
        /// Nil when the body was deleted at the end of its retention.
        package var bodySize: Int?
        package var bodyDigest: String
        package var receivedAt: Int64
        package var expiresAt: Int64
        package var deliveries: [Delivery]
    }

    /// The message with sequence `sequence`, or nil.
    package func storedEnvelope(sequence: Int64) throws(StoreError) -> StoredEnvelope? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT sequence, source, message_id, type, envelope, length(body), body_sha256, received_at, expires_at
                FROM messages WHERE sequence = ?
                """, arguments: [sequence]) else { return nil }
            let deliveries = try Row.fetchAll(
                db, sql: "SELECT recipient, state, attempts, settled_at FROM deliveries WHERE sequence = ? ORDER BY recipient",
                arguments: [sequence]
            ).map { StoredEnvelope.Delivery(recipient: $0[0], state: $0[1], attempts: $0[2], settledAt: $0[3]) }
            let bytes: Data = row[4]
            return StoredEnvelope(
                sequence: row[0], source: row[1], messageID: row[2], type: row[3], envelope: [UInt8](bytes), bodySize: row[5],
                bodyDigest: row[6], receivedAt: row[7], expiresAt: row[8], deliveries: deliveries)
        }
    }
}
