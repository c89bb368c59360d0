import AttendanceDomain
import Foundation
import GRDB
import NPASDesk
import StrictJSON

/// The attendance figures the reports are made from, read from the desk's store: each pupil's register codes per
/// half term, as the schools' returns carried them, summed over the half terms asked for and then put through the
/// DfE's rules (``PupilFigures``, ``SchoolFigures``), exactly as `liaison mis check` and the termly feed do.
///
/// Reading is blocking (GRDB's queue): the report commands call it from their own thread, never Swift's pool.
public struct AttendanceData: Sendable {
    /// One pupil's figures over the half terms read, with what the return said of them.
    public struct Pupil: Sendable {
        public var laestab: String
        public var upn: String
        /// The year group on the latest return read (`R`, `1`…`14`, `X`).
        public var yearGroup: String?
        public var lookedAfter: Bool
        public var figures: PupilFigures
    }

    public let store: DeskStore
    public let table: CodeTable

    public init(store: DeskStore, table: CodeTable = .standard) {
        self.store = store
        self.table = table
    }

    /// The academic years the desk holds returns for, each with the half terms held (any school), in order.
    public func held() throws -> [Int: [Int]] {
        try store.read { db in
            var held: [Int: [Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT academic_year, half_term FROM returns ORDER BY 1, 2") {
                held[row[0], default: []].append(row[1])
            }
            return held
        }
    }

    /// Every pupil's figures over `halfTerms` of `academicYear`, optionally for one school only.
    public func pupils(academicYear: Int, halfTerms: ClosedRange<Int> = 1...6, laestab: String? = nil) throws -> [Pupil] {
        try read(academicYear: academicYear, halfTerms: halfTerms, laestab: laestab, eachRow: nil)
    }

    /// ``pupils(academicYear:halfTerms:laestab:)`` and each half term's figures on its own, per school (what
    /// ``perHalfTerm(academicYear:laestab:)`` gives for the half terms in `halfTerms`), from one read of the returns:
    /// each row's codes are decoded once, not once for the year and again for its half term (a county page's read).
    public func pupilsAndHalfTerms(
        academicYear: Int, halfTerms: ClosedRange<Int> = 1...6, laestab: String? = nil
    ) throws -> (pupils: [Pupil], perHalfTerm: [Int: [String: SchoolFigures]]) {
        var perHalfTerm: [Int: [String: SchoolFigures]] = [:]
        let pupils = try read(academicYear: academicYear, halfTerms: halfTerms, laestab: laestab) { school, halfTerm, codes in
            // A row is one pupil's half term at one school (the table's key), so its codes are that half term's figures.
            perHalfTerm[halfTerm, default: [:]][school, default: SchoolFigures()].add(PupilFigures(codeCounts: codes, table: table))
        }
        return (pupils, perHalfTerm)
    }

    /// The pupils' figures over `halfTerms`, calling `eachRow` with each row's school, half term and codes as read.
    private func read(
        academicYear: Int, halfTerms: ClosedRange<Int>, laestab: String?, eachRow: ((String, Int, [String: Int]) -> Void)?
    ) throws -> [Pupil] {
        try store.read { db in
            struct Held { var yearGroup: String?; var lookedAfter: Bool; var halfTerm: Int; var codes: [String: Int] }
            var byPupil: [String: [String: Held]] = [:]  // laestab -> upn
            // Two statements, not `? IS NULL OR laestab = ?`: SQLite cannot use the primary key (laestab first) for
            // that condition, so one school's read would scan the whole county's rows.
            let columns = "SELECT laestab, upn, half_term, year_group, looked_after, codes FROM pupil_returns"
            let rows =
                if let laestab {
                    try Row.fetchCursor(
                        db, sql: "\(columns) WHERE laestab = ? AND academic_year = ? AND half_term BETWEEN ? AND ?",
                        arguments: [laestab, academicYear, halfTerms.lowerBound, halfTerms.upperBound])
                } else {
                    try Row.fetchCursor(
                        db, sql: "\(columns) WHERE academic_year = ? AND half_term BETWEEN ? AND ?",
                        arguments: [academicYear, halfTerms.lowerBound, halfTerms.upperBound])
                }
            while let row = try rows.next() {
                let school: String = row[0], upn: String = row[1], halfTerm: Int = row[2]
                let codes = Self.codes(row[5])
                eachRow?(school, halfTerm, codes)
                var held = byPupil[school]?[upn] ?? Held(yearGroup: nil, lookedAfter: false, halfTerm: 0, codes: [:])
                for (code, sessions) in codes { held.codes[code, default: 0] += sessions }
                if halfTerm >= held.halfTerm {
                    held.halfTerm = halfTerm
                    held.yearGroup = row[3]
                    held.lookedAfter = (row[4] as Bool?) ?? false
                }
                byPupil[school, default: [:]][upn] = held
            }
            return byPupil.sorted { $0.key < $1.key }.flatMap { school, pupils in
                pupils.sorted { $0.key < $1.key }.map { upn, held in
                    Pupil(
                        laestab: school, upn: upn, yearGroup: held.yearGroup, lookedAfter: held.lookedAfter,
                        figures: PupilFigures(codeCounts: held.codes, table: table))
                }
            }
        }
    }

    /// Each school's figures over `halfTerms` of `academicYear`.
    public func schools(academicYear: Int, halfTerms: ClosedRange<Int> = 1...6) throws -> [String: SchoolFigures] {
        var schools: [String: SchoolFigures] = [:]
        for pupil in try pupils(academicYear: academicYear, halfTerms: halfTerms) {
            schools[pupil.laestab, default: SchoolFigures()].add(pupil.figures)
        }
        return schools
    }

    /// Each half term's figures on its own, per school: the trend lines.
    public func perHalfTerm(academicYear: Int, laestab: String? = nil) throws -> [Int: [String: SchoolFigures]] {
        var out: [Int: [String: SchoolFigures]] = [:]
        for halfTerm in (try held()[academicYear] ?? []) {
            for pupil in try pupils(academicYear: academicYear, halfTerms: halfTerm...halfTerm, laestab: laestab) {
                out[halfTerm, default: [:]][pupil.laestab, default: SchoolFigures()].add(pupil.figures)
            }
        }
        return out
    }

    /// A pupil's stored code counts (`{"/": 50, "N": 2}`); empty if unreadable.
    static func codes(_ text: String?) -> [String: Int] {
        guard let text, case .object(let object)? = try? JSONValue.parse(Array(text.utf8)) else { return [:] }
        var codes: [String: Int] = [:]
        for (code, value) in object {
            if case .number(let number) = value { codes[code] = Int(number) }
        }
        return codes
    }
}

extension SchoolFigures {
    // The rates as the reports name them: percentages (SchoolFigures' rates are already percentages, 0-100).
    var attendancePercent: Double? { attendanceRate }
    var authorisedPercent: Double? { authorisedAbsenceRate }
    var unauthorisedPercent: Double? { unauthorisedAbsenceRate }
    var overallAbsencePercent: Double? { overallAbsenceRate }
    var persistentPercent: Double? { persistentAbsenceRate }
    var severePercent: Double? { severeAbsenceRate }
}
