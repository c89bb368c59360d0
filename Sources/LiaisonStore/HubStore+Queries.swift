import Foundation
import GRDB

/// Questions a regulator, a court or a parent asks of the audit log.
extension HubStore {
    /// A filter over audit records; nil fields match anything.
    package struct AuditFilter: Sendable {
        package var agency: String?
        package var recipient: String?
        package var type: String?
        package var kind: String?
        /// Matches decision records of this agreement.
        package var agreement: String?
        /// Matches decision records that permitted (true) or denied (false).
        package var permitted: Bool?
        /// Milliseconds since 1970, inclusive.
        package var from: Int64?
        package var until: Int64?
        package var limit: Int = 1000
        /// Records to skip before the first returned (for pages of results).
        package var offset: Int = 0

        package init() {}
    }

    /// The audit records that match `filter`, oldest first.
    package func audit(matching filter: AuditFilter) throws(StoreError) -> [AuditRecord] {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
            clauses.append(clause)
            arguments.append(value)
        }
        if let agency = filter.agency { add("agency = ?", agency) }
        if let recipient = filter.recipient { add("recipient = ?", recipient) }
        if let type = filter.type { add("type = ?", type) }
        if let kind = filter.kind { add("kind = ?", kind) }
        if let agreement = filter.agreement {
            add("kind = 'decision' AND (CASE WHEN json_valid(detail) THEN json_extract(detail, '$.agreement') END) = ?", agreement)
        }
        if let permitted = filter.permitted { add("kind = 'decision' AND code = ?", permitted ? 0 : 451) }
        if let from = filter.from { add("at >= ?", from) }
        if let until = filter.until { add("at <= ?", until) }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = """
            SELECT \(HubStore.auditColumns)
            FROM audit_log \(whereClause) ORDER BY entry LIMIT \(max(1, filter.limit)) OFFSET \(max(0, filter.offset))
            """
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(HubStore.record)
        }
    }

    /// Every decision that released the data of the child with this keyed pseudonym: the answer to a
    /// subject access request ("who has received my child's data, when, and why?").
    ///
    /// Found through the `subjects` index (pseudonym to the entries that record each message), so the
    /// cost follows the child's messages, not the size of the log.
    package func releases(ofChild pseudonym: String) throws(StoreError) -> [AuditRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT \(HubStore.auditColumns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                    FROM subjects s JOIN audit_log a ON a.entry BETWEEN s.first_entry AND s.last_entry
                    WHERE s.pseudonym = ? AND a.kind = 'decision' AND a.code = 0 AND instr(a.detail, ?) > 0
                    ORDER BY a.entry
                    """, arguments: [pseudonym, "\"\(pseudonym)\""]
            ).map(HubStore.record)
        }
    }
}
