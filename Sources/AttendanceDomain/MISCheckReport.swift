import Foundation

/// Renders read results as a table, CSV or JSON: every problem, then each pupil's figures.
///
/// This is what `liaison mis check FILE... [--format table|csv|json]` prints. Rates are percentages rounded to two
/// decimals; a rate is empty (CSV, table) or null (JSON) when the pupil has no possible sessions.
///
/// ```swift
/// let report = MISCheckReport([MISReader().read(path: "9262001-2025-ht1.xml")])
/// print(report.render(.table))
/// ```
public struct MISCheckReport: Sendable {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json
    }

    /// The results, one per file.
    public let results: [MISReadResult]

    public init(_ results: [MISReadResult]) { self.results = results }

    /// True if any file has a fatal problem (the check's exit status is then 1).
    public var hasFatalProblem: Bool { results.contains(where: \.hasFatalProblem) }

    /// The report in `format`.
    public func render(_ format: Format) -> String {
        switch format {
        case .table: return table()
        case .csv: return csv()
        case .json: return json()
        }
    }

    static func percent(_ value: Double?) -> Double? { value.map { ($0 * 100).rounded() / 100 } }

    private static func text(_ value: Double?) -> String {
        guard let value = percent(value) else { return "" }
        return String(format: "%.2f", value)
    }

    // MARK: Table

    private func table() -> String {
        var out = ""
        for result in results {
            let school = result.school.map { "\($0.laestab) \($0.name ?? "")" } ?? "unknown school"
            let period = result.period.map { period in
                "\(period.academicYear)/\(String(period.academicYear + 1).suffix(2)) "
                    + (period.halfTerm.map { "half term \($0)" } ?? "half terms \(period.halfTerms.lowerBound)-\(period.halfTerms.upperBound)")
                    + " (\(period.start) to \(period.end))"
                    + (result.markedThrough.map { ", a register to \($0)" } ?? "")
            } ?? "no period"
            out += "\(result.file): \(result.format.rawValue.uppercased()), \(school), \(period)\n"
            let fatal = result.problems.filter { $0.severity == .fatal }.count
            out += "  \(result.pupils.count) pupils, \(result.problems.count) problems (\(fatal) fatal)\n"
            for problem in result.problems {
                var location = problem.location.line.map { "line \($0)" } ?? ""
                if let path = problem.location.elementPath { location += (location.isEmpty ? "" : " ") + path }
                out += "  \(problem.severity.rawValue) \(problem.code)\(location.isEmpty ? "" : " at \(location)")\(problem.upn.map { " UPN \($0)" } ?? ""): \(problem.message)\n"
            }
            if !result.pupils.isEmpty {
                let header = ["UPN", "possible", "present", "aea", "auth", "unauth", "missing", "attend%", "PA", "SA"]
                var rows = [header]
                for pupil in result.pupils {
                    let f = pupil.figures
                    rows.append([pupil.upn, "\(f.possible)", "\(f.present)", "\(f.aea)", "\(f.authorised)", "\(f.unauthorised)",
                                 "\(f.missing)", Self.text(f.attendanceRate), f.isPersistentlyAbsent ? "yes" : "", f.isSeverelyAbsent ? "yes" : ""])
                }
                let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
                for row in rows {
                    out += "  " + row.enumerated().map { column, cell in
                        column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                            : String(repeating: " ", count: widths[column] - cell.count) + cell
                    }.joined(separator: "  ") + "\n"
                }
                let school = result.schoolFigures
                out += "  school: \(school.pupils) pupils, \(school.possible) possible sessions, attendance \(Self.text(school.attendanceRate))%, "
                    + "absence \(Self.text(school.overallAbsenceRate))% (authorised \(Self.text(school.authorisedAbsenceRate))%, unauthorised \(Self.text(school.unauthorisedAbsenceRate))%), "
                    + "persistent \(school.persistentAbsenceCount) (\(Self.text(school.persistentAbsenceRate))%), severe \(school.severeAbsenceCount) (\(Self.text(school.severeAbsenceRate))%)\n"
            }
        }
        return out
    }

    // MARK: CSV

    /// The CSV columns: one row per problem (`record` = problem) and per pupil (`record` = pupil).
    public static let csvColumns = [
        "record", "file", "laestab", "upn", "severity", "code", "line", "element", "message", "sessions_possible", "present",
        "aea", "authorised", "unauthorised", "missing", "invalid", "attendance_pct", "absence_pct", "persistent", "severe",
    ]

    private func csv() -> String {
        var out = Self.csvColumns.joined(separator: ",") + "\n"
        func row(_ fields: [String]) { out += fields.map(CSVRecordReader.escape).joined(separator: ",") + "\n" }
        for result in results {
            let laestab = result.school?.laestab.value ?? ""
            for problem in result.problems {
                row(["problem", result.file, laestab, problem.upn ?? "", problem.severity.rawValue, problem.code.rawValue,
                     problem.location.line.map(String.init) ?? "", problem.location.elementPath ?? "", problem.message]
                    + Array(repeating: "", count: 11))
            }
            for pupil in result.pupils {
                let f = pupil.figures
                row(["pupil", result.file, laestab, pupil.upn, "", "", "", "", "", "\(f.possible)", "\(f.present)", "\(f.aea)",
                     "\(f.authorised)", "\(f.unauthorised)", "\(f.missing)", "\(f.invalid)", Self.text(f.attendanceRate),
                     Self.text(f.absenceRate), f.isPersistentlyAbsent ? "true" : "false", f.isSeverelyAbsent ? "true" : "false"])
            }
        }
        return out
    }

    // MARK: JSON

    private struct JSONReport: Encodable {
        var files: [File]
        var fatal: Bool
        struct File: Encodable {
            var file: String
            var format: String
            var school: School?
            var period: Period?
            var problems: [Problem]
            var pupils: [Pupil]
            var schoolFigures: Aggregate
            enum CodingKeys: String, CodingKey { case file, format, school, period, problems, pupils, schoolFigures = "school_figures" }
        }
        struct School: Encodable { var laestab: String; var name: String?; var urn: String?; var phase: String? }
        struct Period: Encodable {
            var academicYear: Int; var halfTerm: Int?; var startDate: String; var endDate: String
            enum CodingKeys: String, CodingKey { case academicYear = "academic_year", halfTerm = "half_term", startDate = "start_date", endDate = "end_date" }
        }
        struct Problem: Encodable {
            var code: String; var severity: String; var line: Int?; var column: Int?; var element: String?; var upn: String?; var message: String
        }
        struct Pupil: Encodable {
            var upn: String; var sessionsPossible: Int; var present: Int; var aea: Int; var authorised: Int; var unauthorised: Int
            var missing: Int; var invalid: Int; var attendanceRate: Double?; var persistent: Bool; var severe: Bool
            enum CodingKeys: String, CodingKey {
                case upn, present, aea, authorised, unauthorised, missing, invalid, persistent, severe
                case sessionsPossible = "sessions_possible", attendanceRate = "attendance_rate"
            }
        }
        struct Aggregate: Encodable {
            var pupils: Int; var sessionsPossible: Int; var persistentAbsenceCount: Int; var severeAbsenceCount: Int
            var attendanceRate: Double?; var authorisedAbsenceRate: Double?; var unauthorisedAbsenceRate: Double?
            var overallAbsenceRate: Double?; var persistentAbsenceRate: Double?; var severeAbsenceRate: Double?
            enum CodingKeys: String, CodingKey {
                case pupils
                case sessionsPossible = "sessions_possible", persistentAbsenceCount = "persistent_absence_count"
                case severeAbsenceCount = "severe_absence_count", attendanceRate = "attendance_rate"
                case authorisedAbsenceRate = "authorised_absence_rate", unauthorisedAbsenceRate = "unauthorised_absence_rate"
                case overallAbsenceRate = "overall_absence_rate", persistentAbsenceRate = "persistent_absence_rate"
                case severeAbsenceRate = "severe_absence_rate"
            }
        }
    }

    private func json() -> String {
        let files = results.map { result -> JSONReport.File in
            let school = result.schoolFigures
            return JSONReport.File(
                file: result.file, format: result.format.rawValue,
                school: result.school.map { .init(laestab: $0.laestab.value, name: $0.name, urn: $0.urn, phase: $0.phase?.rawValue) },
                period: result.period.map { .init(academicYear: $0.academicYear, halfTerm: $0.halfTerm, startDate: "\($0.start)", endDate: "\($0.end)") },
                problems: result.problems.map {
                    .init(code: $0.code.rawValue, severity: $0.severity.rawValue, line: $0.location.line, column: $0.location.column,
                          element: $0.location.elementPath, upn: $0.upn, message: $0.message)
                },
                pupils: result.pupils.map {
                    let f = $0.figures
                    return .init(upn: $0.upn, sessionsPossible: f.possible, present: f.present, aea: f.aea, authorised: f.authorised,
                                 unauthorised: f.unauthorised, missing: f.missing, invalid: f.invalid,
                                 attendanceRate: Self.percent(f.attendanceRate), persistent: f.isPersistentlyAbsent, severe: f.isSeverelyAbsent)
                },
                schoolFigures: .init(
                    pupils: school.pupils, sessionsPossible: school.possible, persistentAbsenceCount: school.persistentAbsenceCount,
                    severeAbsenceCount: school.severeAbsenceCount, attendanceRate: Self.percent(school.attendanceRate),
                    authorisedAbsenceRate: Self.percent(school.authorisedAbsenceRate),
                    unauthorisedAbsenceRate: Self.percent(school.unauthorisedAbsenceRate),
                    overallAbsenceRate: Self.percent(school.overallAbsenceRate),
                    persistentAbsenceRate: Self.percent(school.persistentAbsenceRate), severeAbsenceRate: Self.percent(school.severeAbsenceRate)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JSONReport(files: files, fatal: hasFatalProblem))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
