import LiaisonProtocol
import LiaisonStore
import NIOCore
import PostgresNIO

/// The writes of a group commit whose results nothing in the transaction reads back (new messages, whose sequences the
/// transaction assigns itself; audit entries and their tree nodes, new deliveries, the subject index, attempts and acknowledgements), held until `PostgresTransaction.flush`
/// and then written in one statement per table: a batch of 500 messages costs a handful of round trips to PostgreSQL
/// instead of thousands. Each statement binds every value (never text put into SQL), in chunks that stay under
/// PostgreSQL's 65,535 parameters.
///
/// Hand-written because postgres-nio has no batch or COPY API for binary rows; the SQL is plain multi-row INSERT and
/// `UPDATE … FROM (VALUES …)`.
struct PostgresWriteBuffer {
    struct AuditRow {
        var entry: Int64
        var event: AuditEvent
        var leaf: [UInt8]
    }

    struct MessageRow {
        var sequence: Int64
        var source: String
        var messageID: String
        var type: String
        var envelope: [UInt8]
        var body: [UInt8]
        var bodyDigest: String
        var receivedAt: Int64
        var expiresAt: Int64
        var retainUntil: Int64?
    }

    struct DeliveryRow {
        var recipient: String
        var sequence: Int64
        var view: [UInt8]?
        var envelopeView: [UInt8]?
        var auditEntry: Int64?
    }

    struct Key: Hashable {
        var recipient: String
        var sequence: Int64
    }

    /// A message by its sender and id (the store's dedup key).
    struct MessageKey: Hashable {
        var source: String
        var messageID: String
    }

    var messages: [MessageRow] = []
    var audit: [AuditRow] = []
    var nodes: [(level: Int64, index: Int64, hash: [UInt8])] = []
    var deliveries: [DeliveryRow] = []
    var subjects: [(pseudonym: String, sequence: Int64, first: Int64, last: Int64)] = []
    /// Attempts to add to each delivery, in the order first asked for.
    var attempts: [Key: Int64] = [:]
    var attemptOrder: [Key] = []
    /// Acknowledgements: the time of each (a delivery is acknowledged once).
    var acknowledgements: [(key: Key, at: Int64)] = []

    var isEmpty: Bool {
        messages.isEmpty && audit.isEmpty && nodes.isEmpty && deliveries.isEmpty && subjects.isEmpty && attemptOrder.isEmpty && acknowledgements.isEmpty
    }

    /// Rows per statement: PostgreSQL binds at most 65,535 parameters, and the widest row (audit_log) has 13. (A batch's
    /// bodies are bounded by the broker's cycle, 8 MiB.)
    static let chunk = 4000

