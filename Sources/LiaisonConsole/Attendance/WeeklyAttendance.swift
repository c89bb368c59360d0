import AttendanceDomain
import GRDB
import NPASDesk

/// Attendance week by week, from the daily marks the schools' returns carry (a return's code counts are per half
/// term only): each week's sessions by category, and the pupils persistently and severely absent over the year to
/// the end of that week.
///
/// The sums are made in SQLite (`json_each` over each pupil's marks, a window over each pupil's weeks), so a
/// county's year comes back as one row a week. A week is Monday to Sunday, named by its Monday. A pupil counts in a
/// week when they have a possible session in it; their year to date is every week of theirs to that one. Codes are
/// put in their categories by ``CodeTable``, as ``PupilFigures`` does from code counts; `-` and codes the table does
/// not know are not possible sessions.
///
/// Reading is blocking (GRDB's queue): the console calls it off Swift's cooperative pool.
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

    /// The weeks of `academicYear` with marks held, in order, for one school's returns or every school's.
    static func read(_ store: DeskStore, academicYear: Int, laestab: String? = nil, table: CodeTable = .standard) throws -> [Week] {
        let counted = table.codes.filter { $0.category.isPossibleSession }
        guard !counted.isEmpty else { return [] }
        var arguments: [(any DatabaseValueConvertible)?] = []
        for code in counted {
            arguments += [
                code.symbol, code.category == .present || code.category == .aea ? 1 : 0, code.category == .authorised ? 1 : 0,
                code.category == .unauthorised ? 1 : 0,
            ]
        }
        arguments += [academicYear, laestab, laestab]
        let values = Array(repeating: "(?, ?, ?, ?)", count: counted.count).joined(separator: ", ")
        let sql = """
            WITH category(code, attended, authorised, unauthorised) AS (VALUES \(values)),
            days AS (
                SELECT p.upn, date(j.key, '-6 days', 'weekday 1') AS week,
                    json_extract(j.value, '$.am') AS am, json_extract(j.value, '$.pm') AS pm
                FROM pupil_returns p, json_each(CASE WHEN json_valid(p.marks) THEN p.marks ELSE '{}' END) j
                WHERE p.academic_year = ? AND p.marks IS NOT NULL AND (? IS NULL OR p.laestab = ?)
            ),
            sessions AS (SELECT upn, week, am AS code FROM days UNION ALL SELECT upn, week, pm FROM days),
            weekly AS (
                SELECT s.upn, s.week, COUNT(*) AS possible, SUM(c.attended) AS attended, SUM(c.authorised) AS authorised,
                    SUM(c.unauthorised) AS unauthorised
                FROM sessions s JOIN category c ON c.code = s.code
                WHERE s.week IS NOT NULL
                GROUP BY s.upn, s.week
            ),
            running AS (
                SELECT week, possible, attended, authorised, unauthorised,
                    SUM(possible) OVER pupil AS to_date, SUM(authorised + unauthorised) OVER pupil AS absent_to_date
                FROM weekly WINDOW pupil AS (PARTITION BY upn ORDER BY week)
            )
            SELECT week, COUNT(*), SUM(possible), SUM(attended), SUM(authorised), SUM(unauthorised),
                SUM(absent_to_date * 10 >= to_date), SUM(absent_to_date * 2 >= to_date)
            FROM running GROUP BY week ORDER BY week
            """
        return try store.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                Week(
                    monday: row[0], pupils: row[1], possible: row[2], attended: row[3], authorised: row[4], unauthorised: row[5],
                    persistent: row[6], severe: row[7])
            }
        }
    }
}
