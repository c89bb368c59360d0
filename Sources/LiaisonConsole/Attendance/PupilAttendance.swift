import AttendanceDomain
import GRDB
import LiaisonMessages
import NPASDesk

/// What a pupil's page shows for one academic year: who they are as their school's roll has it, their figures by
/// half term and for the year to date, a calendar of their marks at each school, their cases, and what the desk has
/// shared about them with partners (the hub's record of every share is ``SubjectShares``).
///
/// Reading is blocking (GRDB's queue): the console calls ``read(store:upn:academicYear:table:)`` off Swift's
/// cooperative pool.
struct PupilAttendance: Sendable {
    /// One half term's figures at one school.
    struct HalfTerm: Sendable {
        var laestab: String
        var halfTerm: Int
        var figures: PupilFigures
    }

    /// One school's calendar.
    struct School: Sendable {
        var laestab: String
        var name: String
        var calendar: MarkCalendar
    }

    /// A share the desk made about the pupil (a derived share to a partner, or one the hub refused).
    struct DeskShare: Sendable, Equatable {
        var kind: String
        var period: String
        var outcome: String
        /// `YYYY-MM-DD HH:MM` (UTC).
        var sentAt: String
    }

    var upn: String
    var roll: PupilRoll.Pupil?
    var academicYear: Int?
    /// Every year the desk holds returns for the pupil, newest first.
    var years: [Int]
    var yearGroup: String?
    var lookedAfter: Bool
    var halfTerms: [HalfTerm]
    /// Every half term held of the year, every school.
    var yearToDate: PupilFigures
    var schools: [School]
    var cases: [DeskCase]
    var deskShares: [DeskShare]

    /// The pupil's forename and surname from the roll, when held.
    var name: String? {
        let name = [roll?.forename, roll?.surname].compactMap { $0 }.joined(separator: " ")
        return name.isEmpty ? nil : name
    }

    /// The pupil's page for `academicYear` (the latest year with a return for them when nil).
    ///
    /// - Returns: nil when the desk knows nothing of the UPN: no return, no case and no roll entry.
    static func read(store: DeskStore, upn: String, academicYear: Int?, table: CodeTable = .standard) throws -> PupilAttendance? {
        let roll = try store.rollEntries([upn])[upn]
        let (years, cases, shares) = try store.read { db in
            let years = try Int.fetchAll(db, sql: "SELECT DISTINCT academic_year FROM pupil_returns WHERE upn = ? ORDER BY 1 DESC", arguments: [upn])
            let references = try String.fetchAll(db, sql: "SELECT reference FROM cases WHERE upn = ? ORDER BY opened_at DESC, reference DESC", arguments: [upn])
            let shares = try Row.fetchAll(db, sql: "SELECT kind, period, outcome, sent_at FROM shares_sent WHERE upn = ? ORDER BY sent_at, kind", arguments: [upn])
                .map { DeskShare(kind: $0[0], period: $0[1], outcome: $0[2], sentAt: SubjectShares.time($0[3])) }
            return (years, references, shares)
        }
        let deskCases = try cases.compactMap { try store.deskCase($0) }
        guard !years.isEmpty || !deskCases.isEmpty || roll != nil else { return nil }
        let year = academicYear ?? years.first
        var pupil = PupilAttendance(
            upn: upn, roll: roll, academicYear: year, years: years, yearGroup: roll?.yearGroup, lookedAfter: false, halfTerms: [],
            yearToDate: PupilFigures(), schools: [], cases: deskCases, deskShares: shares)
        guard let year, years.contains(year) else { return pupil }

        // Each half term's code counts (summed in SQLite from the stored JSON), and the latest return's year group.
        let rows = try store.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT p.laestab, p.half_term, p.year_group, p.looked_after, j.key, j.value
                    FROM pupil_returns p, json_each(CASE WHEN json_valid(p.codes) THEN p.codes ELSE '{}' END) j
                    WHERE p.upn = ? AND p.academic_year = ? ORDER BY p.half_term, p.laestab
                    """, arguments: [upn, year])
        }
        var counts: [String: [Int: [String: Int]]] = [:]  // laestab -> half term -> code -> sessions
        for row in rows {
            let laestab: String = row[0], halfTerm: Int = row[1]
            if let group: String = row[2] { pupil.yearGroup = group }
            pupil.lookedAfter = (row[3] as Bool?) ?? pupil.lookedAfter
            counts[laestab, default: [:]][halfTerm, default: [:]][row[4] as String] = (row[5] as Int?) ?? 0
        }
        var all: [String: Int] = [:]
        for (laestab, halfTerms) in counts {
            for (halfTerm, codes) in halfTerms {
                pupil.halfTerms.append(HalfTerm(laestab: laestab, halfTerm: halfTerm, figures: PupilFigures(codeCounts: codes, table: table)))
                for (code, sessions) in codes { all[code, default: 0] += sessions }
            }
        }
        pupil.halfTerms.sort { ($0.halfTerm, $0.laestab) < ($1.halfTerm, $1.laestab) }
        pupil.yearToDate = PupilFigures(codeCounts: all, table: table)

        // A calendar of the year's marks at each school.
        let names = try CountyAttendance.schoolNames(store, academicYear: year)
        let period = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT MIN(start_date), MAX(end_date) FROM returns WHERE academic_year = ?", arguments: [year])
        }
        for laestab in counts.keys.sorted() {
            let marks = try store.marks(upn: upn, laestab: laestab, from: period?[0], to: period?[1])
            pupil.schools.append(School(laestab: laestab, name: names[laestab] ?? laestab, calendar: MarkCalendar(marks: marks, table: table)))
        }
        return pupil
    }

    /// Whether `esw` holds a case of the pupil that is not closed: their caseload, which lets them see the page.
    static func onCaseload(store: DeskStore, upn: String, esw: String) throws -> Bool {
        try store.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM cases WHERE upn = ? AND esw = ? AND status != 'closed' LIMIT 1", arguments: [upn, esw]) ?? false
        }
    }
}
