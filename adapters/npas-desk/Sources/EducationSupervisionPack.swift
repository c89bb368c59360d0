import AttendanceDomain
import Foundation

/// The application pack for an education supervision order (Children Act 1989 s.36): what the authority puts
/// before the family court, as JSON and as a printable HTML page.
///
/// The court may make the order if satisfied that the child is of compulsory school age and is not being properly
/// educated (s.36(3)); a child who is a registered pupil and does not attend regularly is taken not to be (s.36(5)).
/// So the pack gives the child and the school, the parents, the attendance record half term by half term from the
/// returns the desk holds, every intervention and legal route tried, and the grounds in the officer's words (or a
/// draft from the record, for the officer to read and amend). It is built from what it is given and nothing else,
/// so the same case gives the same pack byte for byte (the golden file test relies on it).
///
/// ```swift
/// let pack = EducationSupervisionPack(deskCase: item, interventions: items, routes: routes, notices: notices,
///                                     attendance: try store.halfTermFigures(upn: item.upn), date: today, officer: "E. Worker")
/// let folder = try PrivateDocumentFolder(out)   // 0700; the files 0600 from their first byte
/// try folder.write(try pack.jsonData(), name: "eso-application-\(item.reference).json")
/// try folder.write(Data(pack.html().utf8), name: "eso-application-\(item.reference).html")
/// ```
public struct EducationSupervisionPack: @unchecked Sendable {
    // @unchecked: `referral` holds only JSONSerialization's immutable values.
    public let deskCase: DeskCase
    public let interventions: [DeskIntervention]
    public let routes: [DeskLegalRoute]
    public let notices: [DeskPenaltyNotice]
    public let attendance: [HalfTermFigures]
    /// The application's date.
    public let date: SchoolDate
    public let officer: String
    public let authority: String
    /// The grounds in the officer's words; nil gives a draft written from the record.
    public let grounds: String?
    let referral: [String: Any]

    public init(
        deskCase: DeskCase, interventions: [DeskIntervention], routes: [DeskLegalRoute], notices: [DeskPenaltyNotice], attendance: [HalfTermFigures],
        date: SchoolDate, officer: String, authority: String = "Example County Council", grounds: String? = nil
    ) {
        self.deskCase = deskCase
        self.interventions = interventions
        self.routes = routes
        self.notices = notices
        self.attendance = attendance
        self.date = date
        self.officer = officer
        self.authority = authority
        self.grounds = grounds
        referral = (try? JSONSerialization.jsonObject(with: Data(deskCase.referral.utf8)) as? [String: Any]) ?? [:]
    }

    var pupil: [String: Any] { referral["pupil"] as? [String: Any] ?? [:] }

    /// Every half term held, and their total.
    var total: PupilFigures {
        var counts: [String: Int] = [:]
        for entry in attendance { for (code, sessions) in entry.figures.codeCounts { counts[code, default: 0] += sessions } }
        return PupilFigures(codeCounts: counts)
    }

    static func rate(_ figures: PupilFigures) -> String { figures.attendanceRate.map { String(format: "%.1f%%", $0) } ?? "-" }

    /// The grounds: the officer's, or a draft from the record.
    public var groundsText: String {
        if let grounds { return grounds }
        let name = "\(pupil["forename"] ?? "") \(pupil["surname"] ?? "")"
        let figures = total
        return "\(name) is of compulsory school age and is a registered pupil at the school named, which \(name) has not attended "
            + "regularly (Children Act 1989 s.36(3) and (5)): in the \(attendance.count) half term(s) for which the school has made returns, "
            + "\(name) attended \(figures.attended) of \(figures.possible) possible sessions (\(Self.rate(figures))), with "
            + "\(figures.unauthorised) sessions of unauthorised absence. The interventions listed have not secured regular attendance. "
            + "The authority asks the court to place \(name) under its supervision so that the child and the parents are advised, "
            + "helped and directed to secure that the child is properly educated."
    }

    /// The record of everything tried: the school's actions in the referral, the desk's interventions, the routes.
    var record: [[String: Any]] {
        let school = (referral["actions_taken"] as? [[String: Any]] ?? []).map { action -> [String: Any] in
            ["date": action["date"] ?? "", "type": action["type"] ?? "", "by": action["by"] ?? "school", "description": action["description"] ?? ""]
        }
        let desk = interventions.map { ["date": $0.date, "type": $0.type, "by": $0.by, "description": $0.description ?? ""] as [String: Any] }
        return (school + desk).sorted { ($0["date"] as? String ?? "") < ($1["date"] as? String ?? "") }
    }

    /// The pack as JSON (sorted keys, pretty printed: the same case gives the same bytes).
    public var json: [String: Any] {
        let figures = { (figures: PupilFigures) -> [String: Any] in
            [
                "sessions_possible": figures.possible, "present": figures.present, "aea": figures.aea, "authorised": figures.authorised,
                "unauthorised": figures.unauthorised, "attendance_rate": figures.attendanceRate.map { ($0 * 100).rounded() / 100 } ?? 0,
            ]
        }
        var child: [String: Any] = ["upn": deskCase.upn]
        for key in ["forename", "surname", "date_of_birth", "year_group", "address"] { if let value = pupil[key] { child[key] = value } }
        return [
            "application": "Education supervision order (Children Act 1989 s.36)",
            "case_reference": deskCase.reference,
            "date": date.description,
            "applicant": ["authority": authority, "officer": officer, "role": "Education Social Worker"],
            "child": child,
            "school": referral["school"] ?? ["laestab": deskCase.laestab],
            "parents": (referral["contacts"] as? [[String: Any]] ?? []).map { contact in
                contact.filter { ["order", "title", "forename", "surname", "relationship", "parental_responsibility", "address", "address_as_pupil"].contains($0.key) }
            },
            "attendance": [
                "half_terms": attendance.map { entry -> [String: Any] in
                    var row = figures(entry.figures)
                    row["academic_year"] = entry.key.academicYear
                    row["half_term"] = entry.key.halfTerm
                    if let through = entry.markedThrough { row["marked_through"] = through }
                    return row
                },
                "total": figures(total),
            ],
            "interventions": record,
            "legal_routes": notices.map { notice -> [String: Any] in
                [
                    "kind": "penalty_notice", "reference": notice.noticeReference, "parent": notice.parent, "date": notice.issuedOn.description,
                    "status": notice.status.rawValue,
                ]
            } + routes.map { route -> [String: Any] in
                var entry: [String: Any] = ["kind": route.kind.rawValue, "date": route.date.description]
                if let parent = route.parent { entry["parent"] = parent }
                if let endsOn = route.endsOn { entry["ends_on"] = endsOn.description }
                return entry
            },
            "grounds": groundsText,
        ]
    }

