import StrictJSON
import Foundation
import GRDB
import LiaisonProtocol

/// A legal hold on one child's messages: while it stands, their bodies are kept past their retention period.
package struct LegalHold: Sendable, Equatable {
    /// The child's keyed pseudonym (the hub never stores the UPN).
    package var pseudonym: String
    /// The request or case it serves (e.g. `SAR-2026-014`): a reference, never a name.
    package var reference: String
    /// Milliseconds since 1970 (UTC).
    package var placedAt: Int64
    /// The audit entry that records the hold.
    package var entry: Int64

    package init(pseudonym: String, reference: String, placedAt: Int64, entry: Int64) {
        self.pseudonym = pseudonym
        self.reference = reference
        self.placedAt = placedAt
        self.entry = entry
    }
}

extension HubTransaction {
    /// Deletes the bodies and envelopes (and each recipient's view of them, and a recipient's reason for rejecting
    /// them) of messages whose retention period has ended, unless a delivery is still pending or a legal hold covers
    /// a child in them. The envelope goes with the body because it carries what the sender wrote (`subject`,
    /// `purpose`, `correlationid`); a `rejected` dead letter's reason goes because it is the recipient's free text
    /// about the body (`DeadLetterCause.reasonDeletedWithBody` takes its place). The row keeps its source, id, type,
    /// digest and times. Leaves and audit entries stay: what was exchanged remains provable, the personal data goes.
    /// With `secure_delete` on, the freed bytes are overwritten, not left in the file's free pages.
    ///
    /// - Returns: the sequences whose bodies were deleted, oldest first (at most `limit`).
    package func deleteExpiredBodies(now: Int64, limit: Int) throws -> [Int64] {
        let sequences = try Int64.fetchAll(
            db.cachedStatement(sql: """
                SELECT m.sequence FROM messages m
                WHERE m.body IS NOT NULL AND m.retain_until IS NOT NULL AND m.retain_until <= ?
                  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.sequence = m.sequence AND d.state = 'pending')
                  AND m.sequence NOT IN (
                      SELECT s.sequence FROM legal_holds h JOIN subjects s ON s.pseudonym = h.pseudonym)
                ORDER BY m.retain_until LIMIT ?
                """),
            arguments: [now, limit])
        let clearMessage = try db.cachedStatement(sql: "UPDATE messages SET body = NULL, envelope = X'', deleted_at = ? WHERE sequence = ?")
        let clearViews = try db.cachedStatement(sql: "UPDATE deliveries SET view = NULL, envelope_view = NULL WHERE sequence = ?")
        let clearReasons = try db.cachedStatement(sql: "UPDATE dead_letters SET reason = ? WHERE sequence = ? AND cause = ?")
        for sequence in sequences {
            try clearMessage.execute(arguments: [now, sequence])
            try clearViews.execute(arguments: [sequence])
            try clearReasons.execute(arguments: [DeadLetterCause.reasonDeletedWithBody, sequence, DeadLetterCause.rejected.rawValue])
        }
        return sequences.sorted()
    }

    /// Places (or re-references) a legal hold on a child's messages, audited.
    ///
    /// - Returns: the audit entry that records it.
    package func placeHold(pseudonym: String, reference: String, at: Int64) throws -> Int64 {
        let entry = try append(AuditEvent(.legalHoldPlaced, at: at, detail: HubStore.holdDetail(pseudonym, reference)))
        try db.execute(
            sql: """
                INSERT INTO legal_holds (pseudonym, reference, placed_at, entry) VALUES (?, ?, ?, ?)
                ON CONFLICT (pseudonym) DO UPDATE SET reference = excluded.reference, placed_at = excluded.placed_at, entry = excluded.entry
                """,
            arguments: [pseudonym, reference, at, entry])
        return entry
    }

    /// Releases a child's legal hold, audited.
    ///
    /// - Returns: the audit entry that records the release, or nil when there was no hold (nothing is written).
    package func releaseHold(pseudonym: String, reference: String, at: Int64) throws -> Int64? {
        try db.execute(sql: "DELETE FROM legal_holds WHERE pseudonym = ?", arguments: [pseudonym])
        guard db.changesCount == 1 else { return nil }
        return try append(AuditEvent(.legalHoldReleased, at: at, detail: HubStore.holdDetail(pseudonym, reference)))
    }
}

extension HubStore {
    /// Replaces the reason of each `rejected` dead letter whose message's body is already gone: stores whose bodies were
    /// deleted before the retention sweep took the recipients' reasons with them (2026-12-05). Run when the store is
    /// opened for writing; it finds nothing after the first time. It looks up each rejected dead letter's message by its
    /// key rather than scanning the messages, so opening a large store stays quick.
    static func clearReasonsOfDeletedBodies(_ db: Database) throws {
        try db.execute(sql: clearReasonsOfDeletedBodiesSQL, arguments: clearReasonsOfDeletedBodiesArguments)
    }

    package static let clearReasonsOfDeletedBodiesSQL = """
        UPDATE dead_letters SET reason = ? WHERE cause = ? AND reason <> ?
          AND EXISTS (SELECT 1 FROM messages WHERE messages.sequence = dead_letters.sequence AND deleted_at IS NOT NULL)
        """
    package static let clearReasonsOfDeletedBodiesArguments: StatementArguments = [
        DeadLetterCause.reasonDeletedWithBody, DeadLetterCause.rejected.rawValue, DeadLetterCause.reasonDeletedWithBody,
    ]

    /// The detail of a hold's audit record: the child's pseudonym and the reference (no free text).
    package static func holdDetail(_ pseudonym: String, _ reference: String) -> String {
        var json = JSONText()
        json.string("child", pseudonym)
        json.string("reference", reference)
        return String(decoding: json.finish(), as: UTF8.self)
    }

    /// The legal holds in force, oldest first.
    package func legalHolds() throws(StoreError) -> [LegalHold] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT pseudonym, reference, placed_at, entry FROM legal_holds ORDER BY placed_at").map {
                LegalHold(pseudonym: $0[0], reference: $0[1], placedAt: $0[2], entry: $0[3])
            }
        }
    }

    /// Whether the hub still holds a message's envelope (an empty one once its body was deleted).
    package func holdsEnvelope(sequence: Int64) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT length(envelope) > 0 FROM messages WHERE sequence = ?", arguments: [sequence]) ?? false
        }
    }

    /// Whether the hub still holds a message's body.
    package func holdsBody(sequence: Int64) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT body IS NOT NULL FROM messages WHERE sequence = ?", arguments: [sequence]) ?? false
        }
    }
}

extension HubStore {
    /// Checkpoints the write-ahead log into the database file and truncates it, so that pages a deletion
    /// zeroed (`secure_delete`) leave no older image behind in `hub.sqlite-wal`. Best effort: a reader holding
    /// the log open makes SQLite checkpoint only what it can, and the next sweep tries again.
    package func truncateWriteAheadLog() {
        _ = try? queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }
}

extension HubStore {
    /// Caps the store's file at about `bytes` (SQLite's `max_page_count`), or lifts the cap (nil). Past the cap a
    /// transaction fails with SQLITE_FULL exactly as on a full disk, so the broker's 503 path is the one a real
    /// full disk takes. A cap below the file's present size holds it where it is.
    package func limitSize(to bytes: Int?) throws(StoreError) {
        do {
            try queue.writeWithoutTransaction { db in
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                let pages = bytes.map { max(1, $0 / pageSize) } ?? 4_294_967_294
                _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
            }
        } catch {
            throw StoreError(.commitFailed, "Cannot set the store's size limit.", cause: error)
        }
    }
}
