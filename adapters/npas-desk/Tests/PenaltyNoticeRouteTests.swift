import AttendanceDomain
import Foundation
import JSONSchema
import StrictJSON
import LegalProcess
import NPASDesk
import Testing

/// Penalty notices as the desk issues, records and follows them, on fixed days: the threshold, the notice sent
/// to the school, payment at each boundary (21 and 28 days), withdrawal, the third notice refused, and the
/// 28-day readiness for prosecution.
@Suite("The desk's penalty notices")
struct PenaltyNoticeRouteTests {
    typealias Fixture = LegalRoutesFixture
    static let issued = Fixture.day("2025-11-03")

    @Test func aNoticeIsIssuedWithTheFrameworksTermsAndABodyTheSchemaAccepts() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let (assessment, first) = try fixture.routes.threshold(for: fixture.deskCase, on: Self.issued)
        #expect(assessment.met && assessment.unauthorisedSessions == 12)
        #expect(first == Fixture.day("2025-09-29"), "the tenth unauthorised session is on 29 September")

        let prepared = try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker")
        #expect(prepared.notice.noticeReference == "PN-2025-0001")
        #expect(prepared.messageID == "penalty-notice-PN-2025-0001", "the id names the notice, never the child")
        #expect(prepared.terms.deadlines.map(\.pence) == [8000, 16000])
        #expect(prepared.terms.deadlines.map(\.lastDay) == [Fixture.day("2025-11-24"), Fixture.day("2025-12-01")])
        let body = try JSONValue.parse(prepared.body)
        let schema = try JSONValue.parse(String(contentsOfFile: "\(Fixture.repository)/schemas/penalty.notice.schema.json", encoding: .utf8))
        let problems = try SchemaValidator(schema: schema).validate(body)
        #expect(problems.isEmpty, "\(problems)")
        #expect(body["parent"]?["forename"]?.stringValue == "Anne" && body["parent"]?["reference"]?.stringValue == "C1")
        #expect(body["parent"]?["address"]?["postcode"]?.stringValue == "NR19 1ZZ", "the mother lives with the child: the child's address")
        #expect(body["unauthorised_sessions"]?.numberValue == 12)

