import Hummingbird
import Mustache
import NIOCore

// How a page file adds its templates and routes (the attendance and casework pages do this):
//
// 1. Keep the templates as Swift string literals in the page file's enum (or a file under Templates/), listed in
//    `static let templates: [(name: String, template: String)]`; `Console.build` registers every list at startup
//    (`ConsolePages.standardTemplates`, `AttendancePages.templates`, `CaseworkPages.templates`, then the options'
//    `extraTemplates`), so a template that does not parse stops the console from starting, not a page later.
// 2. A template is the page's content only: the layout adds the header (service name, the user and their role,
//    sign-out), the navigation by role, the error summary and notification banner, `<main>` with the one `<h1>` (the
//    `title` given to `render`), and the footer. Do not write an `<h1>`; start sections at `<h2>`.
// 3. In a route: `console.pages.render("my-template", title: "Cases", data: [...], context: context)`. The data may
//    hold `errors: [["field": "input-id", "message": "Enter a date"]]` (an error summary; the title gets `Error: `) and
//    `banner: ["title": "Success", "text": "Case allocated", "success": true]` (a notification banner); `csrf` and
//    `user` (`name`, `role`, `roleTitle`) are added for you. Reserved keys, overwritten by `render`: `csrf`, `user`,
//    `nav`, `title`, `serviceName`, `content`, `hasErrors` (name a form's user field's value `userFilter`, say).
// 4. Every form: `<form method="post" action="...">{{> csrf-field}} ...</form>` (a POST without the session's token
//    is refused with a 403 page before the route runs). Every field has a `<label for="id">`; the tests' `HTMLChecks`
//    (Tests/LiaisonConsoleTests/HTMLChecks.swift) check that, and that there is one `<h1>`.
// 5. Partials: `{{> csrf-field}}`, `{{> error-message}}` (inside a field's context with `message`), and the page
//    classes in Assets/ConsoleCSS.swift (`table`, `tag`, `summary-list`, `button`, `form-group`, ...).
// 6. Links: `static let links: [ConsoleLink]` in the page file's enum puts its pages in the navigation and on the home
//    page for the roles given.

/// The console's pages: a mustache library holding the layout, the shared partials and every page's template, and the
/// links of the navigation. Rendering never throws: a missing template is logged and shown as a 500 page.
public struct ConsolePages: Sendable {
    private var library = MustacheLibrary()
    /// The navigation's links, in order (the home page lists the same ones).
    public private(set) var links: [ConsoleLink] = []
    /// The service's name, in the header and every `<title>`.
    public static let serviceName = "Liaison console"

    /// A library with the layout and the console's own templates (sign-in, home, errors, the view log).
    public init() throws(ConsoleError) {
        for (name, template) in Self.standardTemplates { try register(template, named: name) }
    }

    /// The layout, partials and the console's own pages.
    static var standardTemplates: [(name: String, template: String)] {
        LayoutTemplates.templates + SignInTemplates.templates + ViewLogTemplates.templates
    }

    /// Adds (or replaces) a template.
    ///
    /// - Throws: ``ConsoleError`` `template-invalid` naming the template when it does not parse.
    public mutating func register(_ template: String, named name: String) throws(ConsoleError) {
        do {
            try library.register(template, named: name)
        } catch {
            throw ConsoleError(.templateInvalid, "The console's template '\(name)' does not parse: \(error).")
        }
    }

    /// Adds links to the navigation.
    public mutating func add(links more: [ConsoleLink]) { links += more }

    /// The links `role` sees.
    public func links(for role: ConsoleRole) -> [ConsoleLink] { links.filter { $0.roles.contains(role) } }

    /// Renders the template `template` with `data` into the layout, as an HTML response.
    ///
    /// - Parameters:
    ///   - title: the page's one `<h1>` and its `<title>`.
    ///   - data: the template's data; `csrf` (the session's form token) and `user` are added, and the layout reads
    ///     `errors` (error summary) and `banner` (notification banner) from it.
    ///   - context: the request's context (the user, their token, the path for the navigation).
    public func render(
        _ template: String, title: String, data: [String: Any], context: ConsoleContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        var data = data
        data["csrf"] = context.csrfToken ?? ""
        if let user = context.user {
            data["user"] = ["name": user.name, "role": user.role.rawValue, "roleTitle": user.role.title] as [String: Any]
            let path = context.requestPath.split(separator: "?").first.map(String.init) ?? "/"
            data["nav"] = links(for: user.role).map { link -> [String: Any] in
                ["path": link.path, "label": link.label, "current": path == link.path || path.hasPrefix(link.path + "/")]
            }
        }
        if let errors = data["errors"] as? [Any], !errors.isEmpty { data["hasErrors"] = true }
        data["title"] = title
        data["serviceName"] = Self.serviceName
        guard let content = library.render(data, withTemplate: template) else {
            context.logger.error("console: no template named \(template)")
            return Self.html("<h1>Sorry, there is a problem with the service</h1>", status: .internalServerError)
        }
        data["content"] = content
        return Self.html(library.render(data, withTemplate: LayoutTemplates.layout) ?? content, status: status)
    }

    /// An HTML response.
    public static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
