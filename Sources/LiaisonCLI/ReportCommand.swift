import ArgumentParser
import AttendanceDomain
import Foundation
import MonitoringReports
import NPASDesk
import Printing

/// `liaison report`: the monitoring reports the attendance service publishes from the desk's store. Each writes
/// printable HTML, a PDF of it (with Debian's Chromium) and a CSV of every table into `--out`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The monitoring reports: governors, senior team, elected members, protocol reviews, awards, register audits.",
        discussion: """
            Each report reads the desk's store read-only (safe while the desk runs) and writes NAME.html, NAME.pdf and \
            NAME-TABLE.csv into the output folder. Counts below the disclosure threshold (default: fewer than 3) and \
            the rates made from them print as `c`. See docs/reports.md.
            """,
        subcommands: [Check.self, Governors.self, SeniorTeam.self, Members.self, RegisterAudit.self, Awards.self, ProtocolReview.self])
}

/// What every report command takes: the desk's folder, where to write, and how to print.
struct ReportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The desk's working folder (as for `liaison adapter npas-desk`); every report but protocol reads it.", valueName: "dir"))
    var folder: String?
    @Option(help: ArgumentHelp("Where the report's files go (made 0700 if missing).", valueName: "dir"))
    var out: String = "reports"
    @Option(help: ArgumentHelp("Debian's chromium, for the PDF (found on PATH if not given).", valueName: "path"))
    var chromium: String?
    @Flag(help: "Write the HTML and CSV only.") var noPDF = false
    @Option(help: ArgumentHelp("The date printed as the report's date, YYYY-MM-DD (today if not given).", valueName: "date"))
    var on: String?
    @Option(help: ArgumentHelp("Disclosure control: counts below this (and rates made from them) print as c.", valueName: "n"))
    var threshold: Int = DisclosureControl.defaultThreshold

    /// The desk's folder: `--folder`, which this report needs.
    func deskFolder() throws -> String {
        guard let folder else { throw ValidationError("--folder is needed: the desk's working folder, whose store this report reads.") }
        return folder
    }

    /// The desk's store, opened read-only.
    func store() throws -> DeskStore {
        try DeskStore(path: "\(try deskFolder())/desk.sqlite", readOnly: true)
    }

    /// The report's date: `--on`, else today.
    func day() throws -> SchoolDate {
        guard let on else { return SchoolDate.today(in: .current) }
        guard let parsed = SchoolDate(parsing: on) else { throw ValidationError("--on is a date, YYYY-MM-DD: '\(on)' is not.") }
        return parsed
    }

    func control() throws -> DisclosureControl {
        guard (1...100).contains(threshold) else { throw ValidationError("--threshold is a count from 1 to 100 (1 hides nothing).") }
        return DisclosureControl(threshold: threshold)
    }

    /// How the PDF is printed (nil with --no-pdf); says why when it cannot be.
    func printing() -> PDFPrinting? {
        let printing: PDFPrinting? = noPDF ? nil : ChromiumPDF.printing(option: chromium, workFolder: NSTemporaryDirectory() + "liaison-report-print")
        if case .unavailable(let reason) = printing { print("No PDF: \(reason).") }
        return printing
    }

    /// Writes the document and prints each file's path.
    func write(_ document: ReportDocument, command: String) async throws {
        do {
            for path in try await ReportWriter(folder: out, printing: printing()).write(document) { print(path) }
        } catch {
            throw UserFacingError("report \(command): \(error)")
        }
    }

    /// Runs blocking work (SQLite reads) on a thread of its own, never Swift's cooperative pool.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// `--targets`: the school and county targets (config/targets/), for the reports that show progress against them.
struct TargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The targets folder (schools.yaml, county.yaml).", valueName: "dir"))
    var targets: String = "config/targets"

    func load() throws -> ReportTargets {
        do { return try ReportTargets.load(folder: targets) } catch { throw UserFacingError("\(error)") }
    }
}

extension ReportCommand {
    /// `liaison report check`: loads the reports' configuration (targets, awards' rules, the register-audit
    /// programme) and prints every problem with file, line and key, as `rules check` does for the agreements.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the reports' configuration: config/targets/, config/awards.yaml, config/register-audits.yaml.")

        @OptionGroup var targets: TargetOptions
        @Option(help: ArgumentHelp("The awards' rules.", valueName: "file")) var awards: String = "config/awards.yaml"
        @Option(help: ArgumentHelp("The register-audit programme.", valueName: "file")) var programme: String = "config/register-audits.yaml"

        func run() throws {
            var problems: [String] = []
            do {
                let loaded = try ReportTargets.load(folder: targets.targets)
                print("targets: \(loaded.counties.count) county years, \(loaded.schools.count) schools (\(targets.targets))")
            } catch { problems.append("\(error)") }
            do {
                _ = try AwardsRules.load(path: awards)
                print("awards: rules read (\(awards))")
            } catch { problems.append("\(error)") }
            do {
                _ = try RegisterAuditProgramme.load(path: programme)
                print("register audits: programme read (\(programme))")
            } catch { problems.append("\(error)") }
            guard problems.isEmpty else { throw UserFacingError(problems.joined(separator: "\n")) }
        }
    }
}
