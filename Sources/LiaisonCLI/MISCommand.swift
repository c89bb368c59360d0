import ArgumentParser
import AttendanceDomain
import Foundation

/// `liaison mis`: reads schools' MIS exports (CTF XML, CSV register exports).
struct MISCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mis",
        abstract: "Read schools' MIS exports (CTF XML and CSV register exports).",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check MIS files: every problem with its code and location, and each pupil's figures.",
            discussion: """
                Exits 0 if no file has a fatal problem, 1 otherwise. Problem codes and the formats are documented in \
                docs/mis-formats.md. Files are read as untrusted: links and other non-regular files, files over \
                --max-file-mib, compressed files and CTFs with a DOCTYPE are refused; a CSV that is not UTF-8 is read \
                as Windows-1252 and says so. Every cell of --format csv that a spreadsheet would run as a formula is \
                written with a leading quote.
                """)

        @Argument(help: ArgumentHelp("CTF (.xml) or CSV (.csv) files, one school each.", valueName: "file"))
        var files: [String]

        @Option(help: "Output: table, csv or json.")
        var format: String = "table"

        @Option(help: ArgumentHelp("The known schools (schools.csv); an unknown school is then a fatal problem.", valueName: "file"))
        var schools: String?

        @Option(help: "The half term (1-6) the files cover (default: the half term holding most marks).")
        var halfTerm: Int?

        @Option(help: ArgumentHelp("The largest file read, in MiB; a larger one is a fatal problem (file-too-large).", valueName: "MiB"))
        var maxFileMib: Int = MISReader.defaultMaximumFileSize >> 20

        func run() throws {
            guard let output = MISCheckReport.Format(rawValue: format) else {
                throw UserFacingError("mis check: --format must be table, csv or json, not \"\(format)\"")
            }
            guard maxFileMib > 0, maxFileMib <= 1 << 20 else { throw UserFacingError("mis check: --max-file-mib must be 1 to 1048576") }
            var reader = MISReader(maximumFileSize: maxFileMib << 20)
            if let schools {
                do { reader.directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: schools)) } catch {
                    throw UserFacingError("mis check: \(error)")
                }
            }
            if let halfTerm {
                guard (1...6).contains(halfTerm) else { throw UserFacingError("mis check: --half-term must be 1-6") }
                reader.period = .halfTerm(halfTerm)
            }
            // The report needs figures, not marks: drop them so memory stays bounded by one school's marks.
            let report = MISCheckReport(files.map { path in
                var result = reader.read(path: path)
                for index in result.pupils.indices { result.pupils[index].marks = [] }
                return result
            })
            print(report.render(output), terminator: "")
            if report.hasFatalProblem { throw ExitCode(1) }
        }
    }
}
