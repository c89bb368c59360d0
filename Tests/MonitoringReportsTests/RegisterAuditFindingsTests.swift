import AttendanceDomain
import Testing

@testable import MonitoringReports

/// Register-audit findings on small crafted registers (a few pupils, a few days), each worked by hand in the
/// comments. Dates: Monday 2025-09-08 to Friday 2025-09-19, two school weeks.
@Suite("Register audit findings")
struct RegisterAuditFindingsTests {
    static let weekdays = ["2025-09-08", "2025-09-09", "2025-09-10", "2025-09-11", "2025-09-12",
                           "2025-09-15", "2025-09-16", "2025-09-17", "2025-09-18", "2025-09-19"]

    static func date(_ text: String) -> SchoolDate { SchoolDate(parsing: text)! }

    /// Marks for every weekday, all present, with `changes` (date to AM and PM) applied.
    static func marks(_ changes: [String: (String, String)] = [:], days: [String] = weekdays) -> [DayMarks] {
        days.map { day in
            let (am, pm) = changes[day] ?? ("/", "\\")
            return DayMarks(date: date(day), am: am, pm: pm)
        }
    }

    static func pupil(_ upn: String, _ marks: [DayMarks]) -> RegisterAuditInput.Pupil {
        var codes: [String: Int] = [:]
        for day in marks { codes[day.am, default: 0] += 1; codes[day.pm, default: 0] += 1 }
        let possible = marks.flatMap { [$0.am, $0.pm] }.filter { CodeTable.standard.code($0)?.countsAsPossibleSession == true }.count
        return RegisterAuditInput.Pupil(upn: upn, halfTerm: 1, sessionsPossible: possible, codes: codes, marks: marks)
    }

    static func input(_ pupils: [RegisterAuditInput.Pupil], markedThrough: String? = nil, county: RegisterAuditInput.County? = nil) -> RegisterAuditInput {
        RegisterAuditInput(
            laestab: "9262001", schoolName: "Ashby Primary School", academicYear: 2025, halfTerms: 1...1,
            returns: [.init(halfTerm: 1, startDate: date("2025-09-08"), endDate: date("2025-09-19"), markedThrough: markedThrough.map(date))],
            pupils: pupils, county: county ?? .init(schools: 1, sessionsPossible: pupils.reduce(0) { $0 + $1.sessionsPossible }, codes: [:]))
    }

    // MARK: Unresolved N

    @Test func anNIsUnresolvedOnceTheThresholdsSchoolDaysHaveFollowedIt() {
        // A: N on 08 (9 school days follow: 09..19), N on 12 PM (5 follow: 15..19: exactly the threshold), N on 15 (4 follow).
        // B: N on 19 (none follow). C: present throughout.
        let a = Self.pupil("K926200125001", Self.marks(["2025-09-08": ("N", "\\"), "2025-09-12": ("/", "N"), "2025-09-15": ("N", "\\")]))
        let b = Self.pupil("Z926200125002", Self.marks(["2025-09-19": ("N", "N")]))
        let c = Self.pupil("A926200125003", Self.marks())
        let findings = RegisterAuditFindings(Self.input([a, b, c]), settings: .init(nUnresolvedAfterSchoolDays: 5))
        #expect(findings.unresolvedN == [.init(upn: "K926200125001", sessions: 2, oldest: Self.date("2025-09-08"))])
        #expect(findings.unresolvedNSessions == 2)
        // At 6 days the N of the 12th (5 days followed) is no longer a finding.
        let six = RegisterAuditFindings(Self.input([a, b, c]), settings: .init(nUnresolvedAfterSchoolDays: 6))
        #expect(six.unresolvedN == [.init(upn: "K926200125001", sessions: 1, oldest: Self.date("2025-09-08"))])
        #expect(findings.flaggedKinds.contains("unresolved N"))
    }

