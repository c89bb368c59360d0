import AttendanceDomain
import MonitoringReports
import NPASDesk

// What each attendance page's template reads: the page models turned into mustache's dictionaries and arrays. Every
// text value is escaped by the template (`{{x}}`); only the charts' and tables' HTML, escaped by MonitoringReports'
// ReportHTML, is written raw (`{{{html}}}`).

extension AttendanceTemplateData {
    /// The links to each academic year held, the one shown marked current.
    static func years(_ years: [Int], current: Int?, path: String) -> [[String: Any]] {
        years.map { ["label": AttendanceText.year($0), "href": "\(path)?year=\($0)", "current": $0 == current] }
    }

    /// A chart and its data table (or a fuller table holding its figures), as one raw HTML block.
    static func chart(_ chart: ReportChart, table: ReportTable? = nil) -> [String: Any] {
        ["html": ReportHTML.figure(chart) + "\n" + ReportHTML.fragment(table ?? chart.table)]
    }

    /// The summary list of a group's year-to-date figures, with England's beside the rates.
    static func summary(_ figures: SchoolFigures, pupilsLabel: String = "Pupils on the returns") -> [[String: Any]] {
        let england = NationalFigures.latest.overall
        func rate(_ value: Double?, _ national: Double) -> String {
            "\(AttendanceText.percent(value)) (England \(AttendanceText.percent(national)))"
        }
        func pupils(_ count: Int) -> String { count == 1 ? "1 pupil" : "\(count) pupils" }
        return [
            ["label": pupilsLabel, "value": String(figures.pupils)],
            ["label": "Attendance", "value": rate(figures.attendanceRate, england.attendanceRate)],
            ["label": "Authorised absence", "value": rate(figures.authorisedAbsenceRate, england.authorisedAbsenceRate)],
            ["label": "Unauthorised absence", "value": rate(figures.unauthorisedAbsenceRate, england.unauthorisedAbsenceRate)],
            [
                "label": "Persistently absent (10% or more missed)",
                "value": "\(pupils(figures.persistentAbsenceCount)), \(rate(figures.persistentAbsenceRate, england.persistentAbsenceRate))",
            ],
            [
                "label": "Severely absent (50% or more missed)",
                "value": "\(pupils(figures.severeAbsenceCount)), \(rate(figures.severeAbsenceRate, england.severeAbsenceRate))",
            ],
        ]
    }

    /// The five measures of a group as table cells' texts.
    static func measures(_ figures: SchoolFigures) -> [String: Any] {
        [
            "pupils": String(figures.pupils), "attendance": AttendanceText.percent(figures.attendanceRate),
            "authorised": AttendanceText.percent(figures.authorisedAbsenceRate),
            "unauthorised": AttendanceText.percent(figures.unauthorisedAbsenceRate),
            "persistent": AttendanceText.percent(figures.persistentAbsenceRate), "severe": AttendanceText.percent(figures.severeAbsenceRate),
        ]
    }

    /// One pupil's figures as table cells' texts.
    static func pupilMeasures(_ figures: PupilFigures) -> [String: Any] {
        [
            "possible": String(figures.possible), "attendance": AttendanceText.percent(figures.attendanceRate),
            "absence": AttendanceText.percent(figures.absenceRate), "authorised": AttendanceText.percent(figures.authorisedRate),
            "unauthorised": AttendanceText.percent(figures.unauthorisedRate), "missing": String(figures.missing),
            "persistent": figures.isPersistentlyAbsent, "severe": figures.isSeverelyAbsent,
        ]
    }

    static func county(_ county: CountyAttendance) -> [String: Any] {
        [
            "year": AttendanceText.year(county.academicYear),
            "years": years(county.years, current: county.academicYear, path: "/attendance"), "manyYears": county.years.count > 1,
            "hasWeeks": !county.weekCharts.isEmpty,
            "halfTerms": county.halfTerms.map(AttendanceText.halfTerm).joined(separator: ", "),
            "summary": summary(county.figures),
            "halfTermCharts": county.halfTermCharts.map { chart($0) },
            "weekCharts": county.weekCharts.map { chart($0) },
            "breakdowns": county.breakdowns.map { ["title": $0.title, "html": $0.html] as [String: Any] },
            "schools": county.schools.map { school -> [String: Any] in
                measures(school.figures).merging(
                    ["laestab": school.laestab, "name": school.name, "phase": school.phase, "href": "/schools/\(school.laestab)?year=\(county.academicYear)"],
                    uniquingKeysWith: { first, _ in first })
            },
        ]
    }

