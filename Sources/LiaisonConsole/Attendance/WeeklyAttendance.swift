import AttendanceDomain
import GRDB
import NPASDesk

/// Attendance week by week, from the daily marks the schools' returns carry (a return's code counts are per half
/// term only): each week's sessions by category, and the pupils persistently and severely absent over the year to
/// the end of that week.
///
/// SQLite hands back each day's two marks (`json_each` over each pupil's marks, in the order stored: no sort); the
/// tallies are made here, a pupil's days at a time. A week is Monday to Sunday, named by its Monday. A pupil counts
/// in a week when they have a possible session in it; their year to date is every week of theirs to that one. Codes
/// are put in their categories by ``CodeTable``, as ``PupilFigures`` does from code counts; `-` and codes the table
/// does not know are not possible sessions.
///
/// Reading is blocking (GRDB's queue): the console calls it off Swift's cooperative pool, and keeps the result with the
/// county's and each school's page (``AttendanceFigures``): a county's weeks take the longest of any figure on the pages.
struct WeeklyAttendance: Sendable {
    /// One week's figures.
    struct Week: Sendable, Equatable {
        /// The week's Monday, `YYYY-MM-DD`.
        var monday: String
        /// Pupils with a possible session in the week.
        var pupils: Int
        var possible: Int
        /// Present or an approved educational activity.
        var attended: Int
        var authorised: Int
        var unauthorised: Int
        /// Of ``pupils``, those absent from 10% or more of their possible sessions over the year to this week's end.
        var persistent: Int
        /// Of ``pupils``, those absent from 50% or more over the year to this week's end.
        var severe: Int

        var attendanceRate: Double? { rate(attended, of: possible) }
        var authorisedRate: Double? { rate(authorised, of: possible) }
        var unauthorisedRate: Double? { rate(unauthorised, of: possible) }
        var persistentRate: Double? { rate(persistent, of: pupils) }
        var severeRate: Double? { rate(severe, of: pupils) }

        private func rate(_ part: Int, of whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) * 100 }
    }

    /// One pupil's sessions in one week.
    struct Tally {
        var possible = 0, attended = 0, authorised = 0, unauthorised = 0

        mutating func add(_ category: UInt8) {
            guard category != 0 else { return }
            possible += 1
            switch category {
            case 1: attended += 1
            case 2: authorised += 1
            default: unauthorised += 1
            }
        }
    }

    /// The weeks of `academicYear` with marks held, in order, for one school's returns or every school's.
    static func read(_ store: DeskStore, academicYear: Int, laestab: String? = nil, table: CodeTable = .standard) throws -> [Week] {
        // 1 attended (present, approved educational activity), 2 authorised, 3 unauthorised; not there: not possible.
        var categories: [String: UInt8] = [:]
        for code in table.codes {
            switch code.category {
            case .present, .aea: categories[code.symbol] = 1
            case .authorised: categories[code.symbol] = 2
            case .unauthorised: categories[code.symbol] = 3
            case .notCounted, .missing: break
            }
        }
        // Each pupil's weeks (by their Monday's day number); a pupil's rows come together, one return at a time.
        var pupils: [String: [Int: Tally]] = [:]
        // One school's rows by the table's key (laestab first), not a scan of every school's.
        let school = laestab == nil ? "" : "p.laestab = ? AND "
        let arguments: StatementArguments = laestab.map { [$0, academicYear] } ?? [academicYear]
        try store.read { db in
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT p.upn, j.key, json_extract(j.value, '$.am'), json_extract(j.value, '$.pm')
                    FROM pupil_returns p, json_each(CASE WHEN json_valid(p.marks) THEN p.marks ELSE '{}' END) j
                    WHERE \(school)p.academic_year = ? AND p.marks IS NOT NULL
                    """, arguments: arguments)
            var upn = "", weeks: [Int: Tally] = [:]
            while let row = try rows.next() {
                let next: String = row[0]
                if next != upn {
                    if !upn.isEmpty { pupils[upn, default: [:]].merge(weeks) { $0.adding($1) } }
                    (upn, weeks) = (next, [:])
                }
                guard let date = SchoolDate(parsing: row[1] as String) else { continue }
                let monday = date.dayNumber - (date.weekday.rawValue - 1)
                var tally = weeks[monday] ?? Tally()
                tally.add((row[2] as String?).flatMap { categories[$0] } ?? 0)
                tally.add((row[3] as String?).flatMap { categories[$0] } ?? 0)
                weeks[monday] = tally
            }
            if !upn.isEmpty { pupils[upn, default: [:]].merge(weeks) { $0.adding($1) } }
        }
        // Each week's sums, and each pupil's year to date at each of their weeks' ends.
        var totals: [Int: Week] = [:]
        for weeks in pupils.values {
            var possible = 0, absent = 0
            for (monday, tally) in weeks.sorted(by: { $0.key < $1.key }) where tally.possible > 0 {
                possible += tally.possible
                absent += tally.authorised + tally.unauthorised
                var week = totals[monday] ?? Week(
                    monday: SchoolDate(dayNumber: monday).description, pupils: 0, possible: 0, attended: 0, authorised: 0, unauthorised: 0,
                    persistent: 0, severe: 0)
                week.pupils += 1
                week.possible += tally.possible
                week.attended += tally.attended
                week.authorised += tally.authorised
                week.unauthorised += tally.unauthorised
                if absent * 10 >= possible { week.persistent += 1 }
                if absent * 2 >= possible { week.severe += 1 }
                totals[monday] = week
            }
        }
        return totals.sorted { $0.key < $1.key }.map(\.value)
    }
}

extension WeeklyAttendance.Tally {
    func adding(_ other: Self) -> Self {
        Self(
            possible: possible + other.possible, attended: attended + other.attended, authorised: authorised + other.authorised,
            unauthorised: unauthorised + other.unauthorised)
    }
}
