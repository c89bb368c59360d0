import Foundation
import GRDB
import GRDBSQLite
import MerkleLog

/// One value of a stored row, whatever the engine: what `HubStore.export` reads from SQLite for another engine's store
/// to write (`liaison store migrate`, issue 16).
package enum StoredValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}

/// One of the hub's tables as a copy reads and writes it: its columns, each with the type the PostgreSQL schema gives
/// it, and the order its rows are read in (its primary key).
package struct StoreTable: Sendable {
    /// What a column holds.
    package enum Kind: Sendable { case integer, text, blob }

    package let name: String
    package let columns: [String]
    package let kinds: [Kind]
    package let orderBy: String

    init(_ name: String, orderBy: String, _ columns: [(String, Kind)]) {
        self.name = name
        self.columns = columns.map(\.0)
        self.kinds = columns.map(\.1)
        self.orderBy = orderBy
    }

    /// Every table of the store at its latest migration, in an order in which each row's references are written
    /// before it (messages before the deliveries and dead letters that name them).
    package static let all: [StoreTable] = [
        StoreTable("messages", orderBy: "sequence", [
            ("sequence", .integer), ("source", .text), ("message_id", .text), ("type", .text), ("envelope", .blob), ("body", .blob),
            ("body_sha256", .text), ("received_at", .integer), ("expires_at", .integer), ("retain_until", .integer), ("deleted_at", .integer),
        ]),
        StoreTable("deliveries", orderBy: "sequence, recipient", [
            ("recipient", .text), ("sequence", .integer), ("state", .text), ("attempts", .integer), ("settled_at", .integer),
            ("view", .blob), ("envelope_view", .blob), ("audit_entry", .integer),
        ]),
        StoreTable("dead_letters", orderBy: "sequence, recipient", [
            ("recipient", .text), ("sequence", .integer), ("cause", .text), ("reason", .text), ("at", .integer), ("discarded_at", .integer),
        ]),
        StoreTable("cohorts", orderBy: "owner, name, member", [("owner", .text), ("name", .text), ("member", .text)]),
        StoreTable("audit_log", orderBy: "entry", [
            ("entry", .integer), ("at", .integer), ("kind", .text), ("agency", .text), ("peer", .text), ("message_id", .text),
            ("sequence", .integer), ("type", .text), ("recipient", .text), ("body_sha256", .text), ("code", .integer), ("detail", .text),
            ("leaf", .blob),
        ]),
        StoreTable("merkle_nodes", orderBy: "level, idx", [("level", .integer), ("idx", .integer), ("hash", .blob)]),
        StoreTable("checkpoints", orderBy: "size", [("size", .integer), ("root", .blob), ("note", .text), ("at", .integer)]),
        StoreTable("subjects", orderBy: "pseudonym, sequence", [
            ("pseudonym", .text), ("sequence", .integer), ("first_entry", .integer), ("last_entry", .integer),
        ]),
        StoreTable("legal_holds", orderBy: "pseudonym", [
            ("pseudonym", .text), ("reference", .text), ("placed_at", .integer), ("entry", .integer),
        ]),
    ]
}

extension HubStore {
    /// What `export` read: rows per table, and the audit tree and checkpoints as they stood in the same snapshot.
    package struct ExportSummary: Sendable {
        /// Rows read, per table name.
        package var rows: [String: Int]
        package var treeSize: Int
        package var treeRoot: MerkleTree.Hash
        /// The signed checkpoints' notes, oldest first.
        package var checkpointNotes: [String]
    }

    /// Reads every row of every table (`StoreTable.all`) in one read transaction, so in one consistent snapshot, and
    /// hands them to `sink` a batch at a time (at most `batchRows` rows, or fewer once about `batchBytes` are held), table
    /// by table in `StoreTable.all`'s order, each table in its primary key's order.
    ///
    /// Errors `sink` throws are thrown as they are (the copy's own errors), the store's own as `StoreError`.
    ///
    /// - Throws: `StoreError` `.readFailed` when the store is not at this Liaison's latest schema (the broker upgrades it
    ///   when it starts), or a value is not of its column's type (naming the table, column and row number, never the
    ///   value).
    package func export(
        batchRows: Int = 1_000, batchBytes: Int = 8 << 20, _ sink: (StoreTable, [[StoredValue]]) throws -> Void
    ) throws -> ExportSummary {
        precondition(batchRows > 0)
        do {
            return try queue.read { db in
                guard try HubStore.migrator.hasCompletedMigrations(db) else {
                    throw StoreError(
                        .readFailed,
                        "The SQLite store at \(path) was written by an older Liaison: start this version's broker on it once (it upgrades the store), stop it, then copy it.")
                }
                var rows: [String: Int] = [:]
                for table in StoreTable.all {
                    var scan = try RawScan(db, sql: "SELECT \(table.columns.joined(separator: ", ")) FROM \(table.name) ORDER BY \(table.orderBy)")
                    var batch: [[StoredValue]] = []
                    batch.reserveCapacity(batchRows)
                    var bytes = 0
                    var count = 0
                    while try scan.next() {
                        count += 1
                        var row: [StoredValue] = []
                        row.reserveCapacity(table.columns.count)
                        for (index, kind) in table.kinds.enumerated() {
                            let value = try HubStore.value(scan, column: Int32(index), kind: kind) {
                                "\(table.name).\(table.columns[index]) in row \(count) of the SQLite store"
                            }
                            if case .blob(let data) = value { bytes += data.count }
                            if case .text(let text) = value { bytes += text.utf8.count }
                            row.append(value)
                        }
                        batch.append(row)
                        if batch.count >= batchRows || bytes >= batchBytes {
                            try sink(table, batch)
                            batch.removeAll(keepingCapacity: true)
                            bytes = 0
                        }
                    }
                    if !batch.isEmpty { try sink(table, batch) }
                    rows[table.name] = count
                }
                let frontier = try AuditTreeStorage.frontier(db)
                let notes = try String.fetchAll(db, sql: "SELECT note FROM checkpoints ORDER BY size")
                return ExportSummary(rows: rows, treeSize: frontier.size, treeRoot: frontier.root, checkpointNotes: notes)
            }
        } catch let error as DatabaseError {
            throw StoreError(.readFailed, "Cannot read the SQLite store at \(path).", cause: error)
        }
    }

    /// One column of the scan's current row as `kind` (a blob column may hold text: its UTF-8 bytes).
    private static func value(_ scan: RawScan, column: Int32, kind: StoreTable.Kind, _ name: () -> String) throws -> StoredValue {
        let type = sqlite3_column_type(scan.statement.sqliteStatement, column)
        switch (type, kind) {
        case (SQLITE_NULL, _): return .null
        case (SQLITE_INTEGER, .integer): return .integer(scan.int64(column))
        case (SQLITE_TEXT, .text): return .text(scan.utf8(column).map { String(decoding: $0, as: UTF8.self) } ?? "")
        case (SQLITE_BLOB, .blob), (SQLITE_TEXT, .blob): return .blob(scan.blob(column) ?? [])
        default:
            throw StoreError(.readFailed, "\(name()) is not of its column's type (\(kind)): run `liaison audit verify`, and check the store.")
        }
    }
}
