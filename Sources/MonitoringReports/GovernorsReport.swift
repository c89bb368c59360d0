import AttendanceDomain
import NPASDesk

/// `liaison report governors --school LAESTAB --year Y`: the annual report to a school's governing body.
///
/// Attendance, authorised and unauthorised absence, persistent and severe absence, against the school's targets, the
/// county, England and the school's previous years; the trend by half term against the county; the figures by year
/// group; the referrals, cases, interventions and legal action for the school's pupils and their outcomes; and the
/// school's register-audit programme and findings. Counts below the disclosure threshold and the rates made from
/// them print as `c`.
public struct GovernorsReport: Sendable {
    public var school: SchoolEntry
    public var academicYear: Int
    public var madeOn: String
    public var control: DisclosureControl
    public var targets: ReportTargets?
    /// What the register-audit programme and the school's registers say, as blocks (``RegisterAuditSummary``).
    public var registerAudit: [ReportBlock]

    public init(
        school: SchoolEntry, academicYear: Int, madeOn: String, control: DisclosureControl = DisclosureControl(), targets: ReportTargets? = nil,
        registerAudit: [ReportBlock] = []
    ) {
        self.school = school
        self.academicYear = academicYear
        self.madeOn = madeOn
        self.control = control
        self.targets = targets
        self.registerAudit = registerAudit
    }

    /// Builds the report from the desk's store.
    ///
    /// - Throws: ``ReportError`` `no-data` when the desk holds no return from the school for the year.
    public func build(attendance: AttendanceData, casework: CaseworkData) throws -> ReportDocument {
        let laestab = school.laestab.description
        let held = try attendance.held()
        guard let halfTerms = held[academicYear], let last = halfTerms.max(), let first = halfTerms.min() else {
            throw ReportError(.noData, "The desk holds no returns for \(YearText.academic(academicYear)): import the schools' returns first.")
        }
        let range = first...last
        let schools = try attendance.schools(academicYear: academicYear, halfTerms: range)
        guard let this = schools[laestab] else {
            throw ReportError(.noData, "The desk holds no return from \(school.name) (\(laestab)) for \(YearText.academic(academicYear)).")
        }
        var county = SchoolFigures()
        for figures in schools.values { county.add(figures) }
        // The same half terms of earlier years, for a fair comparison.
        var previous: [(year: Int, figures: SchoolFigures?)] = []
        for year in [academicYear - 1, academicYear - 2] where held[year] != nil {
            previous.append((year, try attendance.schools(academicYear: year, halfTerms: range)[laestab]))
        }

        var document = ReportDocument(
            name: "governors-\(laestab)-\(academicYear)", title: "Attendance at \(school.name)",
            subtitle: "Annual report to the governing body from the pupil attendance service",
            period: YearText.period(academicYear, halfTerms: range), madeOn: madeOn)
        let target = targets?.school(laestab, year: academicYear, phase: school.phase)
        var summary: [(label: String, value: String)] = [
            ("School", "\(school.name) (LAESTAB \(laestab))"),
            ("Phase", school.phase.rawValue.replacingOccurrences(of: "_", with: " ")),
            ("Pupils on the returns", control.countText(this.pupils)),
            ("Attendance", control.percentText(this.attendancePercent, pupils: this.pupils)),
        ]
        if let target {
            let agreed = target.isDefault ? " (the county's default: no target is agreed for the school)" : ""
            summary.append(("Against the school's target", TargetProgress(actual: this.attendancePercent, target: target.attendance, higherIsBetter: true).text + agreed))
            if let persistent = target.persistentAbsence {
                summary.append(("Persistent absence against its target", TargetProgress(actual: control.hides(this.persistentAbsenceCount) ? nil : this.persistentPercent, target: persistent, higherIsBetter: false).text))
            }
        }
        document.sections.append(ReportSection("Summary", [.summary(summary)]))

        // Attendance against the target, the county, England and earlier years.
        let national = NationalFigures.latest.overall
        var columns = ["Measure", "This school", "Target", "County", "England"]
        columns += previous.map { "School \(YearText.short($0.year))" }
        func row(_ label: String, _ value: (SchoolFigures) -> Double?, countOf: ((SchoolFigures) -> Int)?, target: Double?, england: Double) -> [ReportCell] {
            func cell(_ figures: SchoolFigures?) -> ReportCell {
                guard let figures else { return .none }
                if let countOf { return control.rate(numerator: countOf(figures), denominator: figures.pupils, percent: value(figures)) }
                return control.sessionRate(value(figures), pupils: figures.pupils)
            }
            return [.text(label), cell(this), target.map { .percent($0) } ?? .none, cell(county), .percent(england)] + previous.map { cell($0.figures) }
        }
        let measures: [[ReportCell]] = [
            row("Attendance", \.attendancePercent, countOf: nil, target: target?.attendance, england: national.attendanceRate),
            row("Authorised absence", \.authorisedPercent, countOf: nil, target: nil, england: national.authorisedAbsenceRate),
            row("Unauthorised absence", \.unauthorisedPercent, countOf: nil, target: nil, england: national.unauthorisedAbsenceRate),
            row("Persistent absence (pupils)", \.persistentPercent, countOf: \.persistentAbsenceCount, target: target?.persistentAbsence, england: national.persistentAbsenceRate),
            row("Severe absence (pupils)", \.severePercent, countOf: \.severeAbsenceCount, target: nil, england: national.severeAbsenceRate),
        ]
        var blocks: [ReportBlock] = [
            .paragraph("Rates of sessions (attendance and absence) and of pupils (persistent absence: 10% or more of sessions missed; severe absence: 50% or more), over \(YearText.halfTerms(range)). England's figures are the DfE's latest published full year (\(YearText.academic(NationalFigures.latest.academicYear)))."),
            .table(control.noted(ReportTable(id: "attendance", caption: "Attendance and absence, %", columns: columns, rows: measures))),
        ]
        // The trend by half term, the school against the county, over the years held.
        var labels: [String] = [], schoolLine: [ReportCell] = [], countyLine: [ReportCell] = []
        for year in held.keys.sorted() where year <= academicYear && year >= academicYear - 2 {
            for (halfTerm, bySchool) in try attendance.perHalfTerm(academicYear: year).sorted(by: { $0.key < $1.key }) {
                labels.append("\(YearText.short(year)) HT\(halfTerm)")
                let figures = bySchool[laestab]
                schoolLine.append(figures.map { control.sessionRate($0.attendancePercent, pupils: $0.pupils) } ?? .none)
                var all = SchoolFigures()
                for value in bySchool.values { all.add(value) }
                countyLine.append(all.attendancePercent.map { .percent($0) } ?? .none)
            }
        }
        blocks.append(.chart(ReportChart(
            id: "trend", title: "Attendance by half term: the school and the county", kind: .line, labels: labels,
            series: [.init(name: school.name, values: schoolLine), .init(name: "County", values: countyLine)])))
        document.sections.append(ReportSection("Attendance", blocks))

        // By year group.
        var groups: [String: SchoolFigures] = [:]
        for pupil in try attendance.pupils(academicYear: academicYear, halfTerms: range, laestab: laestab) {
            groups[pupil.yearGroup ?? "not given", default: SchoolFigures()].add(pupil.figures)
        }
        let order = ["N1", "N2", "R"] + (1...14).map(String.init) + ["X", "not given"]
        let groupRows: [[ReportCell]] = groups.keys.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }.map { group in
            let figures = groups[group]!
            return [
                .text(group == "R" ? "Reception" : Int(group) != nil ? "Year \(group)" : group), .count(figures.pupils),
                .percent(figures.attendancePercent ?? 0), .percent(figures.unauthorisedPercent ?? 0), .count(figures.persistentAbsenceCount),
                figures.persistentPercent.map { .percent($0) } ?? .none,
            ]
        }
        let total: [ReportCell] = [
            .text("All pupils"), .count(this.pupils), .percent(this.attendancePercent ?? 0), .percent(this.unauthorisedPercent ?? 0),
            .count(this.persistentAbsenceCount), this.persistentPercent.map { .percent($0) } ?? .none,
        ]
        let groupTable = control.protect(
            ReportTable(
                id: "year-groups", caption: "By year group",
                columns: ["Year group", "Pupils", "Attendance %", "Unauthorised absence %", "Persistently absent", "Persistent absence %"],
                rows: groupRows + [total]),
            layout: .init(
                countColumns: [1, 4], totalRow: groupRows.count,
                rates: [2: .init(pupils: 1), 3: .init(pupils: 1), 5: .init(numerator: 4, denominator: 1)]))
        document.sections.append(ReportSection("By year group", [.table(groupTable)]))

