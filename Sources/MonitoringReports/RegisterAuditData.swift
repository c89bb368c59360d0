import AttendanceDomain
import Foundation
import GRDB
import NPASDesk
import StrictJSON

/// Reads a register audit's rows from the desk's store (tables `returns` and `pupil_returns`): the school's returns
/// for the half terms asked, pupil by pupil with codes and marks, and the county's sessions per code over the same
/// half terms. The analysis is ``RegisterAuditFindings``, which does no I/O.
///
/// Blocking (SQLite): call it off Swift's cooperative pool.
public enum RegisterAuditData {
    /// - Throws: ``ReportError`` `no-data` when the desk holds no return from the school for those half terms.
    public static func read(store: DeskStore, laestab: String, academicYear: Int, halfTerms: ClosedRange<Int>) throws -> RegisterAuditInput {
        let range: [any DatabaseValueConvertible] = [academicYear, halfTerms.lowerBound, halfTerms.upperBound]
        let school: [any DatabaseValueConvertible] = [laestab] + range
        return try store.read { db in
            var name: String?
            let returns = try Row.fetchAll(
                db,
                sql: """
                    SELECT half_term, school_name, start_date, end_date, marked_through FROM returns
                    WHERE laestab = ? AND academic_year = ? AND half_term BETWEEN ? AND ? ORDER BY half_term
                    """, arguments: StatementArguments(school)
            ).compactMap { row -> RegisterAuditInput.Return? in
                name = (row[1] as String?) ?? name
                guard let start = SchoolDate(parsing: row[2] as String), let end = SchoolDate(parsing: row[3] as String) else { return nil }
                return RegisterAuditInput.Return(
                    halfTerm: row[0], startDate: start, endDate: end, markedThrough: (row[4] as String?).flatMap { SchoolDate(parsing: $0) })
            }
            guard !returns.isEmpty else {
                throw ReportError(
                    .noData,
                    "The desk holds no return from school \(laestab) for \(academicYear)/\((academicYear + 1) % 100) half terms "
                        + "\(halfTerms.lowerBound)-\(halfTerms.upperBound): check the LAESTAB and the year (`liaison desk returns`).")
            }
            var pupils: [RegisterAuditInput.Pupil] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT upn, half_term, sessions_possible, codes, marks FROM pupil_returns
                    WHERE laestab = ? AND academic_year = ? AND half_term BETWEEN ? AND ? ORDER BY half_term, upn
                    """, arguments: StatementArguments(school))
            while let row = try rows.next() {
                pupils.append(RegisterAuditInput.Pupil(
                    upn: row[0], halfTerm: row[1], sessionsPossible: row[2], codes: codes(row[3]), marks: marks(row[4])))
            }
            // The county: every school's returns for the same half terms, summed per code in SQLite (json_each).
            var countyCodes: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT j.key, SUM(j.value) FROM pupil_returns p, json_each(p.codes) j
                    WHERE p.academic_year = ? AND p.half_term BETWEEN ? AND ? GROUP BY j.key
                    """, arguments: StatementArguments(range))
            {
                countyCodes[row[0]] = row[1]
            }
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT laestab), COALESCE(SUM(sessions_possible), 0) FROM pupil_returns
                    WHERE academic_year = ? AND half_term BETWEEN ? AND ?
                    """, arguments: StatementArguments(range))
            return RegisterAuditInput(
                laestab: laestab, schoolName: name, academicYear: academicYear, halfTerms: halfTerms, returns: returns, pupils: pupils,
                county: RegisterAuditInput.County(schools: totals?[0] ?? 0, sessionsPossible: totals?[1] ?? 0, codes: countyCodes))
        }
    }

    /// `{"I": 3, "/": 120}` as sessions per code (empty if unreadable).
    static func codes(_ text: String) -> [String: Int] {
        guard let members = (try? JSONValue.parse(text))?.objectValue else { return [:] }
        return members.compactMapValues { $0.numberValue.flatMap { Int(exactly: $0) } }
    }

    /// `{"2025-09-03": {"am": "/", "pm": "N"}}` as each day's marks, in date order (nil if none or unreadable).
    static func marks(_ text: String?) -> [DayMarks]? {
        guard let text, let members = (try? JSONValue.parse(text))?.objectValue else { return nil }
        return members.compactMap { key, day -> DayMarks? in
            guard let date = SchoolDate(parsing: key), let am = day["am"]?.stringValue, let pm = day["pm"]?.stringValue else { return nil }
            return DayMarks(date: date, am: am, pm: pm)
        }.sorted { $0.date < $1.date }
    }
}
