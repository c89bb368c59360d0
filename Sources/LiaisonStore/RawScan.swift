import Foundation
import GRDB
import GRDBSQLite

/// A forward-only scan over a prepared statement with SQLite's C API, for `audit verify`, which reads every
/// entry and every stored node once: GRDB's `Row` (an allocation per row and per value) cost more than
/// everything else verification does. The statement belongs to GRDB; this only steps it and reads columns,
/// which GRDB documents as allowed for raw SQLite access. Use it within the `read` that made the statement.
struct RawScan {
    let statement: Statement
    private var pointer: OpaquePointer { statement.sqliteStatement }

    init(_ db: Database, sql: String, arguments: StatementArguments = []) throws {
        statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
    }

    /// Advances to the next row; false at the end.
    mutating func next() throws -> Bool {
        switch sqlite3_step(pointer) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "scan failed")
        }
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(pointer, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(pointer, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// The column's text as UTF-8 bytes in SQLite's own buffer (valid until the next step), or nil if NULL.
    func utf8(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard let text = sqlite3_column_text(pointer, column) else { return nil }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(pointer, column)))
    }

    /// The column's bytes (a copy), or nil if NULL.
    func blob(_ column: Int32) -> [UInt8]? {
        guard !isNull(column) else { return nil }
        let count = Int(sqlite3_column_bytes(pointer, column))
        guard count > 0, let blob = sqlite3_column_blob(pointer, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: blob, count: count))
    }

    /// Whether the column's bytes equal `bytes` (no copy).
    func blobEquals(_ column: Int32, _ bytes: [UInt8]) -> Bool {
        let count = Int(sqlite3_column_bytes(pointer, column))
        guard count == bytes.count else { return false }
        guard let blob = sqlite3_column_blob(pointer, column) else { return count == 0 }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, blob, count) == 0 }
    }
}
