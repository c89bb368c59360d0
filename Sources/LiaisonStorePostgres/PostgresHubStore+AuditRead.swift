import LiaisonStore
import PostgresNIO

extension PostgresHubStore {
    /// One audit record, or nil when the log has no such entry (for `liaison audit proof`, which prints its leaf text).
    package func auditEntry(_ entry: Int64) throws(StoreError) -> AuditRecord? {
        try read {
            guard let row = try run("""
                SELECT entry, at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail
                FROM audit_log WHERE entry = \(entry)
                """).rows.first
            else { return nil }
            let (entry, at, kind, agency, peer, messageID, sequence, type, recipient, digest, code, detail) = try row.decode(
                (Int64, Int64, String, String?, String?, String?, Int64?, String?, String?, String?, Int64?, String?).self)
            return AuditRecord(
                entry: entry,
                event: AuditEvent(
                    AuditEvent.Kind(rawValue: kind) ?? .rejected, at: at, agency: agency, peer: peer, messageID: messageID,
                    sequence: sequence, type: type, recipient: recipient, bodyDigest: digest, code: code.map { Int($0) }, detail: detail))
        }
    }
}

extension PostgresHubStore: AuditEvidenceReading {}
