import AttendanceDomain
import Foundation
import GRDB
import NPASDesk

/// The casework the reports count, read from the desk's store for a period: referrals and how quickly they were
/// taken up, cases opened and closed (per worker), interventions by type, penalty notices issued, paid and
/// withdrawn, prosecutions and their outcomes. Optionally for one school only.
///
/// A period is a range of dates (`YYYY-MM-DD`, both ends included). Referrals, cases and history are dated by when
/// the desk recorded them; interventions, notices and hearings by their own dates.
public struct CaseworkData: Sendable {
    public struct Period: Sendable, Hashable {
        public var from: SchoolDate
        public var to: SchoolDate
        public init(from: SchoolDate, to: SchoolDate) {
            self.from = from
            self.to = to
        }

        /// The whole academic year: 1 September to 31 August.
        public static func academicYear(_ year: Int) -> Period {
            Period(from: SchoolDate(year: year, month: 9, day: 1)!, to: SchoolDate(year: year + 1, month: 8, day: 31)!)
        }

        /// A term of an academic year, from its first half term's start to the day before the next term (the
        /// holidays after a term count with it).
        public static func term(_ term: Term, of year: Int) -> Period {
            switch term {
            case .autumn: Period(from: SchoolDate(year: year, month: 9, day: 1)!, to: SchoolDate(year: year, month: 12, day: 31)!)
            case .spring:
                Period(from: SchoolDate(year: year + 1, month: 1, day: 1)!, to: SchoolDate(year: year + 1, month: 4, day: 30)!)
            case .summer:
                Period(from: SchoolDate(year: year + 1, month: 5, day: 1)!, to: SchoolDate(year: year + 1, month: 8, day: 31)!)
            }
        }

        /// The period's ends as the desk's timestamps (milliseconds since 1970, UTC).
        var fromMilliseconds: Int64 { Int64(from.dayNumber) * 86_400_000 }
        var toMilliseconds: Int64 { Int64(to.dayNumber + 1) * 86_400_000 - 1 }
    }

    /// What the desk did in the period.
    public struct Counts: Sendable, Equatable {
        public var referrals = 0
        /// Days from each referral to its case's allocation to a worker, for the cases allocated in the period.
        public var daysToAllocation: [Double] = []
        public var casesOpened = 0
        public var casesClosed = 0
        /// Cases opened per worker (or "not allocated").
        public var openedByWorker: [String: Int] = [:]
        public var closedByWorker: [String: Int] = [:]
        public var interventionsByType: [String: Int] = [:]
        public var penaltyNoticesIssued = 0
        public var penaltyNoticesPaid = 0
        public var penaltyNoticesWithdrawn = 0
        public var penaltyPaidPence = 0
        public var prosecutions = 0
        /// Court outcomes per defendant, by outcome (`fined`, `conditional_discharge`, …).
        public var outcomes: [String: Int] = [:]
        /// Care alerts and partner shares the hub released (the desk's `shares_sent`), by kind.
        public var sharesByKind: [String: Int] = [:]
        /// Shares the hub did not release (an opt-out, a child not on a partner's list), by kind.
        public var sharesRefusedByKind: [String: Int] = [:]
    }

    public let store: DeskStore

    public init(store: DeskStore) {
        self.store = store
    }