    @Test func aClosureDayIsNotASchoolDay() {
        // The 17th is a whole-school closure (#): after the N on the 12th only 15, 16, 18, 19 follow (4 < 5).
        let closed = ["2025-09-17": ("#", "#")]
        var changes = closed
        changes["2025-09-12"] = ("/", "N")
        let a = Self.pupil("K926200125001", Self.marks(changes))
        let b = Self.pupil("Z926200125002", Self.marks(closed))
        let findings = RegisterAuditFindings(Self.input([a, b]), settings: .init(nUnresolvedAfterSchoolDays: 5))
        #expect(findings.unresolvedN.isEmpty)
        #expect(findings.unmarkedSessions == 0)
    }

    @Test func aReturnToDateCountsOnlyTheDaysMarked() {
        // Marked through the 16th: after the N on the 8th, 09-12 and 15-16 follow (6); after the 12th, 2. B's N on the
        // 19th is after the last marked day and not read.
        let a = Self.pupil("K926200125001", Self.marks(["2025-09-08": ("N", "\\"), "2025-09-12": ("/", "N")]))
        let b = Self.pupil("Z926200125002", Self.marks(["2025-09-19": ("N", "N")]))
        let findings = RegisterAuditFindings(Self.input([a, b], markedThrough: "2025-09-16"), settings: .init(nUnresolvedAfterSchoolDays: 5))
        #expect(findings.unresolvedN == [.init(upn: "K926200125001", sessions: 1, oldest: Self.date("2025-09-08"))])
    }

    @Test func nInAReturnWithoutMarksIsCountedApart() {
        let undated = RegisterAuditInput.Pupil(upn: "K926200125001", halfTerm: 1, sessionsPossible: 20, codes: ["/": 17, "N": 3, "-": 2])
        let findings = RegisterAuditFindings(Self.input([undated]), settings: .init())
        #expect(findings.unresolvedN.isEmpty)
        #expect(findings.nWithoutMarks == 3)
        #expect(findings.unmarkedWithoutMarks == 2)
        #expect(findings.unmarkedSessions == 2)
    }

    // MARK: Unmarked sessions

