import LiaisonStore
import PostgresNIO

extension PostgresTransaction {
    /// Places (or re-references) a legal hold on a child's messages, audited, as `HubTransaction.placeHold`.
    ///
    /// - Returns: the audit entry that records it.
    package func placeHold(pseudonym: String, reference: String, at: Int64) throws -> Int64 {
        let entry = try append(AuditEvent(.legalHoldPlaced, at: at, detail: HubStore.holdDetail(pseudonym, reference)))
        try flush()
        try store.run("""
            INSERT INTO legal_holds (pseudonym, reference, placed_at, entry) VALUES (\(pseudonym), \(reference), \(at), \(entry))
            ON CONFLICT (pseudonym) DO UPDATE SET reference = excluded.reference, placed_at = excluded.placed_at, entry = excluded.entry
            """)
        return entry
    }

    /// Releases a child's legal hold, audited, as `HubTransaction.releaseHold`.
    ///
    /// - Returns: the audit entry that records the release, or nil when there was no hold (nothing is written).
    package func releaseHold(pseudonym: String, reference: String, at: Int64) throws -> Int64? {
        try flush()
        guard try store.run("DELETE FROM legal_holds WHERE pseudonym = \(pseudonym)").metadata.rows == 1 else { return nil }
        return try append(AuditEvent(.legalHoldReleased, at: at, detail: HubStore.holdDetail(pseudonym, reference)))
    }
}

extension PostgresHubStore {
    /// The legal holds in force, oldest first.
    package func legalHolds() throws(StoreError) -> [LegalHold] {
        try read {
            try run("SELECT pseudonym, reference, placed_at, entry FROM legal_holds ORDER BY placed_at, pseudonym").rows.map { row in
                let (pseudonym, reference, placedAt, entry) = try row.decode((String, String, Int64, Int64).self)
                return LegalHold(pseudonym: pseudonym, reference: reference, placedAt: placedAt, entry: entry)
            }
        }
    }
}