    public func jsonData() throws -> Data {
        var data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    /// The pack as a printable page.
    public func html() -> String {
        func escape(_ text: Any?) -> String {
            "\(text ?? "")".replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        func address(_ value: Any?) -> String {
            guard let value = value as? [String: Any] else { return "-" }
            return ((value["lines"] as? [String] ?? []) + [value["postcode"] as? String ?? ""]).map(escape).joined(separator: ", ")
        }
        let school = referral["school"] as? [String: Any] ?? [:]
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Education supervision order application \(escape(deskCase.reference))</title>
            <style>body{font-family:Georgia,serif;max-width:48em;margin:2em auto;line-height:1.45}h1{font-size:1.4em}
            h2{font-size:1.1em;border-bottom:1px solid #444}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}
            @media print{footer{position:fixed;bottom:0}}</style></head>
            <body>
            <p>In the Family Court. Children Act 1989, section 36.</p>
            <h1>Application for an education supervision order</h1>
            <p>Applicant: \(escape(authority)) (the local authority), by \(escape(officer)), Education Social Worker. Case \(escape(deskCase.reference)). Date: \(date).</p>
            <h2>The child</h2>
            <p>\(escape(pupil["forename"])) \(escape(pupil["surname"])), born \(escape(pupil["date_of_birth"])), UPN \(escape(deskCase.upn)), year group \(escape(pupil["year_group"])).<br>
            Address: \(address(pupil["address"]))</p>
            <h2>The school</h2>
            <p>\(escape(school["name"] ?? "")) (LAESTAB \(escape(school["laestab"] ?? deskCase.laestab)))</p>
            <h2>The parents</h2>
            <table><tr><th>Name</th><th>Relationship</th><th>Parental responsibility</th><th>Address</th></tr>

            """
        for contact in referral["contacts"] as? [[String: Any]] ?? [] {
            let home = contact["address"] ?? (contact["address_as_pupil"] as? Bool == true ? pupil["address"] : nil)
            page += "<tr><td>\(escape(contact["title"].map { "\($0) " } ?? ""))\(escape(contact["forename"])) \(escape(contact["surname"]))</td>"
                + "<td>\(escape(contact["relationship"]))</td><td>\(contact["parental_responsibility"] as? Bool == true ? "yes" : "no")</td>"
                + "<td>\(address(home))</td></tr>\n"
        }
        page += """
            </table>
            <h2>Attendance</h2>
            <table><tr><th>Half term</th><th>Possible</th><th>Attended</th><th>Authorised</th><th>Unauthorised</th><th>Attendance</th></tr>

            """
        let rows = attendance.map { ("\($0.key.academicYear)/\(($0.key.academicYear + 1) % 100) half term \($0.key.halfTerm)" + ($0.markedThrough.map { " (to \($0))" } ?? ""), $0.figures) }
            + [("Total", total)]
        for (label, figures) in rows {
            page += "<tr><td>\(escape(label))</td><td>\(figures.possible)</td><td>\(figures.attended)</td><td>\(figures.authorised)</td>"
                + "<td>\(figures.unauthorised)</td><td>\(Self.rate(figures))</td></tr>\n"
        }
        page += "</table>\n<h2>Interventions</h2>\n<table><tr><th>Date</th><th>What</th><th>By</th><th>Details</th></tr>\n"
        for item in record {
            page += "<tr><td>\(escape(item["date"]))</td><td>\(escape((item["type"] as? String ?? "").replacingOccurrences(of: "_", with: " ")))</td>"
                + "<td>\(escape(item["by"]))</td><td>\(escape(item["description"]))</td></tr>\n"
        }
        page += "</table>\n<h2>Legal routes</h2>\n<ul>\n"
        for notice in notices {
            page += "<li>Penalty notice \(escape(notice.noticeReference)) to \(escape(notice.parent)), \(notice.issuedOn): \(notice.status.rawValue)</li>\n"
        }
        for route in routes {
            page += "<li>\(escape(route.kind.title.prefix(1).uppercased() + route.kind.title.dropFirst()))\(route.parent.map { " (\(escape($0)))" } ?? ""), \(route.date)"
                + "\(route.endsOn.map { " to \($0)" } ?? "")</li>\n"
        }
        if notices.isEmpty && routes.isEmpty { page += "<li>None recorded.</li>\n" }
        page += """
            </ul>
            <h2>Grounds</h2>
            <p>\(escape(groundsText))</p>
            <p>Signed: ______________________ \(escape(officer)), for \(escape(authority)). Date: \(date)</p>
            <footer><small>Case \(escape(deskCase.reference)). Official: sensitive.</small></footer>
            </body></html>

            """
        return page
    }
}
