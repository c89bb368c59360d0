import AttendanceDomain
import LiaisonMessages

/// The attendance awards for a year (`liaison report awards`): per school, its `awards.list` message and its report
/// (the list as tables, then a certificate per pupil, each on a page of its own), and the county's summary, which
/// holds counts per school only.
///
/// A school's report names its own pupils (from the desk's copy of the school's roll): it is for that school alone.
/// File names are fixed words, the LAESTAB and the year (`awards-9262001-2025`, `awards-county-2025`), never a name.
///
/// ```swift
/// let report = AwardsReport(academicYear: 2025, halfTerms: 1...6, rules: rules, madeOn: "2026-07-24", directory: schools)
/// let list = report.list(for: selected[0], yearGroups: data.yearGroups, roll: roll)
/// try await writer.write(report.schoolDocument(list))
/// ```
public struct AwardsReport: Sendable {
    public var academicYear: Int
    /// The half terms whose returns the figures come from.
    public var halfTerms: ClosedRange<Int>
    public var rules: AwardsRules
    /// YYYY-MM-DD.
    public var madeOn: String
    /// For the schools' names; without it, schools are named by LAESTAB.
    public var directory: SchoolDirectory?

    public init(academicYear: Int, halfTerms: ClosedRange<Int>, rules: AwardsRules, madeOn: String, directory: SchoolDirectory?) {
        self.academicYear = academicYear
        self.halfTerms = halfTerms
        self.rules = rules
        self.madeOn = madeOn
        self.directory = directory
    }

    /// `2025/26`.
    public var years: String { "\(academicYear)/\(String(format: "%02d", (academicYear + 1) % 100))" }

    var period: String {
        "Academic year \(years)" + (halfTerms == 1...6 ? "" : ", half terms \(halfTerms.lowerBound)-\(halfTerms.upperBound)")
    }

    func schoolName(_ laestab: String) -> String? {
        (try? LAESTAB(laestab)).flatMap { directory?[$0]?.name }
    }

    // MARK: The message

    /// The school's `awards.list`: each pupil with the name and year group the desk holds (year group from the
    /// school's latest return, else the roll) and the figures that earned the award.
    public func list(for school: AwardsSelection.School, yearGroups: [String: [String: String]], roll: [String: PupilRoll.Pupil]) -> AwardsList {
        func pupil(_ upn: String) -> AwardsList.Pupil {
            let entry = roll[upn]
            return AwardsList.Pupil(
                upn: upn, forename: entry?.forename, surname: entry?.surname, yearGroup: yearGroups[school.laestab]?[upn] ?? entry?.yearGroup)
        }
        func figures(_ figures: PupilFigures) -> AwardsList.YearFigures {
            AwardsList.YearFigures(
                sessionsPossible: figures.possible, attended: figures.attended, attendanceRate: Self.rounded(figures.attendanceRate ?? 0))
        }
        return AwardsList(
            school: AwardsList.School(laestab: school.laestab, name: schoolName(school.laestab)),
            period: AwardsList.Period(academicYear: academicYear, firstHalfTerm: halfTerms.lowerBound, lastHalfTerm: halfTerms.upperBound),
            madeOn: madeOn,
            rules: AwardsList.Rules(
                fullAttendance: AwardsList.Rules.FullAttendance(
                    minimumSessions: rules.fullAttendance.minimumSessions, aeaCountsAsPresent: rules.fullAttendance.aeaCountsAsPresent),
                mostImproved: AwardsList.Rules.MostImproved(
                    minimumImprovementPoints: rules.mostImproved.minimumImprovementPoints,
                    minimumSessionsThisYear: rules.mostImproved.minimumSessionsThisYear,
                    minimumSessionsLastYear: rules.mostImproved.minimumSessionsLastYear, maximumPerSchool: rules.mostImproved.maximumPerSchool)),
            fullAttendance: school.fullAttendance.map { award in
                AwardsList.FullAttendance(pupil: pupil(award.upn), sessionsPossible: award.figures.possible, aea: award.figures.aea)
            },
            mostImproved: school.mostImproved.map { award in
                AwardsList.MostImproved(
                    pupil: pupil(award.upn), thisYear: figures(award.thisYear), lastYear: figures(award.lastYear),
                    improvementPoints: Self.rounded(award.improvementPoints))
            })
    }

    /// To one decimal place, half away from zero (the DfE's rounding, as printed).
    static func rounded(_ value: Double) -> Double { (value * 10).rounded(.toNearestOrAwayFromZero) / 10 }

    // MARK: The school's report

