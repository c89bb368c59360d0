import Foundation
import HummingbirdTesting
import LiaisonConsole
import NIOCore
import Testing

@Suite("Console pages")
struct ConsolePagesTests {
    @Test("the sign-in, home, error and not-found pages have one h1 and every field a label")
    func accessible() async throws {
        let harness = try ConsoleHarness()
        for role in ConsoleRole.allCases { try await harness.addUser("user.\(role.rawValue)", role) }
        try await harness.application().test(.router) { client in
            let signIn = String(buffer: try await harness.get(client, "/login", as: nil).body)
            HTMLChecks.expectAccessible(signIn)
            #expect(signIn.contains(#"<label class="label" for="password">"#))
            for role in ConsoleRole.allCases {
                let session = try await harness.signIn(client, "user.\(role.rawValue)")
                let home = String(buffer: try await harness.get(client, "/", as: session).body)
                HTMLChecks.expectAccessible(home)
                #expect(home.contains(role.title))
                #expect(home.contains(#"action="/logout""#) && home.contains(session.csrf))
                #expect(home.contains(#"href="/views""#) == (role == .ig), "only the IG officer has the view log")
                let missing = try await harness.get(client, "/no-such-page", as: session)
                #expect(missing.status == .notFound)
                HTMLChecks.expectAccessible(String(buffer: missing.body))
            }
        }
    }

    @Test("the checks catch a second h1 and an unlabelled field")
    func checks() {
        #expect(HTMLChecks.problems(in: "<h1>a</h1><label for=\"x\">X</label><input id=\"x\" name=\"x\">").isEmpty)
        #expect(!HTMLChecks.problems(in: "<h1>a</h1><h1>b</h1>").isEmpty)
        #expect(!HTMLChecks.problems(in: "<h1>a</h1><input id=\"x\" name=\"x\">").isEmpty)
        #expect(!HTMLChecks.problems(in: "<h1>a</h1><select name=\"x\"></select>").isEmpty)
        #expect(HTMLChecks.problems(in: "<h1>a</h1><input type=\"hidden\" name=\"csrf\">").isEmpty)
    }

    @Test("a template that does not parse stops the console from starting, naming it")
    func badTemplate() throws {
        #expect(throws: ConsoleError.self) { try ConsoleHarness(extraTemplates: [("broken", "{{#open}}never closed")]) }
    }
}