    @Test func unmarkedSessionsAreNoMarkOnASessionTheSchoolWasOpen() {
        // 08 AM: A has '-', B and C are present: 1 unmarked. 09 PM: nobody marked: 3 unmarked. 10 AM: A '-', B and C '#':
        // a closure, not counted.
        let days = Array(Self.weekdays.prefix(3))
        let a = Self.pupil("K926200125001", Self.marks(["2025-09-08": ("-", "\\"), "2025-09-09": ("/", "-"), "2025-09-10": ("-", "\\")], days: days))
        let b = Self.pupil("Z926200125002", Self.marks(["2025-09-09": ("/", "-"), "2025-09-10": ("#", "\\")], days: days))
        let c = Self.pupil("A926200125003", Self.marks(["2025-09-09": ("/", "-"), "2025-09-10": ("#", "\\")], days: days))
        let findings = RegisterAuditFindings(Self.input([a, b, c]), settings: .init())
        #expect(findings.unmarked == [
            .init(date: Self.date("2025-09-08"), session: .am, pupils: 1), .init(date: Self.date("2025-09-09"), session: .pm, pupils: 3),
        ])
        #expect(findings.unmarkedSessions == 4)
        #expect(findings.unmarkedPupils == 3)
        #expect(findings.flaggedKinds.contains("unmarked sessions"))
    }

    // MARK: Codes against the county

    @Test func aCodeIsUnusualAtTheRatioAndTheMinimumSessions() {
        // Per 1,000 possible sessions, school (1,000) against county (100,000):
        // B 20 against 1 (ratio 20, 20 sessions): unusual. I 30 against 35: no. X 12 against 30: no.
        // M 5 against 0.1 (ratio 50) but only 5 sessions: no. D 0 against 0.5: no.
        let school = RegisterAuditInput.Pupil(
            upn: "K926200125001", halfTerm: 1, sessionsPossible: 1000, codes: ["/": 915, "B": 20, "I": 30, "X": 12, "M": 5, "L": 30, "U": 12])
        let county = RegisterAuditInput.County(
            schools: 12, sessionsPossible: 100_000, codes: ["/": 90_000, "B": 100, "I": 3500, "X": 3000, "M": 10, "D": 50, "L": 2000, "U": 100])
        let findings = RegisterAuditFindings(Self.input([school], county: county), settings: .init())
        #expect(findings.codeRates.map(\.code) == ["B", "D", "M", "I", "X"])  // the code table's order
        #expect(findings.unusualCodes.map(\.code) == ["B"])
        let b = try! #require(findings.codeRates.first)
        #expect(b.rate == 20 && b.countyRate == 1 && b.sessions == 20 && b.countySessions == 100)
        #expect(findings.codeRates.first { $0.code == "D" }?.rate == 0)
        // Late codes: L 30 against 20 (ratio 1.5 < 2): no. U 12 against 1 (ratio 12, 12 sessions): a finding.
        #expect(findings.lateCodes.map(\.code) == ["L", "U"])
        #expect(findings.lateCodes.map(\.flagged) == [false, true])
        #expect(findings.lateCodes[0].rate == 30 && findings.lateCodes[0].countyRate == 20)
        #expect(findings.flaggedKinds == ["unusual codes", "late codes"])
    }

    // MARK: Monday and Friday

    @Test func mondayAbsenceAgainstMidweek() {
        // A is ill (I) both Mondays; B has an N on Wednesday 10 AM and a G on Friday 12 AM; the 17th is an X day for B
        // (not a possible session). Possible sessions: Monday 2 pupils x 2 sessions x 2 Mondays = 8, absent 4 (50%);
        // Tuesday-Thursday 24 less B's 2 X sessions = 22, absent 1 (4.5%); Friday 8, absent 1 (12.5%).
        // Ratio 1.5, at least 2 sessions: Monday is a finding; Friday (1 session) is not, though its rate is higher.
        let a = Self.pupil("K926200125001", Self.marks(["2025-09-08": ("I", "I"), "2025-09-15": ("I", "I")]))
        let b = Self.pupil("Z926200125002", Self.marks(["2025-09-10": ("N", "\\"), "2025-09-12": ("G", "\\"), "2025-09-17": ("X", "X")]))
        let settings = RegisterAuditProgramme.Settings(weekdayAbsence: .init(ratio: 1.5, minimumSessions: 2))
        let findings = RegisterAuditFindings(Self.input([a, b]), settings: settings)
        let monday = findings.weekdays[0], friday = findings.weekdays[1]
        #expect(monday.weekday == .monday && monday.absent == 4 && monday.possible == 8 && monday.rate == 50)
        #expect(monday.midweekAbsent == 1 && monday.midweekPossible == 22)
        #expect(monday.flagged)
        #expect(friday.weekday == .friday && friday.absent == 1 && friday.possible == 8 && friday.rate == 12.5)
        #expect(!friday.flagged)
        #expect(findings.flaggedKinds.contains("Monday or Friday absence"))
        // With no threshold on sessions, Friday (12.5% against 4.5%) is a finding too.
        let any = RegisterAuditFindings(Self.input([a, b]), settings: .init(weekdayAbsence: .init(ratio: 1.5, minimumSessions: 1)))
        #expect(any.weekdays.map(\.flagged) == [true, true])
    }

    @Test func cleanRegistersHaveNoFinding() {
        let findings = RegisterAuditFindings(Self.input([Self.pupil("K926200125001", Self.marks()), Self.pupil("Z926200125002", Self.marks())]), settings: .init())
        #expect(findings.flaggedKinds.isEmpty)
        #expect(findings.pupils == 2 && findings.sessionsPossible == 40)
    }
}
