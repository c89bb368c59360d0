import AttendanceDomain
import LiaisonMessages

/// A register audit as its report and as its message: the ``ReportDocument`` `liaison report register-audit` writes
/// (`register-audit-LAESTAB-YEAR`), and the `register-audit.findings` body sent to the school.
///
/// The findings are about the school's own registers and go to the school, which holds its pupils' records, so
/// disclosure control does not apply: unresolved `N`s are listed by UPN (never a name), and small counts print
/// as they are. The document is marked Official-Sensitive.
public struct RegisterAuditReport: Sendable {
    public var findings: RegisterAuditFindings
    public var schedule: RegisterAuditProgramme.Schedule
    /// The day the report is made (YYYY-MM-DD).
    public var madeOn: SchoolDate

    public init(findings: RegisterAuditFindings, schedule: RegisterAuditProgramme.Schedule, madeOn: SchoolDate) {
        self.findings = findings
        self.schedule = schedule
        self.madeOn = madeOn
    }

    /// `register-audit-LAESTAB-YEAR`: fixed words, the LAESTAB (checked as 7 digits) and the year only.
    public static func name(laestab: LAESTAB, academicYear: Int) -> String { "register-audit-\(laestab.value)-\(academicYear)" }

    /// "2025/26, half terms 1-3" (or "half term 2").
    var periodText: String {
        let years = "\(findings.academicYear)/\(String(format: "%02d", (findings.academicYear + 1) % 100))"
        let terms = findings.halfTerms.count == 1 ? "half term \(findings.halfTerms.lowerBound)" : "half terms \(findings.halfTerms.lowerBound)-\(findings.halfTerms.upperBound)"
        return "Academic year \(years), \(terms)" + (findings.markedThrough.map { ", marked to \($0)" } ?? "")
    }

    static func perThousand(_ value: Double?) -> ReportCell { value.map { .percent($0) } ?? .none }

    // MARK: The document

