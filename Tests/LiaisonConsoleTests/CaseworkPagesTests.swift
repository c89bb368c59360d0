import Foundation
import Hummingbird
import HummingbirdTesting
import LegalProcess
import NIOCore
import NPASDesk
import Testing

@testable import LiaisonConsole

/// The casework pages through the router: allocation, notes and interventions reaching the desk's store and the
/// timeline, an ESW refused another worker's case, a form's errors, and the prosecution check's refusals (the same
/// ``CaseActions`` function `liaison case prosecute` runs).
@Suite struct CaseworkPagesTests {
    /// A desk folder with two cases (synthetic children): the first allocated to `esw.one`, the second to nobody.
    static func desk() async throws -> (folder: String, references: [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-desk-\(UUID().uuidString)").path
        let store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        for (index, name) in ["Kai", "Rowan"].enumerated() {
            let referral: [String: Any] = [
                "school": ["laestab": "9264001", "name": "Example High School"],
                "pupil": ["upn": "A92640010000\(index + 1)", "forename": name, "surname": "Example", "date_of_birth": "2013-05-14"],
                "reason": ["category": "persistent_absence", "details": "Synthetic referral for the console's tests."],
                "contacts": [["order": 1, "forename": "Anne", "surname": "Example", "relationship": "mother", "parental_responsibility": true]],
            ]
            try await store.storeReferral(
                messageID: "referral-\(index)", source: "schools-mis", body: Array(try JSONSerialization.data(withJSONObject: referral)))
        }
        let references = try store.cases().map(\.reference).sorted()
        try store.allocate(references[0], esw: "esw.one")
        return (folder, references)
    }

    static func body(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    @Test func managerAllocatesACase() async throws {
        let (folder, references) = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("manager.one", .manager)
        try await harness.addUser("esw.two", .esw)
        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let list = try await harness.get(client, "/cases", as: manager)
            #expect(list.status == .ok)
            let html = Self.body(list)
            HTMLChecks.expectAccessible(html)
            #expect(html.contains("Not allocated") && html.contains("esw.one"))
            #expect(!html.contains("Rowan"), "the caseloads name no child")

            let done = try await harness.post(client, "/cases/\(references[1])/allocate", [("esw", "esw.two")], as: manager)
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/cases/\(references[1])?done=allocated")
            let page = Self.body(try await harness.get(client, "/cases/\(references[1])?done=allocated", as: manager))
            #expect(page.contains("The case is allocated."))
            #expect(page.contains("Rowan Example"), "the case's page names the child from the referral")
            HTMLChecks.expectAccessible(page)
        }
        #expect(try harness.console.desk?.deskCase(references[1])?.esw == "esw.two")
        // The case's page is a view of the child's record, logged; the caseloads name no child and are not.
        #expect(try await harness.console.users.views(user: "manager.one").map(\.page) == ["/cases/\(references[1])"])
    }

    @Test func eswAddsANoteAndAnIntervention() async throws {
        let (folder, references) = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let esw = try await harness.signIn(client, "esw.one")
            let list = Self.body(try await harness.get(client, "/cases", as: esw))
            #expect(list.contains(references[0]) && !list.contains(references[1]), "an ESW's caseload is their own")
            let noted = try await harness.post(client, "/cases/\(references[0])/note", [("text", "Spoke to the head of year.")], as: esw)
            #expect(noted.status == .seeOther)
            let intervened = try await harness.post(
                client, "/cases/\(references[0])/intervene",
                [("type", "home_visit"), ("date", "2026-01-12"), ("description", "Visited; mother agreed a support plan.")], as: esw)
            #expect(intervened.status == .seeOther)
            let page = Self.body(try await harness.get(client, "/cases/\(references[0])", as: esw))
            #expect(page.contains("Spoke to the head of year."))
            #expect(page.contains("home visit") && page.contains("Visited; mother agreed a support plan."))
        }
        let desk = try #require(harness.console.desk)
        #expect(try desk.history(of: references[0]).contains { $0.kind == "note" && $0.detail == "Spoke to the head of year." })
        #expect(
            try desk.interventions(of: references[0])
                == [DeskIntervention(date: "2026-01-12", type: "home_visit", description: "Visited; mother agreed a support plan.")])
    }

    @Test func eswIsRefusedAnotherWorkersCase() async throws {
        let (folder, references) = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("esw.two", .esw)
        try await harness.application().test(.router) { client in
            let esw = try await harness.signIn(client, "esw.two")
            #expect(try await harness.get(client, "/cases/\(references[0])", as: esw).status == .forbidden)
            #expect(try await harness.post(client, "/cases/\(references[0])/note", [("text", "Not mine.")], as: esw).status == .forbidden)
            #expect(try await harness.get(client, "/cases/\(references[0])/prosecute", as: esw).status == .forbidden)
        }
        #expect(try harness.console.desk?.history(of: references[0]).contains { $0.kind == "note" } == false)
    }

    @Test func aBadFieldReRendersWithTheErrorSummary() async throws {
        let (folder, references) = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let esw = try await harness.signIn(client, "esw.one")
            let response = try await harness.post(
                client, "/cases/\(references[0])/intervene", [("type", "home_visit"), ("date", "12/01/2026")], as: esw)
            #expect(response.status == .badRequest)
            let html = Self.body(response)
            #expect(html.contains("error-summary"))
            #expect(html.contains(##"<a href="#intervene-date">Date must be a date, YYYY-MM-DD: &#39;12/01/2026&#39; is not.</a>"##))
            #expect(html.contains(#"id="intervene-date-error""#))
            #expect(html.contains(#"value="12/01/2026""#), "the form keeps what was typed")
            HTMLChecks.expectAccessible(html)
        }
        #expect(try harness.console.desk?.interventions(of: references[0]).isEmpty == true)
    }

    @Test func prosecutionPreviewListsEveryRefusal() async throws {
        let (folder, references) = try await Self.desk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("esw.one", .esw)
        let query = "offence=444-1&court=Example%20Magistrates%27%20Court&hearing=2026-03-02&laid_on=2026-02-02"
        let html = try await harness.application().test(.router) { client in
            let esw = try await harness.signIn(client, "esw.one")
            let form = try await harness.get(client, "/cases/\(references[0])/prosecute", as: esw)
            #expect(form.status == .ok)
            HTMLChecks.expectAccessible(Self.body(form))
            let checked = try await harness.get(client, "/cases/\(references[0])/prosecute?\(query)", as: esw)
            #expect(checked.status == .ok)
            return Self.body(checked)
        }
        // What `liaison case prosecute` refuses, from the same function on the same values.
        let expected = try CaseActions.prosecution(
            of: references[0],
            CaseActions.ProsecutionRequest(offence: "444-1", court: "Example Magistrates' Court", hearing: "2026-03-02", laidOn: "2026-02-02"),
            in: try #require(harness.console.desk), rules: { try LegalRules.load(directory: "config/legal") },
            certificateTemplate: ProsecutionFileBuilder.defaultCertificateTemplate
        ).refusals
        #expect(expected.count >= 3)
        #expect(Set(expected.map(\.code)).isSuperset(of: ["statement-not-declared", "no-certificate", "no-register-marks"]))
        for refusal in expected { #expect(html.contains(Self.escaped(refusal.message)), "missing: \(refusal.message)") }
        #expect(html.contains("The Courts would refuse this file"))
        #expect(!html.contains("Send the file to the Courts"), "a refused file has no send button")
        HTMLChecks.expectAccessible(html)
    }
}
