import AttendanceDomain
import Foundation
import GRDB
import LegalProcess

/// The desk's record of the legal routes other than prosecution: penalty notices, notices to improve, parenting
/// contracts, the fast-track timetable, school attendance orders, education supervision order applications.
///
/// Their tables come with a migrator of their own (`legalRoutesMigrator`, identifiers `legal-routes-*`), applied
/// before the first read or write of them: GRDB keeps every migrator's identifiers in the same
/// `grdb_migrations` table and lets one migrator run beside identifiers it does not know, so the casework
/// tables' migrator and this one each apply their own. A store opened read-only that has not met these commands
/// yet has no such tables: its reads answer "none".
///
/// Every change is written with the case's history entry in one transaction (``change(_:kind:detail:_:)``), and
/// each notice, contract, order and timetable is also an `interventions` row, so the prosecution file and
/// `liaison case show` list it with the case's other interventions.
extension DeskStore {
    static var legalRoutesMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("legal-routes-v1") { db in
            try db.execute(sql: """
                CREATE TABLE penalty_notices (
                    notice_reference TEXT PRIMARY KEY,
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    upn TEXT NOT NULL,
                    contact INTEGER NOT NULL,
                    parent_key TEXT NOT NULL,
                    issued_on TEXT NOT NULL,
                    period_start TEXT NOT NULL,
                    period_end TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'withdrawn')),
                    paid_on TEXT,
                    amount_paid_pence INTEGER,
                    withdrawn_reason TEXT,
                    message_id TEXT NOT NULL,
                    intervention_rowid INTEGER,
                    ready_noted INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX penalty_notices_by_upn ON penalty_notices (upn);
                CREATE TABLE legal_routes (
                    id INTEGER PRIMARY KEY,
                    reference TEXT NOT NULL REFERENCES cases(reference),
                    kind TEXT NOT NULL,
                    contact INTEGER,
                    date TEXT NOT NULL,
                    ends_on TEXT,
                    school TEXT,
                    description TEXT,
                    recorded_at INTEGER NOT NULL
                );
                CREATE TABLE route_reviews (
                    route_id INTEGER NOT NULL REFERENCES legal_routes(id),
                    milestone TEXT NOT NULL,
                    title TEXT NOT NULL,
                    due TEXT NOT NULL,
                    done_on TEXT,
                    PRIMARY KEY (route_id, milestone)
                );
                """)
        }
        return migrator
    }

    /// Makes the legal routes' tables if this store lacks them (not for a read-only store).
    func prepareLegalRoutes() throws {
        if !queue.configuration.readonly { try Self.legalRoutesMigrator.migrate(queue) }
    }

    // MARK: Penalty notices

    /// Every penalty notice the desk has issued for a child, on any case, oldest first: the framework's limit
    /// counts a parent's notices for the child whichever case they were issued on.
    public func penaltyNotices(upn: String) throws -> [DeskPenaltyNotice] {
        try readNotices(where: "upn = ?", [upn])
    }

    /// The penalty notices issued on a case, oldest first.
    public func penaltyNotices(of reference: String) throws -> [DeskPenaltyNotice] {
        try readNotices(where: "reference = ?", [reference])
    }

    private func readNotices(where condition: String, _ arguments: StatementArguments) throws -> [DeskPenaltyNotice] {
        try prepareLegalRoutes()
        return try queue.read { db in
            guard try db.tableExists("penalty_notices") else { return [] }
            // A notice left unpaid is "prosecuted" once a prosecution file went to the court for its case after the
            // notice's last day: the desk learns that from the prosecution's record, not from a second write.
            let prosecuted = Dictionary(
                grouping: try Row.fetchAll(db, sql: "SELECT reference, sent_at FROM prosecutions"), by: { $0[0] as String }
            ).mapValues { rows in rows.map { Self.schoolDate(ms: $0[1]) } }
            let chosen = try Self.chosenDefendants(db)
            return try Row.fetchAll(
                db, sql: """
                    SELECT notice_reference, reference, upn, contact, parent_key, issued_on, period_start, period_end, sequence, status,
                        paid_on, amount_paid_pence, withdrawn_reason
                    FROM penalty_notices WHERE \(condition) ORDER BY issued_on, notice_reference
                    """, arguments: arguments
            ).compactMap { row -> DeskPenaltyNotice? in
                guard let issued = SchoolDate(parsing: row[5] as String), let start = SchoolDate(parsing: row[6] as String),
                    let end = SchoolDate(parsing: row[7] as String), let status = PenaltyNotice.Status(rawValue: row[9])
                else { return nil }
                let reference: String = row[1], contact: Int = row[3]
                let defendant = chosen[reference]?.first { $0.contact == contact }
                var notice = DeskPenaltyNotice(
                    noticeReference: row[0], caseReference: reference, upn: row[2], contact: contact, parent: defendant?.reference ?? "C\(contact)",
                    defendantNumber: defendant?.number, parentKey: row[4], issuedOn: issued,
                    period: start...max(start, end), sequence: row[8], status: status, paidOn: (row[10] as String?).flatMap { SchoolDate(parsing: $0) },
                    amountPaidPence: row[11], withdrawnReason: row[12])
                // The prosecution checks refuse a file while a notice to the defendant is still payable, so a file sent
                // after the notice's issue while it was unpaid was sent after its last day: the notice was prosecuted.
                if status == .unpaid, let sent = prosecuted[notice.caseReference], sent.contains(where: { $0 > issued }) {
                    notice.status = .prosecuted
                }
                return notice
            }
        }
    }

    /// The next notice reference for a year of issue: `PN-2026-0001`, numbered from 1 within the calendar year.
    static func nextNoticeReference(_ db: Database, year: Int) throws -> String {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM penalty_notices WHERE notice_reference LIKE ?", arguments: ["PN-\(year)-%"]) ?? 0
        return String(format: "PN-%d-%04d", year, count + 1)
    }

    /// The reference the next notice issued in `year` will have (the one `issue` sends and then records).
    public func nextNoticeReference(year: Int) throws -> String {
        try prepareLegalRoutes()
        return try queue.read { db in try Self.nextNoticeReference(db, year: year) }
    }

    /// Records a notice that the hub has accepted, with its intervention row and history entry, in one transaction.
    ///
    /// - Parameters:
    ///   - text: the notice's words in brief, kept as the intervention's description: a prosecution file copies it
    ///     into its exhibits.
    ///   - firstAmountPence: the intervention's amount (what the parent pays if they pay at once).
    ///   - defendantNumber: the parent's defendant number, if the worker has chosen them as a defendant already.
    public func recordPenaltyNotice(
        _ notice: DeskPenaltyNotice, messageID: String, text: String, firstAmountPence: Int, defendantNumber: Int?, receipt: String
    ) throws {
        try prepareLegalRoutes()
        let detail = "\(notice.noticeReference) issued to \(notice.parent) on \(notice.issuedOn) for \(notice.period.lowerBound) to "
            + "\(notice.period.upperBound); sent to the school (\(receipt))"
        try change(notice.caseReference, kind: "penalty-notice", detail: detail) { db in
            try db.execute(
                sql: """
                    INSERT INTO interventions (reference, date, type, by_whom, description, defendant_number, amount_pence, status, paid_on)
                    VALUES (?, ?, 'penalty_notice', 'attendance_service', ?, ?, ?, 'unpaid', NULL)
                    """,
                arguments: [notice.caseReference, notice.issuedOn.description, text, defendantNumber, firstAmountPence])
            let intervention = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO penalty_notices (notice_reference, reference, upn, contact, parent_key, issued_on, period_start, period_end, sequence,
                        status, message_id, intervention_rowid)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'unpaid', ?, ?)
                    """,
                arguments: [
                    notice.noticeReference, notice.caseReference, notice.upn, notice.contact, notice.parentKey, notice.issuedOn.description,
                    notice.period.lowerBound.description, notice.period.upperBound.description, notice.sequence, messageID, intervention,
                ])
        }
    }

    /// Records a notice's payment: the amount the framework says was due on that day.
    public func recordPayment(_ notice: DeskPenaltyNotice, paidOn: SchoolDate, pence: Int) throws {
        try prepareLegalRoutes()
        let amount = PaymentText.pounds(pence)
        try change(notice.caseReference, kind: "penalty-notice-paid", detail: "\(notice.noticeReference) paid \(amount) on \(paidOn)") { db in
            try db.execute(
                sql: "UPDATE penalty_notices SET status = 'paid', paid_on = ?, amount_paid_pence = ? WHERE notice_reference = ?",
                arguments: [paidOn.description, pence, notice.noticeReference])
            try db.execute(
                sql: """
                    UPDATE interventions SET status = 'paid', paid_on = ?, amount_pence = ?
                    WHERE rowid = (SELECT intervention_rowid FROM penalty_notices WHERE notice_reference = ?)
                    """,
                arguments: [paidOn.description, pence, notice.noticeReference])
        }
    }

    /// Records that the authority withdrew a notice; a withdrawn notice never counts towards the limit.
    public func recordWithdrawal(_ notice: DeskPenaltyNotice, on date: SchoolDate, reason: String) throws {
        try prepareLegalRoutes()
        try change(notice.caseReference, kind: "penalty-notice-withdrawn", detail: "\(notice.noticeReference) withdrawn on \(date): \(reason)") { db in
            try db.execute(
                sql: "UPDATE penalty_notices SET status = 'withdrawn', withdrawn_reason = ? WHERE notice_reference = ?",
                arguments: [reason, notice.noticeReference])
            try db.execute(
                sql: "UPDATE interventions SET status = 'withdrawn' WHERE rowid = (SELECT intervention_rowid FROM penalty_notices WHERE notice_reference = ?)",
                arguments: [notice.noticeReference])
        }
    }

    /// Writes, once per notice, the history entry saying the case is ready for prosecution: `liaison case show`
    /// prints the history, so the worker sees it there. Returns true if it was written now.
    @discardableResult
    public func noteReadyForProsecution(_ notice: DeskPenaltyNotice, since: SchoolDate) throws -> Bool {
        try prepareLegalRoutes()
        return try queue.write { db in
            try db.execute(sql: "UPDATE penalty_notices SET ready_noted = 1 WHERE notice_reference = ? AND ready_noted = 0", arguments: [notice.noticeReference])
            guard db.changesCount == 1 else { return false }
            try Self.history(
                db, notice.caseReference, "ready-for-prosecution",
                "penalty notice \(notice.noticeReference) to \(notice.parent) unpaid after its last day: ready for prosecution since \(since) "
                    + "(prosecute for the period \(notice.period.lowerBound) to \(notice.period.upperBound), or withdraw the notice)")
            return true
        }
    }

    // MARK: Other routes

    /// Records a route with its review points, its intervention row (`interventionType`) and a history entry.
    /// Returns the route's id.
    @discardableResult
    public func addLegalRoute(_ route: DeskLegalRoute, interventionType: String?, detail: String) throws -> Int64 {
        try prepareLegalRoutes()
        let id = LockedValue<Int64>(0)
        try change(route.caseReference, kind: route.kind.rawValue.replacingOccurrences(of: "_", with: "-"), detail: detail) { db in
            try db.execute(
                sql: "INSERT INTO legal_routes (reference, kind, contact, date, ends_on, school, description, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    route.caseReference, route.kind.rawValue, route.contact, route.date.description, route.endsOn?.description, route.school,
                    route.description, Self.now(),
                ])
            let routeID = db.lastInsertedRowID
            id.value = routeID
            for review in route.reviews {
                try db.execute(
                    sql: "INSERT INTO route_reviews (route_id, milestone, title, due, done_on) VALUES (?, ?, ?, ?, ?)",
                    arguments: [routeID, review.id, review.title, review.due.description, review.doneOn?.description])
            }
            if let interventionType {
                try db.execute(
                    sql: "INSERT INTO interventions (reference, date, type, by_whom, description) VALUES (?, ?, ?, 'attendance_service', ?)",
                    arguments: [route.caseReference, route.date.description, interventionType, detail.prefix(1).uppercased() + detail.dropFirst()])
            }
        }
        return id.value
    }

    /// Records that a route's review or milestone took place.
    public func markReviewDone(_ reference: String, routeID: Int64, milestone: String, on date: SchoolDate) throws {
        try prepareLegalRoutes()
        try change(reference, kind: "review", detail: "route \(routeID): \(milestone) held on \(date)") { db in
            try db.execute(
                sql: """
                    UPDATE route_reviews SET done_on = ? WHERE route_id = ? AND milestone = ?
                    AND route_id IN (SELECT id FROM legal_routes WHERE reference = ?)
                    """,
                arguments: [date.description, routeID, milestone, reference])
            guard db.changesCount == 1 else {
                throw DeskError("Case \(reference) has no review \(milestone) on route \(routeID): `liaison case routes \(reference)` lists them.")
            }
        }
    }

    /// The routes recorded on a case, in the order recorded, with their reviews in order of their dates.
    public func legalRoutes(of reference: String) throws -> [DeskLegalRoute] {
        try prepareLegalRoutes()
        return try queue.read { db in
            guard try db.tableExists("legal_routes") else { return [] }
            let chosen = try Self.chosenDefendants(db)
            let reviews = Dictionary(
                grouping: try Row.fetchAll(
                    db, sql: """
                        SELECT r.route_id, r.milestone, r.title, r.due, r.done_on FROM route_reviews r JOIN legal_routes l ON l.id = r.route_id
                        WHERE l.reference = ? ORDER BY r.due, r.milestone
                        """, arguments: [reference]),
                by: { $0[0] as Int64 })
            return try Row.fetchAll(
                db, sql: "SELECT id, kind, contact, date, ends_on, school, description FROM legal_routes WHERE reference = ? ORDER BY id",
                arguments: [reference]
            ).compactMap { row in
                guard let kind = DeskLegalRoute.Kind(rawValue: row[1]), let date = SchoolDate(parsing: row[3] as String) else { return nil }
                let id: Int64 = row[0], contact: Int? = row[2]
                return DeskLegalRoute(
                    id: id, caseReference: reference, kind: kind, contact: contact,
                    parent: contact.map { CaseParent.label(contact: $0, defendants: chosen[reference] ?? []) }, date: date,
                    endsOn: (row[4] as String?).flatMap { SchoolDate(parsing: $0) }, school: row[5], description: row[6],
                    reviews: (reviews[id] ?? []).compactMap { review in
                        SchoolDate(parsing: review[3] as String).map {
                            DeskLegalRoute.Review(
                                id: review[1], title: review[2], due: $0, doneOn: (review[4] as String?).flatMap { SchoolDate(parsing: $0) })
                        }
                    })
            }
        }
    }

    /// The case's latest breach of a school attendance order, with the order it breached (the latest made on or before
    /// it) and the s.437(1) notice before that order, for a s.443 prosecution file; nil when no breach is recorded.
    public func attendanceOrderBreach(of reference: String) throws -> ProsecutionFileBuilder.AttendanceOrder? {
        let routes = try legalRoutes(of: reference)
        guard let breach = routes.last(where: { $0.kind == .attendanceOrderBreach }),
            let order = routes.last(where: { $0.kind == .attendanceOrder && $0.date <= breach.date })
        else { return nil }
        let notice = routes.last { $0.kind == .attendanceOrderNotice && $0.date <= order.date }
        return ProsecutionFileBuilder.AttendanceOrder(
            noticeServedOn: notice?.date.description, madeOn: order.date.description, school: order.school ?? "", parent: order.parent,
            breachOn: breach.date.description, breach: breach.description ?? "the order was not complied with")
    }

    // MARK: What the routes read

    /// The defendants chosen on each case (the casework's `case_defendants`), by case: a parent's reference is `D1`
    /// once chosen. An older store without the table has none.
    static func chosenDefendants(_ db: Database) throws -> [String: [DeskDefendant]] {
        guard try db.tableExists("case_defendants") else { return [:] }
        return Dictionary(
            grouping: try Row.fetchAll(db, sql: "SELECT reference, number, contact FROM case_defendants").map { row in
                (reference: row[0] as String, defendant: DeskDefendant(number: row[1], contact: row[2], dateOfBirth: "", hasCare: false, chosenBy: "", reason: ""))
            },
            by: \.reference
        ).mapValues { $0.map(\.defendant) }
    }

    /// A child's marks from every school's returns the desk holds (a child who moved school has both schools'
    /// days: the penalty-notice threshold counts the child's absence, wherever it was).
    public func childMarks(upn: String) throws -> RegisterMarks {
        try queue.read { db in
            var days: [String: (am: String, pm: String)] = [:]
            for json in try String.fetchAll(
                db, sql: "SELECT marks FROM pupil_returns WHERE upn = ? AND marks IS NOT NULL ORDER BY academic_year, half_term", arguments: [upn])
            {
                for (date, day) in StoredJSON.marks(json) ?? [:] { days[date] = (day.am, day.pm) }
            }
            return RegisterMarks(byDate: days)
        }
    }

    /// A child's figures per half term from the returns held (summed over schools in a half term the child moved).
    public func halfTermFigures(upn: String) throws -> [HalfTermFigures] {
        try queue.read { db in
            var byHalfTerm: [HalfTermFigures.Key: (counts: [String: Int], toDate: String?)] = [:]
            for row in try Row.fetchAll(
                db, sql: """
                    SELECT p.academic_year, p.half_term, p.codes, r.marked_through FROM pupil_returns p
                    JOIN returns r USING (laestab, academic_year, half_term) WHERE p.upn = ?
                    """, arguments: [upn])
            {
                let key = HalfTermFigures.Key(academicYear: row[0], halfTerm: row[1])
                var entry = byHalfTerm[key] ?? ([:], nil)
                for (code, sessions) in StoredJSON.codes(row[2]) { entry.counts[code, default: 0] += sessions }
                if let through: String = row[3] { entry.toDate = max(entry.toDate ?? through, through) }
                byHalfTerm[key] = entry
            }
            return byHalfTerm.map { HalfTermFigures(key: $0.key, figures: PupilFigures(codeCounts: $0.value.counts), markedThrough: $0.value.toDate) }
                .sorted { ($0.key.academicYear, $0.key.halfTerm) < ($1.key.academicYear, $1.key.halfTerm) }
        }
    }

    /// Cases finally disposed of by a court, with the day of the final outcome (the latest hearing that gave a
    /// defendant an outcome other than adjourned): the cases the desk follows after disposal. Each also has the day
    /// its first prosecution file went: the day the desk sent it, or its first hearing if that is earlier (a file
    /// recorded after the event).
    public func disposals() throws -> [(reference: String, upn: String, laestab: String, filedOn: SchoolDate, disposedOn: SchoolDate)] {
        try queue.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT c.reference, c.upn, c.laestab, MAX(o.hearing_date),
                        (SELECT MIN(p.hearing_date) FROM prosecutions p WHERE p.reference = c.reference),
                        (SELECT MIN(p.sent_at) FROM prosecutions p WHERE p.reference = c.reference)
                    FROM cases c JOIN court_outcomes o ON o.reference = c.reference
                    WHERE o.outcome != 'adjourned' AND EXISTS (SELECT 1 FROM case_history h WHERE h.reference = c.reference AND h.kind = 'disposed')
                    GROUP BY c.reference ORDER BY c.reference
                    """
            ).compactMap { row in
                guard let disposed = SchoolDate(parsing: row[3] as String) else { return nil }
                let hearing = (row[4] as String?).flatMap { SchoolDate(parsing: $0) }
                let sent = (row[5] as Int64?).map { Self.schoolDate(ms: $0) }
                let filed = [hearing, sent].compactMap { $0 }.min() ?? disposed
                return (reference: row[0], upn: row[1], laestab: row[2], filedOn: filed, disposedOn: disposed)
            }
        }
    }

    /// The day (UTC) of a stored time in ms since 1970.
    static func schoolDate(ms: Int64) -> SchoolDate { SchoolDate(dayNumber: Int((Double(ms) / 86_400_000).rounded(.down))) }
}

/// One half term's figures for a child.
public struct HalfTermFigures: Sendable, Equatable {
    public struct Key: Hashable, Sendable {
        public var academicYear: Int
        public var halfTerm: Int
    }

    public var key: Key
    public var figures: PupilFigures
    /// Set when the return held is one to date (not yet complete): its last day with marks.
    public var markedThrough: String?
}

/// A value written inside a GRDB write closure and read after it (the closure is `@Sendable`).
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    // Safe: written only inside the single write transaction's closure, read after `write` returns.
    var value: Value
    init(_ value: Value) { self.value = value }
}
