import Foundation
import Hummingbird
import LiaisonStore

/// `/audit`: the filters of `liaison audit query` (agency, type, agreement, permitted or denied, since and until, kind)
/// as a GET form (no personal data in the filters), and the matching entries oldest first, a page at a time.
enum AuditSearchPage {
    /// Entries on one page.
    static let pageSize = 50

    struct Search: Decodable {
        var agency: String?
        var type: String?
        var agreement: String?
        var decision: String?
        var since: String?
        var until: String?
        var kind: String?
        var page: Int?
    }

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/audit") { request, context -> Response in
            try context.require(.ig)
            let search = try request.uri.decodeQuery(as: Search.self, context: context)
            return try await page(console: console, context: context, search: search)
        }
    }

    static func page(console: Console, context: ConsoleContext, search: Search) async throws -> Response {
        let title = "Audit log"
        func clean(_ text: String?) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        var errors: [[String: String]] = []
        var filter = HubStore.AuditFilter()
        filter.agency = clean(search.agency)
        filter.type = clean(search.type)
        filter.agreement = clean(search.agreement)
        filter.kind = clean(search.kind)
        if let kind = filter.kind, AuditEvent.Kind(rawValue: kind) == nil {
            errors.append(["field": "kind", "message": "Choose a kind of record from the list"])
        }
        switch clean(search.decision) {
        case "permitted": filter.permitted = true
        case "denied": filter.permitted = false
        case nil, "any": break
        default: errors.append(["field": "decision", "message": "Choose any, permitted or denied"])
        }
        if let since = clean(search.since) {
            if let date = ViewLogPage.day(since) { filter.from = Int64(date.timeIntervalSince1970 * 1000) } else {
                errors.append(["field": "since", "message": "Enter the since date as YYYY-MM-DD, such as 2026-11-01"])
            }
        }
        if let until = clean(search.until) {
            if let date = ViewLogPage.day(until) { filter.until = Int64(date.timeIntervalSince1970 * 1000) + 86_400_000 - 1 } else {
                errors.append(["field": "until", "message": "Enter the until date as YYYY-MM-DD, such as 2026-11-30"])
            }
        }
        let page = max(1, search.page ?? 1)
        filter.limit = pageSize + 1
        filter.offset = (page - 1) * pageSize
        let found: [AuditRecord]
        do {
            found = try await GovernancePages.withHubStore(console) { [filter, errors] store in errors.isEmpty ? try store.audit(matching: filter) : [] }
        } catch let error as GovernancePages.Unavailable {
            return GovernancePages.unavailable(console, title: title, reason: error.reason, context: context)
        }
        let formatter = ViewLogPage.displayFormatter()
        let rows = found.prefix(pageSize).map { record -> [String: Any] in
            let event = record.event
            return [
                "entry": record.entry, "at": GovernancePages.display(event.at, formatter: formatter), "kind": event.kind.rawValue,
                "agencies": [event.agency, event.recipient.map { "→ \($0)" }].compactMap { $0 }.joined(separator: " "),
                "type": event.type ?? "", "code": event.code.map(String.init) ?? "", "agreement": agreement(of: event) ?? "",
            ]
        }
        // The filters again, for the previous and next pages' links.
        var query = URLComponents()
        query.queryItems = [
            ("agency", filter.agency), ("type", filter.type), ("agreement", filter.agreement), ("decision", clean(search.decision)),
            ("since", clean(search.since)), ("until", clean(search.until)), ("kind", filter.kind),
        ].compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        let base = query.percentEncodedQuery.flatMap { $0.isEmpty ? nil : "/audit?\($0)&page=" } ?? "/audit?page="
        let decision = clean(search.decision) ?? "any"
        return console.pages.render(
            GovernanceTemplates.auditSearch, title: title,
            data: [
                "agency": filter.agency ?? "", "type": filter.type ?? "", "agreement": filter.agreement ?? "",
                "since": clean(search.since) ?? "", "until": clean(search.until) ?? "",
                "decisions": ["any", "permitted", "denied"].map { ["value": $0, "selected": $0 == decision] },
                "kinds": AuditEvent.Kind.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == filter.kind] },
                "rows": Array(rows), "hasRows": !rows.isEmpty, "errors": errors, "page": page,
                "first": (page - 1) * pageSize + 1, "last": (page - 1) * pageSize + rows.count,
                "previous": base + String(page - 1), "hasPrevious": page > 1, "next": base + String(page + 1), "hasNext": found.count > pageSize,
            ],
            context: context, status: errors.isEmpty ? .ok : .badRequest)
    }

    /// A decision record's agreement, from its detail.
    static func agreement(of event: AuditEvent) -> String? {
        guard event.kind == .decision, let detail = event.detail, let data = detail.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["agreement"] as? String
    }
}
