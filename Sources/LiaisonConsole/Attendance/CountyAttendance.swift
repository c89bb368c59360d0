import AttendanceDomain
import GRDB
import MonitoringReports
import NPASDesk

/// What the county's attendance page shows for one academic year, read from the desk's store: the year to date,
/// the trend by half term and by week against England, and the figures by phase, year group, SEN status and school.
///
/// The figures are ``AttendanceData``'s (the reports' own): each pupil's code counts over the half terms held, put
/// through the DfE's rules. The weeks are ``WeeklyAttendance``'s, from the daily marks. No disclosure control: the
/// page is for the service's own managers.
///
/// Reading the whole county takes a while (every pupil's returns): the console keeps the result per desk data version
/// and reads it when it starts and whenever the desk changes (``AttendanceFigures``, ``AttendanceWarmUp``), off Swift's
/// cooperative pool (reading is blocking: GRDB's queue).
struct CountyAttendance: Sendable {
    /// One school's row in the table of schools.
    struct School: Sendable {
        var laestab: String
        var name: String
        var phase: String
        var figures: SchoolFigures
    }

    var academicYear: Int
    /// Every year the desk holds returns for, newest first (the page links to each).
    var years: [Int]
    /// The half terms held for ``academicYear``, in order.
    var halfTerms: [Int]
    /// The year to date: every half term held.
    var figures: SchoolFigures
    /// Each half term's figures on its own, in the order of ``halfTerms`` (a school's page draws the county's line).
    var halfTermFigures: [SchoolFigures]
    /// The weeks with marks held (a school's page draws the county's line).
    var weeks: [WeeklyAttendance.Week]
    /// Attendance by half term (the county and England), then the absence measures by half term.
    var halfTermCharts: [ReportChart]
    /// Attendance by week, then the absence measures by week; empty when no return carried daily marks.
    var weekCharts: [ReportChart]
    /// By phase, by year group, by SEN status.
    var breakdowns: [AttendanceBreakdown]
    /// By school, by name.
    var schools: [School]

    /// The page's figures for `academicYear` (the latest year held when nil), read from the store.
    ///
    /// - Returns: nil when the desk holds no returns for the year (or none at all).
    static func read(store: DeskStore, directory: SchoolDirectory?, academicYear: Int?) throws -> CountyAttendance? {
        let data = AttendanceData(store: store)
        let held = try data.held()
        guard let year = academicYear ?? held.keys.max(), let halfTerms = held[year], let first = halfTerms.first, let last = halfTerms.last else {
            return nil
        }
        let (pupils, perHalfTerm) = try data.pupilsAndHalfTerms(academicYear: year, halfTerms: first...last)
        var county = SchoolFigures(), bySchool: [String: SchoolFigures] = [:], byYearGroup: [String?: SchoolFigures] = [:]
        for pupil in pupils {
            county.add(pupil.figures)
            bySchool[pupil.laestab, default: SchoolFigures()].add(pupil.figures)
            byYearGroup[pupil.yearGroup, default: SchoolFigures()].add(pupil.figures)
        }
        let names = try schoolNames(store, academicYear: year)
        func entry(_ laestab: String) -> SchoolEntry? { (try? LAESTAB(laestab)).flatMap { directory?[$0] } }
        func phase(_ laestab: String) -> String { entry(laestab).map { phaseName($0.phase) } ?? "Not known" }

        // By phase, in the directory's order of phases; by SEN status from the schools' rolls.
        var byPhase: [String: SchoolFigures] = [:]
        for (laestab, figures) in bySchool { byPhase[phase(laestab), default: SchoolFigures()].add(figures) }
        let phaseOrder = SchoolPhase.allCases.map(phaseName) + ["Not known"]
        let sen = try senStatuses(store)
        var bySEN: [String: SchoolFigures] = [:]
        for pupil in pupils { bySEN[AttendanceText.sen(sen[pupil.upn]), default: SchoolFigures()].add(pupil.figures) }
        let senOrder = ["none", "sen_support", "ehc_plan"].map(AttendanceText.sen)

        let national = NationalFigures.latest.overall
        let halfTermFigures: [SchoolFigures] = halfTerms.map { halfTerm in
            var all = SchoolFigures()
            for figures in (perHalfTerm[halfTerm] ?? [:]).values { all.add(figures) }
            return all
        }
        let labels = halfTerms.map(AttendanceText.halfTerm)
        let halfTermCharts = [
            ReportChart(
                id: "county-half-terms", title: "Attendance by half term", kind: .line, labels: labels,
                series: [
                    .init(name: "County", values: halfTermFigures.map { AttendanceText.cell($0.attendanceRate) }),
                    .init(name: "England", values: labels.map { _ in .percent(national.attendanceRate) }),
                ]),
            absenceChart(id: "county-half-term-absence", title: "Absence by half term", labels: labels, halfTermFigures),
        ]
        let weeks = try WeeklyAttendance.read(store, academicYear: year)
        return CountyAttendance(
            academicYear: year, years: held.keys.sorted(by: >), halfTerms: halfTerms, figures: county, halfTermFigures: halfTermFigures, weeks: weeks,
            halfTermCharts: halfTermCharts, weekCharts: weekCharts(idPrefix: "county", weeks: weeks, comparison: nil),
            breakdowns: [
                AttendanceBreakdown(
                    id: "county-phases", title: "By phase", heading: "Phase",
                    groups: byPhase.sorted { (phaseOrder.firstIndex(of: $0.key) ?? 99) < (phaseOrder.firstIndex(of: $1.key) ?? 99) }
                        .map { (name: $0.key, figures: $0.value) }),
                AttendanceBreakdown(
                    id: "county-year-groups", title: "By year group", heading: "Year group",
                    groups: byYearGroup.sorted { AttendanceText.yearGroupOrder($0.key) < AttendanceText.yearGroupOrder($1.key) }
                        .map { (name: AttendanceText.yearGroup($0.key), figures: $0.value) }),
                AttendanceBreakdown(
                    id: "county-sen", title: "By SEN status", heading: "SEN status",
                    groups: bySEN.sorted { ((senOrder.firstIndex(of: $0.key) ?? 99), $0.key) < ((senOrder.firstIndex(of: $1.key) ?? 99), $1.key) }
                        .map { (name: $0.key, figures: $0.value) }),
            ],
            schools: bySchool.map { laestab, figures in
                School(laestab: laestab, name: entry(laestab)?.name ?? names[laestab] ?? laestab, phase: phase(laestab), figures: figures)
            }.sorted { ($0.name, $0.laestab) < ($1.name, $1.laestab) })
    }

