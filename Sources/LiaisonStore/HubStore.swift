import Foundation
import GRDB
import MerkleLog

/// The hub's durable store in SQLite: messages, per-recipient delivery queues, dead letters and the
/// append-only audit log.
///
/// Concurrency: the broker owns one `HubStore` and calls it only from its own thread, so every call is
/// synchronous and blocking is fine there; it never runs on Swift's cooperative pool. Other processes
/// (the CLI) open the same file read-only: WAL lets them read while the broker writes.
///
/// Durability: WAL with `synchronous=FULL`, so a committed transaction survives power loss. The broker
/// acknowledges nothing before `transaction(_:)` has returned.
package final class HubStore {
    package let path: String
    let queue: DatabaseQueue
    /// The right edge of the audit log's Merkle tree, as committed (writers only).
    package private(set) var frontier = MerkleFrontier()
    /// False only for `make bench`'s baseline (what the tree costs): entries are then not added to the tree.
    let buildsTree: Bool
    /// Checkpoints the write-ahead log off the commit path, once `checkpointInBackground()` has started it.
    private var checkpointer: LogCheckpointer?

    /// Opens (creating if needed) the store at `path`, migrating its schema.
    package init(path: String, readOnly: Bool = false, buildsTree: Bool = true) throws(StoreError) {
        self.path = path
        self.buildsTree = buildsTree
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "liaison.hub"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            if !readOnly {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try HubStore.prepare(db)
        }
        if !readOnly { try HubStore.makePrivate(path) }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            if !readOnly {
                try HubStore.migrator.migrate(queue)
                try queue.write(HubStore.clearReasonsOfDeletedBodies)
                frontier = try queue.read(AuditTreeStorage.frontier)
            }
        } catch {
            throw StoreError(.cannotOpen, "Cannot open the hub's store at \(path): check the data_dir setting and permissions.", cause: error)
        }
    }

    deinit {
        guard let checkpointer else { return }
        try? queue.inDatabase { db in LogCheckpointer.uninstall(from: db) }
        checkpointer.stop()
    }

    /// Moves the write-ahead log's checkpoints off the commits, onto a thread of their own (`LogCheckpointer`): the
    /// broker's store, whose commits a sender waits for. Call once, before the first commit.
    ///
    /// - Parameter observer: told of each checkpoint and of the log's length after each commit (the broker's metrics).
    package func checkpointInBackground(observer: LogCheckpointObserver? = nil) throws(StoreError) {
        guard checkpointer == nil else { return }
        do {
            let checkpointer = try LogCheckpointer(databasePath: path, observer: observer)
            try queue.inDatabase { db in checkpointer.install(on: db) }
            self.checkpointer = checkpointer
        } catch {
            throw StoreError(.cannotOpen, "Cannot open a second connection to the hub's store at \(path) for its checkpoints.", cause: error)
        }
    }

    /// How many checkpoints the background thread has run (tests).
    package var backgroundCheckpoints: Int { checkpointer?.checkpointsRun ?? 0 }

    /// What every connection to the store sets, the broker's and every reader's: deleted content (a body
    /// past its retention) is overwritten with zeros, not left in free pages for anyone with the file.
    static func prepare(_ db: Database) throws {
        try db.execute(sql: "PRAGMA secure_delete = ON")
    }

    /// Makes the store's folder (0700) and file (0600) before SQLite does, which would create the file with
    /// its default mode (0644 less the umask) and its `-wal` and `-shm` files with the file's mode; and
    /// refuses a folder or file that group or others may use (the error names the `chmod` to run).
    static func makePrivate(_ path: String) throws(StoreError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try PrivateFile.makeDirectory(folder) }
        if !FileManager.default.fileExists(atPath: path) {
            try PrivateFile.create(path, bytes: [])  // an empty file is an empty SQLite database
        }
        for file in [path, path + "-wal", path + "-shm"] { try PrivateFile.checkPrivate(file) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE messages (
                    sequence INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    envelope BLOB NOT NULL,
                    body BLOB,
                    body_sha256 TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    UNIQUE (source, message_id)
                );
                CREATE TABLE deliveries (
                    recipient TEXT NOT NULL,
                    sequence INTEGER NOT NULL REFERENCES messages(sequence),
                    state TEXT NOT NULL CHECK (state IN ('pending', 'acknowledged', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    settled_at INTEGER,
                    PRIMARY KEY (recipient, sequence)
                ) WITHOUT ROWID;
                CREATE INDEX deliveries_pending ON deliveries (recipient, sequence) WHERE state = 'pending';
                CREATE TABLE dead_letters (
                    recipient TEXT NOT NULL,
                    sequence INTEGER NOT NULL REFERENCES messages(sequence),
                    cause TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (recipient, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE audit_log (
                    entry INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    agency TEXT,
                    peer TEXT,
                    message_id TEXT,
                    sequence INTEGER,
                    type TEXT,
                    recipient TEXT,
                    body_sha256 TEXT,
                    code INTEGER,
                    detail TEXT
                );
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted'); END;
                """)
        }
        migrator.registerMigration("v2-rules") { db in
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN view BLOB;
                CREATE TABLE cohorts (
                    owner TEXT NOT NULL,
                    name TEXT NOT NULL,
                    member TEXT NOT NULL,
                    PRIMARY KEY (owner, name, member)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-envelope-views") { db in
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN envelope_view BLOB")
        }
        migrator.registerMigration("v4-merkle") { db in
            // Every complete subtree of the audit log's RFC 6962 tree, leaves at level 0: proofs read
            // O(log n) of them. Append-only, like the log.
            try db.execute(sql: """
                CREATE TABLE merkle_nodes (
                    level INTEGER NOT NULL,
                    idx INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    PRIMARY KEY (level, idx)
                ) WITHOUT ROWID;
                CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
                BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
                CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
                BEGIN SELECT RAISE(ABORT, 'the audit tree is append-only'); END;
                """)
            // Entries written before the tree existed become its first leaves.
            var frontier = MerkleFrontier()
            let insert = try db.makeStatement(sql: "INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)")
            for record in try HubStore.auditRecords(db, after: 0, limit: Int.max) {
                for node in frontier.append(AuditLeaf.hash(entry: record.entry, record.event)) {
                    try insert.execute(arguments: [node.level, node.index, Data(node.hash)])
                }
            }
        }
        migrator.registerMigration("v5-checkpoints") { db in
            try db.execute(sql: """
                CREATE TABLE checkpoints (
                    size INTEGER PRIMARY KEY,
                    root BLOB NOT NULL,
                    note TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
                BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
                BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
                """)
        }
        migrator.registerMigration("v6-evidence-retention") { db in
            // Each delivery names the audit entry that records its exchange (DELIVER's frame 5); messages
            // carry when their bodies may be deleted; `subjects` indexes messages by the keyed pseudonyms of
            // the children in them (subject access and legal holds); `legal_holds` is the current holds
            // (their history is in the audit log).
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN audit_entry INTEGER;
                ALTER TABLE messages ADD COLUMN retain_until INTEGER;
                ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
                CREATE INDEX messages_retention ON messages (retain_until) WHERE body IS NOT NULL AND retain_until IS NOT NULL;
                CREATE TABLE subjects (
                    pseudonym TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    first_entry INTEGER NOT NULL,
                    last_entry INTEGER NOT NULL,
                    PRIMARY KEY (pseudonym, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE legal_holds (
                    pseudonym TEXT PRIMARY KEY,
                    reference TEXT NOT NULL,
                    placed_at INTEGER NOT NULL,
                    entry INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v7-leaf-in-row") { db in
            // Each entry's leaf hash moves into its own row (AuditTreeStorage): commits then store only subtrees of 16
            // leaves and more. Existing leaves are copied from the tree; the update is the migration's, under the same
            // trigger the log keeps afterwards.
            try db.execute(sql: """
                ALTER TABLE audit_log ADD COLUMN leaf BLOB;
                DROP TRIGGER audit_log_no_update;
                UPDATE audit_log SET leaf = (SELECT hash FROM merkle_nodes WHERE level = 0 AND idx = audit_log.entry - 1);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed'); END;
                """)
        }
        migrator.registerMigration("v8-dead-letter-discarded") { db in
            // An operator's discard (the broker's admin interface) marks the dead letter; the row stays for the record.
            try db.execute(sql: "ALTER TABLE dead_letters ADD COLUMN discarded_at INTEGER")
        }
        return migrator
    }

    /// Runs `body` in one transaction (group commit): everything in it is durable when this returns, or
    /// nothing is.
    package func transaction<T>(_ body: (HubTransaction) throws -> T) throws(StoreError) -> T {
        do {
            var start = self.frontier
            let (result, moved) = try queue.write { db in  // IMMEDIATE: GRDB's default for a writer
                // Another writer (the CLI placing a legal hold) may have appended since: pick up its edge.
                let size = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(entry), 0) FROM audit_log") ?? 0
                if buildsTree, size != start.size { start = try AuditTreeStorage.frontier(db) }
                let transaction = HubTransaction(db: db, frontier: start, buildsTree: buildsTree)
                let result = try body(transaction)
                return (result, transaction.frontier)
            }
            // The tree's edge moves only once the transaction that wrote its nodes has committed.
            self.frontier = moved
            return result
        } catch {
            throw StoreError(.commitFailed, "The hub could not commit to its store.", cause: error)
        }
    }

    /// Runs a read.
    package func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw StoreError(.readFailed, "The hub could not read its store.", cause: error)
        }
    }
}
