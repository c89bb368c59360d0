import AttendanceDomain
import Testing

@testable import LegalProcess

/// The school days of autumn 1 2025 (3 September to 17 October) marked present, with `absent` days marked `code`.
func autumnRegister(absent: [String] = ["2025-09-15", "2025-09-16", "2025-10-06"], code: String = "O") -> RegisterMarks {
    let calendar = SchoolCalendar(academicYear: 2025)
    let absences = Set(absent.map(day))
    return RegisterMarks(calendar.schoolDays(in: calendar.halfTerms[0]).map {
        absences.contains($0) ? DayMarks(date: $0, am: code, pm: code) : DayMarks(date: $0, am: "/", pm: "\\")
    })
}

let chosenMother = Defendant(id: "D1", parentalResponsibility: true, hasCare: true, choice: .init(by: "esw.one", reason: "the child lives with her"))

/// A prosecution that passes every check: autumn 1 2025, an 11-year-old, laid in November, heard in December,
/// a warning letter in September and a penalty notice left unpaid past its 28 days.
func credibleCase() -> ProsecutionFacts {
    ProsecutionFacts(
        offence: .section444_1A, period: day("2025-09-03")...day("2025-10-17"), dateOfBirth: day("2014-05-01"),
        laidOn: day("2025-11-03"), hearingOn: day("2025-12-01"), register: autumnRegister(),
        warningLetters: [day("2025-09-20")],
        penaltyNotices: [PenaltyNotice(parent: "D1", issuedOn: day("2025-09-29"), period: day("2025-09-03")...day("2025-09-26"), status: .unpaid)],
        defendants: [chosenMother])
}

let checks = ProsecutionChecks(framework: framework)

func codes(_ facts: ProsecutionFacts) -> [ProsecutionRefusal.Code] { checks.refusals(for: facts).map(\.code) }

@Suite("Prosecution checks: every reason a court would refuse the file, at once")
struct ProsecutionChecksTests {
    @Test("A credible case passes every check")
    func credible() {
        #expect(checks.refusals(for: credibleCase()).isEmpty)
    }

