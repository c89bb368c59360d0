import AttendanceDomain
import Foundation
import StrictJSON
import LiaisonMessages

/// What the bundle's printable documents share: the page (A4, with the case reference and "Page X of Y" in the
/// margins of every printed page, by CSS paged media, which headless Chromium and browsers' print honour: no
/// script, nothing fetched), and the ways a prosecution file's values are written out for a bench.
protocol PrintedDocument {
    /// The prosecution file (schemas/prosecution.file.schema.json).
    var file: JSONValue { get }
}

/// What goes in the margins of each printed page; `nil` leaves a box empty.
struct PageMargins {
    var topLeft: String?
    var topRight: String? = "Official: sensitive"
    var bottomLeft: String?
    /// `Page X of Y` unless replaced.
    var bottomRight: String? = nil
    /// The first page's top left, when it differs (a statement's continuation pages say so; its first does not).
    var firstTopLeft: String?? = nil
}

extension PrintedDocument {
    var caseReference: String { text(file["case_reference"]) }

    /// The document's head: its title and the page style, margins included.
    func head(title: String, extraStyle: String = "", margins: PageMargins) -> String {
        let font = "font:9pt Georgia,'DejaVu Serif',serif;color:#333"
        func box(_ name: String, _ content: String?) -> String {
            "@\(name){content:\(content.map(cssString) ?? "none");\(font)}"
        }
        var page = "@page{size:A4;margin:20mm 18mm 22mm 18mm;"
            + box("top-left", margins.topLeft) + box("top-right", margins.topRight) + box("bottom-left", margins.bottomLeft)
            + "@bottom-right{content:\(margins.bottomRight.map(cssString) ?? "\"Page \" counter(page) \" of \" counter(pages)");\(font)}}"
        if let first = margins.firstTopLeft {
            page += "@page:first{" + box("top-left", first) + "}"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <title>\(escape(title)) \(escape(caseReference))</title>
            <style>
            \(page)
            body{font-family:Georgia,'DejaVu Serif',serif;line-height:1.4;color:#111;margin:0;font-size:11pt}
            @media screen{body{max-width:50em;margin:2em auto;padding:0 1em}}
            h1{font-size:1.5em;text-align:center;margin:.2em 0}h2{font-size:1.2em;border-bottom:1px solid #444;margin-top:1.6em;break-after:avoid}
            h3{font-size:1.05em;margin:1.2em 0 .3em;break-after:avoid}
            table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.94em}tr{break-inside:avoid}tr.total td{font-weight:bold}
            th,td{border:1px solid #999;padding:.2em .45em;text-align:left;vertical-align:top}th{background:#eee}
            td.amount,th.amount{text-align:right}
            dl{display:grid;grid-template-columns:13em 1fr;gap:.2em .8em;margin:.4em 0}dt{font-weight:bold}dd{margin:0}
            .page{break-before:page}.keep{break-inside:avoid}
            .centre{text-align:center}.box{border:1px solid #111;padding:.6em .9em;margin:.8em 0}
            .words{white-space:pre-wrap}
            .signature{margin-top:1.2em;break-inside:avoid}.line{display:inline-block;min-width:16em;border-bottom:1px dotted #111;height:1.6em;vertical-align:bottom}
            \(extraStyle)
            </style></head>
            <body>

            """
    }

    static var foot: String { "</body></html>\n" }

    // MARK: Pieces

    func section(_ title: String, _ body: String, newPage: Bool = false) -> String {
        "<h2\(newPage ? " class=\"page\"" : "")>\(escape(title))</h2>\n\(body)\n"
    }

    func definitions(_ pairs: [(String, String)]) -> String {
        "<dl>" + pairs.filter { !$0.1.isEmpty }.map { "<dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd>" }.joined() + "</dl>\n"
    }

    /// A table; cells of the columns in `amounts` are right-aligned, and a `total` row (a sum) is bold.
    func table(_ header: [String], _ rows: [[String]], amounts: Set<Int> = [], total: [String]? = nil) -> String {
        guard !rows.isEmpty else { return "<p>None.</p>\n" }
        func cell(_ tag: String, _ index: Int, _ value: String) -> String {
            "<\(tag)\(amounts.contains(index) ? " class=\"amount\"" : "")>\(escape(value))</\(tag)>"
        }
        return "<table><tr>" + header.enumerated().map { cell("th", $0.offset, $0.element) }.joined() + "</tr>\n"
            + rows.map { "<tr>" + $0.enumerated().map { cell("td", $0.offset, $0.element) }.joined() + "</tr>\n" }.joined()
            + (total.map { "<tr class=\"total\">" + $0.enumerated().map { cell("td", $0.offset, $0.element) }.joined() + "</tr>\n" } ?? "")
            + "</table>\n"
    }

    /// A signature block: a ruled space for the hand signature, then the signer's printed name, role and date.
    func signatureBlock(name: String, role: String, date: String, note: String? = nil) -> String {
        "<div class=\"signature\"><p>Signed: <span class=\"line\"></span></p>" + definitions([
            ("Name", name), ("Role", role), ("Date", longDate(date)),
        ]) + (note.map { "<p><small>\(escape($0))</small></p>" } ?? "") + "</div>\n"
    }

    func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let string): string
        case .number(let number): Int64(exactly: number).map { String($0) } ?? String(number)
        case .bool(let flag): flag ? "yes" : "no"
        default: ""
        }
    }

    /// `Ms Anne Example`.
    func fullName(_ person: JSONValue?) -> String {
        [text(person?["title"]), text(person?["forename"]), text(person?["surname"])].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The defendant's reference in the bundle (`D1`), from the file or, for a file without one, its number.
    func reference(_ defendant: JSONValue) -> String {
        let given = text(defendant["reference"])
        return given.isEmpty ? "D\(text(defendant["defendant_number"]))" : given
    }

    func address(_ value: JSONValue?) -> String {
        ((value?["lines"]?.arrayValue ?? []).map(text) + [text(value?["postcode"])]).filter { !$0.isEmpty }.joined(separator: ", ")
    }

    func humane(_ code: String) -> String {
        let words = code.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    func pounds(_ pence: JSONValue?) -> String {
        guard let amount = pence?.numberValue.flatMap(IntegerFields.integer) else { return "" }
        return pounds(amount)
    }

    func pounds(_ pence: Int) -> String {
        let whole = String(pence / 100)
        var grouped = ""
        for (index, digit) in whole.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return "£" + String(grouped.reversed()) + String(format: ".%02d", pence % 100)
    }

    /// `2025-01-06` as "Monday 6 January 2025" (the calendar date, no time zone).
    func longDate(_ iso: String) -> String {
        guard let date = SchoolDate(parsing: iso) else { return iso }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let day = String(describing: date.weekday)
        return "\(day.prefix(1).uppercased() + day.dropFirst()) \(date.day) \(months[date.month - 1]) \(date.year)"
    }

    func period(_ range: JSONValue?) -> String {
        let start = text(range?["start_date"]), end = text(range?["end_date"])
        guard !start.isEmpty || !end.isEmpty else { return "" }
        return "\(longDate(start)) to \(longDate(end))"
    }

    /// The register's totals as a table, with the attendance rate worked out from them.
    func attendanceTotals(_ totals: JSONValue?) -> String {
        let possible = totals?["sessions_possible"]?.numberValue.flatMap(IntegerFields.integer) ?? 0
        let attended = (totals?["present"]?.numberValue.flatMap(IntegerFields.integer) ?? 0)
            + (totals?["aea"]?.numberValue.flatMap(IntegerFields.integer) ?? 0)
        func share(_ count: Int) -> String {
            possible > 0 ? String(format: "%.1f%%", Double(count) * 100 / Double(possible)) : ""
        }
        func row(_ label: String, _ key: String) -> [String] {
            let count = totals?[key]?.numberValue.flatMap(IntegerFields.integer) ?? 0
            return [label, text(totals?[key]), share(count)]
        }
        return table(["Sessions", "Number", "Of possible sessions"], [
            ["Possible sessions", text(totals?["sessions_possible"]), ""],
            row("Present", "present"),
            row("Approved educational activity", "aea"),
            ["Attended (present and approved educational activity)", String(attended), share(attended)],
            row("Authorised absence", "authorised"),
            row("Unauthorised absence", "unauthorised"),
        ], amounts: [1, 2])
    }
}

/// Text for HTML element content and double-quoted attributes.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// Text as a CSS string for a margin box's `content`, inside `<style>`: quotes and backslashes escaped, line
/// breaks and other controls as CSS escapes, and `<` too, so that no sender's text can close the style element.
func cssString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "<", ">", "&": out += "\\" + String(scalar.value, radix: 16, uppercase: true) + " "
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\" + String(scalar.value, radix: 16, uppercase: true) + " "
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
