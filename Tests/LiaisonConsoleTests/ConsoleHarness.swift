import Foundation
import Hummingbird
import HummingbirdTesting
import LiaisonConsole
import Logging
import NIOCore
import Synchronization
import Testing

/// A console on a temporary state folder, for every page's tests: bcrypt at cost 4, a clock the test moves, and
/// helpers to sign in and to GET and POST with the session's cookie and CSRF token.
///
/// ```swift
/// let harness = try ConsoleHarness()
/// try await harness.addUser("esw.one", .esw)
/// try await harness.application().test(.router) { client in
///     let esw = try await harness.signIn(client, "esw.one")
///     let page = try await harness.get(client, "/", as: esw)
///     #expect(page.status == .ok)
/// }
/// ```
final class ConsoleHarness: Sendable {
    /// The password every test user has.
    static let password = "correct horse battery staple"

    let folder: String
    let console: Console
    private let clock = Clock()

    /// The console's clock: a fixed start the test moves on.
    final class Clock: Sendable {
        let time = Mutex(Date(timeIntervalSince1970: 1_780_000_000))
        var now: Date { time.withLock { $0 } }
    }

    /// - Parameters:
    ///   - desk: the desk's folder (default: an empty folder, so `console.desk` is nil).
    ///   - tls: whether the configuration has TLS (the cookie is then Secure; nothing is served over TLS here).
    ///   - extraTemplates: templates for the test's own routes.
    ///   - configure: changes to the configuration before the console is built (the operator's tests set the hub's).
    init(
        desk: String? = nil, tls: Bool = false, idleMinutes: Int = 30, extraTemplates: [(name: String, template: String)] = [],
        configure: (inout ConsoleConfiguration) -> Void = { _ in }
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("console-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var configuration = ConsoleConfiguration(deskDirectory: desk ?? "\(folder)/desk", stateDirectory: "\(folder)/state")
        configuration.idleMinutes = idleMinutes
        if tls { configuration.tls = .init(certificate: "\(folder)/cert.pem", key: "\(folder)/key.pem") }
        configure(&configuration)
        let clock = self.clock
        var logger = Logger(label: "liaison.console.test")
        logger.logLevel = .warning
        do {
            console = try Console.build(
                configuration: configuration, options: .init(bcryptCost: 4, now: { clock.now }, extraTemplates: extraTemplates), logger: logger)
        } catch {
            // deinit does not run for an object whose init failed: the folder goes here.
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Moves the console's clock on.
    func advance(seconds: TimeInterval) { clock.time.withLock { $0 += seconds } }

    /// Adds a user with ``password``.
    func addUser(_ name: String, _ role: ConsoleRole) async throws {
        try await console.users.add(name: name, role: role, password: Self.password)
    }

    /// The console's router; `routes` adds the test's own routes (behind the same middleware).
    func application(routes: (Router<ConsoleContext>) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = ConsoleApplication.makeRouter(console: console)
        routes(router)
        return Application(router: router)
    }

    /// A signed-in (or sign-in form's) session: the cookie header and the form token.
    struct Session: Sendable {
        var cookie: String
        var csrf: String
    }

    /// Fetches the sign-in form: its session and token.
    func signInForm(_ client: some TestClientProtocol) async throws -> Session {
        try await client.execute(uri: "/login", method: .get) { response in
            let cookie = try #require(Self.sessionCookie(response))
            return Session(cookie: cookie, csrf: try #require(Self.csrf(in: String(buffer: response.body))))
        }
    }

    /// Signs in as `name` and returns the new session (its token read from the first page).
    func signIn(_ client: some TestClientProtocol, _ name: String, password: String = password) async throws -> Session {
        let form = try await signInForm(client)
        let cookie = try await client.execute(
            uri: "/login", method: .post, headers: [.cookie: form.cookie, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "csrf=\(form.csrf)&name=\(name)&password=\(Self.encode(password))")
        ) { response in
            #expect(response.status == .seeOther, "sign-in as \(name) failed")
            return try #require(Self.sessionCookie(response))
        }
        let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
        return Session(cookie: cookie, csrf: try #require(Self.csrf(in: home)))
    }

    /// GETs `path` with the session's cookie.
    func get(_ client: some TestClientProtocol, _ path: String, as session: Session?) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: session.map { [.cookie: $0.cookie] } ?? [:])
    }

    /// POSTs the form `fields` (url-encoded here) to `path`, with the session's cookie and CSRF token unless
    /// `csrf` is given (nil leaves the token out).
    func post(
        _ client: some TestClientProtocol, _ path: String, _ fields: [(String, String)] = [], as session: Session, csrf: String?? = .none
    ) async throws -> TestResponse {
        let token: String? = switch csrf {
        case .none: session.csrf
        case .some(let given): given
        }
        let body = ((token.map { [("csrf", $0)] } ?? []) + fields).map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await client.execute(
            uri: path, method: .post, headers: [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: body))
    }

    /// `liaison_console=TOKEN` from the response's Set-Cookie, when it sets a live one.
    static func sessionCookie(_ response: TestResponse) -> String? {
        response.headers[values: .setCookie].compactMap { header -> String? in
            let pair = header.split(separator: ";")[0]
            guard pair.hasPrefix("liaison_console="), pair.count > "liaison_console=".count else { return nil }
            return String(pair)
        }.last
    }

    /// The `csrf` hidden field's value on a page.
    static func csrf(in html: String) -> String? {
        HTMLChecks.matches(#"name="csrf" value="([0-9a-f]+)""#, in: html).first?.first
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }
}