    @Test("The demo's old file is refused with every reason at once")
    func everyReasonAtOnce() {
        var facts = credibleCase()
        facts.dateOfBirth = day("2021-03-14")  // four years old
        facts.register = autumnRegister(absent: [])  // no unauthorised absence
        facts.laidOn = day("2026-09-20")  // eleven months after the period
        facts.hearingOn = day("2026-09-10")  // before the laying
        facts.warningLetters = [day("2025-11-01")]  // after the period: no evidence the parent knew
        facts.penaltyNotices = [
            PenaltyNotice(parent: "D1", issuedOn: day("2025-10-01"), period: day("2025-09-03")...day("2025-09-26"), status: .paid, paidOn: day("2025-10-10"))
        ]
        facts.defendants = [chosenMother, Defendant(id: "D2", parentalResponsibility: false, hasCare: false)]
        let refusals = checks.refusals(for: facts)
        #expect(
            refusals.map(\.code) == [
                .notOfCompulsorySchoolAge, .outOfTime, .hearingNotAfterLaying, .noUnauthorisedAbsence, .noWarningLetter,
                .penaltyNoticeCovers, .notAParent, .defendantNotChosen,
            ])
        #expect(refusals.first { $0.code == .notOfCompulsorySchoolAge }?.message.contains("2026-03-31") == true)
        #expect(refusals.first { $0.code == .outOfTime }?.message.contains("by 2026-04-17") == true)
        #expect(refusals.filter { $0.defendant == "D2" }.map(\.code) == [.notAParent, .defendantNotChosen])
        #expect(refusals.first { $0.code == .penaltyNoticeCovers }?.defendant == "D1")
    }

    @Test(
        "s.127: laid within six calendar months of the period's end, the corresponding day included",
        arguments: [
            ("2025-10-17", "2026-04-17", true), ("2025-10-17", "2026-04-18", false),
            ("2025-08-29", "2026-02-28", true), ("2025-08-31", "2026-02-28", true), ("2025-08-31", "2026-03-01", false),
            ("2024-08-31", "2025-02-28", true), ("2023-08-31", "2024-02-29", true), ("2023-08-31", "2024-03-01", false),
        ])
    func timeLimit(periodEnd: String, laidOn: String, inTime: Bool) {
        var facts = credibleCase()
        facts.offence = .section444_1
        facts.period = day(periodEnd).adding(days: -30)...day(periodEnd)
        facts.dateOfBirth = day("2012-05-01")
        facts.register = RegisterMarks([DayMarks(date: day(periodEnd), am: "O", pm: "O")])
        facts.laidOn = day(laidOn)
        facts.hearingOn = day(laidOn).adding(days: 14)
        facts.penaltyNotices = []
        #expect(codes(facts) == (inTime ? [] : [.outOfTime]))
        #expect((ProsecutionChecks.lastDayToLay(periodEnd: day(periodEnd)) >= day(laidOn)) == inTime)
    }

    @Test("Laying on or before the period's last day is refused; the day after is not")
    func laidAfterThePeriod() {
        var facts = credibleCase()
        facts.penaltyNotices = []  // the notice would still be payable then
        facts.laidOn = day("2025-10-17")
        #expect(codes(facts) == [.laidBeforePeriodEnds])
        facts.laidOn = day("2025-10-18")
        #expect(!codes(facts).contains(.laidBeforePeriodEnds))
    }

    @Test("The hearing must be after the laying: the same day is refused, the next day is not")
    func hearingAfterLaying() {
        var facts = credibleCase()
        facts.hearingOn = facts.laidOn
        #expect(codes(facts) == [.hearingNotAfterLaying])
        facts.hearingOn = facts.laidOn.adding(days: 1)
        #expect(codes(facts).isEmpty)
    }

    @Test("Only unauthorised absence in the period counts; an empty register says to import it")
    func unauthorisedAbsence() {
        var facts = credibleCase()
        facts.register = autumnRegister(absent: ["2025-09-15", "2025-09-16"], code: "I")  // illness: authorised
        #expect(codes(facts) == [.noUnauthorisedAbsence])
        facts.register = RegisterMarks([DayMarks(date: day("2025-10-20"), am: "O", pm: "O")])  // after the period
        let refusals = checks.refusals(for: facts)
        #expect(refusals.map(\.code) == [.noUnauthorisedAbsence])
        #expect(refusals[0].message.contains("import the school's returns"))
        for code in ["G", "N", "O", "U"] {
            facts.register = autumnRegister(absent: ["2025-10-01"], code: code)
            #expect(codes(facts).isEmpty, "code \(code) is unauthorised absence")
        }
        facts.register = RegisterMarks(byDate: ["2025-10-01": (am: "N", pm: "/"), "not a date": (am: "O", pm: "O")])
        #expect(codes(facts).isEmpty)
    }

    @Test("s.444(1A) needs a warning letter before the period's last day; s.444(1) does not")
    func warningLetters() {
        var facts = credibleCase()
        facts.warningLetters = []
        #expect(codes(facts) == [.noWarningLetter])
        facts.warningLetters = [day("2025-10-18")]
        #expect(codes(facts) == [.noWarningLetter])
        // A letter dated the period's last day proves the parent knew of nothing in the period.
        facts.warningLetters = [day("2025-10-17")]
        #expect(codes(facts) == [.noWarningLetter])
        facts.warningLetters = [day("2025-10-16")]
        #expect(codes(facts).isEmpty)
        facts.warningLetters = []
        facts.offence = .section444_1
        #expect(codes(facts).isEmpty)
    }

    @Test("A penalty notice paid, or still within its 28 days, for an overlapping period bars that parent only")
    func penaltyNotices() {
        var facts = credibleCase()
        let period = day("2025-09-03")...day("2025-09-26")
        func with(_ notice: PenaltyNotice, laidOn: String = "2025-11-03") -> [ProsecutionRefusal.Code] {
            facts.penaltyNotices = [notice]
            facts.laidOn = day(laidOn)
            facts.hearingOn = day("2025-12-15")
            return codes(facts)
        }
        let paid = PenaltyNotice(parent: "D1", issuedOn: day("2025-10-01"), period: period, status: .paid, paidOn: day("2025-10-05"))
        #expect(with(paid) == [.penaltyNoticeCovers])
        var elsewhere = paid
        elsewhere.period = day("2025-10-20")...day("2025-11-01")  // after the period alleged
        #expect(with(elsewhere).isEmpty)
        var otherParent = paid
        otherParent.parent = "D2"
        #expect(with(otherParent).isEmpty)
        // Unpaid, issued 2025-10-10: payable to the end of 2025-11-07 (day 28); laying waits until 2025-11-08.
        let unpaid = PenaltyNotice(parent: "D1", issuedOn: day("2025-10-10"), period: period, status: .unpaid)
        #expect(with(unpaid, laidOn: "2025-11-07") == [.penaltyNoticeCovers])
        #expect(checks.refusals(for: facts).first?.message.contains("until 2025-11-07") == true)
        #expect(with(unpaid, laidOn: "2025-11-08").isEmpty)
        var withdrawn = paid
        withdrawn.status = .withdrawn
        #expect(with(withdrawn).isEmpty)
        var prosecuted = unpaid
        prosecuted.status = .prosecuted
        #expect(with(prosecuted, laidOn: "2025-11-07").isEmpty)
    }

    @Test("Each defendant is a parent in s.576's sense (responsibility or care) and chosen with a reason")
    func defendants() {
        var facts = credibleCase()
        let choice = Defendant.Choice(by: "esw.one", reason: "lives with the child")
        facts.defendants = [
            Defendant(id: "D1", parentalResponsibility: true, hasCare: false, choice: choice),
            Defendant(id: "D2", parentalResponsibility: false, hasCare: true, choice: choice),  // a step-parent with care
        ]
        #expect(codes(facts).isEmpty)
        facts.defendants.append(Defendant(id: "D3", parentalResponsibility: false, hasCare: false, choice: choice))
        #expect(checks.refusals(for: facts).map(\.code) == [.notAParent])
        #expect(checks.refusals(for: facts).first?.defendant == "D3")
        facts.defendants = [Defendant(id: "D1", parentalResponsibility: true, hasCare: true)]
        #expect(codes(facts) == [.defendantNotChosen])
        facts.defendants = [Defendant(id: "D1", parentalResponsibility: true, hasCare: true, choice: .init(by: "esw.one", reason: "  "))]
        #expect(codes(facts) == [.defendantNotChosen])
        facts.defendants = []
        #expect(codes(facts) == [.noDefendant])
    }

    @Test("Refusal codes and messages read as the rules do")
    func descriptions() {
        var facts = credibleCase()
        facts.defendants = []
        let refusal = checks.refusals(for: facts)[0]
        #expect(refusal.description.hasSuffix("[no-defendant]"))
        #expect(Offence(rawValue: "444(1A)") == .section444_1A && Offence.section444_1.rawValue == "444(1)")
    }
}
