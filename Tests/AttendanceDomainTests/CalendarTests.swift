import AttendanceDomain
import Testing

@Suite("Dates and the school calendar")
struct CalendarTests {
    @Test("Dates parse, format, count and know their weekday")
    func dates() {
        let date = SchoolDate(parsing: "2025-09-03")!
        #expect(date.weekday == .wednesday)
        #expect(date.description == "2025-09-03")
        #expect(date.adding(days: 29).description == "2025-10-02")
        #expect(SchoolDate(parsing: "2024-02-29")!.adding(days: 366).description == "2025-03-01")
        #expect(SchoolDate(parsing: "1970-01-01")!.dayNumber == 0)
        #expect(SchoolDate(dayNumber: -1).description == "1969-12-31")
        #expect(SchoolDate(parsing: "2025-02-29") == nil)
        #expect(SchoolDate(parsing: "2025-9-3") == nil)
        #expect(SchoolDate(parsing: "2025-09-03T00:00") == nil)
        #expect(SchoolDate(parsing: "2025-09-01")! < date)
        for offset in stride(from: -40000, through: 40000, by: 97) {
            let day = SchoolDate(dayNumber: offset)
            #expect(day.dayNumber == offset)
            #expect(SchoolDate(parsing: day.description) == day)
        }
    }

    @Test("Every year has six half terms and 190 school days", arguments: [2006, 2013, 2023, 2024, 2025, 2026, 2030])
    func year(academicYear: Int) {
        let calendar = SchoolCalendar(academicYear: academicYear)
        #expect(calendar.halfTerms.count == 6)
        #expect(calendar.schoolDays.count == 190)
        #expect(calendar.halfTerms[0].start.weekday == .wednesday && calendar.halfTerms[0].start.month == 9)
        #expect(calendar.halfTerms.map(\.term) == [.autumn, .autumn, .spring, .spring, .summer, .summer])
        for (earlier, later) in zip(calendar.halfTerms, calendar.halfTerms.dropFirst()) { #expect(earlier.end < later.start) }
        let christmas = SchoolDate(year: academicYear, month: 12, day: 25)!
        let newYear = SchoolDate(year: academicYear + 1, month: 1, day: 1)!
        #expect(calendar.halfTerm(containing: christmas) == nil && calendar.halfTerm(containing: newYear) == nil)
        #expect(!calendar.isSchoolDay(calendar.bankHoliday) && calendar.bankHoliday.weekday == .monday)
        #expect(calendar.halfTerms[5].end.month == 7)
    }

    @Test("2025/26 half term 1 and the terms of dates")
    func halfTerms2025() {
        let calendar = SchoolCalendar(academicYear: 2025)
        #expect(calendar.halfTerms[0].start.description == "2025-09-03")
        #expect(calendar.halfTerms[0].end.description == "2025-10-17")
        #expect(calendar.halfTerm(containing: SchoolDate(parsing: "2025-11-12")!)?.number == 2)
        #expect(calendar.term(containing: SchoolDate(parsing: "2026-02-03")!) == .spring)
        #expect(calendar.halfTerm(containing: SchoolDate(parsing: "2025-10-22")!) == nil)  // half-term break
        #expect(calendar.isSchoolDay(SchoolDate(parsing: "2025-09-05")!))
        #expect(!calendar.isSchoolDay(SchoolDate(parsing: "2025-09-06")!))  // Saturday
        #expect(SchoolCalendar.academicYear(containing: SchoolDate(parsing: "2026-08-31")!) == 2025)
        #expect(SchoolCalendar.academicYear(containing: SchoolDate(parsing: "2026-09-01")!) == 2026)
    }

    @Test("Year groups and dates of birth")
    func yearGroups() {
        let dob = SchoolDate(parsing: "2018-03-14")!
        #expect(YearGroup.expected(dateOfBirth: dob, academicYear: 2025) == YearGroup("3"))
        #expect(YearGroup.expected(dateOfBirth: SchoolDate(parsing: "2017-09-01")!, academicYear: 2025) == YearGroup("3"))
        #expect(YearGroup.expected(dateOfBirth: SchoolDate(parsing: "2017-08-31")!, academicYear: 2025) == YearGroup("4"))
        #expect(YearGroup("R")!.dateOfBirthRange(academicYear: 2025) == SchoolDate(parsing: "2020-09-01")!...SchoolDate(parsing: "2021-08-31")!)
        #expect(YearGroup("X")!.dateOfBirthRange(academicYear: 2025) == nil)
        #expect(YearGroup("15") == nil)
    }
}
