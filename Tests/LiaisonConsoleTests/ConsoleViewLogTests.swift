import Foundation
import HummingbirdTesting
import LiaisonConsole
import NIOCore
import Testing

@Suite("The view log")
struct ConsoleViewLogTests {
    /// Synthetic UPNs (the letter and twelve digits of the form, not real children).
    static let upn = "A123456789012"
    static let other = "B987654321098"

    @Test("a view is logged with the child's pseudonym, never the UPN; the state is private")
    func pseudonym() async throws {
        let harness = try ConsoleHarness()
        try await harness.console.users.recordView(user: "esw.one", upn: Self.upn, page: "case 12")
        let views = try await harness.console.users.views(upn: " a123456789012 ")
        #expect(views.count == 1)
        #expect(views.first?.user == "esw.one" && views.first?.page == "case 12")
        #expect(views.first?.pseudonym == harness.console.users.pseudonym(upn: Self.upn))
        #expect(views.first?.pseudonym.count == 64 && views.first?.pseudonym.contains(Self.upn) == false)
        let state = "\(harness.folder)/state"
        for file in try FileManager.default.contentsOfDirectory(atPath: state) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(state)/\(file)"))
            #expect(bytes.range(of: Data(Self.upn.utf8)) == nil, "the UPN is in \(file)")
        }
        let mode = { (path: String) in (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1 }
        #expect(try mode(state) == 0o700)
        #expect(try mode("\(state)/console.sqlite") == 0o600)
        #expect(try mode("\(state)/view.key") == 0o600)
        #expect(try await harness.console.users.views(upn: Self.other).isEmpty)
    }

    @Test("the IG officer finds a child's views by UPN, by user and by date; other roles cannot see the log")
    func page() async throws {
        let harness = try ConsoleHarness()
        try await harness.addUser("ig.one", .ig)
        try await harness.addUser("esw.one", .esw)
        try await harness.console.users.recordView(user: "esw.one", upn: Self.upn, page: "case 12")
        try await harness.console.users.recordView(user: "manager.one", upn: Self.other, page: "pupil attendance")
        try await harness.application().test(.router) { client in
            let ig = try await harness.signIn(client, "ig.one")
            let all = String(buffer: try await harness.get(client, "/views", as: ig).body)
            #expect(all.contains("case 12") && all.contains("pupil attendance"))
            HTMLChecks.expectAccessible(all)
            let byChild = try await harness.post(client, "/views", [("upn", Self.upn), ("user", ""), ("from", ""), ("to", "")], as: ig)
            #expect(byChild.status == .ok)
            let page = String(buffer: byChild.body)
            #expect(page.contains("case 12") && page.contains("esw.one") && !page.contains("pupil attendance"))
            #expect(page.contains("Views found: 1"))
            HTMLChecks.expectAccessible(page)
            let byUser = String(buffer: try await harness.post(client, "/views", [("user", "manager.one")], as: ig).body)
            #expect(byUser.contains("pupil attendance") && !byUser.contains("case 12"))
            #expect(byUser.contains(#"id="user" name="user" type="text" value="manager.one""#))
            let dated = String(buffer: try await harness.post(client, "/views", [("from", "2000-01-01"), ("to", "2000-01-02")], as: ig).body)
            #expect(dated.contains("Views found: 0"))
            let bad = String(buffer: try await harness.post(client, "/views", [("from", "1 Sept")], as: ig).body)
            #expect(bad.contains("Enter the from date as YYYY-MM-DD") && bad.contains(##"href="#from""##))
            let esw = try await harness.signIn(client, "esw.one")
            #expect(try await harness.get(client, "/views", as: esw).status == .forbidden)
        }
    }
}
