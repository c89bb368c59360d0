import Hummingbird

/// The request context of every console route: who is signed in, their form token, and where the request came from.
///
/// The session middleware fills it in before a route runs; a route asks for the roles it serves with ``require(_:)``:
///
/// ```swift
/// router.get("/cases") { request, context -> Response in
///     let user = try context.require(.esw, .manager)      // 403 page for other roles
///     return console.pages.render("cases", title: "Cases", data: ["cases": rows], context: context)
/// }
/// ```
///
/// Forms post `application/x-www-form-urlencoded`, so `request.decode(as: MyForm.self, context: context)` decodes a
/// form (``requestDecoder`` is a `URLEncodedFormDecoder`; a malformed form is a 400 page).
public struct ConsoleContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user; nil before sign-in (only `/login` and `/assets/` are served then).
    public var user: ConsoleUser?
    /// The session's CSRF token: every form carries it as the hidden field `csrf` (``ConsolePages/render(_:title:data:context:status:)``
    /// puts it in the data as `csrf`; the partial `{{> csrf-field}}` writes the field). Every POST is checked against it.
    public var csrfToken: String?
    /// The session's token (the cookie's value), nil without a session.
    var sessionToken: String?
    /// The request's path and query, for the sign-in page's `next`.
    var requestPath: String = "/"
    /// The remote IP address, for the sign-in rate limit; nil when unknown (the tests' router mode).
    public let remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Forms are url-encoded; a body that does not decode is a 400 page.
    public var requestDecoder: URLEncodedFormDecoder { URLEncodedFormDecoder() }

    /// The signed-in user when their role is one of `roles` (with no roles, any signed-in user).
    ///
    /// - Throws: `HTTPError` 403, shown as a page that names the roles the page is for, when their role is not one of
    ///   them; `HTTPError` 303 to `/login?next=…` when nobody is signed in.
    @discardableResult
    public func require(_ roles: ConsoleRole...) throws -> ConsoleUser {
        guard let user else {
            throw HTTPError(.seeOther, headers: [.location: ConsoleSessionMiddleware.signInPath(next: requestPath)])
        }
        guard roles.isEmpty || roles.contains(user.role) else {
            let names = roles.map(\.title).joined(separator: " or ")
            throw HTTPError(.forbidden, message: "This page is for the \(names) role. You are signed in as \(user.role.title).")
        }
        return user
    }
}
