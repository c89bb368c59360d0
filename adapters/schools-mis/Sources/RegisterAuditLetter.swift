import StrictJSON

/// A school's register audit findings (`register-audit.findings`) as one readable HTML page for the school: its place
/// in the three-yearly programme, then each finding with what to do about it: the pupils with `N` marks unresolved
/// (by UPN), the sessions left unmarked, the codes used unusually often against the county, Monday and Friday absence
/// against midweek, and the late codes.
///
/// Every figure is the message's (the attendance service worked them out from the school's own returns); the page only
/// words them, and escapes every one. A field the message lacks is left out rather than guessed.
enum RegisterAuditLetter {
    static func html(body: JSONValue) -> String {
        let e = SchoolLetter.escape
        func text(_ value: JSONValue?) -> String { e(value?.stringValue ?? "") }
        let laestab = text(body["school"]?["laestab"])
        let school = body["school"]?["name"]?.stringValue.map { "\(e($0)) (LAESTAB \(laestab))" } ?? "LAESTAB \(laestab)"
        let period = body["period"]
        let year = whole(period?["academic_year"]) ?? 0
        let first = whole(period?["first_half_term"]) ?? 1, last = whole(period?["last_half_term"]) ?? 6
        let terms = first == last ? "half term \(first)" : "half terms \(first)-\(last)"
        let audit = body["audit"]
        let overdue = audit?["overdue"] == .bool(true)
        let n = body["unresolved_n"], unmarked = body["unmarked"]

        let nRows = (n?["pupils"]?.arrayValue ?? []).map { pupil in
            "<tr><td>\(text(pupil["upn"]))</td><td>\(number(pupil["sessions"]))</td><td>\(text(pupil["oldest_date"]))</td></tr>"
        }
        let unmarkedRows = (unmarked?["by_session"]?.arrayValue ?? []).map { row in
            "<tr><td>\(text(row["date"]))</td><td>\(text(row["session"]).uppercased())</td><td>\(number(row["pupils"]))</td></tr>"
        }
        func rateRows(_ key: String) -> [String] {
            (body[key]?.arrayValue ?? []).map { code in
                "<tr><td>\(text(code["code"]))</td><td>\(number(code["sessions"]))</td><td>\(decimal(code["rate_per_1000"]))</td>"
                    + "<td>\(decimal(code["county_rate_per_1000"]))</td><td>\(code["finding"] == .bool(true) ? "<strong>yes</strong>" : "")</td></tr>"
            }
        }
        let unusual = (body["codes"]?.arrayValue ?? []).filter { $0["finding"] == .bool(true) }.compactMap { $0["code"]?.stringValue }.map(e)
        let dayRows = (body["weekdays"]?.arrayValue ?? []).map { day in
            let name = (day["day"]?.stringValue ?? "").prefix(1).uppercased() + (day["day"]?.stringValue ?? "").dropFirst()
            return "<tr><td>\(e(name))</td><td>\(number(day["absent_sessions"]))</td><td>\(number(day["possible_sessions"]))</td>"
                + "<td>\(decimal(day["absence_rate"]))</td><td>\(decimal(day["midweek_absence_rate"]))</td>"
                + "<td>\(day["finding"] == .bool(true) ? "<strong>yes</strong>" : "")</td></tr>"
        }
        func table(_ headings: [String], _ rows: [String], empty: String) -> String {
            rows.isEmpty ? "<p>\(empty)</p>" : "<table><tr>" + headings.map { "<th>\($0)</th>" }.joined() + "</tr>\n" + rows.joined(separator: "\n") + "\n</table>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Register audit findings</title>
            <style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.45}
            h1{font-size:1.4em;border-bottom:1px solid #444}h2{font-size:1.15em;margin-top:1.4em}
            table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}
            .notice{border-left:5px solid #d4351c;padding:.3em .7em}</style></head>
            <body>
            <p>Pupil Attendance Service</p>
            <h1>Register audit findings: \(school)</h1>
            <p>Academic year \(year)/\(String(format: "%02d", (year + 1) % 100)), \(terms) (\(text(period?["start_date"])) to \
            \(text(period?["marked_through"] ?? period?["end_date"]))). Made on \(text(body["made_on"])) from the registers in the school's \
            attendance returns: \(number(body["pupils"])) pupils, \(number(body["sessions_possible"])) possible sessions, compared with \
            \(number(body["county_schools"])) schools in the county. Pupils are named by UPN only.</p>
            <p>Last register audit: \(audit?["last_audit"]?.stringValue.map(e) ?? "none on record"). Next due: \(text(audit?["next_due"])).</p>
            \(overdue ? "<p class=\"notice\">The school's register audit is overdue.</p>\n" : "")<h2>Reasons not yet established (N)</h2>
            <p>\(number(n?["sessions"])) N sessions were still in the register after \(number(n?["after_school_days"])) or more school \
            days. Please find the reason for each absence and replace the N with the right code.\
            \(whole(n?["undated_sessions"]).map { $0 > 0 ? " A further \($0) N sessions are in returns sent without per-session marks." : "" } ?? "")</p>
            \(table(["UPN", "Sessions", "Oldest N"], nRows, empty: "None."))
            <h2>Unmarked sessions</h2>
            <p>\(number(unmarked?["sessions"])) sessions had no mark on a day the school was open (\(number(unmarked?["pupils"])) pupils). Every \
            pupil must be marked at every session.</p>
            \(table(["Date", "Session", "Pupils unmarked"], unmarkedRows, empty: "None dated."))
            <h2>Codes against the county</h2>
            <p>Sessions per 1,000 possible sessions. \(unusual.isEmpty ? "No code is used unusually often." : "Used unusually often: \(unusual.joined(separator: ", ")). Please check these are the right codes.")</p>
            \(table(["Code", "Sessions", "School per 1,000", "County per 1,000", "Unusual"], rateRows("codes"), empty: "No code to compare."))
            <h2>Monday and Friday absence</h2>
            \(table(["Day", "Absent sessions", "Possible sessions", "Absence %", "Tuesday-Thursday %", "Finding"], dayRows, empty: "No marks to compare."))
            <h2>Late codes</h2>
            \(table(["Code", "Sessions", "School per 1,000", "County per 1,000", "Finding"], rateRows("late_codes"), empty: "None."))
            <p><small>Sent through Liaison under the schools' service level agreement. Official: sensitive.</small></p>
            </body></html>

            """
    }

    /// A whole number field, or nil.
    static func whole(_ value: JSONValue?) -> Int? { value?.numberValue.flatMap { Int(exactly: $0) } }

    static func number(_ value: JSONValue?) -> String { whole(value).map(String.init) ?? "" }

    /// To one decimal place; empty when absent.
    static func decimal(_ value: JSONValue?) -> String {
        guard let number = value?.numberValue, number.isFinite, abs(number) < 1e12 else { return "" }
        let tenths = (number * 10).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths) % 10))"
    }
}
