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
                docs/mis-formats.md.
                """)

        @Argument(help: ArgumentHelp("CTF (.xml) or CSV (.csv) files, one school each.", valueName: "file"))
        var files: [String]

        @Option(help: "Output: table, csv or json.")
        var format: String = "table"

        @Option(help: ArgumentHelp("The known schools (schools.csv); an unknown school is then a fatal problem.", valueName: "file"))
        var schools: String?

        @Option(help: "The half term (1-6) the files cover (default: the half term holding most marks).")
        var halfTerm: Int?

        func run() throws {
            guard let output = MISCheckReport.Format(rawValue: format) else {
                throw UserFacingError("mis check: --format must be table, csv or json, not \"\(format)\"")
            }
            var reader = MISReader()
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
