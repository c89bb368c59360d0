import StrictJSON

/// A school's attendance awards (`awards.list`) as one printable HTML page: the list (a table of the pupils with full
/// attendance, one of the most improved with both years' figures, and the rules applied), then a certificate for
/// each pupil, each printed on a page of its own.
///
/// Every name and figure is the message's (the attendance service worked them out from the school's returns); the
/// page only words them, and escapes every one. A field the message lacks is left out rather than guessed.
enum AwardsLetter {
    static func html(body: JSONValue) -> String {
        let e = SchoolLetter.escape
        let school = body["school"]?["name"]?.stringValue ?? "LAESTAB \(body["school"]?["laestab"]?.stringValue ?? "")"
        let year = whole(body["period"]?["academic_year"]) ?? 0
        let years = "\(year)/\(String(format: "%02d", (year + 1) % 100))"
        let full = body["full_attendance"]?.arrayValue ?? []
        let improved = body["most_improved"]?.arrayValue ?? []
        let rules = body["rules"]
        let minimum = whole(rules?["full_attendance"]?["minimum_sessions"]).map(String.init) ?? "?"
        let points = rules?["most_improved"]?["minimum_improvement_points"]?.numberValue.map(oneDecimal) ?? "?"
        let aea = rules?["full_attendance"]?["aea_counts_as_present"] != .bool(false)

        let fullRows = full.map { award in
            "<tr><td>\(name(award["pupil"]))</td><td>\(e(award["pupil"]?["year_group"]?.stringValue ?? ""))</td>"
                + "<td>\(e(award["pupil"]?["upn"]?.stringValue ?? ""))</td><td>\(number(award["sessions_possible"]))</td></tr>"
        }
        let improvedRows = improved.map { award in
            "<tr><td>\(name(award["pupil"]))</td><td>\(e(award["pupil"]?["year_group"]?.stringValue ?? ""))</td>"
                + "<td>\(e(award["pupil"]?["upn"]?.stringValue ?? ""))</td><td>\(rate(award["last_year"]))</td><td>\(rate(award["this_year"]))</td>"
                + "<td>\(award["improvement_points"]?.numberValue.map(oneDecimal) ?? "")</td></tr>"
        }
        let certificates =
            full.map { award in
                certificate(
                    "Full attendance", name(award["pupil"]),
                    "for attending every session at \(e(school)) in the school year \(years): \(number(award["sessions_possible"])) sessions out of \(number(award["sessions_possible"])).")
            }
            + improved.map { award in
                certificate(
                    "Most improved attendance", name(award["pupil"]),
                    "for improving their attendance at \(e(school)) in the school year \(years) from \(rate(award["last_year"]))% to \(rate(award["this_year"]))%.")
            }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Attendance awards \(years)</title>
            <style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.45}
            h1{font-size:1.4em;border-bottom:1px solid #444}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .5em;text-align:left}
            .certificate{page-break-before:always;break-before:page;text-align:center;border:6px double #1d70b8;padding:3em 2em;margin-top:2em}
            .certificate h2{font-size:2em;margin:.2em 0}.certificate .name{font-size:1.8em;font-weight:bold;margin:1em 0}
            @media print{body{margin:0}}</style></head>
            <body>
            <p>Pupil Attendance Service</p>
            <h1>Attendance awards \(years): \(e(school))</h1>
            <p>Full attendance: every possible session attended over at least \(minimum) sessions, with no authorised or \
            unauthorised absence\(aea ? " (approved educational activity counts as attending)" : ", and no approved educational activity"). \
            Most improved: attendance up by at least \(points) percentage points on last year.</p>
            <h2>Full attendance (\(full.count))</h2>
            \(full.isEmpty ? "<p>No pupil this year.</p>" : "<table><tr><th>Pupil</th><th>Year</th><th>UPN</th><th>Sessions</th></tr>\n\(fullRows.joined(separator: "\n"))\n</table>")
            <h2>Most improved (\(improved.count))</h2>
            \(improved.isEmpty ? "<p>No pupil this year.</p>" : "<table><tr><th>Pupil</th><th>Year</th><th>UPN</th><th>Last year %</th><th>This year %</th><th>Improvement (points)</th></tr>\n\(improvedRows.joined(separator: "\n"))\n</table>")
            <p><small>Sent through Liaison under the schools' service level agreement, for this school only. Official: sensitive. \
            The certificates follow, one to a page.</small></p>
            \(certificates.joined(separator: "\n"))
            </body></html>

            """
    }

    static func certificate(_ title: String, _ name: String, _ reason: String) -> String {
        """
        <section class="certificate"><p>Certificate of</p><h2>\(title)</h2><p>awarded to</p><p class="name">\(name)</p><p>\(reason)</p>\
        <p>Well done!</p><p><small>Pupil Attendance Service</small></p></section>
        """
    }

    /// The pupil's forename and surname, escaped; "A pupil" when the message has neither.
    static func name(_ pupil: JSONValue?) -> String {
        let parts = [pupil?["forename"]?.stringValue, pupil?["surname"]?.stringValue].compactMap { $0 }
        return parts.isEmpty ? "A pupil" : SchoolLetter.escape(parts.joined(separator: " "))
    }

    static func whole(_ value: JSONValue?) -> Int? { value?.numberValue.flatMap { Int(exactly: $0) } }

    static func number(_ value: JSONValue?) -> String { whole(value).map(String.init) ?? "" }

    static func rate(_ figures: JSONValue?) -> String { figures?["attendance_rate"]?.numberValue.map(oneDecimal) ?? "" }

    /// One decimal place (the message's rates already are).
    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded(.toNearestOrAwayFromZero))
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
