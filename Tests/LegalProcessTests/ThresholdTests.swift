import AttendanceDomain
import Testing

@testable import LegalProcess

/// Whole days of unauthorised absence (two sessions each) on the given dates.
func absences(_ dates: [String], code: String = "O") -> RegisterMarks {
    RegisterMarks(dates.map { DayMarks(date: day($0), am: code, pm: code) })
}

@Suite("Penalty notices: 10 unauthorised sessions in a rolling 10 school weeks")
struct ThresholdTests {
    @Test("Across a half-term holiday: the window reaches back past the break week")
    func acrossHalfTerm() {
        // On Friday 28 November 2025: five weeks of autumn 2, the half-term week (20 October) adds nothing, then
        // five weeks of autumn 1 back to Monday 15 September. Ten calendar weeks would stop at 22 September.
        let on = day("2025-11-28")
        let inside = ["2025-11-27", "2025-11-03", "2025-10-14", "2025-09-22"]  // 8 sessions
        let missed = framework.threshold(marks: absences(inside + ["2025-09-12"]), calendar: .synthetic, on: on)
        #expect(missed.window == day("2025-09-15")...on && missed.schoolWeeks == 10)
        #expect(!missed.met && missed.unauthorisedSessions == 8)
        let met = framework.threshold(marks: absences(inside + ["2025-09-15"]), calendar: .synthetic, on: on)
        #expect(met.met && met.unauthorisedSessions == 10 && met.requiredSessions == 10)
        // Absence in the half-term week itself is impossible on a register, and a week of it would not be a school week.
        #expect(!SchoolDays.synthetic.isSchoolWeek(day("2025-10-22")))
    }

    @Test("Across a term's end: the Christmas holiday adds nothing")
    func acrossTermEnd() {
        let on = day("2026-02-06")
        let spring = ["2026-01-05", "2026-01-06"]  // 4 sessions
        let autumn = ["2025-11-18", "2025-11-19"]  // 4 sessions
        let met = framework.threshold(marks: absences(spring + autumn + ["2025-11-17"]), calendar: .synthetic, on: on)
        #expect(met.window.lowerBound == day("2025-11-17") && met.met && met.unauthorisedSessions == 10)
        let missed = framework.threshold(marks: absences(spring + autumn + ["2025-11-14"]), calendar: .synthetic, on: on)
        #expect(!missed.met && missed.unauthorisedSessions == 8)
        #expect(framework.thresholdMet(marks: absences(spring + autumn + ["2025-11-17"]), calendar: .synthetic, on: on))
    }

    @Test("Across school years: the summer holiday adds nothing")
    func acrossSchoolYears() {
        // Friday 19 September 2025: three autumn weeks (from the Wednesday start), then seven weeks of summer 2 2025.
        let on = day("2025-09-19")
        let assessment = framework.threshold(
            marks: absences(["2025-06-02", "2025-06-03", "2025-07-16", "2025-09-03", "2025-09-19"]), calendar: .synthetic, on: on)
        #expect(assessment.window.lowerBound == day("2025-06-02") && assessment.met)
        // With only this year's calendar there are three school weeks to count, and fewer sessions.
        let oneYear = framework.threshold(
            marks: absences(["2025-06-02", "2025-09-03"]), calendar: SchoolDays(SchoolCalendar(academicYear: 2025)), on: on)
        #expect(oneYear.schoolWeeks == 3 && oneYear.unauthorisedSessions == 2 && !oneYear.met)
    }

    @Test("The week of the day counts only if it has a school day by then; later sessions never count")
    func theCurrentWeek() {
        // Monday 1 September 2025: term starts on the Wednesday, so ten summer-term weeks count, back to the week
        // of the May bank holiday (Monday 5 May is not a school day, but the week is a school week).
        let assessment = framework.threshold(marks: absences(["2025-05-06"]), calendar: .synthetic, on: day("2025-09-01"))
        #expect(assessment.window.lowerBound == day("2025-05-05") && assessment.unauthorisedSessions == 2)
        let later = framework.threshold(
            marks: absences(["2025-11-20", "2025-11-21", "2025-11-24", "2025-11-25", "2025-11-26"]), calendar: .synthetic,
            on: day("2025-11-24"))
        #expect(later.unauthorisedSessions == 6 && !later.met)
    }

    @Test("The first day the threshold is met is the day of the session that reaches it")
    func firstDay() {
        let dates = ["2025-09-10", "2025-09-24", "2025-10-08", "2025-11-05", "2025-11-12", "2025-11-19"]
        let marks = absences(dates)
        #expect(framework.firstDayThresholdMet(marks: marks, calendar: .synthetic, in: day("2025-09-03")...day("2025-12-19")) == day("2025-11-12"))
        #expect(framework.firstDayThresholdMet(marks: marks, calendar: .synthetic, in: day("2025-09-03")...day("2025-11-11")) == nil)
        // Spread over more than 10 school weeks, the same sessions never reach it.
        let spread = absences(["2025-09-10", "2025-09-24", "2025-10-08", "2025-12-10", "2026-01-14"])
        #expect(framework.firstDayThresholdMet(marks: spread, calendar: .synthetic, in: day("2025-09-03")...day("2026-02-13")) == nil)
    }

    @Test("Only unauthorised codes count towards the threshold")
    func onlyUnauthorised() {
        let dates = ["2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06", "2025-11-07"]
        #expect(!framework.thresholdMet(marks: absences(dates, code: "I"), calendar: .synthetic, on: day("2025-11-28")))
        #expect(framework.thresholdMet(marks: absences(dates, code: "G"), calendar: .synthetic, on: day("2025-11-28")))
    }
}
