import AttendanceDomain
import Testing

@testable import LegalProcess

@Suite("Fast track: a timetable of school weeks, and the dates that pass")
struct FastTrackTests {
    let fastTrack: FastTrack = {
        do { return try FastTrack.load(path: "\(legalConfig)/fast-track.yaml") } catch { fatalError("\(error)") }
    }()

    @Test("The shipped file: 12 school weeks, reviews at weeks 4 and 8, the decision at 12")
    func shipped() {
        #expect(fastTrack.lengthSchoolWeeks == 12)
        #expect(fastTrack.milestones.map(\.id) == ["review-1", "review-2", "decision"])
        #expect(fastTrack.milestones.map(\.schoolWeek) == [4, 8, 12])
    }

    @Test("A half-term week adds no school week")
    func acrossHalfTerm() throws {
        let timetable = try fastTrack.timetable(start: day("2025-09-08"), calendar: .synthetic)
        #expect(timetable.milestones.map(\.due) == [day("2025-10-03"), day("2025-11-07"), day("2025-12-05")])
        #expect(timetable.endsOn == day("2025-12-05"))
        // Starting on the Saturday before gives the same timetable; starting on the first Wednesday of term
        // makes that short week week 1.
        #expect(try fastTrack.timetable(start: day("2025-09-06"), calendar: .synthetic).milestones == timetable.milestones)
        #expect(try fastTrack.timetable(start: day("2025-09-03"), calendar: .synthetic).milestones[0].due == day("2025-09-26"))
    }

    @Test("Christmas and a spring half term add no school weeks")
    func acrossTermEnd() throws {
        let timetable = try fastTrack.timetable(start: day("2025-11-24"), calendar: .synthetic)
        #expect(timetable.milestones.map(\.due) == [day("2025-12-19"), day("2026-01-30"), day("2026-03-06")])
    }

    @Test("Overdue: a milestone due yesterday and not completed; due today is not yet overdue")
    func overdue() throws {
        let timetable = try fastTrack.timetable(start: day("2025-09-08"), calendar: .synthetic)
        #expect(timetable.overdue(on: day("2025-10-03")).isEmpty)
        #expect(timetable.overdue(on: day("2025-10-04")).map(\.id) == ["review-1"])
        #expect(timetable.overdue(on: day("2025-10-04"), completed: ["review-1"]).isEmpty)
        #expect(timetable.overdue(on: day("2025-12-08"), completed: ["review-1"]).map(\.id) == ["review-2", "decision"])
        #expect(timetable.next(on: day("2025-10-04"))?.id == "review-2")
    }

    @Test("A calendar too short for the route is an error that says what to give")
    func tooShort() {
        do {
            _ = try fastTrack.timetable(start: day("2026-06-01"), calendar: SchoolDays(SchoolCalendar(academicYear: 2025)))
            Issue.record("a timetable past the calendar's end was made")
        } catch {
            #expect(error.code == .calendarTooShort)
        }
    }

    @Test(
        "The file is read strictly",
        arguments: [
            ("school_week: 8", "school_week: 13", "invalid-value", "milestones.1.school_week"),
            ("school_week: 8", "school_week: 3", "invalid-value", "milestones.1.school_week"),
            ("id: review-2", "id: review-1", "invalid-value", "milestones.1.id"),
            ("    title: Decision", "    titel: Decision", "missing-key", "milestones.2.title"),
            ("    school_week: 12", "    school_week: 12\n    owner: esw", "unknown-key", "milestones.2.owner"),
            ("length_school_weeks: 12", "length_school_weeks: 0", "invalid-value", "length_school_weeks"),
        ])
    func strict(find: String, replace: String, code: String, key: String) throws {
        let text = try String(contentsOfFile: "\(legalConfig)/fast-track.yaml", encoding: .utf8)
        let changed = text.replacingOccurrences(of: find, with: replace)
        #expect(changed != text)
        do {
            _ = try FastTrack.parse(changed, file: "fast-track.yaml")
            Issue.record("accepted \(replace)")
        } catch {
            #expect(error.code.description == code && error.key == key && error.line != nil)
        }
    }
}

@Suite("School attendance orders and the legal configuration folder")
struct SchoolAttendanceOrderTests {
    @Test("The notice gives at least 15 days; the order may follow the day after")
    func noticePeriod() throws {
        let orders = try SchoolAttendanceOrder.load(path: "\(legalConfig)/school-attendance-orders.yaml")
        #expect(orders.noticePeriodDays == 15)
        #expect(orders.responseDue(noticeServed: day("2025-11-03")) == day("2025-11-18"))
        #expect(orders.earliestOrderDate(noticeServed: day("2025-11-03")) == day("2025-11-19"))
        let longer = try SchoolAttendanceOrder.parse("notice_period_days: 20\n", file: "sao.yaml")
        #expect(longer.earliestOrderDate(noticeServed: day("2025-12-20")) == day("2026-01-10"))
    }

    @Test("A period shorter than the law allows is refused with its line")
    func tooShort() {
        do {
            _ = try SchoolAttendanceOrder.parse("# local\nnotice_period_days: 14\n", file: "sao.yaml")
            Issue.record("accepted 14 days")
        } catch {
            #expect(error.code == .invalidValue && error.line == 2 && error.key == "notice_period_days")
            #expect(error.description.hasPrefix("sao.yaml:2: 'notice_period_days': "))
        }
    }

    @Test("config/legal loads as a whole")
    func folder() throws {
        let rules = try LegalRules.load(directory: legalConfig + "/")
        #expect(rules.penaltyNotices == framework)
        #expect(rules.fastTrack.lengthSchoolWeeks == 12 && rules.schoolAttendanceOrders.noticePeriodDays == 15)
    }
}
