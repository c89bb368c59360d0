import AttendanceDomain
import CourtsAdapter
import Foundation
import Hummingbird
import HummingbirdTesting
import LegalProcess
import LiaisonTestSupport
import NIOCore
import NPASDesk
import StrictJSON
import Testing

@testable import LiaisonConsole

/// The casework pages through the router: allocation, notes and interventions reaching the desk's store and the
/// timeline, an ESW refused another worker's case, a form's errors, the prosecution check's refusals (the same
/// ``CaseActions`` function `liaison case prosecute` runs), and the bundle it shows: the Courts' adapter's own documents.
@Suite struct CaseworkPagesTests {
    /// The desk folders this test makes, removed when it ends.
    let temporary = TemporaryFolders()

    /// A desk folder with two cases (synthetic children): the first allocated to `esw.one`, the second to nobody.
    func desk() async throws -> (folder: String, references: [String]) {
        let folder = try temporary.make("casework-desk", create: false).path
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
        let (folder, references) = try await desk()
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
        let (folder, references) = try await desk()
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
        let (folder, references) = try await desk()
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
        let (folder, references) = try await desk()
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
        let (folder, references) = try await desk()
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
        #expect(!html.contains("<iframe") && !html.contains("/prosecute/bundle/"), "a refused file shows no bundle")
        HTMLChecks.expectAccessible(html)
    }

    // MARK: The bundle as the clerk will see it

    /// The first half term of autumn 2025's school days.
    static let halfTerm: [String] = {
        var days: [String] = [], date = SchoolDate(year: 2025, month: 9, day: 1)!
        while date <= SchoolDate(year: 2025, month: 10, day: 17)! {
            if !date.isWeekend { days.append(date.description) }
            date = date.adding(days: 1)
        }
        return days
    }()

