import AttendanceDomain
import Foundation
import LegalProcess
import NPASDesk
import Testing

/// The school attendance order's documents (Education Act 1996 s.437): the notice to the parent and the order,
/// held to golden files (`LIAISON_UPDATE_GOLDEN=1` rewrites them; then read the diff).
@Suite("School attendance order documents")
struct AttendanceOrderDocumentTests {
    typealias Fixture = LegalRoutesFixture

    /// The case with its notice (3 November 2025, to C1) and order (19 November, naming 9264002) recorded, and the
    /// two documents; the case's reference depends on today, so it is fixed here as the ESO pack's test does.
    static func documents(reference: String = "NPAS-2025-0043") async throws -> (AttendanceOrderDocument, AttendanceOrderDocument) {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let (routes, item) = (fixture.routes, fixture.deskCase)
        let noticeID = try routes.serveAttendanceOrderNotice(for: item, parent: "C1", served: Fixture.day("2025-11-03"), description: nil)
        let orderID = try routes.makeAttendanceOrder(for: item, school: "9264002", date: Fixture.day("2025-11-19"), description: nil)
        let recorded = try fixture.store.legalRoutes(of: item.reference)
        let notice = try #require(recorded.first { $0.id == noticeID }), order = try #require(recorded.first { $0.id == orderID })
        var deskCase = try #require(try fixture.store.deskCase(item.reference))
        deskCase.reference = reference
        let parent = try CaseParent(parent: "C1", in: deskCase, defendants: [])
        let rules = routes.rules.schoolAttendanceOrders
        return (
            AttendanceOrderDocument(kind: .notice, deskCase: deskCase, route: notice, parent: parent, rules: rules, officer: "E. Worker"),
            AttendanceOrderDocument(
                kind: .order, deskCase: deskCase, route: order, notice: notice, parent: parent, rules: rules, officer: "E. Worker",
                schoolName: "Example Academy")
        )
    }

    @Test func theNoticeToTheParentMatchesItsGoldenFiles() async throws {
        let (notice, _) = try await Self.documents()
        let html = notice.html()
        #expect(notice.fileBase == "sao-notice-NPAS-2025-0043")
        #expect(html.contains("Notice under section 437(1) of the Education Act 1996"))
        #expect(html.contains("is not receiving suitable education"), "the authority's view")
        #expect(html.contains("by the end of 18 November 2025 (15 days from 3 November 2025"), "the period from config, counted from service")
        #expect(html.contains("How to answer") && html.contains("quoting case NPAS-2025-0043"))
        #expect(html.contains("from 19 November 2025 serve on you a school attendance order") && html.contains("offence (section 443)"), "the consequence")
        #expect(html.contains("Ms Anne Example"), "addressed to the parent")
        let json = String(decoding: try notice.jsonData(), as: UTF8.self)
        #expect(json.contains(#""respond_by" : "2025-11-18""#) && json.contains(#""notice_period_days" : 15"#))
        try LegalRoutesTests.compare(json, golden: "sao-notice.json")
        try LegalRoutesTests.compare(html, golden: "sao-notice.html")
    }

    @Test func theOrderNamesTheSchoolAndMatchesItsGoldenFiles() async throws {
        let (_, order) = try await Self.documents()
        let html = order.html()
        #expect(order.fileBase == "sao-order-NPAS-2025-0043")
        #expect(html.contains("School attendance order: section 437(3)"))
        #expect(html.contains("a registered pupil at Example Academy (LAESTAB 9264002) by the end of 4 December 2025"), "the school and the compliance period")
        #expect(html.contains("served notice on you under section 437(1) on 3 November 2025, giving you until 18 November 2025"))
        #expect(html.contains("offence (section 443)"))
        let json = String(decoding: try order.jsonData(), as: UTF8.self)
        #expect(json.contains(#""comply_by" : "2025-12-04""#) && json.contains(#""laestab" : "9264002""#))
        try LegalRoutesTests.compare(json, golden: "sao-order.json")
        try LegalRoutesTests.compare(html, golden: "sao-order.html")
    }

    /// A document's file name is the desk's case reference with anything but capitals, digits and `-` made `-`:
    /// never a path, never the sender's text.
    @Test func aFileNameCannotLeaveTheFolder() async throws {
        let (notice, order) = try await Self.documents(reference: "../../etc/X Y")
        #expect(notice.fileBase == "sao-notice-" + String(repeating: "-", count: 10) + "X-Y")
        #expect(!order.fileBase.contains("/") && !order.fileBase.contains("."))
    }

    /// The notice's period comes from config: a longer period there is a longer period in the letter.
    @Test func theNoticePeriodIsTheConfiguredOne() async throws {
        let (notice, _) = try await Self.documents()
        let longer = AttendanceOrderDocument(
            kind: .notice, deskCase: notice.deskCase, route: notice.route, parent: notice.parent,
            rules: SchoolAttendanceOrder(noticePeriodDays: 20), officer: "E. Worker")
        #expect(longer.html().contains("by the end of 23 November 2025 (20 days from 3 November 2025"))
    }
}