    static func school(_ school: SchoolAttendance) -> [String: Any] {
        func pupils(_ list: [SchoolAttendance.Pupil]) -> [[String: Any]] {
            list.map { pupil in
                pupilMeasures(pupil.figures).merging(
                    [
                        "upn": pupil.upn, "name": pupil.name ?? "", "yearGroup": AttendanceText.yearGroup(pupil.yearGroup),
                        "href": "/pupils/\(pupil.upn)?year=\(school.academicYear)",
                    ], uniquingKeysWith: { first, _ in first })
            }
        }
        return [
            "laestab": school.laestab, "name": school.name, "phase": school.phase, "year": AttendanceText.year(school.academicYear),
            "years": years(school.years, current: school.academicYear, path: "/schools/\(school.laestab)"), "manyYears": school.years.count > 1,
            "hasWeeks": !school.weekCharts.isEmpty,
            "halfTerms": school.halfTerms.map(AttendanceText.halfTerm).joined(separator: ", "),
            "summary": summary(school.figures),
            "comparison": ReportHTML.fragment(school.comparison),
            "halfTermCharts": school.halfTermCharts.map { chart($0) },
            "weekCharts": school.weekCharts.map { chart($0) },
            "yearGroups": school.yearGroups.html,
            "pupilLists": [
                [
                    "id": "becoming-persistent", "heading": "Pupils becoming persistently absent",
                    "text": "Absent from 8% to under 10% of their possible sessions this year so far", "count": school.becomingPersistent.count,
                    "hasPupils": !school.becomingPersistent.isEmpty, "pupils": pupils(school.becomingPersistent),
                ],
                [
                    "id": "persistent", "heading": "Pupils persistently absent",
                    "text": "Absent from 10% or more of their possible sessions this year so far", "count": school.persistent.count,
                    "hasPupils": !school.persistent.isEmpty, "pupils": pupils(school.persistent),
                ],
            ] as [[String: Any]],
        ]
    }

    static func pupil(_ pupil: PupilAttendance, shares: Result<SubjectShares, SubjectShares.Unavailable>?) -> [String: Any] {
        var about: [[String: Any]] = [["label": "UPN", "value": pupil.upn]]
        if let name = pupil.name { about.append(["label": "Name", "value": name]) }
        if let born = pupil.roll?.dateOfBirth { about.append(["label": "Date of birth", "value": born]) }
        about.append(["label": "Year group", "value": AttendanceText.yearGroup(pupil.yearGroup)])
        about.append(["label": "SEN", "value": AttendanceText.sen(pupil.roll?.sen?.status)])
        if pupil.lookedAfter { about.append(["label": "Looked after", "value": "Yes"]) }
        var data: [String: Any] = [
            "upn": pupil.upn, "summary": about,
            "years": years(pupil.years, current: pupil.academicYear, path: "/pupils/\(pupil.upn)"), "manyYears": pupil.years.count > 1,
            "hasCases": !pupil.cases.isEmpty, "hasDeskShares": !pupil.deskShares.isEmpty,
            "year": pupil.academicYear.map(AttendanceText.year) ?? "",
            "hasFigures": !pupil.halfTerms.isEmpty,
            "yearToDate": pupilMeasures(pupil.yearToDate),
            "halfTerms": pupil.halfTerms.map { halfTerm -> [String: Any] in
                pupilMeasures(halfTerm.figures).merging(
                    ["halfTerm": AttendanceText.halfTerm(halfTerm.halfTerm), "laestab": halfTerm.laestab], uniquingKeysWith: { first, _ in first })
            },
            "schools": pupil.schools.map { school -> [String: Any] in
                [
                    "laestab": school.laestab, "name": school.name, "key": school.calendar.categories.map { ["category": $0.category, "label": $0.label] },
                    "weekdays": (school.calendar.showsWeekends ? ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] : ["Mon", "Tue", "Wed", "Thu", "Fri"]),
                    "months": school.calendar.months.map { month -> [String: Any] in
                        [
                            "name": month.name,
                            "weeks": month.weeks.map { week in
                                ["days": week.map { day -> [String: Any] in
                                    guard let day else { return ["blank": true] }
                                    var cell: [String: Any] = ["date": day.date, "day": day.dayOfMonth]
                                    if let am = day.am { cell["am"] = ["code": am.code, "category": am.category, "meaning": am.meaning] }
                                    if let pm = day.pm { cell["pm"] = ["code": pm.code, "category": pm.category, "meaning": pm.meaning] }
                                    return cell
                                }]
                            },
                        ]
                    },
                ]
            },
            "cases": pupil.cases.map { deskCase -> [String: Any] in
                [
                    "reference": deskCase.reference, "laestab": deskCase.laestab, "status": deskCase.status.replacingOccurrences(of: "_", with: " "),
                    "esw": deskCase.esw ?? "not allocated", "opened": String(SubjectShares.time(deskCase.openedAt).prefix(10)),
                ]
            },
            "deskShares": pupil.deskShares.map { share -> [String: Any] in
                ["kind": share.kind, "period": share.period, "outcome": share.outcome, "sentAt": share.sentAt]
            },
        ]
        switch shares {
        case .success(let shares):
            data["hubShares"] = [
                "count": shares.count,
                "agreements": shares.agreements.map { agreement -> [String: Any] in
                    [
                        "name": agreement.name, "count": agreement.releases.count,
                        "releases": agreement.releases.map { release -> [String: Any] in
                            [
                                "entry": release.entry, "when": release.when, "from": release.from, "to": release.to, "type": release.type,
                                "flow": release.flow, "version": release.version, "lawfulBasis": release.lawfulBasis,
                                "fields": release.fields.joined(separator: ", "),
                            ]
                        },
                    ]
                },
            ] as [String: Any]
        case .failure(let unavailable):
            data["hubSharesUnavailable"] = unavailable.reason
        case nil:
            data["hubSharesUnavailable"] = "the console is not configured with the hub's store (hub_config in console.yaml)."
        }
        return data
    }
}

/// The attendance pages' template data (see the extension's functions).
enum AttendanceTemplateData {}
