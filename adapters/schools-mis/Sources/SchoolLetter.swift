import StrictJSON

/// A letter to a school from the attendance service, as a printable HTML page: a heading for the kind of
/// letter, then every field of the message in the order the message gives them, with readable labels.
enum SchoolLetter {
    static let titles = [
        "case.feedback": "Feedback on a referral",
        "case.disposal": "Outcome of a prosecution",
        "penalty.notice": "Penalty notice",
    ]

    static func html(type: String, body: JSONValue) -> String {
        let title = titles[type] ?? type
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.45}
            h1{font-size:1.4em;border-bottom:1px solid #444}dt{font-weight:bold;margin-top:.6em}dd{margin-left:1.5em}
            table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}</style></head>
            <body>
            <p>Pupil Attendance Service</p>
            <h1>\(escape(title))</h1>
            \(render(body))
            <p><small>Sent through Liaison under the schools' service level agreement. Official: sensitive.</small></p>
            </body></html>

            """
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            let rows = members.keys.sorted().map { key in "<dt>\(escape(label(key)))</dt><dd>\(render(members[key]!))</dd>" }
            return "<dl>" + rows.joined() + "</dl>"
        case .array(let items):
            return "<ol>" + items.map { "<li>\(render($0))</li>" }.joined() + "</ol>"
        case .string(let text): return escape(text)
        case .number(let number): return Int64(exactly: number).map { String($0) } ?? String(number)
        case .bool(let flag): return flag ? "yes" : "no"
        case .null: return "-"
        }
    }

    /// `date_of_birth` -> "Date of birth".
    static func label(_ key: String) -> String {
        let words = key.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
