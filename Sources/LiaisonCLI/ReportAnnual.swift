import ArgumentParser
import AttendanceDomain
import Foundation
import MonitoringReports
import NPASDesk

// `liaison report governors`, `report smt` and `report members`: the reports made from the desk's figures and
// casework (MonitoringReports' GovernorsReport, SeniorTeamReport and MembersReport).

extension ReportCommand {
    struct Governors: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The annual report to a school's governing body.",
            discussion: """
                Attendance and absence against the school's targets, the county, England and earlier years; the trend by half \
                term; year groups; referrals, cases, interventions and legal action; the register-audit programme and findings. \
                Writes governors-LAESTAB-YEAR.html, .pdf and a CSV of each table. Disclosure control applies.
                """)

        @OptionGroup var report: ReportOptions
        @OptionGroup var targets: TargetOptions
        @Option(help: ArgumentHelp("The school's LAESTAB (7 digits).", valueName: "laestab")) var school: String
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: ArgumentHelp("The county's schools.csv (names, phases, districts).", valueName: "file")) var schools: String
        @Option(help: ArgumentHelp("The register-audit programme and thresholds.", valueName: "file"))
        var programme: String = "config/register-audits.yaml"

        func run() async throws {
            guard let laestab = try? LAESTAB(school) else { throw ValidationError("--school is a LAESTAB, 7 digits (9262001): '\(school)' is not.") }
            let directory = try ReportCommand.directory(schools)
            guard let entry = directory[laestab] else { throw UserFacingError("report governors: \(laestab) is not in \(schools).") }
            let day = try report.day(), control = try report.control(), targets = try targets.load()
            let programme: RegisterAuditProgramme
            do { programme = try RegisterAuditProgramme.load(path: self.programme) } catch { throw UserFacingError("report governors: \(error)") }
            let store = try report.store(), year = self.year
            let document = try await ReportOptions.offPool {
                let audit = try RegisterAuditSummary.read(
                    store: store, programme: programme, laestab: laestab.value, academicYear: year, halfTerms: 1...6, on: day
                ).blocks
                return try GovernorsReport(
                    school: entry, academicYear: year, madeOn: day.description, control: control, targets: targets, registerAudit: audit
                ).build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
            }
            try await report.write(document, command: "governors")
        }
    }

    struct SeniorTeam: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "smt",
            abstract: "The termly report to the attendance service's senior team.",
            discussion: """
                Referrals and how quickly they were taken up, cases per worker, interventions by type, penalty notices, \
                prosecutions and outcomes, care alerts and partners' shares, the schools' files that failed import, and the \
                county's attendance for the term. For the service only: counts are not suppressed. Writes smt-YEAR-TERM.*.
                """)

        @OptionGroup var report: ReportOptions
        @OptionGroup var targets: TargetOptions
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: "autumn, spring or summer.") var term: String
        @Option(help: ArgumentHelp("The schools' import's folder (its failed/ files are listed).", valueName: "dir")) var imports: String?

        func run() async throws {
            guard let term = Term(rawValue: term) else { throw ValidationError("--term is autumn, spring or summer: '\(self.term)' is not.") }
            let day = try report.day(), store = try report.store(), year = self.year, targets = try targets.load()
            let failed = imports.map { SeniorTeamReport.failedImports(folder: "\($0)/failed") } ?? []
            let document = try await ReportOptions.offPool {
                try SeniorTeamReport(academicYear: year, term: term, madeOn: day.description, failedImports: failed, targets: targets)
                    .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
            }
            try await report.write(document, command: "smt")
        }
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The annual report to elected members and the education review panel.",
            discussion: """
                The county's trends over the years held, by phase and by district, against the county's targets and England, \
                and the impact of prosecution (each prosecuted child's attendance in the two half terms before the file and the \
                two after the disposal). Writes members-YEAR.*. Disclosure control applies.
                """)

        @OptionGroup var report: ReportOptions
        @OptionGroup var targets: TargetOptions
        @Option(help: "The academic year's start year (2025 is 2025/26).") var year: Int
        @Option(help: ArgumentHelp("The county's schools.csv (names, phases, districts).", valueName: "file")) var schools: String

        func run() async throws {
            let directory = try ReportCommand.directory(schools)
            let day = try report.day(), control = try report.control(), targets = try targets.load(), store = try report.store(), year = self.year
            let document = try await ReportOptions.offPool {
                try MembersReport(academicYear: year, directory: directory, madeOn: day.description, control: control, targets: targets)
                    .build(attendance: AttendanceData(store: store), casework: CaseworkData(store: store))
            }
            try await report.write(document, command: "members")
        }
    }

    /// The county's schools.csv, or a message saying what is wrong with it.
    static func directory(_ path: String) throws -> SchoolDirectory {
        do { return try SchoolDirectory(contentsOf: URL(fileURLWithPath: path)) } catch { throw UserFacingError("\(error)") }
    }
}
