import ArgumentParser
import AttendanceDomain
import Foundation

/// `liaison synth`: writes a synthetic county (schools.csv, CTF and CSV registers) for demos, tests and benchmarks.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic county: schools.csv, and per school per half term a CTF and a CSV register export.",
        discussion: """
            Layout: OUT/schools.csv, OUT/ctf/<laestab>-<year>-ht<k>.xml, OUT/csv/<laestab>-<year>-ht<k>.csv \
            (see docs/mis-formats.md). Every name, UPN and address is synthetic; the same seed gives identical files.
            """)

    @Option(help: "Number of schools (mostly primary, some secondary, a few special).")
    var schools: Int

    @Option(help: "Number of pupils over all schools.")
    var pupils: Int

    @Option(help: "The random seed: the same seed writes the same bytes.")
    var seed: UInt64

    @Option(help: ArgumentHelp("The output folder.", valueName: "dir"))
    var out: String

    @Option(help: "The academic year's start year (2025 = 2025/26).")
    var academicYear: Int = 2025

    @Option(help: "Write half terms 1 to K (1-6).")
    var halfTerms: Int = 1

    @Option(help: ArgumentHelp(
        "The year whose roll the pupils are made for (default: --academic-year). An earlier --academic-year writes the same children's registers a year younger, so years of returns follow the same pupils.",
        valueName: "year"))
    var rosterYear: Int?

    @Option(help: "Formats to write: ctf, csv or ctf,csv.")
    var formats: String = "ctf,csv"

    func run() throws {
        var chosen = Set<CountySynthesizer.Format>()
        for name in formats.split(separator: ",") {
            guard let format = CountySynthesizer.Format(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw UserFacingError("synth: --formats: \"\(name)\" is not ctf or csv")
            }
            chosen.insert(format)
        }
        let started = Date()
        do {
            let synthesizer = try CountySynthesizer(.init(
                schools: schools, pupils: pupils, seed: seed, academicYear: academicYear, halfTerms: halfTerms, formats: chosen,
                rosterYear: rosterYear))
            let county = try synthesizer.write(to: URL(fileURLWithPath: out))
            let seconds = Date().timeIntervalSince(started)
            print("Wrote \(county.schools.count) schools, \(county.pupils) pupils: \(county.files) files, "
                + "\(county.bytes / 1_000_000) MB (CTF \(county.ctfBytes / 1_000_000) MB) to \(out) in \(String(format: "%.1f", seconds)) s")
        } catch {
            throw UserFacingError("synth: \(error)")
        }
    }
}
