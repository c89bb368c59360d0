import AttendanceDomain
import MonitoringReports

/// The figures of some groups of pupils (phases, year groups, SEN statuses) side by side: a bar chart of the four
/// absence measures (on one scale: attendance's 90-odd per cent would flatten them) and a table of every figure,
/// the chart's included, with each group's pupils and attendance and a total row.
struct AttendanceBreakdown: Sendable {
    /// `By phase`: the page's heading for it.
    var title: String
    var chart: ReportChart
    var table: ReportTable

    /// - Parameters:
    ///   - id: lower-case letters and hyphens, unique on the page (the chart's SVG ids and the table's id).
    ///   - heading: the first column's heading, such as `Phase`.
    ///   - groups: each group's name and figures, in the order shown.
    init(id: String, title: String, heading: String, groups: [(name: String, figures: SchoolFigures)]) {
        self.title = title
        chart = ReportChart(
            id: id, title: "\(title): absence", kind: .bar, labels: groups.map(\.name),
            series: [
                .init(name: "Authorised absence", values: groups.map { AttendanceText.cell($0.figures.authorisedAbsenceRate) }),
                .init(name: "Unauthorised absence", values: groups.map { AttendanceText.cell($0.figures.unauthorisedAbsenceRate) }),
                .init(name: "Persistent absence", values: groups.map { AttendanceText.cell($0.figures.persistentAbsenceRate) }),
                .init(name: "Severe absence", values: groups.map { AttendanceText.cell($0.figures.severeAbsenceRate) }),
            ])
        var all = SchoolFigures()
        for group in groups { all.add(group.figures) }
        let rows = (groups + [(name: "All pupils", figures: all)]).map { group -> [ReportCell] in
            [.text(group.name), .count(group.figures.pupils)] + AttendanceText.measures(group.figures)
        }
        table = ReportTable(
            id: id, caption: "\(title): the chart's figures, with pupils and attendance", columns: [heading, "Pupils"] + AttendanceText.measureColumns,
            rows: rows, note: "Sessions missed as a % of possible sessions; persistent (10% or more missed) and severe (50% or more) absence as a % of pupils.")
    }

    /// The chart and its table, as the page shows them.
    var html: String { ReportHTML.figure(chart) + "\n" + ReportHTML.fragment(table) }
}
