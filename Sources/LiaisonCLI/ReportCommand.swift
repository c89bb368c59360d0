import ArgumentParser
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
        subcommands: [])
}

/// What every report command takes: the desk's folder, where to write, and how to print.
struct ReportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The desk's working folder (as for `liaison adapter npas-desk`).", valueName: "dir"))
    var folder: String
    @Option(help: ArgumentHelp("Where the report's files go (made 0700 if missing).", valueName: "dir"))
    var out: String = "reports"
    @Option(help: ArgumentHelp("Debian's chromium, for the PDF (found on PATH if not given).", valueName: "path"))
    var chromium: String?
    @Flag(help: "Write the HTML and CSV only.") var noPDF = false
    @Option(help: ArgumentHelp("The date printed as the report's date, YYYY-MM-DD (today if not given).", valueName: "date"))
    var on: String?

    /// The desk's store, opened read-only.
    func store() throws -> DeskStore {
        try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
    }
}
