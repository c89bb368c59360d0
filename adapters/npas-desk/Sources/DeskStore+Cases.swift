import Foundation
import GRDB
import LegalProcess

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
        // The parents the worker chose to prosecute, and which of them each file sent named (by reference, D1..),
        // so that outcomes are matched to the file's defendants and a disposal waits for every one of them.
        migrator.registerMigration("v6-case-defendants") { db in
            try db.execute(sql: """
                CREATE TABLE case_defendants (
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 9),
                    contact INTEGER NOT NULL,
                    date_of_birth TEXT NOT NULL,
                    has_care INTEGER NOT NULL,
                    chosen_by TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    address TEXT,
                    PRIMARY KEY (reference, number),
                    UNIQUE (reference, contact)
                );
                CREATE TABLE prosecution_defendants (
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    message_id TEXT NOT NULL,
                    defendant_reference TEXT NOT NULL,
                    defendant_number INTEGER NOT NULL,
                    offence TEXT NOT NULL,
                    PRIMARY KEY (message_id, defendant_reference)
                );
                ALTER TABLE court_outcomes ADD COLUMN defendant_reference TEXT;
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

    /// Records the worker's choice of a referral contact as a defendant, with why, under the contact's reference
    /// (``DeskDefendant/number(ofContact:contacts:)``: D1.. as penalty notices name parents). Choosing the same
    /// contact again replaces what was recorded. Returns the defendant as recorded.
    @discardableResult
    public func chooseDefendant(
        _ reference: String, contact: Int, dateOfBirth: String, hasCare: Bool, by: String, reason: String, address: [String]? = nil
    ) throws -> DeskDefendant {
        guard let deskCase = try deskCase(reference) else { throw DeskError("There is no case \(reference): `liaison case list` shows them.") }
        let contacts = ((try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any])?["contacts"] as? [[String: Any]]) ?? []
        guard DeskDefendant.contact(contact, in: contacts) != nil else {
            throw DeskError("The referral has no contact \(contact): `liaison case show \(reference)` lists them.")
        }
        guard let number = DeskDefendant.number(ofContact: contact, contacts: contacts), number <= 9 else {
            throw DeskError("A case has at most nine defendants, D1 to D9.")
        }
        let addressJSON = try address.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        // The history says who chose which defendant and why; the person's details stay in the referral.
        try change(reference, kind: "defendant", detail: "D\(number) (contact \(contact)) chosen by \(by): \(reason)") { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO case_defendants (reference, number, contact, date_of_birth, has_care, chosen_by, reason, address)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [reference, number, contact, dateOfBirth, hasCare, by, reason, addressJSON])
        }
        return DeskDefendant(number: number, contact: contact, dateOfBirth: dateOfBirth, hasCare: hasCare, chosenBy: by, reason: reason, address: address)
    }

    /// Withdraws the choice of a defendant (by reference, D1..), with why; the others keep their references.
    public func removeDefendant(_ reference: String, defendant: String, reason: String) throws {
        try change(reference, kind: "defendant-removed", detail: "\(defendant): \(reason)") { db in
            guard let number = Int(defendant.dropFirst()), defendant.first == "D" else { throw DeskError("A defendant is named D1, D2, ...") }
            try db.execute(sql: "DELETE FROM case_defendants WHERE reference = ? AND number = ?", arguments: [reference, number])
            guard db.changesCount == 1 else { throw DeskError("Case \(reference) has no defendant \(defendant): `liaison case show` lists them.") }
        }
    }

    /// The defendants chosen on a case, in number order.
    public func defendants(of reference: String) throws -> [DeskDefendant] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT number, contact, date_of_birth, has_care, chosen_by, reason, address FROM case_defendants WHERE reference = ? ORDER BY number",
                arguments: [reference]
            ).map { row in
                let address = (row[6] as String?).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String] }
                return DeskDefendant(
                    number: row[0], contact: row[1], dateOfBirth: row[2], hasCare: row[3], chosenBy: row[4], reason: row[5], address: address)
            }
        }
    }

    /// The penalty notices the desk holds for a case, as the prosecution file weighs them: those it issued to the
    /// case's defendants for the child, on this case or any other (``penaltyNotices(upn:)``, with their reference,
    /// parent and period), then any recorded only as a `penalty_notice` intervention on this case (`liaison case
    /// intervene`), which has no reference or period of its own: its reference is made from the case's and its place
    /// (nothing of the child), and its period left to the builder. The amount is what was paid, or what is due at the
    /// last day (the framework's, for a first or a later notice).
    ///
    /// A notice paid on an earlier, closed case for the same child discharges the parent's liability for its period
    /// just as one on this case does (s.444A), so the prosecution checks must see it: a notice on another case is the
    /// defendant's when it was issued to the same parent (the same name, as the framework's limit counts notices
    /// across cases, ``LegalRoutes/prepareNotice(for:parent:on:period:officer:authority:despiteThreshold:)``).
    ///
    /// A notice to a parent not chosen as a defendant (`C2`) concerns no defendant of the file, so it is left out:
    /// its parent's reference carries the referral contact's number, not a defendant number, and reading one as the
    /// other would put the notice on whichever defendant has that number (and could bar their prosecution).
    public func prosecutionNotices(of reference: String, framework: PenaltyNoticeFramework) throws -> [ProsecutionFileBuilder.Notice] {
        let issued = try noticesForDefendants(of: reference)
        var notices = issued.compactMap { notice -> ProsecutionFileBuilder.Notice? in
            guard let defendantNumber = notice.defendantNumber else { return nil }
            let previous = issued.filter { $0.parentKey == notice.parentKey && $0.issuedOn < notice.issuedOn }.map(\.legal)
            return ProsecutionFileBuilder.Notice(
                reference: notice.noticeReference, issuedOn: notice.issuedOn.description, defendantNumber: defendantNumber,
                amountPence: notice.amountPaidPence ?? framework.deadlines(issuedOn: notice.issuedOn, previous: previous).last?.pence ?? 0,
                status: notice.status.rawValue, paidOn: notice.paidOn?.description,
                period: notice.period.lowerBound.description...notice.period.upperBound.description)
        }
        let recorded = try queue.read { db -> [Row] in
            let linked = try db.tableExists("penalty_notices")
                ? "AND NOT EXISTS (SELECT 1 FROM penalty_notices p WHERE p.intervention_rowid = i.rowid)" : ""
            return try Row.fetchAll(
                db, sql: """
                    SELECT date, defendant_number, amount_pence, status, paid_on, description FROM interventions i
                    WHERE reference = ? AND type = 'penalty_notice' \(linked) ORDER BY date, rowid
                    """, arguments: [reference])
        }
        for (index, row) in recorded.enumerated() {
            notices.append(ProsecutionFileBuilder.Notice(
                reference: "PN-\(reference)-\(index + 1)", issuedOn: row[0], defendantNumber: row[1] ?? 1, amountPence: row[2] ?? 0,
                status: row[3] ?? "unpaid", paidOn: row[4], text: row[5]))
        }
        return notices
    }

    /// Every notice the desk issued for the case's child, with each notice issued on another case given this case's
    /// defendant reference and number when its parent (by ``DeskPenaltyNotice/parentKey``) is a defendant here, and
    /// none otherwise. The case's own notices keep theirs (matched by referral contact).
    func noticesForDefendants(of reference: String) throws -> [DeskPenaltyNotice] {
        guard let deskCase = try deskCase(reference) else { return try penaltyNotices(of: reference) }
        let contacts = ((try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any])?["contacts"] as? [[String: Any]]) ?? []
        var defendantsByKey: [String: [DeskDefendant]] = [:]
        for defendant in try defendants(of: reference) {
            guard let contact = DeskDefendant.contact(defendant.contact, in: contacts) else { continue }
            let key = Self.matchKey(forename: contact["forename"] as? String ?? "", surname: contact["surname"] as? String ?? "", dateOfBirth: "")
            defendantsByKey[key, default: []].append(defendant)
        }
        return try penaltyNotices(upn: deskCase.upn).map { notice in
            guard notice.caseReference != reference else { return notice }
            var notice = notice
            // Two defendants of one name cannot be told apart across cases: neither takes the other case's notices.
            let matches = defendantsByKey[notice.parentKey] ?? []
            let defendant = matches.count == 1 ? matches[0] : nil
            notice.parent = defendant?.reference ?? "C\(notice.contact)"
            notice.defendantNumber = defendant?.number
            return notice
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

    /// Records that a prosecution file went to the court for a hearing, with its defendants (reference, number) and
    /// the offence laid, so the court's outcomes can be matched to them.
    public func recordProsecution(
        _ reference: String, hearingDate: String, offence: String, defendants: [(reference: String, number: Int)], messageID: String, receipt: String
    ) throws {
        let named = defendants.map(\.reference).joined(separator: ", ")
        try change(reference, kind: "legal_action", detail: "prosecution file (\(offence)) for \(named) sent for \(hearingDate) (\(receipt))") { db in
            try db.execute(sql: "UPDATE cases SET status = 'legal_action' WHERE reference = ?", arguments: [reference])
            try db.execute(
                sql: "INSERT INTO prosecutions (reference, hearing_date, defendants, message_id, sent_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [reference, hearingDate, defendants.count, messageID, Self.now()])
            for defendant in defendants {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO prosecution_defendants (reference, message_id, defendant_reference, defendant_number, offence)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [reference, messageID, defendant.reference, defendant.number, offence])
            }
        }
    }

    /// The defendants of the latest prosecution file sent on a case (reference to number and offence); empty if none
    /// was sent, or it was sent before the desk kept them.
    public func prosecutedDefendants(_ reference: String) throws -> [String: (number: Int, offence: String)] {
        try queue.read { db in try Self.prosecutedDefendants(db, reference) }
    }

    static func prosecutedDefendants(_ db: Database, _ reference: String) throws -> [String: (number: Int, offence: String)] {
        let rows = try Row.fetchAll(
            db, sql: """
                SELECT defendant_reference, defendant_number, offence FROM prosecution_defendants
                WHERE message_id = (SELECT message_id FROM prosecutions WHERE reference = ? ORDER BY sent_at DESC, rowid DESC LIMIT 1)
                """, arguments: [reference])
        return Dictionary(rows.map { ($0[0] as String, (number: $0[1] as Int, offence: $0[2] as String)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Where a case stands after a court outcome.
    public struct OutcomeState: Sendable {
        /// Every prosecuted defendant has a final outcome (none adjourned or awaited).
        public var final: Bool
        /// The latest outcome of each defendant, as the court sent it (JSON objects), by defendant number.
        public var defendants: [String]
        /// The defendants (references) still waiting for a final outcome.
        public var awaiting: [String]
        public var disposalSent: Bool
    }

    /// Records a court outcome message once (a redelivery changes nothing), keeping each defendant's latest
    /// outcome by defendant reference (D1, ...); the case is finally disposed of when every defendant the latest
    /// file named has a final outcome (anything but adjourned).
    public func recordOutcome(
        _ reference: String, messageID: String, hearingDate: String, defendants: [(reference: String, number: Int, outcome: String, json: String)]
    ) throws -> OutcomeState {
        try queue.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM cases WHERE reference = ?", arguments: [reference]) == true else {
                throw DeskError("There is no case \(reference).")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO outcome_messages (message_id, reference) VALUES (?, ?)", arguments: [messageID, reference])
            if db.changesCount == 1 {
                for defendant in defendants {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO court_outcomes (reference, defendant_number, outcome, hearing_date, body, defendant_reference)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [reference, defendant.number, defendant.outcome, hearingDate, defendant.json, defendant.reference])
                }
                try Self.history(
                    db, reference, "outcome", "hearing \(hearingDate): " + defendants.map { "\($0.reference): \($0.outcome)" }.joined(separator: ", "))
            }
            let named = try Self.prosecutedDefendants(db, reference)
            let rows = try Row.fetchAll(
                db, sql: "SELECT defendant_number, outcome, body FROM court_outcomes WHERE reference = ? ORDER BY defendant_number", arguments: [reference])
            let finals = Set(rows.filter { ($0[1] as String) != "adjourned" }.map { $0[0] as Int })
            // A file sent before the desk kept its defendants: its count is all there is.
            let prosecuted = try Int.fetchOne(db, sql: "SELECT defendants FROM prosecutions WHERE reference = ? ORDER BY sent_at DESC LIMIT 1", arguments: [reference])
            let expected = named.isEmpty
                ? (1...max(1, prosecuted ?? (rows.map { $0[0] as Int }.max() ?? 0))).map { (reference: "D\($0)", number: $0) }
                : named.map { (reference: $0.key, number: $0.value.number) }.sorted { $0.number < $1.number }
            let awaiting = expected.filter { !finals.contains($0.number) }.map(\.reference)
            let final = !rows.isEmpty && awaiting.isEmpty
            if final {
                try db.execute(sql: "UPDATE cases SET status = 'disposed' WHERE reference = ? AND status != 'disposed'", arguments: [reference])
                if db.changesCount == 1 { try Self.history(db, reference, "disposed", "every defendant's case is finally decided") }
            }
            let sent = try Bool.fetchOne(db, sql: "SELECT disposal_sent FROM cases WHERE reference = ?", arguments: [reference]) ?? false
            return OutcomeState(final: final, defendants: rows.map { $0[2] }, awaiting: awaiting, disposalSent: sent)
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
