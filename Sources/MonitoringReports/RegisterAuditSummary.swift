import AttendanceDomain
import NPASDesk

/// A school's register audit in brief, for the governors' annual report: its place in the programme and the
/// headline findings as counts (no UPN, no list of pupils), ready to print as ``blocks``.
///
/// ```swift
/// let programme = try RegisterAuditProgramme.load(path: "config/register-audits.yaml")
/// let summary = try RegisterAuditSummary.read(store: store, programme: programme, laestab: "9262001", academicYear: 2025,
///                                             halfTerms: 1...6, on: SchoolDate(parsing: "2026-07-24")!)
/// report.sections.append(ReportSection("Register audit", summary.blocks))
/// ```
public struct RegisterAuditSummary: Sendable {
    public var schedule: RegisterAuditProgramme.Schedule
    /// Nil when the desk holds no return from the school for the period (the programme part still prints).
    public var findings: RegisterAuditFindings?

    public init(schedule: RegisterAuditProgramme.Schedule, findings: RegisterAuditFindings?) {
        self.schedule = schedule
        self.findings = findings
    }

    /// Reads the school's registers from the desk's store and works the findings out. Blocking: call it off Swift's
    /// cooperative pool. A school with no return for the period gets a summary with no findings.
    public static func read(
        store: DeskStore, programme: RegisterAuditProgramme, laestab: String, academicYear: Int, halfTerms: ClosedRange<Int>, on day: SchoolDate
    ) throws -> RegisterAuditSummary {
        let schedule = programme.schedule(for: laestab, on: day)
        do {
            let input = try RegisterAuditData.read(store: store, laestab: laestab, academicYear: academicYear, halfTerms: halfTerms)
            return RegisterAuditSummary(schedule: schedule, findings: RegisterAuditFindings(input, settings: programme.settings))
        } catch let error as ReportError where error.code == .noData {
            return RegisterAuditSummary(schedule: schedule, findings: nil)
        }
    }

    /// The headline findings in words, one line each; empty when there is none (or no findings were made).
    public var headlines: [String] {
        guard let f = findings else { return [] }
        var lines: [String] = []
        if !f.unresolvedN.isEmpty {
            lines.append(
                "\(Self.count(f.unresolvedNSessions, "N session")) (reason not yet established) unresolved after "
                    + "\(f.settings.nUnresolvedAfterSchoolDays) school days (\(Self.count(f.unresolvedN.count, "pupil")))")
        }
        if f.unmarkedSessions > 0 { lines.append(Self.count(f.unmarkedSessions, "unmarked session")) }
        if !f.unusualCodes.isEmpty { lines.append("codes used unusually often against the county: \(f.unusualCodes.map(\.code).joined(separator: ", "))") }
        for day in f.weekdays where day.flagged {
            lines.append("absence on \(RegisterAuditReport.dayName(day.weekday))s well above Tuesday to Thursday")
        }
        let late = f.lateCodes.filter(\.flagged).map(\.code)
        if !late.isEmpty { lines.append("late codes above the county's rate: \(late.joined(separator: ", "))") }
        return lines
    }

    /// "1 pupil", "2 pupils".
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// A summary list (last audit, next due, the findings) and, when overdue, a notice.
    public var blocks: [ReportBlock] {
        var rows: [(label: String, value: String)] = [
            ("Last register audit", schedule.lastAudit?.description ?? "none on record"),
            ("Next register audit due", schedule.nextDue.description + (schedule.overdue ? " (overdue)" : "")),
        ]
        if findings != nil {
            rows.append(("Register findings this year", headlines.isEmpty ? "none" : headlines.joined(separator: "; ")))
        }
        var blocks: [ReportBlock] = [.summary(rows)]
        if schedule.overdue { blocks.append(.notice("The school's register audit is overdue.")) }
        return blocks
    }
}
