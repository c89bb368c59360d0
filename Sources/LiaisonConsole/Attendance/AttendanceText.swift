import AttendanceDomain
import MonitoringReports

/// How the attendance pages write years, half terms, weeks and figures, and the measures every table of them has.
enum AttendanceText {
    /// `2025/26`.
    static func year(_ year: Int) -> String { "\(year)/\(String((year + 1) % 100).leftPadded(to: 2))" }

    /// `Autumn 1` … `Summer 2` for half terms 1 to 6.
    static func halfTerm(_ halfTerm: Int) -> String {
        let names = ["Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"]
        return (1...6).contains(halfTerm) ? names[halfTerm - 1] : "Half term \(halfTerm)"
    }

    /// A week by its Monday: `w/c 1 Sep`.
    static func week(_ monday: String) -> String { "w/c " + day(monday) }

    /// `2025-09-01` as `1 Sep`; the text itself when it is not a date.
    static func day(_ date: String) -> String {
        guard let parsed = SchoolDate(parsing: date) else { return date }
        return "\(parsed.day) \(monthNames[parsed.month - 1].prefix(3))"
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// A rate to one decimal place with `%`, or an en dash when there is none.
    static func percent(_ value: Double?) -> String { value.map { ReportCell.oneDecimal($0) + "%" } ?? "–" }

    /// A rate as a table cell.
    static func cell(_ value: Double?) -> ReportCell { value.map { .percent($0) } ?? .none }

    /// The five measures' column headings, in the order of ``measures(_:)``.
    static let measureColumns = ["Attendance %", "Authorised absence %", "Unauthorised absence %", "Persistent absence %", "Severe absence %"]

    /// Attendance, authorised and unauthorised absence (of sessions), persistent and severe absence (of pupils).
    static func measures(_ figures: SchoolFigures) -> [ReportCell] {
        [
            cell(figures.attendanceRate), cell(figures.authorisedAbsenceRate), cell(figures.unauthorisedAbsenceRate),
            cell(figures.persistentAbsenceRate), cell(figures.severeAbsenceRate),
        ]
    }

    /// A SEN status as the roll spells it (`none`, `sen_support`, `ehc_plan`), in words.
    static func sen(_ status: String?) -> String {
        switch status {
        case "none": "No special educational needs"
        case "sen_support": "SEN support"
        case "ehc_plan": "EHC plan"
        case .some(let other): other.replacingOccurrences(of: "_", with: " ")
        case nil: "Not known"
        }
    }

    /// A year group as the returns spell it (`R`, `1`…`14`, `X`), in words.
    static func yearGroup(_ group: String?) -> String {
        guard let group else { return "Not given" }
        if group == "R" { return "Reception" }
        if Int(group) != nil { return "Year \(group)" }
        if group == "X" { return "No year group (X)" }
        return group
    }

    /// Year groups in school order, for sorting.
    static func yearGroupOrder(_ group: String?) -> Int {
        guard let group else { return 99 }
        if let number = Int(group) { return number + 10 }
        return ["N1": 0, "N2": 1, "R": 2, "X": 50][group] ?? 60
    }
}

extension String {
    /// The string with `0`s before it to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