    /// A phase in words: `Primary`, `Middle deemed primary`.
    static func phaseName(_ phase: SchoolPhase) -> String {
        let words = phase.rawValue.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// The four absence measures over some labels (half terms or weeks), one line each.
    static func absenceChart(id: String, title: String, labels: [String], _ figures: [SchoolFigures]) -> ReportChart {
        ReportChart(
            id: id, title: title, kind: .line, labels: labels,
            series: [
                .init(name: "Authorised absence", values: figures.map { AttendanceText.cell($0.authorisedAbsenceRate) }),
                .init(name: "Unauthorised absence", values: figures.map { AttendanceText.cell($0.unauthorisedAbsenceRate) }),
                .init(name: "Persistent absence", values: figures.map { AttendanceText.cell($0.persistentAbsenceRate) }),
                .init(name: "Severe absence", values: figures.map { AttendanceText.cell($0.severeAbsenceRate) }),
            ])
    }

    /// Attendance by week (with a second line, the county, when `comparison` is given), then the absence measures by
    /// week (persistent and severe over the year to each week); none when there are no weeks.
    static func weekCharts(idPrefix: String, weeks: [WeeklyAttendance.Week], comparison: [WeeklyAttendance.Week]?, name: String = "County") -> [ReportChart] {
        guard !weeks.isEmpty else { return [] }
        let labels = weeks.map { AttendanceText.week($0.monday) }
        var attendance: [ReportChart.Series] = [.init(name: name, values: weeks.map { AttendanceText.cell($0.attendanceRate) })]
        if let comparison {
            let byMonday = Dictionary(comparison.map { ($0.monday, $0) }, uniquingKeysWith: { first, _ in first })
            attendance.append(.init(name: "County", values: weeks.map { AttendanceText.cell(byMonday[$0.monday]?.attendanceRate) }))
        }
        return [
            ReportChart(id: "\(idPrefix)-weeks", title: "Attendance by week", kind: .line, labels: labels, series: attendance),
            ReportChart(
                id: "\(idPrefix)-week-absence", title: "Absence by week (persistent and severe: over the year to the week's end)", kind: .line,
                labels: labels,
                series: [
                    .init(name: "Authorised absence", values: weeks.map { AttendanceText.cell($0.authorisedRate) }),
                    .init(name: "Unauthorised absence", values: weeks.map { AttendanceText.cell($0.unauthorisedRate) }),
                    .init(name: "Persistent absence", values: weeks.map { AttendanceText.cell($0.persistentRate) }),
                    .init(name: "Severe absence", values: weeks.map { AttendanceText.cell($0.severeRate) }),
                ]),
        ]
    }

    /// Each school's name as its latest return of the year gave it.
    static func schoolNames(_ store: DeskStore, academicYear: Int) throws -> [String: String] {
        try store.read { db in
            var names: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT laestab, school_name FROM returns WHERE academic_year = ? AND school_name IS NOT NULL ORDER BY half_term",
                arguments: [academicYear]) {
                names[row[0]] = row[1]
            }
            return names
        }
    }

    /// Each pupil's SEN status (`none`, `sen_support`, `ehc_plan`) as the school's latest roll gives it, by UPN;
    /// pupils whose roll does not say are absent.
    static func senStatuses(_ store: DeskStore) throws -> [String: String] {
        try store.read { db in
            var statuses: [String: String] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT upn, CASE WHEN json_valid(pupil) THEN json_extract(pupil, '$.sen.status') END FROM roll")
            while let row = try rows.next() {
                if let status: String = row[1] { statuses[row[0]] = status }
            }
            return statuses
        }
    }
}
