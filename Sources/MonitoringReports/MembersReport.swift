import AttendanceDomain
import NPASDesk

/// `liaison report members --year Y`: the annual report to elected members and the education review panel.
///
/// The county's trends over the years the desk holds (at least three are asked for; the report says when fewer are
/// held), by phase and by district, against the county's targets and England; and the impact of prosecution: each
/// prosecuted child's attendance in the two half terms before the file and the two after the disposal, as the
/// strategy asks the service to monitor. Years are compared over the same half terms (those held for the report's
/// year), so a year in progress is compared fairly. The report is published: disclosure control applies throughout.
public struct MembersReport: Sendable {
    public var academicYear: Int
    public var directory: SchoolDirectory
    public var madeOn: String
    public var control: DisclosureControl
    public var targets: ReportTargets?

    public init(academicYear: Int, directory: SchoolDirectory, madeOn: String, control: DisclosureControl = DisclosureControl(), targets: ReportTargets? = nil) {
        self.academicYear = academicYear
        self.directory = directory
        self.madeOn = madeOn
        self.control = control
        self.targets = targets
    }

    public func build(attendance: AttendanceData, casework: CaseworkData) throws -> ReportDocument {
        let held = try attendance.held()
        guard let halfTerms = held[academicYear], let first = halfTerms.min(), let last = halfTerms.max() else {
            throw ReportError(.noData, "The desk holds no returns for \(YearText.academic(academicYear)): import the schools' returns first.")
        }
        let range = first...last
        let years = held.keys.filter { $0 <= academicYear }.sorted().suffix(5)
        var document = ReportDocument(
            name: "members-\(academicYear)", title: "School attendance in the county: \(YearText.academic(academicYear))",
            subtitle: "Annual report to elected members and the education review panel", period: YearText.period(academicYear, halfTerms: range),
            madeOn: madeOn)

        // Each year's figures per school, over the same half terms.
        var bySchool: [Int: [String: SchoolFigures]] = [:]
        for year in years { bySchool[year] = try attendance.schools(academicYear: year, halfTerms: range) }
        func county(_ year: Int, where include: (SchoolEntry?) -> Bool = { _ in true }) -> SchoolFigures {
            var all = SchoolFigures()
            for (laestab, figures) in bySchool[year] ?? [:] where include(Self.entry(laestab, directory)) { all.add(figures) }
            return all
        }
        let now = county(academicYear)
        var summary: [(label: String, value: String)] = [
            ("Schools with returns", String(bySchool[academicYear]?.count ?? 0)),
            ("Pupils", String(now.pupils)),
            ("Attendance", control.percentText(now.attendancePercent, pupils: now.pupils)),
            ("Persistent absence", control.percentText(now.persistentPercent, pupils: now.pupils)),
            ("Years compared", years.map(YearText.academic).joined(separator: ", ")),
        ]
        if let target = targets?.county(year: academicYear) {
            summary.append(("Against the county's attendance target", TargetProgress(actual: now.attendancePercent, target: target.overall.attendance, higherIsBetter: true).text))
        }
        var blocks: [ReportBlock] = [.summary(summary)]
        if years.count < 3 {
            blocks.append(.notice("The desk holds \(years.count) year\(years.count == 1 ? "" : "s") of returns; the trend needs three. Earlier years appear as their returns are imported."))
        }
        document.sections.append(ReportSection("Summary", blocks))

        // The trend over the years, against the targets and England.
        let national = NationalFigures.latest.overall
        let trendRows: [[ReportCell]] = years.map { year in
            let figures = county(year)
            let target = targets?.county(year: year)
            return [
                .text(YearText.academic(year)), .count(figures.pupils), control.sessionRate(figures.attendancePercent, pupils: figures.pupils),
                target.map { .percent($0.overall.attendance) } ?? .none, control.sessionRate(figures.unauthorisedPercent, pupils: figures.pupils),
                control.rate(numerator: figures.persistentAbsenceCount, denominator: figures.pupils, percent: figures.persistentPercent),
                target.map { .percent($0.overall.persistentAbsence) } ?? .none,
                control.rate(numerator: figures.severeAbsenceCount, denominator: figures.pupils, percent: figures.severePercent),
            ]
        }
        document.sections.append(ReportSection("The county's attendance over the years", [
            .paragraph("Over \(YearText.halfTerms(range)) of each year. England (\(YearText.academic(NationalFigures.latest.academicYear)), the latest published): attendance \(ReportCell.oneDecimal(national.attendanceRate))%, unauthorised absence \(ReportCell.oneDecimal(national.unauthorisedAbsenceRate))%, persistent absence \(ReportCell.oneDecimal(national.persistentAbsenceRate))%, severe absence \(ReportCell.oneDecimal(national.severeAbsenceRate))%."),
            .table(control.noted(ReportTable(
                id: "trend", caption: "The county by year",
                columns: ["Year", "Pupils", "Attendance %", "Target %", "Unauthorised absence %", "Persistent absence %", "Target %", "Severe absence %"],
                rows: trendRows))),
            .chart(ReportChart(
                id: "attendance-chart", title: "Attendance by year, against the county's target and England", kind: .line,
                labels: years.map(YearText.academic),
                series: [
                    .init(name: "County", values: trendRows.map { $0[2] }), .init(name: "Target", values: trendRows.map { $0[3] }),
                    .init(name: "England", values: years.map { _ in .percent(national.attendanceRate) }),
                ])),
            .chart(ReportChart(
                id: "persistent-chart", title: "Persistent absence by year, against the county's target and England", kind: .line,
                labels: years.map(YearText.academic),
                series: [
                    .init(name: "County", values: trendRows.map { $0[5] }), .init(name: "Target", values: trendRows.map { $0[6] }),
                    .init(name: "England", values: years.map { _ in .percent(national.persistentAbsenceRate) }),
                ])),
        ]))

        // By phase and by district, this year and last.
        for (title, id, key) in [("By phase", "phases", { (entry: SchoolEntry?) in entry.map { Self.phaseName($0.phase) } ?? "not known" }),
                                 ("By district", "districts", { (entry: SchoolEntry?) in entry?.district ?? "not known" })] {
            var groups: [String: [Int: SchoolFigures]] = [:]
            for year in [academicYear - 1, academicYear] where bySchool[year] != nil {
                for (laestab, figures) in bySchool[year]! { groups[key(Self.entry(laestab, directory)), default: [:]][year, default: SchoolFigures()].add(figures) }
            }
            var rows: [[ReportCell]] = groups.keys.sorted().map { name in
                let this = groups[name]?[academicYear], before = groups[name]?[academicYear - 1]
                return [
                    .text(name), .count(this?.pupils ?? 0), this?.attendancePercent.map { .percent($0) } ?? .none,
                    .count(this?.persistentAbsenceCount ?? 0), this?.persistentPercent.map { .percent($0) } ?? .none,
                    before?.attendancePercent.map { .percent($0) } ?? .none, before?.persistentPercent.map { .percent($0) } ?? .none,
                ]
            }
            let last = county(academicYear - 1)
            rows.append([
                .text("County"), .count(now.pupils), now.attendancePercent.map { .percent($0) } ?? .none, .count(now.persistentAbsenceCount),
                now.persistentPercent.map { .percent($0) } ?? .none, last.attendancePercent.map { .percent($0) } ?? .none,
                last.persistentPercent.map { .percent($0) } ?? .none,
            ])
            let table = control.protect(
                ReportTable(
                    id: id, caption: "\(title), \(YearText.academic(academicYear)) and the year before",
                    columns: [title.replacingOccurrences(of: "By ", with: "").capitalized, "Pupils", "Attendance %", "Persistently absent",
                              "Persistent absence %", "Attendance % \(YearText.academic(academicYear - 1))", "Persistent absence % \(YearText.academic(academicYear - 1))"],
                    rows: rows),
                layout: .init(countColumns: [1, 3], totalRow: rows.count - 1, rates: [2: .init(pupils: 1), 4: .init(numerator: 3, denominator: 1)]))
            document.sections.append(ReportSection(title, [.table(table)]))
        }

        // The impact of prosecution.
        document.sections.append(ReportSection("The impact of prosecution", try impact(attendance: attendance, casework: casework)))
        return document
    }

