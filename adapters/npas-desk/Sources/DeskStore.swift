import AttendanceDomain
import Foundation
import GRDB
import LiaisonAdapterKit
import LiaisonMessages

/// The attendance service's own store (SQLite, `desk.sqlite` in the desk's folder): the returns schools
/// send, pupil by pupil, to answer "how is this child's attendance?" and to build the termly feed.
///
/// Writes go through GRDB's async API, which runs them on GRDB's own serial queue: the desk never blocks
/// Swift's cooperative pool on SQLite.
public final class DeskStore: Sendable {
    public let path: String
    /// A pool (WAL readers beside the one writer) for the desk's own store, so the shares it works out for one school
    /// read while another school's return is written; a plain queue for a store opened read-only.
    let queue: any DatabaseWriter
    /// The desk's message id key, `id.key` beside `desk.sqlite` (``MessageIDKey``): its care alerts' and partner
    /// shares' ids are keyed digests of the child and the period, never the UPN. Nil for a store opened read-only
    /// or without it (the casework commands, which send nothing derived from a child's UPN).
    public let ids: MessageIDKey?

    /// Opens (creating if needed) the desk's store.
    ///
    /// - Parameter messageIDs: whether to read, or make on the first start, the desk's message id key beside the
    ///   store; never for a read-only store.
    /// - Throws: `MessageIDKeyError` when the key exists but cannot be used (the desk must not start: the message
    ///   names the file and what to do), `AdapterError` `folder-unusable` when its folder cannot be made, or GRDB's
    ///   error when the store cannot be opened.
    public init(path: String, readOnly: Bool = false, messageIDs: Bool = true) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        // The desk's folder holds every child's returns and the id key: made 0700 whatever the umask, before the
        // key goes in it. A folder that exists is used as it is.
        if !readOnly { try DropFolder.createPrivateFolder(folder.isEmpty ? "." : folder) }
        ids = !readOnly && messageIDs ? try MessageIDKey(folder: folder.isEmpty ? "." : folder) : nil
        if !readOnly { try Self.createPrivately(path) }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        // A pool puts the store in WAL mode itself.
        queue = readOnly ? try DatabaseQueue(path: path, configuration: configuration) : try DatabasePool(path: path, configuration: configuration)
        if !readOnly { try Self.migrator.migrate(queue) }
    }

    /// Creates the store's file, empty (an empty file is an empty SQLite database), with `O_CREAT | O_EXCL` and
    /// mode 0600 from its first byte, before SQLite opens it: SQLite would create it with its default mode (0644
    /// less the umask), and its `-wal` and `-shm` files take the database file's mode, so under umask 022 every
    /// child's returns were readable by every local user. The approach is the hub's store's (LiaisonStore's
    /// `PrivateFile`). A file already there is opened as it is: a store made before this check may be 0644, and
    /// `chmod 600 desk.sqlite*` fixes it (the desk does not refuse to start on it, unlike the hub).
    ///
    /// - Throws: `AdapterError` `folder-unusable` when the file cannot be created.
    static func createPrivately(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }  // made before (or by another start at the same moment): SQLite opens it
            throw AdapterError(.folderUnusable, "Cannot create the desk's store \(path): \(String(cString: strerror(errno))).")
        }
        // The umask can only have removed bits; make it exactly owner read and write.
        let failed = fchmod(descriptor, 0o600) != 0 || fsync(descriptor) != 0
        let reason = String(cString: strerror(errno))
        close(descriptor)
        if failed {
            unlink(path)
            throw AdapterError(.folderUnusable, "Cannot make the desk's store \(path) private (0600): \(reason).")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-returns") { db in
            try db.execute(sql: """
                CREATE TABLE returns (
                    laestab TEXT NOT NULL,
                    academic_year INTEGER NOT NULL,
                    half_term INTEGER NOT NULL,
                    school_name TEXT,
                    start_date TEXT NOT NULL,
                    end_date TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (laestab, academic_year, half_term)
                );
                CREATE TABLE pupil_returns (
                    laestab TEXT NOT NULL,
                    academic_year INTEGER NOT NULL,
                    half_term INTEGER NOT NULL,
                    upn TEXT NOT NULL,
                    date_of_birth TEXT,
                    year_group TEXT,
                    looked_after INTEGER,
                    sessions_possible INTEGER NOT NULL,
                    codes TEXT NOT NULL,
                    marks TEXT,
                    PRIMARY KEY (laestab, academic_year, half_term, upn)
                ) WITHOUT ROWID;
                CREATE INDEX pupil_returns_by_upn ON pupil_returns (upn);
                CREATE TABLE referrals (
                    message_id TEXT PRIMARY KEY,
                    source TEXT NOT NULL,
                    laestab TEXT,
                    upn TEXT,
                    received_at INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                """)
        }
        registerCaseMigrations(&migrator)
        registerPartnerMigrations(&migrator)
        return migrator
    }

    /// Stores a school's return as read from its body (``ReturnRows``), replacing any earlier return for the same
    /// school and half term (a return to date replaces only one to an earlier date).
    public func store(_ body: ReturnRows, messageID: String, receivedAt: Date = Date()) async throws {
        try await queue.write { db in
            let key: [any DatabaseValueConvertible] = [body.laestab, body.academicYear, body.halfTerm]
            // A return to an earlier date (a register to date resent late) does not replace a later one.
            if let held = try Row.fetchOne(
                db, sql: "SELECT marked_through FROM returns WHERE laestab = ? AND academic_year = ? AND half_term = ?", arguments: StatementArguments(key))
            {
                let heldThrough: String? = held[0]
                if let incoming = body.markedThrough, heldThrough == nil || heldThrough! > incoming { return }
            }
            try db.execute(sql: "DELETE FROM pupil_returns WHERE laestab = ? AND academic_year = ? AND half_term = ?", arguments: StatementArguments(key))
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO returns (laestab, academic_year, half_term, school_name, start_date, end_date, message_id, received_at,
                        marked_through)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    body.laestab, body.academicYear, body.halfTerm, body.schoolName, body.startDate, body.endDate, messageID,
                    Int64(receivedAt.timeIntervalSince1970 * 1000), body.markedThrough,
                ])
            let insert = try db.makeStatement(sql: """
                INSERT INTO pupil_returns (laestab, academic_year, half_term, upn, date_of_birth, year_group, looked_after, sessions_possible, codes, marks)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for pupil in body.pupils {
                try insert.execute(arguments: [
                    body.laestab, body.academicYear, body.halfTerm, pupil.upn, pupil.dateOfBirth, pupil.yearGroup, pupil.lookedAfter,
                    pupil.sessionsPossible, pupil.codes, pupil.marks,
                ])
            }
        }
    }

    /// Stores a referral as received (the case desk grows from here); a resent referral is stored once.
    public func storeReferral(messageID: String, source: String, body: [UInt8], receivedAt: Date = Date()) async throws {
        let value = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let laestab = (value?["school"] as? [String: Any])?["laestab"] as? String
        let upn = (value?["pupil"] as? [String: Any])?["upn"] as? String
        let at = Int64(receivedAt.timeIntervalSince1970 * 1000)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO referrals (message_id, source, laestab, upn, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [messageID, source, laestab, upn, at, String(decoding: body, as: UTF8.self)])
            // A new referral opens a case (a redelivered one is already held, and opens nothing).
            if db.changesCount == 1 { try Self.openCase(db, messageID: messageID, upn: upn, laestab: laestab, at: at) }
        }
    }

    /// How many referrals the desk holds.
    public func referralCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM referrals") ?? 0 }
    }

    /// Returns held: (LAESTAB, academic year, half term) of each, in order, with whether the school's roll as of
    /// the return's last day is held too.
    public func returns() throws -> [(laestab: String, academicYear: Int, halfTerm: Int, pupils: Int, roll: Bool, markedThrough: String?)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.laestab, r.academic_year, r.half_term, COUNT(p.upn),
                    EXISTS (SELECT 1 FROM rolls_received o WHERE o.laestab = r.laestab AND o.as_of = COALESCE(r.marked_through, r.end_date)),
                    r.marked_through
                FROM returns r LEFT JOIN pupil_returns p USING (laestab, academic_year, half_term)
                GROUP BY r.laestab, r.academic_year, r.half_term ORDER BY r.academic_year, r.half_term, r.laestab
                """).map { (laestab: $0[0], academicYear: $0[1], halfTerm: $0[2], pupils: $0[3], roll: $0[4], markedThrough: $0[5]) }
        }
    }

    /// Each school's pupils' figures over some half terms of a year: a pupil's code counts are summed
    /// across the half terms, then the DfE rules apply to the total.
    public func figures(academicYear: Int, halfTerms: ClosedRange<Int>, table: CodeTable = .standard) throws -> [String: [PupilFigures]] {
        try queue.read { db in
            var counts: [String: [String: [String: Int]]] = [:]  // laestab -> upn -> code -> sessions
            let rows = try Row.fetchCursor(
                db, sql: "SELECT laestab, upn, codes FROM pupil_returns WHERE academic_year = ? AND half_term BETWEEN ? AND ?",
                arguments: [academicYear, halfTerms.lowerBound, halfTerms.upperBound])
            while let row = try rows.next() {
                let codes = StoredJSON.codes(row[2])
                for (code, sessions) in codes { counts[row[0], default: [:]][row[1], default: [:]][code, default: 0] += sessions }
            }
            return counts.mapValues { pupils in pupils.values.map { PupilFigures(codeCounts: $0, table: table) } }
        }
    }
}

extension DeskStore {
    /// Reads the store on GRDB's queue (the monitoring reports' queries, in `MonitoringReports`). Blocking: call it
    /// off Swift's cooperative pool, as the report commands do.
    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.read(body)
    }
}
