import AttendanceDomain
import Foundation
import NPASDesk

/// `liaison report smt --year Y --term T`: the termly report to the attendance service's senior team.
///
/// Referrals and how quickly they were taken up; cases opened and closed per worker; interventions by type; penalty
/// notices issued and paid; prosecutions and outcomes; care alerts and partners' shares; the schools' files that
/// failed import; and the county's attendance for the term against the same term a year before. The report stays
/// inside the service (it is marked so): its counts are not suppressed, since the senior team manages these cases.
public struct SeniorTeamReport: Sendable {
    public var academicYear: Int
    public var term: Term
    public var madeOn: String
    /// The schools' import's `failed/` folder, when given: its files dated in the term are listed.
    public var failedImports: [FailedImport]
    /// The county's targets, printed beside the term's figures.
    public var targets: ReportTargets?

    /// A file the schools' import could not read: its name and the first line of its error report.
    public struct FailedImport: Sendable, Equatable {
        public var file: String
        public var date: String
        public var reason: String
        public init(file: String, date: String, reason: String) {
            self.file = file
            self.date = date
            self.reason = reason
        }
    }

    public init(academicYear: Int, term: Term, madeOn: String, failedImports: [FailedImport] = [], targets: ReportTargets? = nil) {
        self.targets = targets
        self.academicYear = academicYear
        self.term = term
        self.madeOn = madeOn
        self.failedImports = failedImports
    }