    /// Each prosecuted child's attendance in the two half terms before the file and the two after the disposal
    /// (the desk's ``DisposalMonitor``, which `liaison case monitor` prints per case), for the cases disposed of by the
    /// end of the report's year: children are numbered, never named, and the figures are shown only when at least the
    /// disclosure threshold of children have both.
    func impact(attendance: AttendanceData, casework: CaseworkData) throws -> [ReportBlock] {
        let yearEnd = CaseworkData.Period.academicYear(academicYear).to
        let prosecuted = try casework.prosecutedCases(.init(from: SchoolDate(year: 2000, month: 1, day: 1)!, to: yearEnd))
        let followed = try DisposalMonitor(store: casework.store).reports().filter { $0.disposedOn <= yearEnd }
        var rows: [[ReportCell]] = []
        var before: [Double] = [], after: [Double] = [], improved = 0
        for (number, report) in followed.enumerated() {
            let beforeFile = Self.rate(report.before), afterDisposal = Self.rate(report.after)
            if let beforeFile, let afterDisposal {
                before.append(beforeFile)
                after.append(afterDisposal)
                if afterDisposal > beforeFile { improved += 1 }
            }
            rows.append([
                .text("Child \(number + 1)"), beforeFile.map { .percent($0) } ?? .text("not held"),
                afterDisposal.map { .percent($0) } ?? .text("not yet held"),
                beforeFile != nil && afterDisposal != nil ? .percent(afterDisposal! - beforeFile!) : .none,
            ])
        }
        var blocks: [ReportBlock] = [
            .paragraph("For each child whose parent was prosecuted and whose case the court has finally disposed of: attendance in the two half terms before the prosecution file and in the two after the disposal. \(prosecuted) case\(prosecuted == 1 ? "" : "s") prosecuted to \(yearEnd), \(followed.count) disposed of.")
        ]
        if control.hides(before.count) || (before.isEmpty && prosecuted > 0) {
            blocks.append(.notice("Fewer than \(control.threshold) prosecuted children have figures both before the file and after the disposal: the individual figures are withheld (disclosure control) and will be shown once enough are held."))
            blocks.append(.table(control.noted(ReportTable(
                id: "prosecution-impact", caption: "Attendance before and after prosecution",
                columns: ["Children prosecuted", "Disposed of", "With figures before and after"],
                rows: [[control.count(prosecuted), control.count(followed.count), control.count(before.count)]]))))
        } else if !followed.isEmpty {
            let meanBefore = before.reduce(0, +) / Double(before.count), meanAfter = after.reduce(0, +) / Double(after.count)
            blocks.append(.summary([
                ("Children with figures before and after", String(before.count)),
                ("Average attendance before the file", ReportCell.oneDecimal(meanBefore) + "%"),
                ("Average attendance after the disposal", ReportCell.oneDecimal(meanAfter) + "%"),
                ("Children whose attendance improved", "\(improved) of \(before.count)"),
            ]))
            blocks.append(.table(ReportTable(
                id: "prosecution-impact", caption: "Attendance before and after prosecution, %",
                columns: ["Child", "Before the file", "After the disposal", "Change (points)"], rows: rows)))
        }
        return blocks
    }

    /// The attendance rate over two half terms' figures together; nil unless both are held in full.
    static func rate(_ periods: [DisposalMonitor.Period]) -> Double? {
        guard periods.count == 2, periods.allSatisfy({ $0.figures != nil && $0.markedThrough == nil }) else { return nil }
        var total = SchoolFigures()
        for period in periods { total.add(period.figures!) }
        return total.attendanceRate
    }

    static func entry(_ laestab: String, _ directory: SchoolDirectory) -> SchoolEntry? { (try? LAESTAB(laestab)).flatMap { directory[$0] } }

    static func phaseName(_ phase: SchoolPhase) -> String {
        switch phase {
        case .middleDeemedPrimary, .middleDeemedSecondary: "Middle"
        case .allThrough: "All-through"
        case .alternativeProvision: "Alternative provision"
        default: phase.rawValue.capitalized
        }
    }
}
