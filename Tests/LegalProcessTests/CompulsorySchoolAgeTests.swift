import AttendanceDomain
import Testing

@testable import LegalProcess

@Suite("Compulsory school age: the prescribed days and the school leaving date")
struct CompulsorySchoolAgeTests {
    @Test(
        "It starts on the first prescribed day on or after the fifth birthday, that day if the birthday is one",
        arguments: [
            ("2020-12-30", "2025-12-31"),  // the day before a prescribed day: the next day
            ("2020-12-31", "2025-12-31"),  // fifth birthday on 31 December: that day
            ("2021-01-01", "2026-03-31"),  // the day after: the next prescribed day
            ("2021-03-31", "2026-03-31"),  // on 31 March
            ("2021-04-01", "2026-08-31"),
            ("2021-08-31", "2026-08-31"),  // on 31 August
            ("2021-09-01", "2026-12-31"),
            ("2020-02-29", "2025-03-31"),  // a leap-day birth: fifth birthday in a common year
            ("2019-02-28", "2024-03-31"),
        ])
    func start(dateOfBirth: String, expected: String) {
        #expect(CompulsorySchoolAge.start(dateOfBirth: day(dateOfBirth)) == day(expected))
    }

    @Test(
        "It ends on the last Friday in June of the school year in which the child turns 16",
        arguments: [
            ("2009-08-31", "2025-06-27"),  // turns 16 on 31 August: the school year 2024/25
            ("2009-09-01", "2026-06-26"),  // turns 16 on 1 September: the school year 2025/26
            ("2009-06-27", "2025-06-27"),  // turns 16 on the leaving date itself
            ("2009-07-15", "2025-06-27"),  // turns 16 in the summer holiday: left in June, before the birthday
            ("2010-01-10", "2026-06-26"),
            ("2008-02-29", "2024-06-28"),  // leap-day birth, 16 on 29 February 2024
            ("2021-03-14", "2037-06-26"),
        ])
    func end(dateOfBirth: String, expected: String) {
        let end = CompulsorySchoolAge.end(dateOfBirth: day(dateOfBirth))
        #expect(end == day(expected))
        #expect(end.weekday == .friday && end.month == 6 && end.day > 23)
    }

    @Test("A four-year-old born in March 2021 is not of compulsory school age in autumn 2025; from 31 March 2026 they are")
    func demoChild() {
        let dob = day("2021-03-14")
        #expect(!CompulsorySchoolAge.covers(period: day("2025-09-03")...day("2025-10-17"), dateOfBirth: dob))
        #expect(!CompulsorySchoolAge.covers(period: day("2026-03-30")...day("2026-04-30"), dateOfBirth: dob))
        #expect(CompulsorySchoolAge.covers(period: day("2026-03-31")...day("2026-05-22"), dateOfBirth: dob))
    }

    @Test("A period must lie wholly inside: the leaving date is the last day covered")
    func coversTheLastDay() {
        let dob = day("2009-08-31")
        #expect(CompulsorySchoolAge.covers(period: day("2025-06-02")...day("2025-06-27"), dateOfBirth: dob))
        #expect(!CompulsorySchoolAge.covers(period: day("2025-06-02")...day("2025-06-30"), dateOfBirth: dob))
        let later = day("2009-09-01")
        #expect(CompulsorySchoolAge.covers(period: day("2025-09-03")...day("2025-10-17"), dateOfBirth: later))
        #expect(CompulsorySchoolAge.covers(period: day("2025-12-31")...day("2025-12-31"), dateOfBirth: day("2020-12-31")))
        #expect(!CompulsorySchoolAge.covers(period: day("2025-12-30")...day("2025-12-31"), dateOfBirth: day("2020-12-31")))
    }

    @Test("Calendar months: the corresponding day, or the month's last day")
    func calendarMonths() {
        #expect(day("2025-10-17").adding(months: 6) == day("2026-04-17"))
        #expect(day("2025-08-31").adding(months: 6) == day("2026-02-28"))
        #expect(day("2023-08-31").adding(months: 6) == day("2024-02-29"))
        #expect(day("2025-12-15").adding(months: 1) == day("2026-01-15"))
        #expect(day("2025-03-31").adding(months: -1) == day("2025-02-28"))
        #expect(day("2024-02-29").adding(years: 3) == day("2027-02-28"))
        #expect(day("2025-11-28").mondayOfWeek == day("2025-11-24"))
        #expect(day("2025-11-24").mondayOfWeek == day("2025-11-24"))
        #expect(day("2025-11-30").mondayOfWeek == day("2025-11-24"))
    }
}
