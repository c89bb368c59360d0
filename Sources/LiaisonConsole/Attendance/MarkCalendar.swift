import AttendanceDomain

/// A pupil's register marks as a calendar: a month at a time, a row a week, each school day's morning and afternoon
/// marks with their category (present, approved educational activity, authorised, unauthorised, not counted,
/// missing, or invalid: a code the table does not know, or not valid on its date).
///
/// The page colours each mark by its category (a class `mark-CATEGORY`) and prints its code and meaning too, so
/// that the calendar does not rest on colour alone. Saturdays and Sundays are shown only when a mark falls on one.
struct MarkCalendar: Sendable, Equatable {
    /// One session's mark.
    struct Mark: Sendable, Equatable {
        var code: String
        /// `present`, `aea`, `authorised`, `unauthorised`, `not_counted`, `missing` or `invalid`.
        var category: String
        /// The code's meaning, or why it is invalid.
        var meaning: String
    }

    /// A day in a week's row; nil marks for a day with none held (outside the returns, or a weekend).
    struct Day: Sendable, Equatable {
        var date: String
        var dayOfMonth: Int
        var am: Mark?
        var pm: Mark?
    }

    struct Month: Sendable, Equatable {
        /// `September 2025`.
        var name: String
        /// Each week's days, Monday first (five days, or seven with weekends); nil outside the month.
        var weeks: [[Day?]]
    }

    var months: [Month]
    var showsWeekends: Bool

    /// The calendar of `marks` (date `YYYY-MM-DD` to the day's marks), every month from the first mark's to the last's.
    init(marks: [String: (am: String, pm: String)], table: CodeTable = .standard) {
        var days: [SchoolDate: (am: String, pm: String)] = [:]
        for (text, day) in marks {
            if let date = SchoolDate(parsing: text) { days[date] = day }
        }
        showsWeekends = days.keys.contains(where: \.isWeekend)
        guard let first = days.keys.min(), let last = days.keys.max() else {
            months = []
            return
        }
        func mark(_ code: String, on date: SchoolDate) -> Mark {
            switch table.lookup(code, on: date) {
            case .valid(let known): Mark(code: code, category: known.category.rawValue, meaning: known.meaning)
            case .unknown: Mark(code: code, category: "invalid", meaning: "not a register code")
            case .notValidOnDate(let known, _): Mark(code: code, category: "invalid", meaning: "\(known.meaning): not valid on this date")
            }
        }
        var months: [Month] = []
        var year = first.year, month = first.month
        while (year, month) <= (last.year, last.month) {
            var weeks: [[Day?]] = []
            var week: [Day?] = []
            let width = showsWeekends ? 7 : 5
            for dayOfMonth in 1...SchoolDate.daysIn(month: month, year: year) {
                guard let date = SchoolDate(year: year, month: month, day: dayOfMonth) else { continue }
                let column = date.weekday.rawValue - 1  // Monday 0
                guard column < width else { continue }
                if column == 0 || week.isEmpty {
                    if !week.isEmpty { weeks.append(week + Array(repeating: nil, count: width - week.count)) }
                    week = Array(repeating: nil, count: column)
                }
                let held = days[date]
                week.append(Day(
                    date: date.description, dayOfMonth: dayOfMonth, am: held.map { mark($0.am, on: date) },
                    pm: held.map { mark($0.pm, on: date) }))
            }
            if !week.isEmpty { weeks.append(week + Array(repeating: nil, count: width - week.count)) }
            months.append(Month(name: "\(AttendanceText.monthNames[month - 1]) \(year)", weeks: weeks))
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        self.months = months
    }

    /// The key: each category the calendar uses, in the order of ``AttendanceCategory``, then invalid.
    var categories: [(category: String, label: String)] {
        let used = Set(months.flatMap { $0.weeks.flatMap { $0.compactMap { $0 }.flatMap { [$0.am?.category, $0.pm?.category].compactMap { $0 } } } })
        return Self.labels.filter { used.contains($0.category) }
    }

    static let labels: [(category: String, label: String)] = [
        ("present", "Present"), ("aea", "Approved educational activity"), ("authorised", "Authorised absence"),
        ("unauthorised", "Unauthorised absence"), ("not_counted", "Not a possible session"), ("missing", "No mark recorded"),
        ("invalid", "Not a valid code"),
    ]
}