        try fixture.routes.record(prepared, receipt: "hub sequence 7")
        let notices = try fixture.store.penaltyNotices(of: fixture.deskCase.reference)
        #expect(notices.map(\.noticeReference) == ["PN-2025-0001"] && notices[0].status == .unpaid)
        let intervention = try #require(try fixture.store.interventions(of: fixture.deskCase.reference).first { $0.type == "penalty_notice" })
        #expect(intervention.amountPence == 8000 && intervention.description?.contains("PN-2025-0001") == true)
        #expect(try fixture.store.history(of: fixture.deskCase.reference).contains { $0.kind == "penalty-notice" && $0.detail.contains("hub sequence 7") })
    }

    @Test func belowTheThresholdANoticeNeedsTheWorkersReason() async throws {
        let fixture = try await Fixture(unauthorised: ["2025-09-15", "2025-09-16", "2025-09-22", "2025-09-23"])
        defer { fixture.remove() }
        #expect {
            try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker")
        } throws: { ($0 as? LegalRouteError)?.code == .thresholdNotMet && "\($0)".contains("8 unauthorised session(s)") }
        let prepared = try fixture.routes.prepareNotice(
            for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker", despiteThreshold: "Term-time holiday of four days.")
        #expect(prepared.text.contains("Term-time holiday of four days."))
    }

    @Test func aParentTheCaseDoesNotHaveIsRefused() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        #expect { try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C9", on: Self.issued, officer: "E. Worker") } throws: {
            ($0 as? LegalRouteError)?.code == .unknownParent
        }
        #expect { try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "D1", on: Self.issued, officer: "E. Worker") } throws: {
            ($0 as? LegalRouteError)?.code == .unknownParent
        }
    }

    /// Issues and records a notice on `day` to the mother.
    @discardableResult
    func issue(_ fixture: Fixture, on day: SchoolDate) throws -> DeskPenaltyNotice {
        let prepared = try fixture.routes.prepareNotice(
            for: fixture.deskCase, parent: "C1", on: day, officer: "E. Worker", despiteThreshold: "later notice in the test")
        try fixture.routes.record(prepared, receipt: "hub sequence 1")
        return prepared.notice
    }

    @Test(arguments: [("2025-11-24", 8000), ("2025-11-25", 16000), ("2025-12-01", 16000)])
    func paymentIsTheAmountDueOnTheDay(_ paidOn: String, _ pence: Int) async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let notice = try issue(fixture, on: Self.issued)
        let paid = try fixture.routes.pay(notice.noticeReference, on: fixture.deskCase.reference, paidOn: Fixture.day(paidOn))
        #expect(paid.pence == pence)
        let stored = try fixture.store.penaltyNotices(of: fixture.deskCase.reference)[0]
        #expect(stored.status == .paid && stored.amountPaidPence == pence && stored.paidOn == Fixture.day(paidOn))
        let status = try fixture.routes.status(of: fixture.deskCase, on: Fixture.day("2026-01-05"))
        #expect(status.ready.isEmpty && status.lines[0].contains("paid"), "\(status)")
    }

    @Test func aPaymentAfterDay28IsRefusedAndTheCaseIsReadyForProsecution() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let notice = try issue(fixture, on: Self.issued)
        #expect { try fixture.routes.pay(notice.noticeReference, on: fixture.deskCase.reference, paidOn: Fixture.day("2025-12-02")) } throws: {
            ($0 as? LegalRouteError)?.code == .notPayable && "\($0)".contains("2025-12-01")
        }
        // Day 28 is still in time; day 29 is not.
        let onDay28 = try fixture.routes.status(of: fixture.deskCase, on: Fixture.day("2025-12-01"))
        #expect(onDay28.ready.isEmpty && onDay28.lines[0].contains("£160.00 due by 2025-12-01"), "\(onDay28)")
        let onDay21 = try fixture.routes.status(of: fixture.deskCase, on: Fixture.day("2025-11-24"))
        #expect(onDay21.lines[0].contains("£80.00 due by 2025-11-24"), "\(onDay21)")
        let onDay29 = try fixture.routes.status(of: fixture.deskCase, on: Fixture.day("2025-12-02"))
        #expect(onDay29.ready == ["ready for prosecution: penalty notice PN-2025-0001 unpaid since 2025-12-02"])
        // Noted once in the case's history, which `liaison case show` prints.
        _ = try fixture.routes.status(of: fixture.deskCase, on: Fixture.day("2025-12-03"))
        let noted = try fixture.store.history(of: fixture.deskCase.reference).filter { $0.kind == "ready-for-prosecution" }
        #expect(noted.count == 1 && noted[0].detail.contains("PN-2025-0001"))
    }

    @Test func aWithdrawnNoticeDoesNotCountAndCannotBePaid() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let notice = try issue(fixture, on: Self.issued)
        try fixture.routes.withdraw(notice.noticeReference, on: fixture.deskCase.reference, date: Fixture.day("2025-11-10"), reason: "Sent to the wrong address.")
        #expect { try fixture.routes.pay(notice.noticeReference, on: fixture.deskCase.reference, paidOn: Fixture.day("2025-11-12")) } throws: {
            ($0 as? LegalRouteError)?.code == .noticeDecided
        }
        #expect(try fixture.routes.status(of: fixture.deskCase, on: Fixture.day("2026-01-05")).ready.isEmpty)
        let next = try issue(fixture, on: Fixture.day("2025-11-12"))
        #expect(next.sequence == 1, "a withdrawn notice never counts towards the limit")
    }

    @Test func anUndecidedNoticeBarsAnotherAndAThirdWithinThreeYearsIsRefused() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let first = try issue(fixture, on: Self.issued)
        #expect { try issue(fixture, on: Fixture.day("2025-11-10")) } throws: {
            ($0 as? LegalRouteError)?.refusal?.code == .previousNoticeUndecided
        }
        try fixture.routes.pay(first.noticeReference, on: fixture.deskCase.reference, paidOn: Fixture.day("2025-11-20"))
        let second = try fixture.routes.prepareNotice(
            for: fixture.deskCase, parent: "C1", on: Fixture.day("2025-12-08"), officer: "E. Worker", despiteThreshold: "second notice")
        #expect(second.terms.sequence == 2 && second.terms.deadlines.map(\.pence) == [16000], "a second notice is £160 with no reduction")
        try fixture.routes.record(second, receipt: "hub sequence 2")
        #expect(try fixture.routes.pay(second.notice.noticeReference, on: fixture.deskCase.reference, paidOn: Fixture.day("2025-12-10")).pence == 16000)
        #expect { try issue(fixture, on: Fixture.day("2026-01-12")) } throws: { error in
            guard let error = error as? LegalRouteError else { return false }
            return error.code == .noticeRefused && error.refusal?.code == .limitReached && error.message.contains("2028-11-04")
        }
        // A contact with neither parental responsibility nor care recorded is not a parent (s.576).
        #expect { try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C2", on: Fixture.day("2026-01-12"), officer: "E. Worker") } throws: {
            ($0 as? LegalRouteError)?.code == .notAParent
        }
    }
}