    /// The statements that write everything held, in an order that respects the references between the tables
    /// (deliveries before the attempts and acknowledgements on them).
    func statements() -> [PostgresQuery] {
        var queries: [PostgresQuery] = []
        for rows in messages.chunked(Self.chunk) {
            queries.append(Self.values(
                "INSERT INTO messages (sequence, source, message_id, type, envelope, body, body_sha256, received_at, expires_at, retain_until) VALUES ",
                rows
            ) { row, sql in
                sql.appendInterpolation(row.sequence); sql.appendLiteral(", ")
                sql.appendInterpolation(row.source); sql.appendLiteral(", ")
                sql.appendInterpolation(row.messageID); sql.appendLiteral(", ")
                sql.appendInterpolation(row.type); sql.appendLiteral(", ")
                sql.appendInterpolation(ByteBuffer(bytes: row.envelope)); sql.appendLiteral(", ")
                sql.appendInterpolation(ByteBuffer(bytes: row.body)); sql.appendLiteral(", ")
                sql.appendInterpolation(row.bodyDigest); sql.appendLiteral(", ")
                sql.appendInterpolation(row.receivedAt); sql.appendLiteral(", ")
                sql.appendInterpolation(row.expiresAt); sql.appendLiteral(", ")
                sql.appendInterpolation(row.retainUntil)
            })
        }
        for rows in audit.chunked(Self.chunk) {
            queries.append(Self.values(
                "INSERT INTO audit_log (entry, at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail, leaf) VALUES ",
                rows
            ) { row, sql in
                let event = row.event
                sql.appendInterpolation(row.entry); sql.appendLiteral(", ")
                sql.appendInterpolation(event.at); sql.appendLiteral(", ")
                sql.appendInterpolation(event.kind.rawValue); sql.appendLiteral(", ")
                sql.appendInterpolation(event.agency); sql.appendLiteral(", ")
                sql.appendInterpolation(event.peer); sql.appendLiteral(", ")
                sql.appendInterpolation(event.messageID); sql.appendLiteral(", ")
                sql.appendInterpolation(event.sequence); sql.appendLiteral(", ")
                sql.appendInterpolation(event.type); sql.appendLiteral(", ")
                sql.appendInterpolation(event.recipient); sql.appendLiteral(", ")
                sql.appendInterpolation(event.bodyDigest); sql.appendLiteral(", ")
                sql.appendInterpolation(event.code.map(Int64.init)); sql.appendLiteral(", ")
                sql.appendInterpolation(event.detail); sql.appendLiteral(", ")
                sql.appendInterpolation(ByteBuffer(bytes: row.leaf))
            })
        }
        for rows in nodes.chunked(Self.chunk) {
            queries.append(Self.values("INSERT INTO merkle_nodes (level, idx, hash) VALUES ", rows) { row, sql in
                sql.appendInterpolation(row.level); sql.appendLiteral(", ")
                sql.appendInterpolation(row.index); sql.appendLiteral(", ")
                sql.appendInterpolation(ByteBuffer(bytes: row.hash))
            })
        }
        for rows in deliveries.chunked(Self.chunk) {
            queries.append(Self.values(
                "INSERT INTO deliveries (recipient, sequence, state, view, envelope_view, audit_entry) VALUES ", rows
            ) { row, sql in
                sql.appendInterpolation(row.recipient); sql.appendLiteral(", ")
                sql.appendInterpolation(row.sequence); sql.appendLiteral(", 'pending', ")
                sql.appendInterpolation(row.view.map { ByteBuffer(bytes: $0) }); sql.appendLiteral(", ")
                sql.appendInterpolation(row.envelopeView.map { ByteBuffer(bytes: $0) }); sql.appendLiteral(", ")
                sql.appendInterpolation(row.auditEntry)
            })
        }
        for rows in subjects.chunked(Self.chunk) {
            queries.append(Self.values(
                "INSERT INTO subjects (pseudonym, sequence, first_entry, last_entry) VALUES ", rows, suffix: " ON CONFLICT DO NOTHING"
            ) { row, sql in
                sql.appendInterpolation(row.pseudonym); sql.appendLiteral(", ")
                sql.appendInterpolation(row.sequence); sql.appendLiteral(", ")
                sql.appendInterpolation(row.first); sql.appendLiteral(", ")
                sql.appendInterpolation(row.last)
            })
        }
        for keys in attemptOrder.chunked(Self.chunk) {
            queries.append(Self.values(
                "UPDATE deliveries d SET attempts = d.attempts + v.n FROM (VALUES ", keys,
                suffix: ") AS v (recipient, sequence, n) WHERE d.recipient = v.recipient AND d.sequence = v.sequence"
            ) { key, sql in
                sql.appendInterpolation(key.recipient); sql.appendLiteral("::text, ")
                sql.appendInterpolation(key.sequence); sql.appendLiteral("::bigint, ")
                sql.appendInterpolation(attempts[key] ?? 1); sql.appendLiteral("::bigint")
            })
        }
        for rows in acknowledgements.chunked(Self.chunk) {
            queries.append(Self.values(
                "UPDATE deliveries d SET state = 'acknowledged', settled_at = v.at FROM (VALUES ", rows,
                suffix: ") AS v (recipient, sequence, at) WHERE d.recipient = v.recipient AND d.sequence = v.sequence AND d.state = 'pending'"
            ) { row, sql in
                sql.appendInterpolation(row.key.recipient); sql.appendLiteral("::text, ")
                sql.appendInterpolation(row.key.sequence); sql.appendLiteral("::bigint, ")
                sql.appendInterpolation(row.at); sql.appendLiteral("::bigint")
            })
        }
        return queries
    }

    /// `prefix (row), (row), … suffix`, each row's values written by `row` as bind parameters.
    static func values<Row>(
        _ prefix: String, _ rows: ArraySlice<Row>, suffix: String = "",
        row: (Row, inout PostgresQuery.StringInterpolation) -> Void
    ) -> PostgresQuery {
        var sql = PostgresQuery.StringInterpolation(literalCapacity: prefix.utf8.count + rows.count * 8, interpolationCount: 0)
        sql.appendLiteral(prefix)
        for (offset, value) in rows.enumerated() {
            sql.appendLiteral(offset == 0 ? "(" : ", (")
            row(value, &sql)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(suffix)
        return PostgresQuery(stringInterpolation: sql)
    }
}

extension Array {
    /// The array in consecutive slices of at most `size`.
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