    /// A desk whose one case (Kai, synthetic, allocated to `esw.one`) can be prosecuted under s.444(1): the school's
    /// return for the half term (every fourth day missed without authority), a warning notice, and his mother chosen
    /// as the defendant.
    func prosecutableDesk() async throws -> (folder: String, reference: String) {
        let folder = try temporary.make("casework-bundle", create: false).path
        let store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        let upn = "A926400100001"
        let referral: [String: Any] = [
            "school": ["laestab": "9264001", "name": "Example High School"],
            "pupil": [
                "upn": upn, "forename": "Kai", "surname": "Example", "date_of_birth": "2013-05-14", "year_group": "7",
                "address": ["lines": ["12 Example Street", "Exampleton"], "postcode": "ZZ1 1ZZ"],
            ],
            "reason": ["category": "persistent_absence", "details": "Synthetic referral for the console's tests."],
            "contacts": [[
                "order": 1, "title": "Ms", "forename": "Anne", "surname": "Example", "relationship": "mother", "parental_responsibility": true,
                "address_as_pupil": true,
            ]],
        ]
        try await store.storeReferral(messageID: "referral-kai", source: "schools-mis", body: Array(try JSONSerialization.data(withJSONObject: referral)))
        var days: [String: JSONValue] = [:], codes: [String: Int] = [:]
        for (index, day) in Self.halfTerm.enumerated() {
            let (am, pm) = index % 4 == 3 ? ("O", "O") : ("/", "\\")
            days[day] = .object(["am": .string(am), "pm": .string(pm)])
            for code in [am, pm] { codes[code, default: 0] += 1 }
        }
        let body: JSONValue = .object([
            "school": .object(["laestab": .string("9264001"), "name": .string("Example High School")]),
            "period": .object([
                "academic_year": .number(2025), "half_term": .number(1), "start_date": .string("2025-09-01"), "end_date": .string("2025-10-17"),
            ]),
            "pupils": .array([.object([
                "upn": .string(upn), "sessions_possible": .number(Double(2 * Self.halfTerm.count)), "year_group": .string("7"),
                "codes": .object(codes.mapValues { .number(Double($0)) }), "marks": .object(days),
            ])]),
        ])
        try await store.store(try #require(ReturnRows(body)), messageID: "return-9264001")
        let reference = try #require(try store.cases().first?.reference)
        try store.allocate(reference, esw: "esw.one")
        try store.add(
            DeskIntervention(date: "2025-10-01", type: "warning_notice", description: "Warning notice of possible prosecution (synthetic)."), to: reference)
        try store.chooseDefendant(
            reference, contact: 1, dateOfBirth: "1985-06-21", hasCare: true, by: "esw.one", reason: "Kai lives with her; she had the warning notice.")
        return (folder, reference)
    }

    /// The check's values for a file nothing stops, as the form sends them.
    static let prosecutable: [(String, String)] = [
        ("offence", "444-1"), ("court", "Example Magistrates' Court"), ("hearing", "2026-01-20"), ("laid_on", "2025-12-01"), ("declare", "yes"),
        ("certified_by", "H. Teacher, Headteacher"), ("certified_on", "2025-11-20"), ("costs", "Officer time:12000"),
    ]

    static func query(_ values: [(String, String)]) -> String {
        values.map { "\($0.0)=\(ConsoleHarness.encode($0.1))" }.joined(separator: "&")
    }

    /// The bundle documents' addresses on the check's page, in order (`&amp;` as `&`).
    static func bundleLinks(_ html: String) -> [String] {
        HTMLChecks.matches(#"<a class="link" href="(/cases/[^"]+/prosecute/bundle/[0-9]+[^"]*)""#, in: html)
            .compactMap(\.first).map { $0.replacingOccurrences(of: "&amp;", with: "&") }
    }

    @Test func thePreviewShowsTheCourtsOwnBundle() async throws {
        let (folder, reference) = try await prosecutableDesk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("esw.one", .esw)
        // The Courts' adapter's own documents for the file `liaison case prosecute` would send on the same values.
        let draft = try CaseActions.prosecution(
            of: reference,
            CaseActions.ProsecutionRequest(
                offence: "444-1", court: "Example Magistrates' Court", hearing: "2026-01-20", laidOn: "2025-12-01", declared: true,
                certifiedBy: "H. Teacher, Headteacher", certifiedOn: "2025-11-20", costs: ["Officer time:12000"]),
            in: try #require(harness.console.desk), rules: { try LegalRules.load(directory: "config/legal") },
            certificateTemplate: ProsecutionFileBuilder.defaultCertificateTemplate)
        #expect(draft.refusals.isEmpty, "\(draft.refusals.map(\.message))")
        let expected = try CourtBundle.printableDocuments(body: try #require(draft.file)).map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(expected.count == 3)

        let (preview, links, documents, policies, beyond) = try await harness.application().test(.router) { client in
            let esw = try await harness.signIn(client, "esw.one")
            let checked = try await harness.get(client, "/cases/\(reference)/prosecute?\(Self.query(Self.prosecutable))", as: esw)
            #expect(checked.status == .ok)
            #expect(checked.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "the console's own pages are never framed")
            let html = Self.body(checked)
            let links = Self.bundleLinks(html)
            var documents: [String] = [], policies: [(String?, String?)] = []
            for link in links {
                let response = try await harness.get(client, link, as: esw)
                #expect(response.status == .ok)
                documents.append(Self.body(response))
                policies.append((response.headers[.contentSecurityPolicy], response.headers[ConsoleSessionMiddleware.frameOptions]))
            }
            let beyond = try await harness.get(client, "/cases/\(reference)/prosecute/bundle/\(links.count + 1)?\(Self.query(Self.prosecutable))", as: esw)
            #expect(try await harness.get(client, "/cases/\(reference)/prosecute/bundle/..%2Fdesk.sqlite", as: esw).status == .notFound)
            return (html, links, documents, policies, beyond.status)
        }
        #expect(preview.contains("Nothing stops this file"))
        #expect(preview.contains(#"<iframe class="bundle-document" title="Prosecution file, as the clerk will see it""#))
        HTMLChecks.expectAccessible(preview)
        #expect(links.count == 3)
        #expect(documents == expected, "each document is the Courts' adapter's rendering, byte for byte")
        let file = try #require(documents.first)
        #expect(file.contains("Education Act 1996, section 444(1): being the parent of a child of compulsory school age"), "the offence as the Courts word it")
        #expect(file.contains("Example High School (LAESTAB 9264001)"), "the child's school")
        #expect(file.contains("Warning notice of possible prosecution (synthetic)."))
        #expect(documents.count == 3 && documents[1].contains("<h1>Certificate of attendance</h1>") && documents[2].contains("<h1>Witness statement</h1>"))
        for (policy, framing) in policies {
            #expect(policy == CaseworkViews.documentPolicy && policy?.contains("frame-ancestors 'self'") == true)
            #expect(framing == "SAMEORIGIN")
        }
        #expect(beyond == .notFound)
        #expect(!preview.contains("Education Act 1996, section 444(1): failing"), "no wording of the console's own")
        // Nothing was sent or recorded: the case is not in legal action; every view of the child's bundle is logged.
        #expect(try harness.console.desk?.deskCase(reference)?.status == "open")
        let pages = try await harness.console.users.views(user: "esw.one").map(\.page)
        #expect(Set(pages) == Set(["/cases/\(reference)/prosecute"] + (1...3).map { "/cases/\(reference)/prosecute/bundle/\($0)" }))
    }

    @Test func theBundleIsRefusedToAnotherWorkerAndForARefusedFile() async throws {
        let (folder, reference) = try await prosecutableDesk()
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("esw.two", .esw)
        try await harness.addUser("esw.one", .esw)
        try await harness.application().test(.router) { client in
            let other = try await harness.signIn(client, "esw.two")
            let path = "/cases/\(reference)/prosecute/bundle/1?\(Self.query(Self.prosecutable))"
            #expect(try await harness.get(client, path, as: other).status == .forbidden)
            #expect(try await harness.get(client, path, as: nil).status == .seeOther, "signed out: to the sign-in page")
            // Undeclared, the file is refused: the check lists why, and its bundle has no document.
            let esw = try await harness.signIn(client, "esw.one")
            let undeclared = Self.query(Self.prosecutable.filter { $0.0 != "declare" })
            let refused = try await harness.get(client, "/cases/\(reference)/prosecute/bundle/1?\(undeclared)", as: esw)
            #expect(refused.status == .conflict)
            #expect(Self.body(refused).contains("would be refused"))
            let check = Self.body(try await harness.get(client, "/cases/\(reference)/prosecute?\(undeclared)", as: esw))
            #expect(check.contains("statement-not-declared") && Self.bundleLinks(check).isEmpty)
        }
        #expect(try await harness.console.users.views(user: "esw.two").isEmpty)
        #expect(try await harness.console.users.views(user: "esw.one").isEmpty, "no bundle was shown, so no view of it")
    }
}
