import AttendanceDomain
import Foundation
import GRDB
import StrictJSON
import LiaisonMessages

/// What the desk keeps to share with partners under their agreements: the schools' rolls (to name a child in a
/// Connexions notification, to give the YOT a child's SEN, to match a partner's list by name and date of birth),
/// the YOT caseload as the YOT reports it (`yot.case-update`), and each derived share already sent, so a share is
/// sent once however often its return or roll is redelivered.
extension DeskStore {
    static func registerPartnerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-partners") { db in
            try db.execute(sql: """
                CREATE TABLE roll (
                    upn TEXT PRIMARY KEY,
                    laestab TEXT NOT NULL,
                    as_of TEXT NOT NULL,
                    match_key TEXT,
                    pupil TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX roll_by_match_key ON roll (match_key);
                CREATE TABLE rolls_received (
                    laestab TEXT NOT NULL,
                    as_of TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    PRIMARY KEY (laestab, as_of)
                ) WITHOUT ROWID;
                CREATE TABLE yot_caseload (
                    upn TEXT PRIMARY KEY,
                    case_reference TEXT NOT NULL,
                    status TEXT NOT NULL,
                    effective_date TEXT NOT NULL,
                    message_id TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE shares_sent (
                    kind TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    period TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    sent_at INTEGER NOT NULL,
                    PRIMARY KEY (kind, upn, period)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-connexions-advisers") { db in
            try db.execute(sql: """
                CREATE TABLE connexions_advisers (
                    upn TEXT PRIMARY KEY,
                    adviser TEXT NOT NULL,
                    assigned_on TEXT NOT NULL,
                    ended_on TEXT,
                    message_id TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-returns-to-date") { db in
            try db.execute(sql: "ALTER TABLE returns ADD COLUMN marked_through TEXT")
        }
    }

    /// The key a child is matched by: date of birth, then surname and forename in capitals with everything but
    /// letters removed (so `O'Brien` and `OBRIEN`, `Smith-Jones` and `SMITH JONES` match).
    public static func matchKey(forename: String, surname: String, dateOfBirth: String) -> String {
        func letters(_ text: String) -> String { String(text.uppercased().unicodeScalars.filter { CharacterSet.letters.contains($0) }.map(Character.init)) }
        return "\(dateOfBirth)|\(letters(surname))|\(letters(forename))"
    }