    public var document: ReportDocument {
        let f = findings, settings = f.settings
        let school = f.schoolName.map { "\($0) (\(f.laestab))" } ?? f.laestab
        var document = ReportDocument(
            name: "register-audit-\(f.laestab)-\(f.academicYear)", title: "Register audit: \(school)",
            subtitle: "Findings from the school's own registers, for the school", period: periodText, madeOn: madeOn.description,
            marking: "Official-Sensitive")

        var audit: [ReportBlock] = [
            .summary([
                ("School", school),
                ("Last audit", schedule.lastAudit?.description ?? "none on record"),
                ("Next audit due", schedule.nextDue.description + (schedule.overdue ? " (overdue)" : "")),
                ("Pupils in the returns", String(f.pupils)),
                ("Possible sessions", String(f.sessionsPossible)),
                ("County comparison", "\(f.countySchools) schools' returns for the same half terms"),
            ]),
            .paragraph(
                "These findings come from the registers the school sent in its attendance returns. They are about how the registers are "
                    + "kept, not about any pupil's attendance, and go to the school, which holds its pupils' records: pupils are named by UPN only."),
        ]
        if schedule.overdue {
            audit.append(.notice(schedule.lastAudit == nil ? "No register audit is on record for this school: one is due now." : "The school's register audit is overdue: it was due on \(schedule.nextDue)."))
        }
        document.sections.append(ReportSection("The audit", audit))

        let kinds = f.flaggedKinds
        document.sections.append(ReportSection("Findings at a glance", [
            kinds.isEmpty ? .paragraph("No finding: the registers meet every threshold of the programme.") : .notice("Findings: \(kinds.joined(separator: ", ")).")
            , .summary([
                ("N unresolved after \(settings.nUnresolvedAfterSchoolDays) school days", "\(f.unresolvedNSessions) sessions, \(f.unresolvedN.count) pupils"),
                ("Unmarked sessions", "\(f.unmarkedSessions) sessions, \(f.unmarkedPupils) pupils"),
                ("Codes used unusually often", f.unusualCodes.isEmpty ? "none" : f.unusualCodes.map(\.code).joined(separator: ", ")),
                ("Monday or Friday absence", f.weekdays.filter(\.flagged).map { Self.dayName($0.weekday) }.joined(separator: ", ").nonEmpty ?? "no finding"),
                ("Late codes", f.lateCodes.filter(\.flagged).map(\.code).joined(separator: ", ").nonEmpty ?? "no finding"),
            ]),
        ]))

        var n: [ReportBlock] = [.paragraph(
            "An N (reason for absence not yet established) should be replaced with the right code once the reason is known. These N marks "
                + "were still in the register after \(settings.nUnresolvedAfterSchoolDays) or more school days (days the school was open) up to "
                + "the return's last marked day.")]
        if f.unresolvedN.isEmpty {
            n.append(.paragraph("None."))
        } else {
            n.append(.table(ReportTable(
                id: "unresolved-n", caption: "Pupils with N marks unresolved", columns: ["UPN", "Sessions", "Oldest N"],
                rows: f.unresolvedN.map { [.text($0.upn), .count($0.sessions), .text($0.oldest.description)] })))
        }
        if f.nWithoutMarks > 0 {
            n.append(.notice("\(f.nWithoutMarks) N sessions are in returns sent without per-session marks, so they cannot be dated: send returns with marks."))
        }
        document.sections.append(ReportSection("Reasons not yet established (N)", n))

        var unmarked: [ReportBlock] = [.paragraph(
            "A session with no mark (-) on a day the school was open, up to the return's last marked day. Every pupil must be marked present, "
                + "absent with a code, or not required, at each session.")]
        if f.unmarked.isEmpty {
            unmarked.append(.paragraph("No dated unmarked session."))
        } else {
            unmarked.append(.table(ReportTable(
                id: "unmarked", caption: "Sessions with pupils unmarked", columns: ["Date", "Session", "Pupils unmarked"],
                rows: f.unmarked.map { [.text($0.date.description), .text($0.session.rawValue), .count($0.pupils)] })))
        }
        if f.unmarkedWithoutMarks > 0 {
            unmarked.append(.notice("\(f.unmarkedWithoutMarks) unmarked sessions are in returns sent without per-session marks, so they cannot be dated."))
        }
        document.sections.append(ReportSection("Unmarked sessions", unmarked))

        let table = CodeTable.standard
        document.sections.append(ReportSection("Codes against the county", [
            .paragraph(
                "Each code's sessions per 1,000 possible sessions at the school and in the county. A code is listed as unusual when the school "
                    + "uses it at least \(ReportCell.oneDecimal(settings.unusualCodes.ratio)) times as often as the county, on at least "
                    + "\(settings.unusualCodes.minimumSessions) sessions: worth checking that it is the right code."),
            .table(ReportTable(
                id: "codes", caption: "Codes used, the school against the county",
                columns: ["Code", "Meaning", "School sessions", "School per 1,000", "County per 1,000", "Unusual"],
                rows: f.codeRates.map { rate in
                    [.text(rate.code), .text(table.code(rate.code)?.meaning ?? "unknown code"), .count(rate.sessions), Self.perThousand(rate.rate),
                     Self.perThousand(rate.countyRate), .text(rate.flagged ? "yes" : "")]
                }, note: "Present marks, # (closure) and the codes with sections of their own (-, N, L, U) are not compared here.")),
        ]))

        document.sections.append(ReportSection("Monday and Friday absence", [
            .paragraph(
                "The school's absence rate (authorised and unauthorised sessions over possible sessions, from the marks) on Mondays and Fridays "
                    + "against Tuesday to Thursday. A finding at \(ReportCell.oneDecimal(settings.weekdayAbsence.ratio)) times the midweek rate "
                    + "with at least \(settings.weekdayAbsence.minimumSessions) sessions of absence."),
            .table(ReportTable(
                id: "weekdays", caption: "Absence by day of the week", columns: ["Day", "Absent sessions", "Possible sessions", "Absence %", "Tuesday-Thursday %", "Finding"],
                rows: f.weekdays.map { day in
                    [.text(Self.dayName(day.weekday)), .count(day.absent), .count(day.possible), day.rate.map { .percent($0) } ?? .none,
                     day.midweekRate.map { .percent($0) } ?? .none, .text(day.flagged ? "yes" : "")]
                })),
        ]))

        document.sections.append(ReportSection("Late codes", [
            .paragraph(
                "L (late before the register closed: present) and U (late after it closed: unauthorised absence) per 1,000 possible sessions. "
                    + "A finding at \(ReportCell.oneDecimal(settings.lateCodes.ratio)) times the county's rate with at least "
                    + "\(settings.lateCodes.minimumSessions) sessions."),
            .table(ReportTable(
                id: "late", caption: "Late codes, the school against the county",
                columns: ["Code", "School sessions", "School per 1,000", "County per 1,000", "Finding"],
                rows: f.lateCodes.map { rate in
                    [.text(rate.code), .count(rate.sessions), Self.perThousand(rate.rate), Self.perThousand(rate.countyRate), .text(rate.flagged ? "yes" : "")]
                })),
        ]))
        return document
    }

