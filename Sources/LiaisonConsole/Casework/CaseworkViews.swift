import CourtsAdapter
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

    // MARK: The bundle as the clerk will see it

    /// The bundle's printable documents for the check's page: each by its title and file name, with the address of
    /// its own page (its number in the bundle, and the check's values again, for the file to be assembled again
    /// there). The documents themselves are the Courts' adapter's (``CourtBundle/printableDocuments(body:)``).
    static func bundle(_ documents: [CourtBundle.Document], reference: String, query: String) -> [[String: Any]] {
        documents.enumerated().map { index, document in
            let stem = document.name.hasSuffix(".html") ? String(document.name.dropLast(5)) : document.name
            return [
                "number": index + 1, "name": document.name, "title": CourtBundle.titles[stem] ?? stem,
                "href": "/cases/\(reference)/prosecute/bundle/\(index + 1)" + (query.isEmpty ? "" : "?\(query)"),
            ]
        }
    }

    /// The check's values as a query string (sorted by name, each percent-encoded; no `csrf`), for a bundle
    /// document's address: the same values the check's own GET form puts in the address.
    static func bundleQuery(_ form: CaseworkForm) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return form.echoed.compactMap { name, value -> (String, String)? in (value as? String).map { (name, $0) } }
            .sorted { $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    /// A bundle document's policy: the one it carries in its own `<meta>` (nothing fetched, no script, its inline
    /// page styles), and framed only by the console's own pages (the check's page frames each document).
    static let documentPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'self'; base-uri 'none'"
}
