import Hummingbird

/// The casework pages (owned by the casework pages' author from now on; this is the empty start that keeps the
/// build green). ``Console/build(configuration:options:)`` registers ``templates`` and reads ``links``;
/// ``ConsoleApplication/makeRouter(console:)`` calls ``addRoutes(to:console:)`` after the sign-in middleware, so every
/// route here has a ``ConsoleContext`` with the user and must call `context.require(...)`.
enum CaseworkPages {
    /// The pages' mustache templates, by name (rendered with `console.pages.render(name, ...)`).
    static let templates: [(name: String, template: String)] = []
    /// The pages' entries in the navigation and on the home page.
    static let links: [ConsoleLink] = []
    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {}
}
