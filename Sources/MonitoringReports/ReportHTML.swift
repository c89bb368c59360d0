/// A ``ReportDocument`` as one printable HTML page: the GOV.UK Design System's type scale, tables, summary lists and
/// notification banners in the project's own CSS, and for print an A4 page whose margins carry the report's title,
/// its protective marking, its period and date, and "Page X of Y" (CSS paged media, which headless Chromium and
/// browsers' print honour). No script and nothing fetched: the Content-Security-Policy forbids both.
public struct ReportHTML: Sendable {
    public var document: ReportDocument

    public init(_ document: ReportDocument) {
        self.document = document
    }

    public var html: String {
        var body = "<main>\n<h1>\(HTMLText.escape(document.title))</h1>\n"
        if let subtitle = document.subtitle { body += "<p class=\"lede\">\(HTMLText.escape(subtitle))</p>\n" }
        body += "<dl class=\"summary period\"><div><dt>Period</dt><dd>\(HTMLText.escape(document.period))</dd></div>"
            + "<div><dt>Date of report</dt><dd>\(HTMLText.escape(document.madeOn))</dd></div></dl>\n"
        if document.sections.count > 2 {
            body += "<nav aria-label=\"Contents\"><h2 class=\"contents\">Contents</h2><ol>"
            for (index, section) in document.sections.enumerated() {
                body += "<li><a href=\"#s\(index + 1)\">\(HTMLText.escape(section.title))</a></li>"
            }
            body += "</ol></nav>\n"
        }
        for (index, section) in document.sections.enumerated() {
            body += "<section id=\"s\(index + 1)\">\n<h2>\(HTMLText.escape(section.title))</h2>\n"
            for block in section.blocks { body += Self.render(block) + "\n" }
            body += "</section>\n"
        }
        body += "</main>\n"
        return """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(document.title)): \(HTMLText.escape(document.period))</title>
            <style>\(style)</style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    /// One chart as an HTML fragment: the SVG drawing and its caption in a `figure`, without its data table (the
    /// console's pages put the chart's table, or a fuller one holding its figures, beneath it).
    public static func figure(_ chart: ReportChart) -> String {
        "<figure class=\"chart\">\(SVGChart(chart).svg)<figcaption>\(HTMLText.escape(chart.title))</figcaption></figure>"
    }

    /// One table as an HTML fragment, exactly as the reports print it (numbers right-aligned, `c` for a suppressed
    /// cell, an en dash for none, its note beneath).
    public static func fragment(_ table: ReportTable) -> String { render(table) }

    static func render(_ block: ReportBlock) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(HTMLText.escape(text))</p>"
        case .summary(let rows):
            return "<dl class=\"summary\">" + rows.map { "<div><dt>\(HTMLText.escape($0.label))</dt><dd>\(HTMLText.escape($0.value))</dd></div>" }.joined() + "</dl>"
        case .notice(let text):
            return "<div class=\"notice\" role=\"note\"><p>\(HTMLText.escape(text))</p></div>"
        case .table(let table):
            return render(table)
        case .chart(let chart):
            return figure(chart) + "\n" + render(chart.table)
        case .pageBreak:
            return "<div class=\"page-break\"></div>"
        }
    }

    static func render(_ table: ReportTable) -> String {
        var out = "<table id=\"t-\(HTMLText.escape(table.id))\"><caption>\(HTMLText.escape(table.caption))</caption><thead><tr>"
        // A column's heading is aligned as its figures are: right when none of its cells is text.
        for (index, column) in table.columns.enumerated() {
            let numeric = index > 0 && !table.rows.isEmpty && table.rows.allSatisfy { row in
                guard index < row.count, case .text = row[index] else { return true }
                return false
            }
            out += "<th scope=\"col\"\(numeric ? " class=\"num\"" : "")>\(HTMLText.escape(column))</th>"
        }
        out += "</tr></thead><tbody>"
        for row in table.rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                let numeric: Bool
                switch cell {
                case .text: numeric = false
                default: numeric = true
                }
                let tag = index == 0 && !numeric ? "th scope=\"row\"" : "td"
                let close = index == 0 && !numeric ? "th" : "td"
                let text = cell == .none ? "–" : cell.text
                out += "<\(tag)\(numeric ? " class=\"num\"" : "")>\(HTMLText.escape(text))</\(close)>"
            }
            out += "</tr>"
        }
        out += "</tbody></table>"
        if let note = table.note { out += "<p class=\"note\">\(HTMLText.escape(note))</p>" }
        return out
    }

    var style: String {
        let footer = "\(document.period) · report of \(document.madeOn)"
        return """
            @page{size:A4;margin:18mm 16mm 20mm 16mm;\
            @top-left{content:\(HTMLText.cssString(document.title));font:8pt Arial,'Liberation Sans',sans-serif;color:#505a5f}\
            @top-right{content:\(HTMLText.cssString(document.marking));font:8pt Arial,'Liberation Sans',sans-serif;color:#505a5f}\
            @bottom-left{content:\(HTMLText.cssString(footer));font:8pt Arial,'Liberation Sans',sans-serif;color:#505a5f}\
            @bottom-right{content:"Page " counter(page) " of " counter(pages);font:8pt Arial,'Liberation Sans',sans-serif;color:#505a5f}}
            body{font-family:Arial,'Liberation Sans',Helvetica,sans-serif;color:#0b0c0c;font-size:16px;line-height:1.3;margin:0 auto;max-width:960px;padding:0 15px 30px}
            h1{font-size:32px;margin:30px 0 10px}h2{font-size:24px;margin:30px 0 15px;border-top:1px solid #b1b4b6;padding-top:15px}
            h2.contents{border:0;font-size:19px;margin:15px 0 5px}.lede{font-size:19px;color:#505a5f;margin-top:0}
            p{margin:0 0 15px;max-width:40em}a{color:#1d70b8}
            table{border-collapse:collapse;width:100%;margin:0 0 10px;font-size:14px;page-break-inside:auto}
            caption{text-align:left;font-weight:bold;font-size:16px;padding-bottom:8px}
            th,td{border-bottom:1px solid #b1b4b6;padding:6px 10px 6px 0;text-align:left;vertical-align:top}
            thead th{font-weight:bold}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            tr{page-break-inside:avoid}
            .note{font-size:14px;color:#505a5f;margin-bottom:25px}
            dl.summary{margin:0 0 20px;border-top:1px solid #b1b4b6}dl.summary div{display:flex;border-bottom:1px solid #b1b4b6;padding:6px 0}
            dl.summary dt{font-weight:bold;width:40%;margin:0}dl.summary dd{margin:0;width:60%}
            dl.period{border:0}dl.period div{border:0;padding:2px 0}
            .notice{border:5px solid #1d70b8;padding:10px 15px;margin:0 0 20px}.notice p{margin:0;font-weight:bold}
            figure.chart{margin:0 0 10px;page-break-inside:avoid}figure.chart svg{width:100%;height:auto;font-family:Arial,'Liberation Sans',sans-serif}
            figure.chart figcaption{font-size:14px;color:#505a5f}
            .page-break{page-break-after:always;break-after:page}
            nav ol{margin:0 0 20px;padding-left:20px}
            @media print{body{font-size:11pt;max-width:none;padding:0}h1{font-size:20pt;margin-top:0}h2{font-size:15pt;page-break-after:avoid}\
            table{font-size:9pt}caption{font-size:10.5pt}a{color:#0b0c0c;text-decoration:none}nav{display:none}}
            """
    }
}
