import Hummingbird

/// The start page: the pages the user's role may use.
enum HomePage {
    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/") { _, context -> Response in
            let user = try context.require()
            let links = console.pages.links(for: user.role).map { ["path": $0.path, "label": $0.label, "summary": $0.summary] }
            return console.pages.render(
                "home", title: "Liaison console", data: ["links": links, "roleTitle": user.role.title], context: context)
        }
    }
}
