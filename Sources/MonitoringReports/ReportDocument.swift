/// A monitoring report as the service publishes it, before it is written out: its title, the period it covers,
/// the date it was made, and its sections of paragraphs, summary lists, tables and charts.
///
/// Every report (`liaison report NAME`) builds one of these and hands it to ``ReportWriter``, which writes the same
/// document three ways: printable HTML (A4, the report's title, period and date and "Page X of Y" on every printed
/// page), a PDF of that HTML, and a CSV of every table (each chart's data table included). So a figure in the PDF,
/// the HTML and the CSV is always the same figure.
///
/// ```swift
/// var report = ReportDocument(name: "governors-9262001-2025", title: "Attendance at Example Primary",
///                             period: "Academic year 2025/26", madeOn: "2026-07-24")
/// report.sections.append(ReportSection("Attendance", [.paragraph("…"), .table(table)]))
/// ```
public struct ReportDocument: Sendable {
    /// The file stem: `NAME.html`, `NAME.pdf`, `NAME-TABLE.csv`. Made by the report from fixed words, LAESTABs and
    /// years, never from text a sender wrote.
    public var name: String
    public var title: String
    /// A line under the title (the audience, say: "Annual report to the governing body").
    public var subtitle: String?
    /// The period the figures cover, as printed on every page ("Academic year 2025/26", "Autumn term 2025").
    public var period: String
    /// The date the report was made (YYYY-MM-DD), printed on every page.
    public var madeOn: String
    /// The protective marking printed on every page.
    public var marking: String
    public var sections: [ReportSection]

    public init(
        name: String, title: String, subtitle: String? = nil, period: String, madeOn: String, marking: String = "Official",
        sections: [ReportSection] = []
    ) {
        self.name = name
        self.title = title
        self.subtitle = subtitle
        self.period = period
        self.madeOn = madeOn
        self.marking = marking
        self.sections = sections
    }

    /// Every table in the document, in order, each chart's data table included: what the CSVs are made from.
    public var tables: [ReportTable] {
        sections.flatMap { section in
            section.blocks.compactMap { block -> ReportTable? in
                switch block {
                case .table(let table): table
                case .chart(let chart): chart.table
                default: nil
                }
            }
        }
    }
}

/// A titled part of a report.
public struct ReportSection: Sendable {
    public var title: String
    public var blocks: [ReportBlock]

    public init(_ title: String, _ blocks: [ReportBlock] = []) {
        self.title = title
        self.blocks = blocks
    }
}

/// One thing in a section.
public enum ReportBlock: Sendable {
    case paragraph(String)
    /// A list of label and value pairs (the GOV.UK summary list).
    case summary([(label: String, value: String)])
    /// A highlighted message: what a reader must not miss (a target missed, figures suppressed).
    case notice(String)
    case table(ReportTable)
    /// A chart drawn as SVG, always printed with its data table beneath it.
    case chart(ReportChart)
    /// A page break in print (each certificate on its own page, say).
    case pageBreak
}

/// A table: columns, rows of cells, and a note under it. Its `id` names its CSV (`NAME-ID.csv`).
public struct ReportTable: Sendable {
    /// Lower-case letters, digits and hyphens: the CSV's name.
    public var id: String
    public var caption: String
    public var columns: [String]
    public var rows: [[ReportCell]]
    /// Said under the table (the source, the suppression rule when cells were suppressed).
    public var note: String?

    public init(id: String, caption: String, columns: [String], rows: [[ReportCell]], note: String? = nil) {
        self.id = id
        self.caption = caption
        self.columns = columns
        self.rows = rows
        self.note = note
    }

    /// Whether any cell is suppressed by disclosure control.
    public var hasSuppressedCells: Bool { rows.contains { $0.contains { $0 == .suppressed } } }
}

/// A table's cell. Counts and rates keep their numbers so that disclosure control can suppress them and the CSV can
/// write them as numbers; a suppressed cell prints as `c` (the DfE's symbol for a confidential figure).
public enum ReportCell: Sendable, Hashable {
    case text(String)
    case count(Int)
    /// A percentage, printed to one decimal place (`92.9`).
    case percent(Double)
    /// Money in pence, printed as pounds (`£160.00`).
    case pence(Int)
    /// No figure (nothing held): printed as an en dash in HTML, empty in CSV.
    case none
    /// Hidden by disclosure control: `c`.
    case suppressed

    /// The number a chart draws: a count or a percentage; nil otherwise.
    public var number: Double? {
        switch self {
        case .count(let count): Double(count)
        case .percent(let value): value
        default: nil
        }
    }

    /// The cell as printed in HTML and CSV.
    public var text: String {
        switch self {
        case .text(let text): text
        case .count(let count): String(count)
        case .percent(let value): Self.oneDecimal(value)
        case .pence(let pence): "£\(pence / 100).\(String(format: "%02d", abs(pence % 100)))"
        case .none: ""
        case .suppressed: "c"
        }
    }

    /// `value` to one decimal place, half away from zero (92.95 → 93.0): the DfE's rounding for rates.
    public static func oneDecimal(_ value: Double) -> String {
        let tenths = (value * 10).rounded(.toNearestOrAwayFromZero)
        let whole = Int(tenths) / 10, tenth = abs(Int(tenths) % 10)
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(tenth)"
    }
}

/// A chart: one or more series over the same labels (half terms, years, schools). Drawn as SVG by ``SVGChart``; its
/// data table (``table``) is printed beneath it and written as a CSV, so a reader who cannot see the chart has
/// every figure.
public struct ReportChart: Sendable {
    public enum Kind: Sendable { case line, bar }
    public struct Series: Sendable {
        public var name: String
        /// One cell per label (`.percent` or `.count` is drawn; `.none` and `.suppressed` leave a gap and print in the
        /// data table as nothing and `c`).
        public var values: [ReportCell]
        public init(name: String, values: [ReportCell]) {
            self.name = name
            self.values = values
        }
    }

    public var id: String
    public var title: String
    public var kind: Kind
    /// The x axis's labels.
    public var labels: [String]
    public var series: [Series]
    /// The y axis's unit, as printed ("%").
    public var unit: String

    public init(id: String, title: String, kind: Kind, labels: [String], series: [Series], unit: String = "%") {
        self.id = id
        self.title = title
        self.kind = kind
        self.labels = labels
        self.series = series
        self.unit = unit
    }

    /// The chart's data table: a row per label, a column per series.
    public var table: ReportTable {
        ReportTable(
            id: id, caption: "\(title): the chart's figures", columns: [""] + series.map(\.name),
            rows: labels.indices.map { index in
                [.text(labels[index])] + series.map { series in index < series.values.count ? series.values[index] : .none }
            })
    }
}
