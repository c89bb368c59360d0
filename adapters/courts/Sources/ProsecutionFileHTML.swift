import AttendanceDomain
import Foundation
import JSONSchema
import LiaisonMessages

/// A prosecution file as a printable HTML document for the court clerk and the bench.
struct ProsecutionFileHTML {
    let file: JSONValue

    init(_ file: JSONValue) {
        self.file = file
    }

    static let offences = [
        "444(1)": "Education Act 1996, section 444(1): being the parent of a child of compulsory school age who is registered at a school and fails to attend it regularly. Summary only; level 3 fine (maximum £1,000).",
        "444(1A)": "Education Act 1996, section 444(1A): knowing that the child is failing to attend regularly, and failing without reasonable justification to cause the child to attend. Summary only; level 4 fine (maximum £2,500) and/or up to 3 months' imprisonment.",
    ]

    func render() -> String {
        let reference = text(file["case_reference"])
        let court = text(file["hearing"]?["court"]?["name"])
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Prosecution file \(escape(reference))</title>
            <style>
            body{font-family:Georgia,serif;max-width:50em;margin:2em auto;line-height:1.4;color:#111}
            h1{font-size:1.6em;text-align:center;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #444;margin-top:2em}
            .cover{border:2px solid #111;padding:1.5em;margin-bottom:2em;page-break-after:always}
            .cover p{text-align:center;margin:.4em 0}table{border-collapse:collapse;width:100%;margin:.5em 0}
            th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eee}
            dl{display:grid;grid-template-columns:14em 1fr;gap:.2em .8em}dt{font-weight:bold}dd{margin:0}
            .statement{white-space:pre-wrap;border-left:3px solid #999;padding-left:1em}
            @media print{h2{page-break-after:avoid}table{page-break-inside:auto}tr{page-break-inside:avoid}}
            </style></head>
            <body>
            <div class="cover">
            <p>IN THE \(escape(court.uppercased()))</p>
            <h1>Prosecution file</h1>
            <p><strong>Case \(escape(reference))</strong></p>
            <p>\(escape(text(file["information"]?["prosecutor"]))) v. \(escape(defendantNames()))</p>
            <p>Offence: Education Act 1996, section \(escape(text(file["offence"])))</p>
            <p>Hearing: \(escape(longDate(text(file["hearing"]?["date"]))))</p>
            </div>

            """
        html += section("The proceedings", definitions([
            ("Case reference", reference),
            ("Court", court),
            ("Hearing date", longDate(text(file["hearing"]?["date"]))),
            ("Prosecutor", text(file["information"]?["prosecutor"])),
            ("Information laid on", longDate(text(file["information"]?["laid_on"]))),
            ("Summons issued on", longDate(text(file["information"]?["summons_issued_on"]))),
            ("Summons reference", text(file["information"]?["summons_reference"])),
            ("Route", text(file["route"]).replacingOccurrences(of: "_", with: " ")),
        ]))
        html += section("The defendants", "<p>Each defendant is prosecuted separately.</p>" + (file["defendants"]?.arrayValue ?? []).map { defendant in
            "<h3>Defendant \(text(defendant["defendant_number"]))</h3>" + definitions([
                ("Name", [text(defendant["title"]), text(defendant["forename"]), text(defendant["surname"])].filter { !$0.isEmpty }.joined(separator: " ")),
                ("Date of birth", longDate(text(defendant["date_of_birth"]))),
                ("Address", address(defendant["address"])),
                ("Relationship to the child", text(defendant["relationship"]).replacingOccurrences(of: "_", with: " ")),
                ("Parental responsibility", defendant["parental_responsibility"] == .bool(true) ? "yes" : "no"),
            ])
        }.joined())
        let child = file["child"]
        html += section("The child", definitions([
            ("Name", "\(text(child?["forename"])) \(text(child?["surname"]))"),
            ("Date of birth", longDate(text(child?["date_of_birth"]))),
            ("Age at the start of the period", age(text(child?["date_of_birth"]), on: text(file["period"]?["start_date"]))),
            ("School", "\(text(child?["school"]?["name"])) (LAESTAB \(text(child?["school"]?["laestab"])))"),
            ("UPN", text(child?["upn"])),
        ]))
        html += section("The offence", "<p>\(escape(Self.offences[text(file["offence"])] ?? text(file["offence"])))</p>" + definitions([
            ("Period", "\(longDate(text(file["period"]?["start_date"]))) to \(longDate(text(file["period"]?["end_date"])))"),
        ]))
        let statement = file["witness_statement"]
        html += section("Witness statement", definitions([
            ("Made by", "\(text(statement?["officer"]?["name"])), \(text(statement?["officer"]?["role"]))"),
            ("Made on", longDate(text(statement?["made_on"]))),
        ]) + "<div class=\"statement\">\(escape(text(statement?["text"])))</div>"
            + (statement?["declaration"] == .bool(true)
                ? "<p><em>The maker has declared that this statement is true to the best of their knowledge and belief.</em></p>" : ""))
        html += section("Register extract", registerExtract())
        html += section("Interventions", table(
            ["Date", "Intervention", "By", "Details"],
            (file["interventions"]?.arrayValue ?? []).map { item in
                [longDate(text(item["date"])), humane(text(item["type"])), humane(text(item["by"])), text(item["description"])]
            }))
        html += section("Penalty notices", table(
            ["Issued on", "Defendant", "Amount", "Status", "Paid on"],
            (file["penalty_notices"]?.arrayValue ?? []).map { notice in
                [longDate(text(notice["issued_on"])), text(notice["defendant_number"]), pounds(notice["amount_pence"]), humane(text(notice["status"])),
                 longDate(text(notice["paid_on"]))]
            }))
        html += "<p><small>Sent by the attendance service through Liaison under the prosecutions agreement. Official: sensitive.</small></p>\n</body></html>\n"
        return html
    }

    func registerExtract() -> String {
        let extract = file["register_extract"]
        let meanings = extract?["meanings"]?.objectValue ?? [:]
        let totals = extract?["totals"]
        var html = definitions([
            ("School", "\(text(extract?["school"]?["name"])) (LAESTAB \(text(extract?["school"]?["laestab"])))"),
            ("Period", "\(longDate(text(extract?["period"]?["start_date"]))) to \(longDate(text(extract?["period"]?["end_date"])))"),
            ("Certified by", "\(text(extract?["certified_by"]?["name"])), \(text(extract?["certified_by"]?["role"])), on \(longDate(text(extract?["certified_on"])))"),
            ("Possible sessions", text(totals?["sessions_possible"])),
            ("Present", text(totals?["present"])),
            ("Approved educational activity", text(totals?["aea"])),
            ("Authorised absence", text(totals?["authorised"])),
            ("Unauthorised absence", text(totals?["unauthorised"])),
        ])
        let rows = (extract?["marks"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }).map { date, day in
            [longDate(date), mark(day["am"], meanings), mark(day["pm"], meanings)]
        }
        html += table(["Date", "Morning", "Afternoon"], rows)
        html += "<p>Codes used:</p>" + table(["Code", "Meaning"], meanings.sorted(by: { $0.key < $1.key }).map { [$0.key, text($0.value)] })
        return html
    }

    // MARK: Pieces

    func section(_ title: String, _ body: String) -> String { "<h2>\(escape(title))</h2>\n\(body)\n" }

    func definitions(_ pairs: [(String, String)]) -> String {
        "<dl>" + pairs.filter { !$0.1.isEmpty }.map { "<dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd>" }.joined() + "</dl>"
    }

    func table(_ header: [String], _ rows: [[String]]) -> String {
        guard !rows.isEmpty else { return "<p>None.</p>" }
        return "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }.joined() + "</table>"
    }

    func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let string): string
        case .number(let number): Int64(exactly: number).map { String($0) } ?? String(number)
        case .bool(let flag): flag ? "yes" : "no"
        default: ""
        }
    }

    func mark(_ code: JSONValue?, _ meanings: [String: JSONValue]) -> String {
        let symbol = text(code)
        guard let meaning = meanings[symbol] else { return symbol }
        return "\(symbol) (\(text(meaning)))"
    }

    func defendantNames() -> String {
        (file["defendants"]?.arrayValue ?? []).map { "\(text($0["forename"])) \(text($0["surname"]))" }.joined(separator: " and ")
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
        return String(format: "£%d.%02d", amount / 100, amount % 100)
    }

    /// `2025-01-06` as "Monday 6 January 2025" (the calendar date, no time zone).
    func longDate(_ iso: String) -> String {
        guard let date = SchoolDate(parsing: iso) else { return iso }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let day = String(describing: date.weekday)
        return "\(day.prefix(1).uppercased() + day.dropFirst()) \(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// Whole years from `birth` to `date` (both YYYY-MM-DD).
    func age(_ birth: String, on date: String) -> String {
        guard let born = SchoolDate(parsing: birth), let on = SchoolDate(parsing: date) else { return "" }
        return "\(born.years(to: on)) (compulsory school age is 5 to 16)"
    }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
