import AttendanceDomain
import Foundation
import GRDB
import LiaisonMessages
import NPASDesk
import StrictJSON

/// What the awards are worked from, read from the desk's store: each pupil's figures this year per school, last
/// year's over every school, and this year's year group. Blocking (SQLite): run it off Swift's cooperative pool.
public struct AwardsData: Sendable {
    /// LAESTAB, then UPN, to the pupil's figures at that school over the year's half terms held.
    public var thisYear: [String: [String: PupilFigures]]
    /// UPN to the pupil's figures last year, every school together.
    public var lastYear: [String: PupilFigures]
    /// LAESTAB, then UPN, to the year group on the school's latest return this year that gives one.
    public var yearGroups: [String: [String: String]]
    /// The half terms of the year with at least one return held (1...6 for a whole year); nil when none.
    public var halfTerms: ClosedRange<Int>?

    public init(
        thisYear: [String: [String: PupilFigures]], lastYear: [String: PupilFigures], yearGroups: [String: [String: String]] = [:],
        halfTerms: ClosedRange<Int>? = nil
    ) {
        self.thisYear = thisYear
        self.lastYear = lastYear
        self.yearGroups = yearGroups
        self.halfTerms = halfTerms
    }

    /// Reads `academicYear` (and the year before) from the desk's store: a pupil's code counts are summed over the
    /// half terms, then the DfE rules apply to the total (``PupilFigures``).
    public static func read(from store: DeskStore, academicYear: Int, table: CodeTable = .standard) throws -> AwardsData {
        try store.read { db in
            var this: [String: [String: [String: Int]]] = [:]
            var groups: [String: [String: String]] = [:]
            var first = Int.max, last = Int.min
            let rows = try Row.fetchCursor(
                db, sql: "SELECT laestab, upn, half_term, year_group, codes FROM pupil_returns WHERE academic_year = ? ORDER BY half_term",
                arguments: [academicYear])
            while let row = try rows.next() {
                let laestab: String = row[0], upn: String = row[1], halfTerm: Int = row[2]
                first = min(first, halfTerm)
                last = max(last, halfTerm)
                if let group: String = row[3] { groups[laestab, default: [:]][upn] = group }  // later half terms replace earlier
                for (code, sessions) in codes(row[4]) { this[laestab, default: [:]][upn, default: [:]][code, default: 0] += sessions }
            }
            var before: [String: [String: Int]] = [:]
            let earlier = try Row.fetchCursor(db, sql: "SELECT upn, codes FROM pupil_returns WHERE academic_year = ?", arguments: [academicYear - 1])
            while let row = try earlier.next() {
                for (code, sessions) in codes(row[1]) { before[row[0], default: [:]][code, default: 0] += sessions }
            }
            return AwardsData(
                thisYear: this.mapValues { $0.mapValues { PupilFigures(codeCounts: $0, table: table) } },
                lastYear: before.mapValues { PupilFigures(codeCounts: $0, table: table) }, yearGroups: groups,
                halfTerms: first <= last ? first...last : nil)
        }
    }

    /// `{"I": 3, "/": 120}` as sessions per code; a count that is not a whole number is left out (the hub's schema
    /// and the desk refused such returns already).
    static func codes(_ text: String) -> [String: Int] {
        guard let members = (try? JSONValue.parse(Array(text.utf8)))?.objectValue else { return [:] }
        return members.compactMapValues { $0.numberValue.flatMap(IntegerFields.integer) }
    }
}
