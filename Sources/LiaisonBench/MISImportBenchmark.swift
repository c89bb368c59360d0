import AttendanceDomain
import Foundation

/// MIS import throughput: CTF parse + validate + figures over a synthetic county, on one core.
///
/// Writes a county (CTF only) to a temporary folder, then reads every file with ``MISReader`` (libxml2 pull parser,
/// every check, every pupil's figures) and reports MB/s of CTF read. Not wired into main.swift yet; call
/// `try MISImportBenchmark.run()` and print ``Result/summary``.
enum MISImportBenchmark {
    struct Result {
        var files: Int
        var pupils: Int
        var megabytes: Double
        var seconds: Double
        var problems: Int
        var synthSeconds: Double
        /// The floor: reading the same files and counting their `<`, with no parsing.
        var baselineSeconds: Double = 0
        var megabytesPerSecond: Double { megabytes / seconds }
        var baselineMegabytesPerSecond: Double { megabytes / baselineSeconds }
        var summary: String {
            String(format: "MIS import (CTF parse+validate+figures): %d files, %d pupils, %.1f MB in %.2f s = %.1f MB/s (%d problems; synth %.1f s)",
                   files, pupils, megabytes, seconds, megabytesPerSecond, problems, synthSeconds)
        }
    }

    /// Synthesises `schools`/`pupils` (seed 1, 2025/26 half term 1) and reads every CTF once, timing the reads only.
    static func run(schools: Int = 60, pupils: Int = 20_000) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("liaison-mis-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let synthStart = DispatchTime.now()
        let county = try CountySynthesizer(.init(schools: schools, pupils: pupils, seed: 1, formats: [.ctf])).write(to: folder)
        let synthSeconds = Double(DispatchTime.now().uptimeNanoseconds - synthStart.uptimeNanoseconds) / 1e9
        let reader = MISReader(directory: SchoolDirectory(county.schools))
        var pupilsRead = 0, problems = 0
        let start = DispatchTime.now()
        for file in county.ctfFiles {
            let result = reader.readCTF(path: folder.appendingPathComponent(file).path)
            pupilsRead += result.pupils.count
            problems += result.problems.count
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let baselineStart = DispatchTime.now()
        var tags = 0
        for file in county.ctfFiles {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            data.withUnsafeBytes { bytes in for byte in bytes where byte == UInt8(ascii: "<") { tags += 1 } }
        }
        let baselineSeconds = Double(DispatchTime.now().uptimeNanoseconds - baselineStart.uptimeNanoseconds) / 1e9
        precondition(tags > 0)
        return Result(files: county.ctfFiles.count, pupils: pupilsRead, megabytes: Double(county.ctfBytes) / 1e6,
                      seconds: seconds, problems: problems, synthSeconds: synthSeconds, baselineSeconds: baselineSeconds)
    }
}