    static func dayName(_ weekday: Weekday) -> String { weekday == .monday ? "Monday" : weekday == .friday ? "Friday" : "\(weekday)" }

    // MARK: The message

    /// The `register-audit.findings` body for the school.
    public var message: RegisterAuditMessage {
        let f = findings
        func round(_ value: Double?) -> Double? { value.map { ($0 * 100).rounded() / 100 } }
        func code(_ rate: RegisterAuditFindings.CodeRate) -> RegisterAuditMessage.CodeRate {
            .init(code: rate.code, sessions: rate.sessions, ratePer1000: round(rate.rate), countySessions: rate.countySessions,
                  countyRatePer1000: round(rate.countyRate), finding: rate.flagged)
        }
        return RegisterAuditMessage(
            school: .init(laestab: f.laestab, name: f.schoolName),
            period: .init(
                academicYear: f.academicYear, firstHalfTerm: f.halfTerms.lowerBound, lastHalfTerm: f.halfTerms.upperBound,
                startDate: (f.startDate ?? madeOn).description, endDate: (f.endDate ?? madeOn).description, markedThrough: f.markedThrough?.description),
            madeOn: madeOn.description,
            audit: .init(lastAudit: schedule.lastAudit?.description, nextDue: schedule.nextDue.description, overdue: schedule.overdue),
            pupils: f.pupils, sessionsPossible: f.sessionsPossible, countySchools: f.countySchools,
            unresolvedN: .init(
                afterSchoolDays: f.settings.nUnresolvedAfterSchoolDays, sessions: f.unresolvedNSessions, undatedSessions: f.nWithoutMarks,
                pupils: f.unresolvedN.map { .init(upn: $0.upn, sessions: $0.sessions, oldestDate: $0.oldest.description) }),
            unmarked: .init(
                sessions: f.unmarkedSessions, pupils: f.unmarkedPupils, undatedSessions: f.unmarkedWithoutMarks,
                bySession: f.unmarked.map { .init(date: $0.date.description, session: $0.session == .am ? "am" : "pm", pupils: $0.pupils) }),
            codes: f.codeRates.map(code), lateCodes: f.lateCodes.map(code),
            weekdays: f.weekdays.map {
                .init(day: $0.weekday == .monday ? "monday" : "friday", absentSessions: $0.absent, possibleSessions: $0.possible,
                      absenceRate: round($0.rate), midweekAbsenceRate: round($0.midweekRate), finding: $0.flagged)
            })
    }
}

extension String {
    /// Nil for the empty string.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
