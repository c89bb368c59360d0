import Foundation
import NPASDesk

/// What the casework pages show, built from the desk's records as plain dictionaries for the templates: pure, so
/// the tests can check them without a server.
enum CaseworkViews {
    /// A case's referral (JSON) as a dictionary; empty when it does not parse.
    static func referral(_ item: DeskCase) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(item.referral.utf8)) as? [String: Any]) ?? [:]
    }

    /// The tag colour of a case's status (GOV.UK tag classes in the console's CSS).
    static func statusTag(_ status: String) -> [String: Any] {
        let colour = ["open": "blue", "monitoring": "yellow", "legal_action": "red", "disposed": "purple", "closed": "grey"][status] ?? "grey"
        return ["text": status.replacingOccurrences(of: "_", with: " "), "colour": colour]
    }

    static func day(_ millis: Int64) -> String {
        String(Date(timeIntervalSince1970: Double(millis) / 1000).ISO8601Format().prefix(10))
    }

    /// One row of a caseload table. No child's name: lists name the case, school and status; the child is named on
    /// the case's own page, where the view is logged.
    static func row(_ item: DeskCase) -> [String: Any] {
        [
            "reference": item.reference, "status": statusTag(item.status), "laestab": item.laestab, "opened": day(item.openedAt),
            "esw": item.esw ?? "",
        ]
    }

    /// The manager's caseloads: one group per worker (by name), the unallocated cases first.
    static func groups(_ cases: [DeskCase]) -> [[String: Any]] {
        let byWorker = Dictionary(grouping: cases) { $0.esw ?? "" }
        return byWorker.keys.sorted().map { worker in
            let items = byWorker[worker]!
            return [
                "worker": worker.isEmpty ? "Not allocated" : worker, "unallocated": worker.isEmpty, "count": items.count,
                "cases": items.map(row),
            ]
        }
    }

    /// The case's summary: the child from the referral, the school, the status and the worker.
    static func summary(_ item: DeskCase) -> [[String: Any]] {
        let referral = referral(item)
        let pupil = referral["pupil"] as? [String: Any] ?? [:]
        let reason = referral["reason"] as? [String: Any] ?? [:]
        let school = referral["school"] as? [String: Any] ?? [:]
        let name = [pupil["forename"], pupil["surname"]].compactMap { $0 as? String }.joined(separator: " ")
        return [
            ["key": "Child", "value": name.isEmpty ? "Not given in the referral" : name],
            ["key": "Date of birth", "value": pupil["date_of_birth"] as? String ?? "Not given"],
            ["key": "School", "value": (school["name"] as? String).map { "\($0) (\(item.laestab))" } ?? item.laestab],
            ["key": "Referred for", "value": [reason["category"] as? String, reason["details"] as? String].compactMap { $0 }.joined(separator: ": ")],
            ["key": "Education Social Worker", "value": item.esw ?? "Not allocated"],
            ["key": "Opened", "value": day(item.openedAt)],
        ]
    }

    /// The timeline: the case's history, oldest first, as the desk keeps it (every allocation, note, intervention,
    /// status and message sent).
    static func timeline(_ history: [(at: Int64, kind: String, detail: String)]) -> [[String: Any]] {
        history.map { entry in
            [
                "at": Date(timeIntervalSince1970: Double(entry.at) / 1000).ISO8601Format(), "kind": entry.kind.replacingOccurrences(of: "_", with: " "),
                "detail": entry.detail,
            ]
        }
    }

    /// The interventions recorded, in date order.
    static func interventions(_ items: [DeskIntervention]) -> [[String: Any]] {
        items.map { item in
            var amount = ""
            if let pence = item.amountPence {
                amount = String(format: "£%d.%02d", pence / 100, pence % 100) + " (defendant \(item.defendantNumber ?? 1), \(item.status ?? "unpaid"))"
            }
            return [
                "date": item.date, "type": item.type.replacingOccurrences(of: "_", with: " "), "by": item.by, "description": item.description ?? "",
                "amount": amount,
            ]
        }
    }

    /// A select's options with the chosen one marked.
    static func options(_ values: [String], selected: String?, labels: [String: String] = [:]) -> [[String: Any]] {
        values.map { ["value": $0, "label": labels[$0] ?? $0.replacingOccurrences(of: "_", with: " "), "selected": $0 == selected] }
    }

    // MARK: The prosecution file as the clerk will see it

    /// The offences as the bundle's cover words them (after the Courts adapter's `ProsecutionFileHTML`).
    static let offenceWords = [
        "444(1)": "Education Act 1996, section 444(1): failing to secure the regular attendance at school of a registered pupil",
        "444(1A)": "Education Act 1996, section 444(1A): knowingly failing to cause the child to attend regularly",
        "443": "Education Act 1996 s.443: failing to comply with a school attendance order",
    ]

    /// The file's content for the preview, in the order of the bundle the Courts print: the cover, the defendants,
    /// the child, the attendance, the interventions, penalty notices, costs, exhibits, the statement and certificate.
    static func prosecutionPreview(_ body: [UInt8]) -> [String: Any] {
        let file = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
        func text(_ value: Any?) -> String {
            switch value {
            case let string as String: string
            case let number as NSNumber: number.stringValue
            default: ""
            }
        }
        func dict(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }
        func list(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }
        func money(_ pence: Any?) -> String {
            let value = (pence as? Int) ?? 0
            return String(format: "£%d.%02d", value / 100, value % 100)
        }
        let period = dict(file["period"])
        let information = dict(file["information"])
        let child = dict(file["child"])
        let school = dict(child["school"])
        let statement = dict(file["witness_statement"])
        let totals = dict(dict(file["register_extract"])["totals"])
        let order = dict(file["attendance_order"])
        let defendants = list(file["defendants"]).map { defendant -> [String: Any] in
            let address = dict(defendant["address"])
            let lines = (address["lines"] as? [String] ?? []) + [text(address["postcode"])].filter { !$0.isEmpty }
            return [
                "reference": text(defendant["reference"]),
                "name": [text(defendant["title"]), text(defendant["forename"]), text(defendant["surname"])].filter { !$0.isEmpty }.joined(separator: " "),
                "dateOfBirth": text(defendant["date_of_birth"]), "address": lines.joined(separator: ", "),
                "relationship": text(defendant["relationship"]),
                "parent": (defendant["parental_responsibility"] as? Bool == true ? "parental responsibility" : "")
                    + (defendant["has_care"] as? Bool == true ? (defendant["parental_responsibility"] as? Bool == true ? "; care of the child" : "care of the child") : ""),
                "reason": text(dict(defendant["chosen"])["reason"]), "chosenBy": text(dict(defendant["chosen"])["by"]),
            ]
        }
        var cover: [[String: Any]] = [
            ["key": "Court", "value": text(dict(dict(file["hearing"])["court"])["name"])],
            ["key": "Case", "value": text(file["case_reference"])],
            ["key": "Parties", "value": "\(text(information["prosecutor"])) v. \(defendants.map { "\($0["name"] ?? "") (\($0["reference"] ?? ""))" }.joined(separator: ", "))"],
            ["key": "Offence", "value": offenceWords[text(file["offence"])] ?? text(file["offence"])],
            ["key": "Period", "value": "\(text(period["start_date"])) to \(text(period["end_date"]))"],
            ["key": "Information laid", "value": text(information["laid_on"])],
            ["key": "Hearing", "value": text(dict(file["hearing"])["date"])],
            ["key": "Route", "value": text(file["route"]).replacingOccurrences(of: "_", with: " ")],
        ]
        if !order.isEmpty {
            cover.append(["key": "School attendance order", "value": "made \(text(order["made_on"])), naming school \(text(dict(order["school"])["laestab"])); "
                + "breached \(text(dict(order["breach"])["date"])): \(text(dict(order["breach"])["description"]))"])
        }
        let attendance: [[String: Any]] = totals.isEmpty ? [] : [
            ["key": "Possible sessions", "value": text(totals["sessions_possible"])], ["key": "Present", "value": text(totals["present"])],
            ["key": "Approved educational activity", "value": text(totals["aea"])], ["key": "Authorised absence", "value": text(totals["authorised"])],
            ["key": "Unauthorised absence", "value": text(totals["unauthorised"])],
        ]
        return [
            "cover": cover,
            "defendants": defendants,
            "child": [
                ["key": "Name", "value": "\(text(child["forename"])) \(text(child["surname"]))"], ["key": "Date of birth", "value": text(child["date_of_birth"])],
                ["key": "School", "value": [text(school["name"]), text(school["laestab"])].filter { !$0.isEmpty }.joined(separator: ", ")],
            ] as [[String: Any]],
            "attendance": attendance, "hasAttendance": !attendance.isEmpty,
            "interventions": list(file["interventions"]).map {
                ["date": text($0["date"]), "type": text($0["type"]).replacingOccurrences(of: "_", with: " "), "by": text($0["by"]), "description": text($0["description"])]
            },
            "penaltyNotices": list(file["penalty_notices"]).map {
                ["reference": text($0["reference"]), "issued": text($0["issued_on"]), "defendant": text($0["defendant_reference"]),
                 "amount": money($0["amount_pence"]), "status": text($0["status"])]
            },
            "costs": list(file["costs"]).map { ["item": text($0["item"]), "amount": money($0["pence"])] },
            "exhibits": list(file["exhibits"]).map { ["reference": text($0["reference"]), "description": text($0["description"]), "date": text($0["date"])] },
            "statement": text(statement["text"]),
            "officer": text(dict(statement["officer"])["name"]),
            "certificate": text(dict(file["attendance_certificate"])["wording"]),
        ]
    }
}
