import AttendanceDomain
import Foundation

/// After a court disposes of a case, the desk follows the child's attendance for the two half terms after the
/// disposal, from the returns schools send it, beside the two half terms before the prosecution file: what the
/// members' report (`MembersReport`) uses to say whether prosecution changed anything.
///
/// *Before* is the two half terms that ended before the day the first prosecution file went (the half term it went
/// in is neither), *after* the two that start after the disposal day (school calendar, see `SchoolCalendar`). A
/// half term the desk holds no return for yet is "awaiting"; one held only to date says so.
///
/// ```swift
/// for report in try DisposalMonitor(store: store).reports() {
///     print(report.line)   // NPAS-2026-0001 disposed 2026-01-20: before ... 81.3% ...; after ... 93.8% ...
/// }
/// ```
public struct DisposalMonitor: Sendable {
    /// One half term's figures for the child, or none held yet.
    public struct Period: Sendable, Equatable {
        public var halfTerm: HalfTerm
        /// Nil while the desk holds no return for the child in the half term.
        public var figures: PupilFigures?
        /// Set when the return held is one to date.
        public var markedThrough: String?
    }

    /// One disposed case followed.
    public struct Report: Sendable, Equatable {
        public var reference: String
        /// The day the first prosecution file went (see ``DeskStore/disposals()``).
        public var filedOn: SchoolDate
        public var disposedOn: SchoolDate
        public var before: [Period]
        public var after: [Period]
        /// True once both half terms after the disposal have complete returns.
        public var complete: Bool { after.count == 2 && after.allSatisfy { $0.figures != nil && $0.markedThrough == nil } }

        /// For the worker: one line per case.
        public var line: String {
            func describe(_ period: Period) -> String {
                guard let figures = period.figures else { return "\(period.halfTerm) awaiting the return" }
                let rate = figures.attendanceRate.map { String(format: "%.1f%%", $0) } ?? "no possible sessions"
                return "\(period.halfTerm) \(rate) attendance, \(figures.unauthorised) unauthorised of \(figures.possible)"
                    + (period.markedThrough.map { " (to \($0))" } ?? "")
            }
            return "\(reference) filed \(filedOn), disposed \(disposedOn): before: " + before.map(describe).joined(separator: "; ") + " | after: "
                + after.map(describe).joined(separator: "; ") + (complete ? " | complete" : " | following")
        }

        /// For the members' report: the same as JSON (rates as percentages, two decimals).
        public var json: [String: Any] {
            func encode(_ period: Period) -> [String: Any] {
                var entry: [String: Any] = [
                    "academic_year": period.halfTerm.academicYear, "half_term": period.halfTerm.number,
                    "start_date": period.halfTerm.start.description, "end_date": period.halfTerm.end.description,
                ]
                if let figures = period.figures {
                    entry["sessions_possible"] = figures.possible
                    entry["present"] = figures.present
                    entry["aea"] = figures.aea
                    entry["authorised"] = figures.authorised
                    entry["unauthorised"] = figures.unauthorised
                    entry["attendance_rate"] = figures.attendanceRate.map { ($0 * 100).rounded() / 100 } ?? 0
                }
                if let through = period.markedThrough { entry["marked_through"] = through }
                return entry
            }
            return [
                "case_reference": reference, "filed_on": filedOn.description, "disposed_on": disposedOn.description, "before": before.map(encode), "after": after.map(encode),
                "complete": complete,
            ]
        }
    }

    public let store: DeskStore

    public init(store: DeskStore) { self.store = store }

    /// The half terms before and after `date`: the two that ended before it and the two that start after it.
    public static func halfTerms(around date: SchoolDate) -> (before: [HalfTerm], after: [HalfTerm]) {
        let year = SchoolCalendar.academicYear(containing: date)
        let all = (year - 1...year + 1).flatMap { SchoolCalendar(academicYear: $0).halfTerms }
        return (Array(all.filter { $0.end < date }.suffix(2)), Array(all.filter { $0.start > date }.prefix(2)))
    }

    /// Every disposed case (or only `reference`), oldest reference first.
    public func reports(reference: String? = nil) throws -> [Report] {
        try store.disposals().filter { reference == nil || $0.reference == reference }.map { disposal in
            let held = Dictionary(
                try store.halfTermFigures(upn: disposal.upn).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            func period(_ halfTerm: HalfTerm) -> Period {
                let entry = held[.init(academicYear: halfTerm.academicYear, halfTerm: halfTerm.number)]
                return Period(halfTerm: halfTerm, figures: entry?.figures, markedThrough: entry?.markedThrough)
            }
            return Report(
                reference: disposal.reference, filedOn: disposal.filedOn, disposedOn: disposal.disposedOn,
                before: Self.halfTerms(around: disposal.filedOn).before.map(period), after: Self.halfTerms(around: disposal.disposedOn).after.map(period))
        }
    }
}