    /// The school's report: what the awards are, the two lists as tables, then one certificate per pupil, each on a
    /// page of its own. Built from the message, so the printed list is what the school is sent.
    public func schoolDocument(_ list: AwardsList) -> ReportDocument {
        let name = list.school.name ?? "school \(list.school.laestab)"
        var document = ReportDocument(
            name: "awards-\(list.school.laestab)-\(academicYear)", title: "Attendance awards \(years): \(name)",
            subtitle: "For the school: its own pupils' awards and certificates", period: period, madeOn: madeOn, marking: "Official: sensitive")
        let aea = list.rules.fullAttendance.aeaCountsAsPresent
        document.sections.append(ReportSection("The awards", [
            .paragraph(
                "Full attendance: every possible session attended over at least \(list.rules.fullAttendance.minimumSessions) sessions at the "
                    + "school this year, with no authorised or unauthorised absence and no missing mark"
                    + (aea ? " (approved educational activity counts as attending)." : ", and no approved educational activity.")),
            .paragraph(
                "Most improved: attendance this year at least \(ReportCell.oneDecimal(list.rules.mostImproved.minimumImprovementPoints)) percentage "
                    + "points above last year's, with at least \(list.rules.mostImproved.minimumSessionsThisYear) possible sessions this year and "
                    + "\(list.rules.mostImproved.minimumSessionsLastYear) last year (at whichever of the county's schools)"
                    + (list.rules.mostImproved.maximumPerSchool.map { "; at most \($0) pupils, the greatest improvement first, all those tied at the last place named." } ?? ".")),
            .summary([
                (label: "Full attendance", value: Self.pupils(list.fullAttendance.count)),
                (label: "Most improved", value: Self.pupils(list.mostImproved.count)),
            ]),
        ]))
        document.sections.append(ReportSection("Full attendance", [
            list.fullAttendance.isEmpty ? .paragraph("No pupil this year.") : .table(ReportTable(
                id: "full-attendance", caption: "Pupils with full attendance",
                columns: ["Pupil", "Year group", "UPN", "Sessions attended", "Of which approved educational activity"],
                rows: list.fullAttendance.map { award in
                    [.text(Self.name(award.pupil)), .text(award.pupil.yearGroup ?? ""), .text(award.pupil.upn), .count(award.sessionsPossible), .count(award.aea)]
                }))
        ]))
        document.sections.append(ReportSection("Most improved", [
            list.mostImproved.isEmpty ? .paragraph("No pupil this year.") : .table(ReportTable(
                id: "most-improved", caption: "Pupils whose attendance improved most on last year",
                columns: ["Pupil", "Year group", "UPN", "Last year %", "This year %", "Improvement (points)"],
                rows: list.mostImproved.map { award in
                    [.text(Self.name(award.pupil)), .text(award.pupil.yearGroup ?? ""), .text(award.pupil.upn),
                     .percent(award.lastYear.attendanceRate), .percent(award.thisYear.attendanceRate), .percent(award.improvementPoints)]
                }))
        ]))
        let certificates =
            list.fullAttendance.map { award in
                ("Certificate of full attendance", Self.name(award.pupil),
                 "For attending every session at \(name) in the school year \(years): \(award.sessionsPossible) sessions out of \(award.sessionsPossible).")
            }
            + list.mostImproved.map { award in
                ("Certificate of most improved attendance", Self.name(award.pupil),
                 "For improving their attendance at \(name) in the school year \(years) from \(ReportCell.oneDecimal(award.lastYear.attendanceRate))% "
                    + "to \(ReportCell.oneDecimal(award.thisYear.attendanceRate))%.")
            }
        // Each certificate starts a printed page: the break ends the section before it.
        for (title, pupil, reason) in certificates {
            document.sections[document.sections.count - 1].blocks.append(.pageBreak)
            document.sections.append(ReportSection(title, [.paragraph("Awarded to"), .notice(pupil), .paragraph(reason), .paragraph("Well done!")]))
        }
        return document
    }

    /// "1 pupil", "2 pupils".
    static func pupils(_ count: Int) -> String { count == 1 ? "1 pupil" : "\(count) pupils" }

    /// The pupil's name as the roll gives it, or "A pupil (UPN)" when the desk holds no name: the school can look the
    /// UPN up in its MIS.
    static func name(_ pupil: AwardsList.Pupil) -> String {
        let parts = [pupil.forename, pupil.surname].compactMap { $0 }
        return parts.isEmpty ? "A pupil (\(pupil.upn))" : parts.joined(separator: " ")
    }

    // MARK: The county's summary

    /// The county's summary: per school, how many pupils were considered and how many earned each award. Counts
    /// only: no pupil is named or identified, and it is not sent to anyone by the report.
    public func countyDocument(_ schools: [AwardsSelection.School]) -> ReportDocument {
        var document = ReportDocument(
            name: "awards-county-\(academicYear)", title: "Attendance awards \(years): the county",
            subtitle: "Counts per school; each school receives its own list", period: period, madeOn: madeOn)
        let full = schools.reduce(0) { $0 + $1.fullAttendance.count }, improved = schools.reduce(0) { $0 + $1.mostImproved.count }
        document.sections.append(ReportSection("Summary", [
            .summary([
                (label: "Schools", value: "\(schools.count)"),
                (label: "Pupils considered", value: "\(schools.reduce(0) { $0 + $1.pupilsConsidered })"),
                (label: "Full attendance", value: "\(full)"),
                (label: "Most improved", value: "\(improved)"),
            ]),
            .paragraph("The rules are in config/awards.yaml: full attendance over at least \(rules.fullAttendance.minimumSessions) possible sessions; "
                + "most improved by at least \(ReportCell.oneDecimal(rules.mostImproved.minimumImprovementPoints)) percentage points."),
        ]))
        document.sections.append(ReportSection("Per school", [
            .table(ReportTable(
                id: "per-school", caption: "Awards per school",
                columns: ["LAESTAB", "School", "Pupils considered", "Full attendance", "Most improved"],
                rows: schools.map { school in
                    [.text(school.laestab), .text(schoolName(school.laestab) ?? ""), .count(school.pupilsConsidered),
                     .count(school.fullAttendance.count), .count(school.mostImproved.count)]
                },
                note: "Counts only. A school's pupils are named in its own list alone."))
        ]))
        return document
    }
}