        // Casework for the school's pupils, this year and last.
        let now = try casework.counts(.academicYear(academicYear), laestab: laestab)
        let before = try casework.counts(.academicYear(academicYear - 1), laestab: laestab)
        func line(_ label: String, _ value: (CaseworkData.Counts) -> Int) -> [ReportCell] {
            [.text(label), control.count(value(now)), control.count(value(before))]
        }
        var caseRows = [
            line("Referrals to the attendance service", \.referrals), line("Cases opened", \.casesOpened), line("Cases closed", \.casesClosed),
        ]
        for type in Set(now.interventionsByType.keys).union(before.interventionsByType.keys).sorted() {
            caseRows.append(line("Interventions: \(type.replacingOccurrences(of: "_", with: " "))", { $0.interventionsByType[type] ?? 0 }))
        }
        caseRows += [
            line("Penalty notices issued", \.penaltyNoticesIssued), line("Penalty notices paid", \.penaltyNoticesPaid),
            line("Prosecutions (hearings)", \.prosecutions),
        ]
        for outcome in Set(now.outcomes.keys).union(before.outcomes.keys).sorted() {
            caseRows.append(line("Court outcome: \(outcome.replacingOccurrences(of: "_", with: " "))", { $0.outcomes[outcome] ?? 0 }))
        }
        document.sections.append(ReportSection("Referrals, casework and legal action", [
            .paragraph("What the attendance service did for the school's pupils. Counts, not names: a governing body's report identifies no child."),
            .table(control.noted(ReportTable(
                id: "casework", caption: "Casework", columns: ["", YearText.academic(academicYear), YearText.academic(academicYear - 1)],
                rows: caseRows))),
        ]))
        if !registerAudit.isEmpty { document.sections.append(ReportSection("Register audit", registerAudit)) }
        return document
    }
}

/// How years and half terms are written in reports.
enum YearText {
    /// `2025/26`.
    static func academic(_ year: Int) -> String { "\(year)/\(String(format: "%02d", (year + 1) % 100))" }
    /// `2025/26` too (kept apart for labels that may shorten).
    static func short(_ year: Int) -> String { academic(year) }
    static func halfTerms(_ range: ClosedRange<Int>) -> String {
        range.count == 6 ? "the whole year" : range.count == 1 ? "half term \(range.lowerBound)" : "half terms \(range.lowerBound) to \(range.upperBound)"
    }
    static func period(_ year: Int, halfTerms range: ClosedRange<Int>) -> String {
        "Academic year \(academic(year))" + (range.count == 6 ? "" : ", \(halfTerms(range))")
    }
}