    public func build(attendance: AttendanceData, casework: CaseworkData) throws -> ReportDocument {
        let period = CaseworkData.Period.term(term, of: academicYear)
        let counts = try casework.counts(period)
        let termName = "\(term.rawValue.capitalized) term \(YearText.academic(academicYear))"
        var document = ReportDocument(
            name: "smt-\(academicYear)-\(term.rawValue)", title: "The attendance service: \(termName)",
            subtitle: "Termly report to the senior team", period: "\(termName) (\(period.from) to \(period.to))", madeOn: madeOn,
            marking: "Official: sensitive (not for publication)")

        // The county's attendance this term and the same term a year before.
        let first = (Term.allCases.firstIndex(of: term) ?? 0) * 2 + 1
        let halfTerms = first...(first + 1)
        func county(_ year: Int) throws -> SchoolFigures? {
            let schools = try attendance.schools(academicYear: year, halfTerms: halfTerms)
            guard !schools.isEmpty else { return nil }
            var all = SchoolFigures()
            for figures in schools.values { all.add(figures) }
            return all
        }
        let now = try county(academicYear), before = try county(academicYear - 1)
        func cell(_ value: Double?) -> ReportCell { value.map { .percent($0) } ?? .none }
        let target = targets?.county(year: academicYear)?.overall
        func pair(_ label: String, _ value: (SchoolFigures) -> Double?, target: Double? = nil) -> [ReportCell] {
            [.text(label), cell(now.flatMap(value)), cell(before.flatMap(value)), cell(target)]
        }
        document.sections.append(ReportSection("The county's attendance this term", [
            now == nil ? .notice("The desk holds no returns for this term yet.") : .paragraph("From the returns of \(try attendance.schools(academicYear: academicYear, halfTerms: halfTerms).count) schools for half terms \(first) and \(first + 1)."),
            .table(ReportTable(
                id: "attendance", caption: "The county, %", columns: ["Measure", termName, "A year before", "The year's target"],
                rows: [
                    pair("Attendance", \.attendancePercent, target: target?.attendance), pair("Authorised absence", \.authorisedPercent),
                    pair("Unauthorised absence", \.unauthorisedPercent),
                    pair("Persistent absence (pupils)", \.persistentPercent, target: target?.persistentAbsence),
                    pair("Severe absence (pupils)", \.severePercent, target: target?.severeAbsence),
                ])),
        ]))

        // Referrals and take-up.
        let days = counts.daysToAllocation.sorted()
        let median = days.isEmpty ? nil : days.count % 2 == 1 ? days[days.count / 2] : (days[days.count / 2 - 1] + days[days.count / 2]) / 2
        document.sections.append(ReportSection("Referrals and how quickly they were taken up", [
            .summary([
                ("Referrals received", String(counts.referrals)),
                ("Cases allocated to a worker", String(days.count)),
                ("Median days from referral to allocation", median.map { ReportCell.oneDecimal($0) } ?? "none allocated"),
                ("Longest wait", days.last.map { "\(ReportCell.oneDecimal($0)) days" } ?? "none allocated"),
                ("Allocated within 5 days", days.isEmpty ? "none allocated" : "\(days.filter { $0 <= 5 }.count) of \(days.count)"),
            ])
        ]))

        // Cases per worker.
        let workers = Set(counts.openedByWorker.keys).union(counts.closedByWorker.keys).sorted()
        var workerRows = workers.map { [.text($0), .count(counts.openedByWorker[$0] ?? 0), .count(counts.closedByWorker[$0] ?? 0)] as [ReportCell] }
        workerRows.append([.text("All workers"), .count(counts.casesOpened), .count(counts.casesClosed)])
        document.sections.append(ReportSection("Cases opened and closed per worker", [
            .table(ReportTable(id: "workers", caption: "Cases by worker", columns: ["Worker", "Opened", "Closed"], rows: workerRows,
                note: "A case counts under the worker it is allocated to now; \"not allocated\" cases wait for one.")),
        ]))

        let interventions = counts.interventionsByType.sorted { $0.key < $1.key }
        document.sections.append(ReportSection("Interventions by type", [
            interventions.isEmpty ? .paragraph("No interventions were recorded this term.") :
                .chart(ReportChart(
                    id: "interventions", title: "Interventions this term", kind: .bar,
                    labels: interventions.map { $0.key.replacingOccurrences(of: "_", with: " ") },
                    series: [.init(name: "Interventions", values: interventions.map { .count($0.value) })], unit: ""))
        ]))

        // Legal action.
        var legal: [[ReportCell]] = [
            [.text("Penalty notices issued"), .count(counts.penaltyNoticesIssued)],
            [.text("Penalty notices withdrawn (of those issued)"), .count(counts.penaltyNoticesWithdrawn)],
            [.text("Penalty notices paid"), .count(counts.penaltyNoticesPaid)],
            [.text("Paid to the authority"), .pence(counts.penaltyPaidPence)],
            [.text("Prosecutions heard"), .count(counts.prosecutions)],
        ]
        for (outcome, count) in counts.outcomes.sorted(by: { $0.key < $1.key }) {
            legal.append([.text("Outcome: \(outcome.replacingOccurrences(of: "_", with: " "))"), .count(count)])
        }
        document.sections.append(ReportSection("Penalty notices and prosecutions", [
            .table(ReportTable(id: "legal", caption: "Legal action", columns: ["", "This term"], rows: legal,
                note: "Outcomes are per defendant, as the court recorded them.")),
        ]))

        // Partners.
        let kinds = Set(counts.sharesByKind.keys).union(counts.sharesRefusedByKind.keys).sorted()
        let names = ["care-alert": "Care alerts to Social Services", "yot": "Attendance summaries to the YOT", "connexions": "Notifications to Connexions"]
        document.sections.append(ReportSection("Care alerts and partners' shares", [
            kinds.isEmpty ? .paragraph("Nothing was shared with partners this term.") :
                .table(ReportTable(
                    id: "shares", caption: "What the desk shared", columns: ["", "Released by the hub", "Held back by the hub"],
                    rows: kinds.map { [.text(names[$0] ?? $0), .count(counts.sharesByKind[$0] ?? 0), .count(counts.sharesRefusedByKind[$0] ?? 0)] },
                    note: "Held back: the hub's sharing rules did not release it (a child not on the partner's list, or one who opted out)."))
        ]))

        // Files that failed import.
        let failed = failedImports.filter { $0.date >= period.from.description && $0.date <= period.to.description }
        document.sections.append(ReportSection("Schools' files that failed import", [
            failed.isEmpty ? .paragraph("No school's file failed import this term.") :
                .table(ReportTable(
                    id: "failed-imports", caption: "Files the schools' import could not read",
                    columns: ["Date", "File", "Why"], rows: failed.map { [.text($0.date), .text($0.file), .text($0.reason)] },
                    note: "Each file is in the import's failed/ folder with its error report beside it; the school is asked to send it again."))
        ]))
        return document
    }

    /// The files in the schools' import's `failed/` folder, each with the date of its error report and its first
    /// reason line.
    public static func failedImports(folder: String) -> [FailedImport] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(".error.txt") }.sorted().compactMap { name in
            let path = "\(folder)/\(name)"
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let modified = attributes[.modificationDate] as? Date
            else { return nil }
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let reason = text.split(separator: "\n").dropFirst(2).first.map(String.init) ?? text.split(separator: "\n").first.map(String.init) ?? ""
            let day = SchoolDate(dayNumber: Int(floor(modified.timeIntervalSince1970 / 86_400)))
            return FailedImport(file: String(name.dropLast(".error.txt".count)), date: day.description, reason: String(reason.prefix(200)))
        }
    }
}
