import Foundation
import GRDB

/// A case the desk works: opened by a school's referral, allocated to an Education Social Worker, with its
/// interventions and the history of every change.
public struct DeskCase: Sendable {
    public var reference: String
    public var upn: String
    public var laestab: String
    public var status: String
    public var esw: String?
    public var openedAt: Int64
    /// The referral as the school sent it (JSON).
    public var referral: String
}

/// One action on a case (schemas' `intervention`), or a penalty notice when `type` is `penalty_notice`.
public struct DeskIntervention: Sendable, Equatable {
    public var date: String
    public var type: String
    public var by: String
    public var description: String?
    public var defendantNumber: Int?
    public var amountPence: Int?
    public var status: String?
    public var paidOn: String?

    public init(
        date: String, type: String, by: String = "attendance_service", description: String? = nil, defendantNumber: Int? = nil,
        amountPence: Int? = nil, status: String? = nil, paidOn: String? = nil
    ) {
        self.date = date
        self.type = type
        self.by = by
        self.description = description
        self.defendantNumber = defendantNumber
        self.amountPence = amountPence
        self.status = status
        self.paidOn = paidOn
    }
}

extension DeskStore {
    static func registerCaseMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-cases") { db in
            try db.execute(sql: """
                CREATE TABLE cases (
                    reference TEXT PRIMARY KEY,
                    referral_message_id TEXT NOT NULL UNIQUE REFERENCES referrals(message_id),
                    upn TEXT NOT NULL,
                    laestab TEXT NOT NULL,
                    status TEXT NOT NULL,
                    esw TEXT,
                    opened_at INTEGER NOT NULL
                );
                CREATE TABLE case_history (
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE TABLE interventions (
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    date TEXT NOT NULL,
                    type TEXT NOT NULL,
                    by_whom TEXT NOT NULL,
                    description TEXT,
                    defendant_number INTEGER,
                    amount_pence INTEGER,
                    status TEXT,
                    paid_on TEXT
                );
                CREATE TABLE prosecutions (
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    hearing_date TEXT NOT NULL,
                    defendants INTEGER NOT NULL,
                    message_id TEXT NOT NULL,
                    sent_at INTEGER NOT NULL
                );
                CREATE TABLE court_outcomes (
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    defendant_number INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    hearing_date TEXT NOT NULL,
                    body TEXT NOT NULL,
                    PRIMARY KEY (reference, defendant_number)
                );
                CREATE TABLE outcome_messages (message_id TEXT PRIMARY KEY, reference TEXT NOT NULL);
                ALTER TABLE cases ADD COLUMN disposal_sent INTEGER NOT NULL DEFAULT 0;
                CREATE TRIGGER case_history_no_update BEFORE UPDATE ON case_history
                BEGIN SELECT RAISE(ABORT, 'a case''s history is kept as written'); END;
                CREATE TRIGGER case_history_no_delete BEFORE DELETE ON case_history
                BEGIN SELECT RAISE(ABORT, 'a case''s history is kept as written'); END;
                """)
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Opens a case for a referral just stored (in the same transaction): `NPAS-YEAR-NNNN`.
    static func openCase(_ db: Database, messageID: String, upn: String?, laestab: String?, at: Int64) throws {
        guard let upn, let laestab else { return }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date(timeIntervalSince1970: Double(at) / 1000))
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases WHERE reference LIKE ?", arguments: ["NPAS-\(year)-%"]) ?? 0
        let reference = String(format: "NPAS-%d-%04d", year, count + 1)
        try db.execute(
            sql: "INSERT INTO cases (reference, referral_message_id, upn, laestab, status, opened_at) VALUES (?, ?, ?, ?, 'open', ?)",
            arguments: [reference, messageID, upn, laestab, at])
        try history(db, reference, "opened", "referral \(messageID) from school \(laestab)", at: at)
    }

    static func history(_ db: Database, _ reference: String, _ kind: String, _ detail: String, at: Int64 = now()) throws {
        try db.execute(sql: "INSERT INTO case_history (reference, at, kind, detail) VALUES (?, ?, ?, ?)", arguments: [reference, at, kind, detail])
    }

    /// The cases, newest first, optionally only those with `status`.
    public func cases(status: String? = nil) throws -> [DeskCase] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: Self.caseQuery + " WHERE ? IS NULL OR c.status = ? ORDER BY c.opened_at DESC, c.reference DESC",
                arguments: [status, status]
            ).map(Self.deskCase)
        }
    }

    public func deskCase(_ reference: String) throws -> DeskCase? {
        try queue.read { db in try Row.fetchOne(db, sql: Self.caseQuery + " WHERE c.reference = ?", arguments: [reference]).map(Self.deskCase) }
    }

    static let caseQuery = """
        SELECT c.reference, c.upn, c.laestab, c.status, c.esw, c.opened_at, r.body FROM cases c
        JOIN referrals r ON r.message_id = c.referral_message_id
        """

    static func deskCase(_ row: Row) -> DeskCase {
        DeskCase(reference: row[0], upn: row[1], laestab: row[2], status: row[3], esw: row[4], openedAt: row[5], referral: row[6])
    }

    public func history(of reference: String) throws -> [(at: Int64, kind: String, detail: String)] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT at, kind, detail FROM case_history WHERE reference = ? ORDER BY rowid", arguments: [reference])
                .map { (at: $0[0], kind: $0[1], detail: $0[2]) }
        }
    }

    public func interventions(of reference: String) throws -> [DeskIntervention] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT date, type, by_whom, description, defendant_number, amount_pence, status, paid_on FROM interventions
                    WHERE reference = ? ORDER BY date, rowid
                    """, arguments: [reference]
            ).map {
                DeskIntervention(
                    date: $0[0], type: $0[1], by: $0[2], description: $0[3], defendantNumber: $0[4], amountPence: $0[5], status: $0[6],
                    paidOn: $0[7])
            }
        }
    }

    /// Changes a case: each change is written with its history entry, in one transaction.
    public func change(_ reference: String, kind: String, detail: String, _ body: @escaping @Sendable (Database) throws -> Void = { _ in }) throws {
        try queue.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM cases WHERE reference = ?", arguments: [reference]) == true else {
                throw DeskError("There is no case \(reference): `liaison case list` shows them.")
            }
            try body(db)
            try Self.history(db, reference, kind, detail)
        }
    }

    public func allocate(_ reference: String, esw: String) throws {
        try change(reference, kind: "allocated", detail: "to \(esw)") { db in
            try db.execute(sql: "UPDATE cases SET esw = ? WHERE reference = ?", arguments: [esw, reference])
        }
    }

    public func setStatus(_ reference: String, _ status: String, detail: String) throws {
        try change(reference, kind: status, detail: detail) { db in
            try db.execute(sql: "UPDATE cases SET status = ? WHERE reference = ?", arguments: [status, reference])
        }
    }

    public func add(_ intervention: DeskIntervention, to reference: String) throws {
        let detail = "\(intervention.type) on \(intervention.date)" + (intervention.description.map { ": \($0)" } ?? "")
        try change(reference, kind: "intervention", detail: detail) { db in
            try db.execute(
                sql: """
                    INSERT INTO interventions (reference, date, type, by_whom, description, defendant_number, amount_pence, status, paid_on)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    reference, intervention.date, intervention.type, intervention.by, intervention.description, intervention.defendantNumber,
                    intervention.amountPence, intervention.status, intervention.paidOn,
                ])
        }
    }

    /// A pupil's marks held from one school's returns, date to (am, pm), within `from...to` when given.
    public func marks(upn: String, laestab: String, from: String? = nil, to: String? = nil) throws -> [String: (am: String, pm: String)] {
        try queue.read { db in
            var marks: [String: (am: String, pm: String)] = [:]
            for json in try String.fetchAll(
                db, sql: "SELECT marks FROM pupil_returns WHERE upn = ? AND laestab = ? AND marks IS NOT NULL ORDER BY academic_year, half_term",
                arguments: [upn, laestab]) {
                guard let days = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: String]] else { continue }
                for (date, day) in days where (from.map { date >= $0 } ?? true) && (to.map { date <= $0 } ?? true) {
                    marks[date] = (day["am"] ?? "-", day["pm"] ?? "-")
                }
            }
            return marks
        }
    }

    /// Records that a prosecution file went to the court for a hearing, with how many defendants.
    public func recordProsecution(_ reference: String, hearingDate: String, defendants: Int, messageID: String, receipt: String) throws {
        try change(reference, kind: "legal_action", detail: "prosecution file for \(defendants) defendant(s) sent for \(hearingDate) (\(receipt))") { db in
            try db.execute(sql: "UPDATE cases SET status = 'legal_action' WHERE reference = ?", arguments: [reference])
            try db.execute(
                sql: "INSERT INTO prosecutions (reference, hearing_date, defendants, message_id, sent_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [reference, hearingDate, defendants, messageID, Self.now()])
        }
    }

    /// Where a case stands after a court outcome.
    public struct OutcomeState: Sendable {
        /// Every prosecuted defendant has a final outcome (none adjourned or awaited).
        public var final: Bool
        /// The latest outcome of each defendant, as the court sent it (JSON objects), by defendant number.
        public var defendants: [String]
        public var disposalSent: Bool
    }

    /// Records a court outcome message once (a redelivery changes nothing), keeping each defendant's latest
    /// outcome; the case is finally disposed of when every defendant prosecuted has a final outcome.
    public func recordOutcome(
        _ reference: String, messageID: String, hearingDate: String, defendants: [(number: Int, outcome: String, json: String)]
    ) throws -> OutcomeState {
        try queue.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM cases WHERE reference = ?", arguments: [reference]) == true else {
                throw DeskError("There is no case \(reference).")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO outcome_messages (message_id, reference) VALUES (?, ?)", arguments: [messageID, reference])
            if db.changesCount == 1 {
                for defendant in defendants {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO court_outcomes (reference, defendant_number, outcome, hearing_date, body) VALUES (?, ?, ?, ?, ?)",
                        arguments: [reference, defendant.number, defendant.outcome, hearingDate, defendant.json])
                }
                try Self.history(db, reference, "outcome", "hearing \(hearingDate): " + defendants.map { "defendant \($0.number): \($0.outcome)" }.joined(separator: ", "))
            }
            let prosecuted = try Int.fetchOne(db, sql: "SELECT defendants FROM prosecutions WHERE reference = ? ORDER BY sent_at DESC LIMIT 1", arguments: [reference])
            let rows = try Row.fetchAll(db, sql: "SELECT defendant_number, outcome, body FROM court_outcomes WHERE reference = ? ORDER BY defendant_number", arguments: [reference])
            let expected = prosecuted ?? (rows.map { $0[0] as Int }.max() ?? 0)
            let finals = Set(rows.filter { ($0[1] as String) != "adjourned" }.map { $0[0] as Int })
            let final = expected > 0 && (1...expected).allSatisfy(finals.contains)
            if final {
                try db.execute(sql: "UPDATE cases SET status = 'disposed' WHERE reference = ? AND status != 'disposed'", arguments: [reference])
                if db.changesCount == 1 { try Self.history(db, reference, "disposed", "every defendant's case is finally decided") }
            }
            let sent = try Bool.fetchOne(db, sql: "SELECT disposal_sent FROM cases WHERE reference = ?", arguments: [reference]) ?? false
            return OutcomeState(final: final, defendants: rows.map { $0[2] }, disposalSent: sent)
        }
    }

    /// Notes that the school has been sent the disposal (or why it could not be).
    public func disposalSent(_ reference: String, detail: String, sent: Bool) throws {
        try change(reference, kind: sent ? "disposal-sent" : "disposal-not-sent", detail: detail) { db in
            if sent { try db.execute(sql: "UPDATE cases SET disposal_sent = 1 WHERE reference = ?", arguments: [reference]) }
        }
    }
}

/// A desk operation that cannot be done, with what to do about it.
public struct DeskError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
