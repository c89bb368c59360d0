import AttendanceDomain
import Testing

@testable import MonitoringReports

/// The awards' rules worked by hand on crafted pupils: the edges are exactly at the minimum sessions, exactly at the
/// minimum improvement, a pupil who changed school during the year, and a pupil with no figures last year.
@Suite("Awards: who earns full attendance and most improved")
struct AwardsSelectionTests {
    static let rules = AwardsRules(
        fullAttendance: .init(minimumSessions: 350, aeaCountsAsPresent: true),
        mostImproved: .init(minimumImprovementTenths: 50, minimumSessionsThisYear: 190, minimumSessionsLastYear: 190, maximumPerSchool: nil))

    /// Figures from sessions per code: `/` present, `B` approved educational activity, `I` authorised, `O`
    /// unauthorised, `-` no mark.
    static func figures(_ counts: [String: Int]) -> PupilFigures { PupilFigures(codeCounts: counts) }

    static func school(_ pupils: [String: PupilFigures], lastYear: [String: PupilFigures] = [:], rules: AwardsRules = rules)
        -> AwardsSelection.School
    {
        AwardsSelection.select(thisYear: ["9262001": pupils], lastYear: lastYear, rules: rules)[0]
    }

    @Test func fullAttendanceStartsExactlyAtTheMinimumSessions() {
        let school = Self.school([
            "A926200124001": Self.figures(["/": 350]),  // exactly 350: awarded
            "B926200124001": Self.figures(["/": 349]),  // one short
            "C926200124001": Self.figures(["/": 370]),
        ])
        #expect(school.fullAttendance.map(\.upn) == ["A926200124001", "C926200124001"])
        #expect(school.fullAttendance[0].figures.possible == 350)
        #expect(school.pupilsConsidered == 3)
    }

    @Test func anyAbsenceOrAMissingMarkOrAnUnknownCodeLosesFullAttendance() {
        let school = Self.school([
            "A926200124001": Self.figures(["/": 369, "I": 1]),  // one authorised absence
            "B926200124001": Self.figures(["/": 369, "O": 1]),  // one unauthorised
            "C926200124001": Self.figures(["/": 370, "-": 1]),  // a session with no mark: not a complete register
            "D926200124001": Self.figures(["/": 370, "ZZ": 1]),  // a code nobody knows
            "E926200124001": Self.figures(["/": 370, "#": 10]),  // school closed: not a possible session, no absence
        ])
        #expect(school.fullAttendance.map(\.upn) == ["E926200124001"])
    }

    @Test func approvedEducationalActivityCountsAsPresentUnlessTheRulesSayNot() {
        let pupils = ["A926200124001": Self.figures(["/": 340, "B": 10])]
        #expect(Self.school(pupils).fullAttendance.map(\.upn) == ["A926200124001"])
        var strict = Self.rules
        strict.fullAttendance.aeaCountsAsPresent = false
        #expect(Self.school(pupils, rules: strict).fullAttendance.isEmpty)
    }

    @Test func anImprovementExactlyAtTheMinimumEarnsItAndOneTenthLessDoesNot() throws {
        // 85.0% last year, 90.0% this year: exactly 5.0 points. 89.5% is 4.5.
        let last = Self.figures(["/": 170, "I": 30])
        let school = Self.school(
            ["A926200124001": Self.figures(["/": 180, "I": 20]), "B926200124001": Self.figures(["/": 179, "I": 21])],
            lastYear: ["A926200124001": last, "B926200124001": last])
        #expect(school.mostImproved.map(\.upn) == ["A926200124001"])
        let award = try #require(school.mostImproved.first)
        #expect(award.improvementPoints == 5.0 && award.lastYear.possible == 200 && award.thisYear.attended == 180)
    }

    @Test func exactlyFivePointsCountsEvenWhereDoublesWouldSay4Point999() {
        // 51.5% to 56.5%: exactly 5 points, but 113/200*100 - 103/200*100 is 4.999999999999993 in Double.
        let this: Double = 113.0 / 200 * 100, last: Double = 103.0 / 200 * 100
        #expect(this - last < 5.0)
        let school = Self.school(
            ["A926200124001": Self.figures(["/": 113, "O": 87])], lastYear: ["A926200124001": Self.figures(["/": 103, "O": 97])])
        #expect(school.mostImproved.map(\.upn) == ["A926200124001"])
    }

    @Test func bothYearsNeedTheirMinimumSessionsExactlyAtTheMinimumIncluded() {
        let school = Self.school(
            [
                "A926200124001": Self.figures(["/": 190]),  // 100% on exactly 190 this year, from 80% on exactly 190 last year
                "B926200124001": Self.figures(["/": 189]),  // one session short this year
                "C926200124001": Self.figures(["/": 300]),  // last year one short
            ],
            lastYear: [
                "A926200124001": Self.figures(["/": 152, "O": 38]), "B926200124001": Self.figures(["/": 152, "O": 38]),
                "C926200124001": Self.figures(["/": 151, "O": 38]),
            ])
        #expect(school.mostImproved.map(\.upn) == ["A926200124001"])
    }

    @Test func aPupilWithoutLastYearCanHaveFullAttendanceButCannotBeMostImproved() {
        let school = Self.school(["A926200124001": Self.figures(["/": 370])], lastYear: [:])
        #expect(school.fullAttendance.map(\.upn) == ["A926200124001"])
        #expect(school.mostImproved.isEmpty)
    }

    @Test func aPupilWhoChangedSchoolIsJudgedAtEachOnTheSessionsThere() {
        // 150 sessions at the first school and 220 at the second, all present: 370 in the year, but neither school
        // holds 350, so no full attendance. Last year 80%: at the second school (220 >= 190) the pupil is most
        // improved by 20 points; at the first (150 < 190) not.
        let selected = AwardsSelection.select(
            thisYear: [
                "9262001": ["A926200124001": Self.figures(["/": 150])],
                "9262002": ["A926200124001": Self.figures(["/": 220])],
            ],
            lastYear: ["A926200124001": Self.figures(["/": 160, "O": 40])], rules: Self.rules)
        #expect(selected.map(\.laestab) == ["9262001", "9262002"])
        #expect(selected.allSatisfy { $0.fullAttendance.isEmpty })
        #expect(selected[0].mostImproved.isEmpty)
        #expect(selected[1].mostImproved.map(\.upn) == ["A926200124001"])
        #expect(selected[1].mostImproved.first?.improvementPoints == 20.0)
    }

    @Test func theCapKeepsTheGreatestImprovementsFirstAndEveryPupilTiedAtTheLastPlace() {
        var capped = Self.rules
        capped.mostImproved.maximumPerSchool = 2
        let last = Self.figures(["/": 140, "O": 60])  // 70%
        let school = Self.school(
            [
                "A926200124001": Self.figures(["/": 150, "O": 50]),  // +5
                "B926200124001": Self.figures(["/": 160, "O": 40]),  // +10
                "C926200124001": Self.figures(["/": 180, "O": 20]),  // +20
                "D926200124001": Self.figures(["/": 160, "O": 40]),  // +10, tied with B at the last place
            ],
            lastYear: ["A926200124001": last, "B926200124001": last, "C926200124001": last, "D926200124001": last], rules: capped)
        #expect(school.mostImproved.map(\.upn) == ["C926200124001", "B926200124001", "D926200124001"])
        #expect(Self.school(["A926200124001": Self.figures(["/": 150, "O": 50])], lastYear: ["A926200124001": last], rules: capped)
            .mostImproved.count == 1)
    }
}
