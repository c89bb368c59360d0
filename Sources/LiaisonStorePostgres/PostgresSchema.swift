/// The hub's tables on PostgreSQL: the same tables and columns as the SQLite store's migrations (HubStore.migrator)
/// at their latest version, in one schema (`liaison` unless the URL names another).
///
/// The audit log, its Merkle tree and the checkpoints are append-only in the database itself: a trigger refuses every
/// UPDATE, DELETE and TRUNCATE on them, whoever runs it. Only the schema's owner or a superuser can drop a trigger (a
/// schema change, not a query), and what it was dropped for is caught by the tree and the agencies' signed
/// checkpoints. On top of that the broker's role has no UPDATE, DELETE or TRUNCATE on those tables at all:
/// `grants(to:in:)` gives the statements (docs/operations.md).
package enum PostgresSchema {
    /// The schema version this code writes; `liaison_schema` records the versions applied.
    package static let version = 1

    /// The tables that never change once written.
    package static let appendOnlyTables = ["audit_log", "merkle_nodes", "checkpoints"]
    /// The tables the broker inserts into, updates and deletes from.
    package static let workingTables = ["messages", "deliveries", "dead_letters", "cohorts", "subjects", "legal_holds"]

    /// Creates version 1 in `schema` (run in one transaction, under the store's advisory lock).
    static func create(in schema: String) -> [String] {
        [
            "CREATE SCHEMA IF NOT EXISTS \(schema)",
            "CREATE TABLE \(schema).liaison_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            """
            CREATE TABLE \(schema).messages (
                sequence BIGINT PRIMARY KEY,
                source TEXT NOT NULL,
                message_id TEXT NOT NULL,
                type TEXT NOT NULL,
                envelope BYTEA NOT NULL,
                body BYTEA,
                body_sha256 TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                retain_until BIGINT,
                deleted_at BIGINT,
                UNIQUE (source, message_id)
            )
            """,
            "CREATE INDEX messages_retention ON \(schema).messages (retain_until) WHERE body IS NOT NULL AND retain_until IS NOT NULL",
            "CREATE INDEX messages_expiry ON \(schema).messages (expires_at)",
            """
            CREATE TABLE \(schema).deliveries (
                recipient TEXT NOT NULL,
                sequence BIGINT NOT NULL REFERENCES \(schema).messages (sequence),
                state TEXT NOT NULL CHECK (state IN ('pending', 'acknowledged', 'dead')),
                attempts BIGINT NOT NULL DEFAULT 0,
                settled_at BIGINT,
                view BYTEA,
                envelope_view BYTEA,
                audit_entry BIGINT,
                PRIMARY KEY (recipient, sequence)
            )
            """,
            "CREATE INDEX deliveries_pending ON \(schema).deliveries (recipient, sequence) WHERE state = 'pending'",
            """
            CREATE TABLE \(schema).dead_letters (
                recipient TEXT NOT NULL,
                sequence BIGINT NOT NULL REFERENCES \(schema).messages (sequence),
                cause TEXT NOT NULL,
                reason TEXT NOT NULL,
                at BIGINT NOT NULL,
                discarded_at BIGINT,
                PRIMARY KEY (recipient, sequence)
            )
            """,
            """
            CREATE TABLE \(schema).cohorts (
                owner TEXT NOT NULL, name TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (owner, name, member)
            )
            """,
            """
            CREATE TABLE \(schema).audit_log (
                entry BIGINT PRIMARY KEY CHECK (entry > 0),
                at BIGINT NOT NULL,
                kind TEXT NOT NULL,
                agency TEXT,
                peer TEXT,
                message_id TEXT,
                sequence BIGINT,
                type TEXT,
                recipient TEXT,
                body_sha256 TEXT,
                code BIGINT,
                detail TEXT,
                leaf BYTEA NOT NULL CHECK (octet_length(leaf) = 32)
            )
            """,
            """
            CREATE TABLE \(schema).merkle_nodes (
                level BIGINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx)
            )
            """,
            "CREATE TABLE \(schema).checkpoints (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, note TEXT NOT NULL, at BIGINT NOT NULL)",
            """
            CREATE TABLE \(schema).subjects (
                pseudonym TEXT NOT NULL, sequence BIGINT NOT NULL, first_entry BIGINT NOT NULL, last_entry BIGINT NOT NULL,
                PRIMARY KEY (pseudonym, sequence)
            )
            """,
            """
            CREATE TABLE \(schema).legal_holds (
                pseudonym TEXT PRIMARY KEY, reference TEXT NOT NULL, placed_at BIGINT NOT NULL, entry BIGINT NOT NULL
            )
            """,
            // One function for every append-only table; SQLSTATE 42501 (insufficient_privilege) as a refused grant would.
            """
            CREATE FUNCTION \(schema).refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the % table is append-only: its rows cannot be changed or deleted', TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """,
        ]
            + appendOnlyTables.flatMap { table in
                [
                    """
                    CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(schema).\(table)
                    FOR EACH ROW EXECUTE FUNCTION \(schema).refuse_change()
                    """,
                    """
                    CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(schema).\(table)
                    FOR EACH STATEMENT EXECUTE FUNCTION \(schema).refuse_change()
                    """,
                ]
            }
            + ["INSERT INTO \(schema).liaison_schema (version) VALUES (\(version))"]
    }

    /// The grants for the broker's role: it reads and appends to the audit tables and nothing more, and works the
    /// queues. Run them as the schema's owner (docs/operations.md). `role` must be a plain name.
    package static func grants(to role: String, in schema: String = "liaison") -> [String] {
        precondition(PostgresStoreConfiguration.isPlainName(role) && PostgresStoreConfiguration.isPlainName(schema))
        return [
            "GRANT USAGE ON SCHEMA \(schema) TO \(role)",
            "GRANT SELECT ON \(schema).liaison_schema TO \(role)",
            "GRANT SELECT, INSERT ON \(appendOnlyTables.map { "\(schema).\($0)" }.joined(separator: ", ")) TO \(role)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON \(workingTables.map { "\(schema).\($0)" }.joined(separator: ", ")) TO \(role)",
        ]
    }
}