    /// The counts for `period`, for one school or all.
    public func counts(_ period: Period, laestab: String? = nil) throws -> Counts {
        try store.read { db in
            var counts = Counts()
            let from = period.fromMilliseconds, to = period.toMilliseconds
            let days = [period.from.description, period.to.description]
            counts.referrals = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM referrals WHERE received_at BETWEEN ? AND ? AND (? IS NULL OR laestab = ?)",
                arguments: [from, to, laestab, laestab]) ?? 0
            for row in try Row.fetchAll(
                db, sql: "SELECT COALESCE(esw, 'not allocated') FROM cases WHERE opened_at BETWEEN ? AND ? AND (? IS NULL OR laestab = ?)",
                arguments: [from, to, laestab, laestab])
            {
                counts.casesOpened += 1
                counts.openedByWorker[row[0], default: 0] += 1
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT COALESCE(c.esw, 'not allocated') FROM case_history h JOIN cases c USING (reference)
                    WHERE h.kind = 'closed' AND h.at BETWEEN ? AND ? AND (? IS NULL OR c.laestab = ?)
                    """,
                arguments: [from, to, laestab, laestab])
            {
                counts.casesClosed += 1
                counts.closedByWorker[row[0], default: 0] += 1
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT MIN(h.at) - c.opened_at FROM case_history h JOIN cases c USING (reference)
                    WHERE h.kind = 'allocated' AND (? IS NULL OR c.laestab = ?)
                    GROUP BY c.reference HAVING MIN(h.at) BETWEEN ? AND ?
                    """,
                arguments: [laestab, laestab, from, to])
            {
                let milliseconds: Int64 = row[0]
                counts.daysToAllocation.append(Double(max(milliseconds, 0)) / 86_400_000)
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT i.type, COUNT(*) FROM interventions i JOIN cases c USING (reference)
                    WHERE i.date BETWEEN ? AND ? AND (? IS NULL OR c.laestab = ?) GROUP BY i.type
                    """,
                arguments: [days[0], days[1], laestab, laestab])
            {
                counts.interventionsByType[row[0]] = row[1]
            }
            if try db.tableExists("penalty_notices") {
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT p.status, p.paid_on, p.amount_paid_pence, p.issued_on FROM penalty_notices p JOIN cases c USING (reference)
                        WHERE (p.issued_on BETWEEN ? AND ? OR p.paid_on BETWEEN ? AND ?) AND (? IS NULL OR c.laestab = ?)
                        """,
                    arguments: [days[0], days[1], days[0], days[1], laestab, laestab])
                {
                    let status: String = row[0], paidOn: String? = row[1], issuedOn: String = row[3]
                    if issuedOn >= days[0] && issuedOn <= days[1] {
                        counts.penaltyNoticesIssued += 1
                        if status == "withdrawn" { counts.penaltyNoticesWithdrawn += 1 }
                    }
                    if status == "paid", let paidOn, paidOn >= days[0], paidOn <= days[1] {
                        counts.penaltyNoticesPaid += 1
                        counts.penaltyPaidPence += (row[2] as Int?) ?? 0
                    }
                }
            }
            counts.prosecutions = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT p.reference || p.hearing_date) FROM prosecutions p JOIN cases c USING (reference)
                    WHERE p.hearing_date BETWEEN ? AND ? AND (? IS NULL OR c.laestab = ?)
                    """,
                arguments: [days[0], days[1], laestab, laestab]) ?? 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT o.outcome, COUNT(*) FROM court_outcomes o JOIN cases c USING (reference)
                    WHERE o.hearing_date BETWEEN ? AND ? AND (? IS NULL OR c.laestab = ?) GROUP BY o.outcome
                    """,
                arguments: [days[0], days[1], laestab, laestab])
            {
                counts.outcomes[row[0]] = row[1]
            }
            if laestab == nil {
                for row in try Row.fetchAll(
                    db, sql: "SELECT kind, outcome, COUNT(*) FROM shares_sent WHERE sent_at BETWEEN ? AND ? GROUP BY kind, outcome",
                    arguments: [from, to])
                {
                    let outcome: String = row[1]
                    if outcome == "sent" { counts.sharesByKind[row[0]] = row[2] } else { counts.sharesRefusedByKind[row[0], default: 0] += row[2] as Int }
                }
            }
            return counts
        }
    }

    /// How many cases had their first hearing in `period` (the impact of prosecution counts them; the desk's
    /// `DisposalMonitor` follows those disposed of).
    public func prosecutedCases(_ period: Period) throws -> Int {
        try store.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM (SELECT reference FROM prosecutions GROUP BY reference HAVING MIN(hearing_date) BETWEEN ? AND ?)",
                arguments: [period.from.description, period.to.description]) ?? 0
        }
    }
}
