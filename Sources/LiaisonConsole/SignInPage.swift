import Hummingbird

/// Signing in and out. The sign-in form has a session of its own (no user) for its CSRF token; signing in ends it and
/// starts a new one for the user (a token known before sign-in is never the signed-in one).
enum SignInPage {
    struct Form: Decodable {
        var name: String?
        var password: String?
        var next: String?
    }

    static func addRoutes(to router: Router<ConsoleContext>, console: Console) {
        router.get("/login") { request, context -> Response in
            if context.user != nil { return .redirect(to: "/") }
            let next = request.uri.queryParameters.get("next") ?? ""
            return await form(console: console, context: context, next: next, name: "", errors: [])
        }
        router.post("/login") { request, context -> Response in
            if context.user != nil { return .redirect(to: "/") }
            let form = try await request.decode(as: Form.self, context: context)
            let name = (form.name ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let password = form.password ?? ""
            let next = form.next ?? ""
            guard !name.isEmpty, !password.isEmpty else {
                var errors: [[String: String]] = []
                if name.isEmpty { errors.append(["field": "name", "message": "Enter your user name"]) }
                if password.isEmpty { errors.append(["field": "password", "message": "Enter your password"]) }
                return await self.form(console: console, context: context, next: next, name: name, errors: errors)
            }
            switch try await console.users.signIn(name: name, password: password, address: context.remoteAddress) {
            case .limited:
                console.logger.notice("console: sign-in refused: too many failures lately")
                return await self.form(
                    console: console, context: context, next: next, name: name,
                    errors: [["field": "name", "message": "Too many failed attempts to sign in. Wait 15 minutes and try again, or ask the console's administrator to reset your password."]],
                    status: .tooManyRequests)
            case .refused:
                console.logger.info("console: sign-in failed")
                return await self.form(
                    console: console, context: context, next: next, name: name,
                    errors: [["field": "name", "message": "Enter a correct user name and password"]])
            case .signedIn(let user):
                if let old = context.sessionToken { await console.sessions.end(old) }
                let token = await console.sessions.start(user: user)
                console.logger.info("console: signed in", metadata: ["role": "\(user.role.rawValue)"])
                var response = Response.redirect(to: safeNext(next))
                response.setCookie(console.sessions.cookie(token))
                return response
            }
        }
        router.post("/logout") { _, context -> Response in
            if let token = context.sessionToken { await console.sessions.end(token) }
            var response = Response.redirect(to: "/login")
            response.setCookie(console.sessions.clearingCookie())
            return response
        }
    }

    /// The sign-in form; starts the form's own session when there is none.
    static func form(
        console: Console, context: ConsoleContext, next: String, name: String, errors: [[String: String]], status: HTTPResponse.Status = .ok
    ) async -> Response {
        var context = context
        var token: String?
        if context.sessionToken == nil {
            let started = await console.sessions.start(user: nil)
            token = started
            context.csrfToken = await console.sessions.use(started)?.csrf
        }
        var response = console.pages.render(
            "login", title: "Sign in", data: ["next": safeNext(next), "name": name, "errors": errors], context: context, status: status)
        if let token { response.setCookie(console.sessions.cookie(token)) }
        return response
    }

    /// `next` when it is one of the console's own pages, else `/`.
    static func safeNext(_ next: String) -> String {
        next.hasPrefix("/") && !next.hasPrefix("//") && !next.hasPrefix("/\\") && !next.hasPrefix("/login") ? next : "/"
    }
}
