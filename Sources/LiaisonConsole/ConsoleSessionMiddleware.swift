import Foundation
import Hummingbird
import NIOCore

/// Fills in each request's ``ConsoleContext`` from the session cookie, keeps pages to the signed-in, checks every
/// POST's CSRF token, and adds the security headers to every response.
///
/// - Without a session, only `/login` and `/assets/` are served; any other GET is sent to `/login?next=PATH`, any
///   other request to `/login`.
/// - A POST whose form field `csrf` is not the session's token is refused with a 403 page before its route runs.
/// - An idle session is gone (``ConsoleSessions``); each response to a live session renews the cookie's Max-Age.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = ConsoleContext
    let console: Console

    /// Paths served without signing in.
    static func isPublic(_ path: String) -> Bool { path == "/login" || path.hasPrefix("/assets/") }

    /// `/login`, with `next` when it is a page of the console's own (a path, never another site).
    static func signInPath(next: String) -> String {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), next != "/", !next.hasPrefix("/login"),
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-._~")))
        else { return "/login" }
        return "/login?next=\(encoded)"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        context.requestPath = request.uri.string
        let token = request.cookies[ConsoleSessions.cookieName]?.value
        var session: ConsoleSessions.Session? = if let token, !token.isEmpty { await console.sessions.use(token) } else { nil }
        if let token, let user = session?.user, let started = session?.started, try await !stillValid(user, since: started) {
            await console.sessions.end(token)
            session = nil
        }
        if let session, let token {
            context.sessionToken = token
            context.user = session.user
            context.csrfToken = session.csrf
        }
        var response: Response
        if context.user == nil && !Self.isPublic(request.uri.path) {
            response = request.method == .get || request.method == .head
                ? .redirect(to: Self.signInPath(next: request.uri.string)) : .redirect(to: "/login")
            if token != nil && session == nil { response.setCookie(console.sessions.clearingCookie()) }
        } else if request.method == .post, try await !csrfMatches(&request, context: context) {
            response = console.pages.render(
                "error", title: "The form has expired",
                data: ["message": "The form has expired or did not come from this console. Go back, reload the page and try again."],
                context: context, status: .forbidden)
        } else {
            response = try await next(request, context)
            // A live session's cookie is renewed (Max-Age counts from now) unless the route set its own.
            if let token = context.sessionToken, session != nil, response.headers[.setCookie] == nil {
                response.setCookie(console.sessions.cookie(token))
            }
        }
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        // A route may set a policy and framing of its own (a bundle document: its own inline styles, framed by the
        // console's pages only, never by another origin); every other response gets the console's.
        response.headers[.contentSecurityPolicy] = response.headers[.contentSecurityPolicy]
            ?? "default-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        response.headers[Self.frameOptions] = response.headers[Self.frameOptions] ?? "DENY"
        return response
    }

    /// Whether the user is still enabled, with the same role and no password set since the session started: a user
    /// disabled or reset by `liaison console user` (another process) loses their sessions at their next request.
    private func stillValid(_ user: ConsoleUser, since started: Date) async throws -> Bool {
        guard let stored = try await console.users.user(named: user.name) else { return false }
        return !stored.disabled && stored.role == user.role && stored.passwordSetAt <= started
    }

    /// Whether the url-encoded form's `csrf` field is the session's token (read from the body, which stays readable
    /// for the route).
    private func csrfMatches(_ request: inout Request, context: Context) async throws -> Bool {
        guard let expected = context.csrfToken else { return false }
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let form = String(buffer: body)
        for pair in form.split(separator: "&") where pair.hasPrefix("csrf=") {
            return Self.constantTimeEqual(String(pair.dropFirst(5)), expected)
        }
        return false
    }

    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy")!
    static let frameOptions = HTTPFields.Element.Name("X-Frame-Options")!

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