    /// Stores a school's roll: each pupil's entry replaces their earlier one (a pupil who moved school is on the
    /// newest roll that lists them).
    public func store(_ roll: RollRows, messageID: String) async throws {
        try await queue.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO roll (upn, laestab, as_of, match_key, pupil) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (upn) DO UPDATE SET laestab = excluded.laestab, as_of = excluded.as_of,
                    match_key = excluded.match_key, pupil = excluded.pupil
                WHERE excluded.as_of >= roll.as_of
                """)
            for pupil in roll.pupils { try statement.execute(arguments: [pupil.upn, roll.laestab, roll.asOf, pupil.matchKey, pupil.json]) }
            try db.execute(
                sql: "INSERT OR REPLACE INTO rolls_received (laestab, as_of, message_id) VALUES (?, ?, ?)",
                arguments: [roll.laestab, roll.asOf, messageID])
        }
    }

    /// The roll entries of some pupils, by UPN.
    public func rollEntries(_ upns: [String]) throws -> [String: PupilRoll.Pupil] {
        // The rows are read on the store's queue and their JSON parsed after it, so that the desk's writes (another
        // school's return) do not wait behind the parse.
        let rows = try queue.read { db in
            var rows: [(upn: String, pupil: String)] = []
            for chunk in Self.chunks(upns) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT upn, pupil FROM roll WHERE upn IN (\(marks))", arguments: StatementArguments(chunk)) {
                    rows.append((row[0], row[1]))
                }
            }
            return rows
        }
        var entries: [String: PupilRoll.Pupil] = [:]
        for row in rows { entries[row.upn] = (try? JSONValue.parse(Array(row.pupil.utf8))).flatMap(PupilRoll.Pupil.init) }
        return entries
    }

    /// UPNs in groups small enough for one `IN (?, ...)` (SQLite allows a limited number of parameters).
    static func chunks(_ upns: [String]) -> [[String]] {
        stride(from: 0, to: upns.count, by: 500).map { Array(upns[$0..<min($0 + 500, upns.count)]) }
    }

    /// Whether the desk holds the school's roll as of a date.
    public func hasRoll(laestab: String, asOf: String) throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM rolls_received WHERE laestab = ? AND as_of = ?", arguments: [laestab, asOf]) ?? false
        }
    }

    /// The UPNs of the pupils on the county's rolls with a name and date of birth (see ``matchKey``).
    public func match(forename: String, surname: String, dateOfBirth: String) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(db, sql: "SELECT upn FROM roll WHERE match_key = ? ORDER BY upn",
                                arguments: [Self.matchKey(forename: forename, surname: surname, dateOfBirth: dateOfBirth)])
        }
    }

    /// A YOT case update: the child's row of the caseload as the YOT last reported it.
    public func storeYOTUpdate(upn: String, caseReference: String, status: String, effectiveDate: String, messageID: String) async throws {
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO yot_caseload (upn, case_reference, status, effective_date, message_id) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (upn) DO UPDATE SET case_reference = excluded.case_reference, status = excluded.status,
                        effective_date = excluded.effective_date, message_id = excluded.message_id
                    WHERE excluded.effective_date >= yot_caseload.effective_date
                    """,
                arguments: [upn, caseReference, status, effectiveDate, messageID])
        }
    }

    /// The children the YOT works with now: those whose last update is not `closed` or `transferred`.
    public func yotCaseload() throws -> [String: String] {
        try queue.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(
                db, sql: "SELECT upn, case_reference FROM yot_caseload WHERE status NOT IN ('closed', 'transferred')"
            ).map { ($0[0] as String, $0[1] as String) })
        }
    }

    /// Connexions' adviser for a young person: the latest assignment wins (an ended one is kept, with its end).
    public func storeAdviser(upn: String, adviser: String, assignedOn: String, endedOn: String?, messageID: String) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO connexions_advisers (upn, adviser, assigned_on, ended_on, message_id) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (upn) DO UPDATE SET adviser = excluded.adviser, assigned_on = excluded.assigned_on,
                        ended_on = excluded.ended_on, message_id = excluded.message_id
                    WHERE excluded.assigned_on >= connexions_advisers.assigned_on
                    """,
                arguments: [upn, adviser, assignedOn, endedOn, messageID])
        }
    }

    /// A young person's Connexions personal adviser (the adviser's JSON, since when, and until when if ended).
    public func adviser(upn: String) throws -> (adviser: String, assignedOn: String, endedOn: String?)? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT adviser, assigned_on, ended_on FROM connexions_advisers WHERE upn = ?", arguments: [upn])
                .map { (adviser: $0[0], assignedOn: $0[1], endedOn: $0[2]) }
        }
    }

    /// A child's YOT case as the YOT last reported it: reference, status and since when.
    public func yotCase(upn: String) throws -> (reference: String, status: String, since: String)? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT case_reference, status, effective_date FROM yot_caseload WHERE upn = ?", arguments: [upn])
                .map { (reference: $0[0], status: $0[1], since: $0[2]) }
        }
    }

    /// The derived shares already sent (or refused by the hub) of a kind for a period, by UPN.
    public func sharesSent(kind: String, period: String) throws -> Set<String> {
        try queue.read { db in
            Set(try String.fetchAll(db, sql: "SELECT upn FROM shares_sent WHERE kind = ? AND period = ?", arguments: [kind, period]))
        }
    }

    /// Records derived shares sent (or refused by the hub: `outcome` says which), in one transaction.
    public func recordShares(_ shares: [(kind: String, upn: String, period: String, outcome: String)]) throws {
        guard !shares.isEmpty else { return }
        let at = Int64(Date().timeIntervalSince1970 * 1000)
        try queue.write { db in
            let statement = try db.makeStatement(sql: "INSERT OR REPLACE INTO shares_sent (kind, upn, period, outcome, sent_at) VALUES (?, ?, ?, ?, ?)")
            for share in shares { try statement.execute(arguments: [share.kind, share.upn, share.period, share.outcome, at]) }
        }
    }

    /// What the desk sent partners, for the desk's own summary: kind and outcome to a count.
    public func shareCounts() throws -> [(kind: String, outcome: String, count: Int)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, outcome, COUNT(*) FROM shares_sent GROUP BY kind, outcome ORDER BY kind, outcome")
                .map { (kind: $0[0], outcome: $0[1], count: $0[2]) }
        }
    }

    /// Pupils' code counts over the half terms of a year up to one, summed across schools, with the first day
    /// they cover, by UPN.
    public func yearToDate(upns: [String], academicYear: Int, throughHalfTerm: Int) throws -> [String: (codes: [String: Int], start: String)] {
        try queue.read { db in
            var result: [String: (codes: [String: Int], start: String)] = [:]
            for chunk in Self.chunks(upns) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: """
                        SELECT p.upn, p.codes, r.start_date FROM pupil_returns p JOIN returns r USING (laestab, academic_year, half_term)
                        WHERE p.academic_year = ? AND p.half_term <= ? AND p.upn IN (\(marks))
                        """,
                    arguments: StatementArguments([academicYear, throughHalfTerm] + chunk))
                while let row = try rows.next() {
                    let upn: String = row[0], json: String = row[1], first: String = row[2]
                    var held = result[upn] ?? ([:], first)
                    held.start = min(held.start, first)
                    for (code, sessions) in StoredJSON.codes(json) { held.codes[code, default: 0] += sessions }
                    result[upn] = held
                }
            }
            return result
        }
    }

    /// A school's return as stored, rebuilt (for shares that wait for the school's roll), with the marks only of
    /// the pupils in `marksOf` (reading every pupil's marks back costs more than the rest of the shares).
    public func storedReturn(laestab: String, endDate: String, marksOf: Set<String> = []) throws -> AttendanceReturn? {
        typealias StoredPupil = (upn: String, dateOfBirth: String?, yearGroup: String?, lookedAfter: Bool?, possible: Int, codes: String, marks: String?)
        // Read on the store's queue; the pupils' JSON is parsed after it, so that writes do not wait behind the parse.
        let read = try queue.read { db -> (head: Row, pupils: [StoredPupil])? in
            guard let head = try Row.fetchOne(
                db, sql: """
                    SELECT academic_year, half_term, school_name, start_date, end_date, marked_through FROM returns
                    WHERE laestab = ? AND end_date = ?
                    """,
                arguments: [laestab, endDate])
            else { return nil }
            let academicYear: Int = head[0], halfTerm: Int = head[1]
            let pupils = try Row.fetchAll(
                db, sql: """
                    SELECT upn, date_of_birth, year_group, looked_after, sessions_possible, codes, marks FROM pupil_returns
                    WHERE laestab = ? AND academic_year = ? AND half_term = ?
                    """, arguments: [laestab, academicYear, halfTerm]
            ).map { row -> StoredPupil in
                let upn: String = row[0]
                return (upn, row[1], row[2], row[3], row[4], row[5], marksOf.contains(upn) ? row[6] : nil)
            }
            return (head, pupils)
        }
        guard let (head, stored) = read else { return nil }
        let academicYear: Int = head[0], halfTerm: Int = head[1]
        let pupils = stored.map { pupil -> AttendanceReturn.Pupil in
            let codes = StoredJSON.codes(pupil.codes)
            let figures = PupilFigures(codeCounts: codes)
            return AttendanceReturn.Pupil(
                upn: pupil.upn, sessionsPossible: pupil.possible, present: figures.present, aea: figures.aea, authorised: figures.authorised,
                unauthorised: figures.unauthorised, codes: codes, dateOfBirth: pupil.dateOfBirth, yearGroup: pupil.yearGroup,
                lookedAfter: pupil.lookedAfter, marks: StoredJSON.marks(pupil.marks))
        }
        return AttendanceReturn(
            school: AttendanceReturn.School(laestab: laestab, name: head[2]),
            period: AttendanceReturn.Period(academicYear: academicYear, halfTerm: halfTerm, startDate: head[3], endDate: head[4]),
            markedThrough: head[5], pupils: pupils)
    }
}
