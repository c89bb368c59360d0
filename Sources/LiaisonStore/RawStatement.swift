import GRDB
import GRDBSQLite

/// One execution of a cached GRDB statement with its values bound through SQLite's C API, for the group commit's
/// hot inserts and updates.
///
/// Written by hand because GRDB's `StatementArguments` box every value in an array of `DatabaseValue`s, which cost
/// more than the insert itself on the commit path (a profile of `make bench`). The statement still belongs to GRDB
/// (prepared, cached and finalized by it, run inside its transaction); this only binds and steps it, which GRDB
/// documents as allowed raw access (`Statement.sqliteStatement`). Text and blobs are copied by SQLite
/// (`SQLITE_TRANSIENT`), so nothing here outlives the call that bound it.
struct RawStatement {
    private let pointer: OpaquePointer

    init(_ db: Database, sql: String) throws {
        let statement = try db.cachedStatement(sql: sql)
        pointer = statement.sqliteStatement
        sqlite3_reset(pointer)
        sqlite3_clear_bindings(pointer)
    }

    /// SQLite's "copy this now" destructor for text and blobs.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { return }  // cleared bindings are NULL
        sqlite3_bind_int64(pointer, index, value)
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else { return }
        value.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { text in
                // An empty string is text, not NULL: SQLite reads a null pointer as NULL.
                if let base = text.baseAddress, !text.isEmpty {
                    _ = sqlite3_bind_text(pointer, index, base, Int32(text.count), RawStatement.transient)
                } else {
                    _ = sqlite3_bind_text(pointer, index, "", 0, RawStatement.transient)
                }
            }
        }
    }

    func bind(_ index: Int32, _ value: [UInt8]?) {
        guard let value else { return }
        guard !value.isEmpty else {
            // A zero-length blob, not NULL, for an empty array.
            sqlite3_bind_zeroblob(pointer, index, 0)
            return
        }
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(pointer, index, bytes.baseAddress, Int32(bytes.count), RawStatement.transient)
        }
    }

    /// Binds an audit event's columns as parameters 1 to 11, in the order of `HubStore.auditColumns` after `entry`:
    /// at, kind, agency, peer, message_id, sequence, type, recipient, body_sha256, code, detail.
    func bind(_ event: AuditEvent) {
        bind(1, event.at)
        bind(2, event.kind.rawValue)
        bind(3, event.agency)
        bind(4, event.peer)
        bind(5, event.messageID)
        bind(6, event.sequence)
        bind(7, event.type)
        bind(8, event.recipient)
        bind(9, event.bodyDigest)
        bind(10, event.code.map(Int64.init))
        bind(11, event.detail)
    }

    /// Unbinds every parameter (NULL), before binding a row that leaves some out.
    func clear() {
        sqlite3_clear_bindings(pointer)
    }

    /// Runs the statement to completion; it can then be bound and run again.
    ///
    /// - Throws: GRDB's `DatabaseError` with SQLite's result code (a constraint, a full disk).
    func run() throws {
        var code = sqlite3_step(pointer)
        while code == SQLITE_ROW { code = sqlite3_step(pointer) }
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(pointer)))
            sqlite3_reset(pointer)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        sqlite3_reset(pointer)
    }
}
