import Foundation
import Hummingbird
import HummingbirdTesting
import LiaisonConsole
import NIOCore
import Testing

@Suite("Console sign-in, sessions, CSRF and roles")
struct ConsoleSignInTests {
    @Test("a right password signs in with a new session; a wrong one is refused with an error summary")
    func signIn() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("manager.one", .manager)
        try await harness.application().test(.router) { client in
            let form = try await harness.signInForm(client)
            let wrong = try await harness.post(client, "/login", [("name", "manager.one"), ("password", "not the password at all")], as: form)
            #expect(wrong.status == .ok)
            #expect(String(buffer: wrong.body).contains("Enter a correct user name and password"))
            #expect(String(buffer: wrong.body).contains("<title>Error: Sign in"))
            let right = try await harness.post(client, "/login", [("name", "manager.one"), ("password", ConsoleHarness.password)], as: form)
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/")
            let cookie = try #require(ConsoleHarness.sessionCookie(right))
            #expect(cookie != form.cookie, "signing in must make a new session")
            let home = try await harness.get(client, "/", as: .init(cookie: cookie, csrf: ""))
            #expect(home.status == .ok)
            #expect(String(buffer: home.body).contains("manager.one"))
            // The form's session is gone: only the signed-in one is held.
            #expect(await harness.console.sessions.count == 1)
        }
    }

    @Test("a page asked for before signing in sends to the sign-in form, which returns to it")
    func next() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("ig.one", .ig)
        try await harness.application().test(.router) { client in
            let response = try await harness.get(client, "/views", as: nil)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/login?next=/views")
            let form = try await harness.signInForm(client)
            let signedIn = try await harness.post(
                client, "/login", [("name", "ig.one"), ("password", ConsoleHarness.password), ("next", "/views")], as: form)
            #expect(signedIn.headers[.location] == "/views")
            let offSite = try await harness.post(
                client, "/login", [("name", "ig.one"), ("password", ConsoleHarness.password), ("next", "//evil.example/")],
                as: try await harness.signInForm(client))
            #expect(offSite.headers[.location] == "/")
        }
    }

    @Test("five failures for a name refuse the sixth attempt, even with the right password, until the window has passed")
    func rateLimit() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let form = try await harness.signInForm(client)
            for _ in 0..<ConsoleUsers.failureLimit {
                let response = try await harness.post(client, "/login", [("name", "esw.one"), ("password", "wrong password here")], as: form)
                #expect(response.status == .ok)
            }
            let limited = try await harness.post(client, "/login", [("name", "esw.one"), ("password", ConsoleHarness.password)], as: form)
            #expect(limited.status == .tooManyRequests)
            #expect(String(buffer: limited.body).contains("Too many failed attempts"))
            harness.advance(seconds: ConsoleUsers.window + 1)
            let later = try await harness.post(client, "/login", [("name", "esw.one"), ("password", ConsoleHarness.password)], as: form)
            #expect(later.status == .seeOther)
        }
    }

    @Test("failures from one address refuse it for every name")
    func rateLimitByAddress() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("esw.one", .esw)
        for index in 0..<ConsoleUsers.failureLimit {
            let outcome = try await harness.console.users.signIn(name: "guess\(index)", password: "wrong password here", address: "192.0.2.7")
            #expect(outcome == .refused)
        }
        #expect(try await harness.console.users.signIn(name: "esw.one", password: ConsoleHarness.password, address: "192.0.2.7") == .limited)
        #expect(try await harness.console.users.signIn(name: "esw.one", password: ConsoleHarness.password, address: "192.0.2.8")
            == .signedIn(ConsoleUser(name: "esw.one", role: .esw)))
    }

    @Test("a disabled user cannot sign in; a reset enables them with the new password")
    func disableAndReset() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("esw.one", .esw)
        try await harness.console.users.disable(name: "esw.one")
        #expect(try await harness.console.users.signIn(name: "esw.one", password: ConsoleHarness.password, address: nil) == .refused)
        try await harness.console.users.reset(name: "esw.one", password: "another long passphrase")
        #expect(try await harness.console.users.signIn(name: "esw.one", password: "another long passphrase", address: nil)
            == .signedIn(ConsoleUser(name: "esw.one", role: .esw)))
        await #expect(throws: ConsoleError.self) { try await harness.console.users.add(name: "esw.one", role: .esw, password: "yet another passphrase") }
        await #expect(throws: ConsoleError.self) { try await harness.console.users.add(name: "Esw One", role: .esw, password: "yet another passphrase") }
        await #expect(throws: ConsoleError.self) { try await harness.console.users.add(name: "esw.two", role: .esw, password: "short") }
    }

    @Test("disabling a user, or resetting their password, ends their sessions at their next request")
    func disableEndsSessions() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("esw.one", .esw)
        try await harness.addUser("esw.two", .esw)
        try await harness.application().test(.router) { client in
            let one = try await harness.signIn(client, "esw.one")
            let two = try await harness.signIn(client, "esw.two")
            try await harness.console.users.disable(name: "esw.one")
            harness.advance(seconds: 1)
            try await harness.console.users.reset(name: "esw.two", password: "a brand new passphrase")
            #expect(try await harness.get(client, "/", as: one).status == .seeOther)
            #expect(try await harness.get(client, "/", as: two).status == .seeOther)
            #expect(await harness.console.sessions.count == 0)
            let again = try await harness.signIn(client, "esw.two", password: "a brand new passphrase")
            #expect(try await harness.get(client, "/", as: again).status == .ok)
        }
    }

    @Test("a POST without the session's CSRF token, or with another, is refused; with it, it is accepted")
    func csrf() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("manager.one", .manager)
        try await harness.application { router in
            router.post("/test/echo") { _, context in
                try context.require(.manager)
                return ConsolePages.html("<h1>done</h1>")
            }
        }.test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let missing = try await harness.post(client, "/test/echo", [("x", "1")], as: manager, csrf: .some(nil))
            #expect(missing.status == .forbidden)
            #expect(String(buffer: missing.body).contains("The form has expired"))
            let other = try await harness.post(client, "/test/echo", [("x", "1")], as: manager, csrf: String(repeating: "ab", count: 32))
            #expect(other.status == .forbidden)
            let right = try await harness.post(client, "/test/echo", [("x", "1")], as: manager)
            #expect(right.status == .ok)
            #expect(String(buffer: right.body) == "<h1>done</h1>")
            // Signing out is a POST too.
            #expect(try await harness.post(client, "/logout", as: manager, csrf: .some(nil)).status == .forbidden)
            let out = try await harness.post(client, "/logout", as: manager)
            #expect(out.status == .seeOther)
            #expect(try await harness.get(client, "/", as: manager).status == .seeOther)
        }
    }

    @Test("an ESW is refused a manager's page with a 403 page naming the role")
    func roles() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("esw.one", .esw)
        try await harness.addUser("manager.one", .manager)
        try await harness.application { router in
            router.get("/test/allocation") { _, context in
                try context.require(.manager)
                return ConsolePages.html("<h1>allocation</h1>")
            }
        }.test(.router) { client in
            let esw = try await harness.signIn(client, "esw.one")
            let refused = try await harness.get(client, "/test/allocation", as: esw)
            #expect(refused.status == .forbidden)
            let page = String(buffer: refused.body)
            #expect(page.contains("This page is for the Manager role. You are signed in as Education Social Worker."))
            HTMLChecks.expectAccessible(page)
            #expect(try await harness.get(client, "/views", as: esw).status == .forbidden)
            let manager = try await harness.signIn(client, "manager.one")
            #expect(try await harness.get(client, "/test/allocation", as: manager).status == .ok)
        }
    }

    @Test("a session idle for longer than idle_minutes is gone; one in use stays")
    func idleExpiry() async throws {
        let harness = try ConsoleHarness(idleMinutes: 10)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let esw = try await harness.signIn(client, "esw.one")
            harness.advance(seconds: 9 * 60)
            #expect(try await harness.get(client, "/", as: esw).status == .ok)
            harness.advance(seconds: 9 * 60)
            #expect(try await harness.get(client, "/", as: esw).status == .ok, "each request counts as use")
            harness.advance(seconds: 10 * 60 + 1)
            let expired = try await harness.get(client, "/", as: esw)
            #expect(expired.status == .seeOther)
            #expect(expired.headers[.location] == "/login")
            #expect(await harness.console.sessions.count == 0)
        }
    }

    @Test("the session cookie is HttpOnly, SameSite=Strict, Path=/ with a Max-Age, and Secure only under TLS")
    func cookieAttributes() async throws {
        for tls in [false, true] {
            let harness = try ConsoleHarness(tls: tls, idleMinutes: 20)
            try await harness.application().test(.router) { client in
                try await client.execute(uri: "/login", method: .get) { response in
                    let header = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("liaison_console=") })
                    let attributes = Set(header.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(attributes.contains("HttpOnly"))
                    #expect(attributes.contains("SameSite=Strict"))
                    #expect(attributes.contains("Path=/"))
                    #expect(attributes.contains("Max-Age=1200"))
                    #expect(attributes.contains("Secure") == tls)
                }
            }
        }
    }

    @Test("every response carries the security headers; the stylesheet is served without signing in")
    func headers() async throws {
        let harness = try ConsoleHarness()
        try await harness.application().test(.router) { client in
            try await client.execute(uri: "/assets/console.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(String(buffer: response.body).contains(".error-summary"))
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'none'") == true)
            }
            try await client.execute(uri: "/login", method: .get) { response in
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }
}
