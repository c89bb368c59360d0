import AttendanceDomain
import Foundation
import LegalProcess
import NPASDesk
import Testing

/// A paid penalty notice discharges the parent's liability for its period (s.444A) whichever case it was issued on:
/// a notice paid on an earlier, closed case for the same child and parent bars a prosecution on a later case for an
/// overlapping period, while a notice to someone else stays off the later case's file.
@Suite("Penalty notices on an earlier case and a later prosecution")
struct PenaltyNoticeAcrossCasesTests {
    typealias Fixture = LegalRoutesFixture
    static func day(_ text: String) -> SchoolDate { Fixture.day(text) }

    /// The fixture's case with a notice to the mother for 3 September to 17 October 2025, paid on 10 November and the
    /// case then closed, and a second referral for the same child opening a later case, allocated to an ESW.
    static func laterCase() async throws -> (Fixture, earlier: String, later: DeskCase) {
        let fixture = try await Fixture()
        let earlier = fixture.deskCase.reference
        let prepared = try fixture.routes.prepareNotice(
            for: fixture.deskCase, parent: "C1", on: day("2025-11-03"), period: day("2025-09-03")...day("2025-10-17"), officer: "E. Worker")
        try fixture.routes.record(prepared, receipt: "hub sequence 1")
        try fixture.routes.pay(prepared.notice.noticeReference, on: earlier, paidOn: day("2025-11-10"))
        try fixture.store.setStatus(earlier, "closed", detail: "attendance improved after the notice was paid")

        let body = try String(contentsOfFile: "\(Fixture.repository)/schemas/examples/referral/valid-1.json", encoding: .utf8)
        try await fixture.store.storeReferral(messageID: "referral-2", source: "schools-mis", body: Array(body.utf8))
        let later = try #require(try fixture.store.cases().first { $0.reference != earlier })
        try fixture.store.allocate(later.reference, esw: "E. Worker")
        return (fixture, earlier, try #require(try fixture.store.deskCase(later.reference)))
    }

    static func refusals(_ fixture: Fixture, _ deskCase: DeskCase) throws -> [ProsecutionFileBuilder.Refusal] {
        let builder = ProsecutionFileBuilder(
            offence: "444(1)", court: "Example Magistrates' Court", hearingDate: "2026-01-20", periodStart: "2025-09-03", periodEnd: "2025-10-17",
            prosecutor: "Example County Council", declared: true, certifiedBy: "H. Teacher, Headteacher", certifiedOn: "2025-11-24",
            laidOn: "2025-12-08", costs: [("Officer time", 9000)], framework: fixture.routes.rules.penaltyNotices)
        let reference = deskCase.reference
        return builder.refusals(
            case: deskCase, interventions: try fixture.store.interventions(of: reference),
            marks: try fixture.store.marks(upn: deskCase.upn, laestab: deskCase.laestab), defendants: try fixture.store.defendants(of: reference),
            penaltyNotices: try fixture.store.prosecutionNotices(of: reference, framework: fixture.routes.rules.penaltyNotices))
    }

    @Test func aNoticePaidOnAnEarlierClosedCaseBarsTheParentsProsecution() async throws {
        let (fixture, _, later) = try await Self.laterCase()
        defer { fixture.remove() }
        try fixture.store.chooseDefendant(
            later.reference, contact: 1, dateOfBirth: "1985-06-21", hasCare: true, by: "E. Worker", reason: "Kai lives with her")

        let notices = try fixture.store.prosecutionNotices(of: later.reference, framework: fixture.routes.rules.penaltyNotices)
        #expect(notices.map(\.reference) == ["PN-2025-0001"], "the earlier case's notice is the mother's on this case too")
        #expect(notices.first?.defendantNumber == 1 && notices.first?.status == "paid" && notices.first?.amountPence == 8000)

        let refusals = try Self.refusals(fixture, later)
        #expect(refusals.map(\.code) == ["penalty-notice-covers"], "\(refusals)")
        #expect(refusals.first?.message.contains("2025-09-03 to 2025-10-17") == true, "\(refusals)")
    }

    @Test func anEarlierCasesNoticeToAnotherParentIsNotTheDefendants() async throws {
        let (fixture, _, later) = try await Self.laterCase()
        defer { fixture.remove() }
        // Only the step-father, a parent by care, is prosecuted on the later case: the mother's notice is not his.
        let chosen = try fixture.store.chooseDefendant(
            later.reference, contact: 2, dateOfBirth: "1982-01-09", hasCare: true, by: "E. Worker", reason: "Kai lives with him")
        #expect(chosen.reference == "D2")
        #expect(try fixture.store.prosecutionNotices(of: later.reference, framework: fixture.routes.rules.penaltyNotices).isEmpty)
        #expect(try Self.refusals(fixture, later).map(\.code).isEmpty)
    }
}
