import AttendanceDomain
import GRDB
import MonitoringReports
import NPASDesk

/// What a school's attendance page shows for one academic year: its figures against the county's and England's,
/// its trend by half term and by week against the county, its year groups, and its pupils becoming persistently
/// absent (year-to-date absence from 8% to under 10%) and those already persistently absent (10% or more).
///
/// Made from the school's own returns and the county's figures kept by ``AttendanceFigures`` (which keeps the last
/// few dozen schools' pages too). Reading is blocking (GRDB's queue): the console calls
/// ``read(store:laestab:directory:academicYear:years:county:)`` off Swift's cooperative pool.
struct SchoolAttendance: Sendable {
    /// A pupil in one of the two lists.
    struct Pupil: Sendable {
        var upn: String
        /// Forename and surname from the school's roll, when the desk holds it.
        var name: String?
        var yearGroup: String?
        var figures: PupilFigures
    }

    var laestab: String
    var name: String
    var phase: String
    var academicYear: Int
    var years: [Int]
    var halfTerms: [Int]
    var figures: SchoolFigures
    var county: SchoolFigures
    /// Measure, the school, the county, England.
    var comparison: ReportTable
    /// Attendance by half term (the school, the county, England), then persistent absence by half term (the same).
    var halfTermCharts: [ReportChart]
    /// Attendance by week (the school and the county), then the school's absence by week.
    var weekCharts: [ReportChart]
    var yearGroups: AttendanceBreakdown
    /// Year-to-date absence from 8% to under 10%, most absent first.
    var becomingPersistent: [Pupil]
    /// Year-to-date absence of 10% or more, most absent first.
    var persistent: [Pupil]

    /// The academic years the desk holds a return from the school for, newest first.
    static func years(store: DeskStore, laestab: String) throws -> [Int] {
        try store.read { db in
            try Int.fetchAll(db, sql: "SELECT DISTINCT academic_year FROM returns WHERE laestab = ? ORDER BY 1 DESC", arguments: [laestab])
        }
    }

    /// The page's figures for the school in `academicYear`, from the school's own returns and the county's figures for
    /// the year (``CountyAttendance``, kept by ``AttendanceFigures``: the county's are not read again for each school).
    ///
    /// - Parameter years: ``years(store:laestab:)``'s.
    /// - Returns: nil when the desk holds no return from the school for the year.
    static func read(
        store: DeskStore, laestab: String, directory: SchoolDirectory?, academicYear year: Int, years schoolYears: [Int], county countyPage: CountyAttendance
    ) throws -> SchoolAttendance? {
        let halfTerms = countyPage.halfTerms
        guard schoolYears.contains(year), countyPage.academicYear == year, let first = halfTerms.first, let last = halfTerms.last else { return nil }
        let data = AttendanceData(store: store)
        let (pupils, perHalfTerm) = try data.pupilsAndHalfTerms(academicYear: year, halfTerms: first...last, laestab: laestab)
        let county = countyPage.figures
        var school = SchoolFigures(), groups: [String?: SchoolFigures] = [:]
        for pupil in pupils {
            school.add(pupil.figures)
            groups[pupil.yearGroup, default: SchoolFigures()].add(pupil.figures)
        }
        let entry = (try? LAESTAB(laestab)).flatMap { directory?[$0] }
        let listedName = countyPage.schools.first(where: { $0.laestab == laestab })?.name
        let name = entry?.name ?? listedName ?? laestab

        // The pupils nearing and over the persistent absence line, with their names from the roll.
        let near = pupils.filter { ($0.figures.absenceRate ?? 0) >= 8 && !$0.figures.isPersistentlyAbsent }
        let over = pupils.filter(\.figures.isPersistentlyAbsent)
        let roll = try store.rollEntries((near + over).map(\.upn))
        func listed(_ pupils: [AttendanceData.Pupil]) -> [Pupil] {
            pupils.map { pupil in
                let entry = roll[pupil.upn]
                let name = [entry?.forename, entry?.surname].compactMap { $0 }.joined(separator: " ")
                return Pupil(upn: pupil.upn, name: name.isEmpty ? nil : name, yearGroup: pupil.yearGroup, figures: pupil.figures)
            }.sorted { ($0.figures.absenceRate ?? 0, $1.upn) > ($1.figures.absenceRate ?? 0, $0.upn) }
        }

        let national = NationalFigures.latest.overall
        func row(_ label: String, _ value: (SchoolFigures) -> Double?, _ england: Double) -> [ReportCell] {
            [.text(label), AttendanceText.cell(value(school)), AttendanceText.cell(value(county)), .percent(england)]
        }
        let comparison = ReportTable(
            id: "school-comparison", caption: "The year to date against the county and England", columns: ["Measure", name, "County", "England"],
            rows: [
                row("Attendance", \.attendanceRate, national.attendanceRate),
                row("Authorised absence", \.authorisedAbsenceRate, national.authorisedAbsenceRate),
                row("Unauthorised absence", \.unauthorisedAbsenceRate, national.unauthorisedAbsenceRate),
                row("Persistent absence (pupils)", \.persistentAbsenceRate, national.persistentAbsenceRate),
                row("Severe absence (pupils)", \.severeAbsenceRate, national.severeAbsenceRate),
            ],
            note: "England: the DfE's latest published full year (\(AttendanceText.year(NationalFigures.latest.academicYear)))."
        )

        let labels = halfTerms.map(AttendanceText.halfTerm)
        let schoolLine = halfTerms.map { perHalfTerm[$0]?[laestab] }
        let countyLine = countyPage.halfTermFigures
        func trend(_ id: String, _ title: String, _ value: (SchoolFigures) -> Double?, _ england: Double) -> ReportChart {
            ReportChart(
                id: id, title: title, kind: .line, labels: labels,
                series: [
                    .init(name: name, values: schoolLine.map { AttendanceText.cell($0.flatMap(value)) }),
                    .init(name: "County", values: countyLine.map { AttendanceText.cell(value($0)) }),
                    .init(name: "England", values: labels.map { _ in .percent(england) }),
                ])
        }
        let weeks = try WeeklyAttendance.read(store, academicYear: year, laestab: laestab)
        let countyWeeks = countyPage.weeks
        return SchoolAttendance(
            laestab: laestab, name: name, phase: entry.map { CountyAttendance.phaseName($0.phase) } ?? "Not known", academicYear: year,
            years: schoolYears, halfTerms: halfTerms, figures: school, county: county, comparison: comparison,
            halfTermCharts: [
                trend("school-half-terms", "Attendance by half term", \.attendanceRate, national.attendanceRate),
                trend("school-half-term-persistent", "Persistent absence by half term", \.persistentAbsenceRate, national.persistentAbsenceRate),
            ],
            weekCharts: CountyAttendance.weekCharts(idPrefix: "school", weeks: weeks, comparison: countyWeeks, name: name),
            yearGroups: AttendanceBreakdown(
                id: "school-year-groups", title: "By year group", heading: "Year group",
                groups: groups.sorted { AttendanceText.yearGroupOrder($0.key) < AttendanceText.yearGroupOrder($1.key) }
                    .map { (name: AttendanceText.yearGroup($0.key), figures: $0.value) }),
            becomingPersistent: listed(near), persistent: listed(over))
    }
}
