import AttendanceDomain
import Foundation
import LegalProcess
import NPASDesk
import Testing

/// A penalty notice (s.444A) can be issued only where a s.444 offence could be: the child must be of compulsory
/// school age on every day the notice covers, whatever the worker's reason for issuing below the threshold.
@Suite("The desk's penalty notices: compulsory school age")
struct PenaltyNoticeSchoolAgeTests {
    typealias Fixture = LegalRoutesFixture
    static let issued = Fixture.day("2025-11-03")

    /// The fixture with the referral's child born on `dateOfBirth` (nil: the referral gives no date of birth).
    static func fixture(dateOfBirth: String?) async throws -> Fixture {
        var referral = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(
            fileURLWithPath: "\(Fixture.repository)/schemas/examples/referral/valid-1.json"))) as? [String: Any])
        var pupil = try #require(referral["pupil"] as? [String: Any])
        pupil["date_of_birth"] = dateOfBirth
        referral["pupil"] = pupil
        return try await Fixture(referral: String(decoding: try JSONSerialization.data(withJSONObject: referral), as: UTF8.self))
    }

    @Test(arguments: [
        ("2020-09-15", "2025-12-31"),  // four in the autumn term: of compulsory school age from 31 December 2025
        ("2009-08-31", "2025-06-27"),  // sixteen in August 2025: left on the last Friday of June 2025
    ])
    func aChildNotOfCompulsorySchoolAgeGetsNoNotice(_ dateOfBirth: String, _ boundary: String) async throws {
        let fixture = try await Self.fixture(dateOfBirth: dateOfBirth)
        defer { fixture.remove() }
        #expect(try fixture.routes.threshold(for: fixture.deskCase, on: Self.issued).assessment.met, "the absence alone would justify one")
        #expect {
            try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker")
        } throws: { error in
            (error as? LegalRouteError)?.code == .notOfCompulsorySchoolAge && "\(error)".contains(boundary)
        }
        // The worker's reason for issuing below the threshold does not make an offence.
        #expect {
            try fixture.routes.prepareNotice(
                for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker", despiteThreshold: "term-time holiday")
        } throws: { ($0 as? LegalRouteError)?.code == .notOfCompulsorySchoolAge }
        #expect(try fixture.store.penaltyNotices(upn: Fixture.upn).isEmpty)
    }

    @Test func aChildWhoseFifthBirthdayIsAPrescribedDayIsOfAgeFromThatDay() async throws {
        // Five on 31 August 2025: of compulsory school age from that day, so the autumn term is covered.
        let fixture = try await Self.fixture(dateOfBirth: "2020-08-31")
        defer { fixture.remove() }
        // The default period, the threshold's 10 school weeks to 3 November, reaches back to 14 July: not covered.
        #expect {
            try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker")
        } throws: { ($0 as? LegalRouteError)?.code == .notOfCompulsorySchoolAge && "\($0)".contains("2025-07-14 to 2025-11-03") }
        let prepared = try fixture.routes.prepareNotice(
            for: fixture.deskCase, parent: "C1", on: Self.issued, period: Fixture.day("2025-08-31")...Fixture.day("2025-10-31"), officer: "E. Worker")
        #expect(prepared.notice.noticeReference == "PN-2025-0001")
        #expect {
            try fixture.routes.prepareNotice(
                for: fixture.deskCase, parent: "C1", on: Self.issued, period: Fixture.day("2025-08-30")...Fixture.day("2025-10-31"), officer: "E. Worker")
        } throws: { ($0 as? LegalRouteError)?.code == .notOfCompulsorySchoolAge }
    }

    @Test func theWholePeriodCoveredMustBeOfCompulsorySchoolAge() async throws {
        // Five on 15 October 2025: of compulsory school age from 31 December 2025.
        let fixture = try await Self.fixture(dateOfBirth: "2020-10-15")
        defer { fixture.remove() }
        let day = Fixture.day("2026-01-12")
        #expect {
            try fixture.routes.prepareNotice(
                for: fixture.deskCase, parent: "C1", on: day, period: Fixture.day("2025-12-30")...Fixture.day("2026-01-09"), officer: "E. Worker",
                despiteThreshold: "absence since the new year")
        } throws: { ($0 as? LegalRouteError)?.code == .notOfCompulsorySchoolAge && "\($0)".contains("2025-12-30 to 2026-01-09") }
        let prepared = try fixture.routes.prepareNotice(
            for: fixture.deskCase, parent: "C1", on: day, period: Fixture.day("2025-12-31")...Fixture.day("2026-01-09"), officer: "E. Worker",
            despiteThreshold: "absence since the new year")
        #expect(prepared.notice.period.lowerBound == Fixture.day("2025-12-31"))
    }

    @Test func aReferralWithoutTheChildsDateOfBirthIsRefused() async throws {
        let fixture = try await Self.fixture(dateOfBirth: nil)
        defer { fixture.remove() }
        #expect {
            try fixture.routes.prepareNotice(for: fixture.deskCase, parent: "C1", on: Self.issued, officer: "E. Worker")
        } throws: { ($0 as? LegalRouteError)?.code == .noChildDateOfBirth }
    }
}
