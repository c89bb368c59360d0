import Foundation
import Hummingbird

/// The IG officer's view log, `/views`: who viewed which child's record, when and on which page. The search is a POST
/// (the UPN stays out of addresses and browser history) and the UPN is turned into its pseudonym before the query: the
/// log holds no UPN.
enum ViewLogPage {
    static let links = [
        ConsoleLink(path: "/views", label: "View log", summary: "Who viewed a child's record, when, and on which page.", roles: [.ig])
    ]

    struct Search: Decodable {
        var upn: String?
        var user: String?
        var from: String?
        var to: String?
    }

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/views") { _, context -> Response in
            try context.require(.ig)
            return try await page(console: console, context: context, search: Search())
        }
        router.post("/views") { request, context -> Response in
            try context.require(.ig)
            return try await page(console: console, context: context, search: try await request.decode(as: Search.self, context: context))
        }
    }

    static func page(console: Console, context: ConsoleContext, search: Search) async throws -> Response {
        func clean(_ text: String?) -> String? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        let upn = clean(search.upn), user = clean(search.user)
        var errors: [[String: String]] = []
        let from = clean(search.from).flatMap { text -> Date? in
            guard let date = day(text) else { errors.append(["field": "from", "message": "Enter the from date as YYYY-MM-DD, such as 2025-09-01"]); return nil }
            return date
        }
        let to = clean(search.to).flatMap { text -> Date? in
            guard let date = day(text) else { errors.append(["field": "to", "message": "Enter the to date as YYYY-MM-DD, such as 2025-12-19"]); return nil }
            return date.addingTimeInterval(86_400)
        }
        let views = errors.isEmpty ? try await console.users.views(upn: upn, user: user, from: from, to: to, limit: 500) : []
        let display = displayFormatter()
        let rows = views.map { view -> [String: Any] in
            ["at": display.string(from: view.at), "user": view.user, "child": String(view.pseudonym.prefix(12)), "page": view.page]
        }
        let searched = upn != nil || user != nil || from != nil || to != nil
        return console.pages.render(
            "views", title: "View log",
            data: [
                "upn": upn ?? "", "userFilter": user ?? "", "from": clean(search.from) ?? "", "to": clean(search.to) ?? "",
                "rows": rows, "searched": searched, "errors": errors, "count": rows.count,
            ],
            context: context)
    }

    /// `YYYY-MM-DD` as the start of that day in London.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = london
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    static let london = TimeZone(identifier: "Europe/London") ?? .gmt

    /// London time, such as `3 Dec 2026 08:15:02` (one formatter per page: DateFormatter is not Sendable).
    static func displayFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = london
        formatter.dateFormat = "d MMM yyyy HH:mm:ss"
        return formatter
    }
}
