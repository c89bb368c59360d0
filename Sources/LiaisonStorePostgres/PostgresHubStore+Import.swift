import Foundation
import LiaisonStore
import MerkleLog
import NIOCore
import PostgresNIO

/// Copying a hub's SQLite store into an empty PostgreSQL store: `liaison store migrate` (issue 16).
extension PostgresHubStore {
    /// What a copy wrote and found.
    package struct ImportReport: Sendable {
        /// Rows copied, per table, in `StoreTable.all`'s order.
        package var rows: [(table: String, count: Int)]
        /// The audit tree's size and root, the same on both stores (checked before the copy committed).
        package var treeSize: Int
        package var treeRoot: MerkleTree.Hash
        /// The signed checkpoints copied (their notes equal on both stores).
        package var checkpoints: Int
    }

    /// Copies every table of `source` (SQLite, read in one snapshot) into the PostgreSQL store at `configuration`,
    /// which must be empty, in one PostgreSQL transaction under the writers' lock; then, before committing, checks that
    /// the copy's audit tree has the same size and root as the source's, its checkpoint notes are the same, and every
    /// table holds as many rows as were read. Any failure rolls the whole copy back: the target is left empty.
    ///
    /// The store is opened here and closed before this returns (it creates the schema if there is none), so no store
    /// object is left holding an edge of the tree from before the copy.
    ///
    /// - Parameter batchRows: rows per INSERT statement (each is one round trip; at most 65,535 values per statement).
    /// - Throws: `StoreError`: `.cannotOpen` when either store cannot be opened; `.commitFailed` when the target is not
    ///   empty (naming the table), a row is refused, or the check after the copy fails; `.readFailed` when the source
    ///   cannot be read.
    package static func importStore(
        from source: HubStore, into configuration: PostgresStoreConfiguration, batchRows: Int = 1_000
    ) throws(StoreError) -> ImportReport {
        let target = try PostgresHubStore(configuration: configuration)
        defer { target.close() }
        return try target.importRows(from: source, batchRows: batchRows)
    }

    private func importRows(from source: HubStore, batchRows: Int) throws(StoreError) -> ImportReport {
        let rowsPerStatement = max(1, min(batchRows, 60_000 / (StoreTable.all.map(\.columns.count).max() ?? 1)))
        do {
            return try inTransaction { () throws -> ImportReport in
                try lock()
                for table in StoreTable.all {
                    let rows = try run(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)")).rows.first?.decode(Int64.self) ?? 0
                    guard rows == 0 else {
                        throw StoreError(
                            .commitFailed,
                            "The PostgreSQL store at \(configuration.displayName) is not empty (its \(table.name) table holds \(rows) rows): "
                                + "migrate only into an empty store, a new database or a new schema (?schema=NAME).")
                    }
                }
                // A full batch's statement text is the same every time: made once per table.
                var statements: [String: String] = [:]
                let summary = try source.export(batchRows: rowsPerStatement) { table, rows in
                    let key = "\(table.name)/\(rows.count)"
                    let sql = statements[key] ?? PostgresHubStore.insertSQL(into: table, rows: rows.count)
                    statements[key] = sql
                    try run(PostgresQuery(unsafeSQL: sql, binds: PostgresHubStore.bindings(rows, columns: table.columns.count)))
                }
                // The copy checks out before it commits, against what was read in the source's snapshot.
                var copied: [(table: String, count: Int)] = []
                for table in StoreTable.all {
                    let count = Int(try run(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table.name)")).rows.first?.decode(Int64.self) ?? 0)
                    let read = summary.rows[table.name] ?? 0
                    guard count == read else {
                        throw StoreError(.commitFailed, "The copy's \(table.name) table holds \(count) rows but \(read) were read: nothing was copied.")
                    }
                    copied.append((table.name, count))
                }
                let frontier = try readFrontier()
                guard frontier.size == summary.treeSize, frontier.root == summary.treeRoot else {
                    throw StoreError(
                        .commitFailed,
                        "The copy's audit tree (\(frontier.size) entries, root \(Digest.hex(frontier.root))) differs from the source's "
                            + "(\(summary.treeSize), \(Digest.hex(summary.treeRoot))): nothing was copied. Run `liaison audit verify` on the source.")
                }
                let notes = try run("SELECT note FROM checkpoints ORDER BY size").rows.map { try $0.decode(String.self) }
                guard notes == summary.checkpointNotes else {
                    throw StoreError(.commitFailed, "The copy's signed checkpoints differ from the source's: nothing was copied.")
                }
                return ImportReport(rows: copied, treeSize: frontier.size, treeRoot: frontier.root, checkpoints: notes.count)
            }
        } catch let error as StoreError where error.code == .commitFailed || error.code == .readFailed {
            throw error
        } catch {
            throw StoreError(
                .commitFailed, "The copy into \(configuration.displayName) failed, and nothing was copied: \(PostgresHubStore.Failure(error)).",
                cause: PostgresHubStore.Failure(error))
        }
    }

    /// The multi-row INSERT of `rows` rows into `table`: every value a bind parameter, cast to its column's type.
    static func insertSQL(into table: StoreTable, rows: Int) -> String {
        let casts = table.kinds.map { kind in
            switch kind {
            case .integer: "::bigint"
            case .text: "::text"
            case .blob: "::bytea"
            }
        }
        var sql = "INSERT INTO \(table.name) (\(table.columns.joined(separator: ", "))) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * table.columns.count * 14)
        var parameter = 0
        for row in 0..<rows {
            sql += row == 0 ? "(" : ", ("
            for column in casts.indices {
                parameter += 1
                sql += column == 0 ? "$\(parameter)\(casts[column])" : ", $\(parameter)\(casts[column])"
            }
            sql += ")"
        }
        return sql
    }

    /// The values of `rows`, in order, for `insertSQL`'s parameters.
    static func bindings(_ rows: [[StoredValue]], columns: Int) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: rows.count * columns)
        for row in rows {
            for value in row {
                switch value {
                case .null: bindings.appendNull()
                case .integer(let number): bindings.append(number)
                case .text(let text): bindings.append(text)
                case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
                }
            }
        }
        return bindings
    }
}
