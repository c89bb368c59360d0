import AttendanceDomain
import Foundation
import GRDB
import LiaisonConsole
import NPASDesk

/// `LiaisonBench console [schools] [pupils]`: the console's county and pupil attendance pages at a county's scale
/// (issue 13: 430 schools and 120,000 pupils; the county page in at most 300 ms, a pupil's in at most 50 ms).
///
/// Makes a desk of two half terms' returns (CountySynthesizer → MISReader → ReturnRows → DeskStore, as the reports'
/// tests do) once, in `LIAISON_BENCH_DESK` (default: a folder named by the county's size under the temporary folder)
/// and reuses it when it is there; then times each page as its route makes it (figures read from the desk, template
/// rendered into the layout), first load and warm (median of the runs). Not a test: it prints figures only.
enum ConsoleBench {
    static func run(schools: Int, pupils: Int, runs: Int = 15) async throws {
        let folder = ProcessInfo.processInfo.environment["LIAISON_BENCH_DESK"]
            ?? (NSTemporaryDirectory() + "liaison-console-bench-\(schools)-\(pupils)")
        let deskPath = "\(folder)/desk/desk.sqlite"
        let directoryPath = "\(folder)/county/schools.csv"
        if !FileManager.default.fileExists(atPath: deskPath) || !FileManager.default.fileExists(atPath: directoryPath) {
            try? FileManager.default.removeItem(atPath: folder)
            let started = Date()
            try await makeDesk(folder: folder, schools: schools, pupils: pupils)
            report(String(format: "made the desk (%d schools, %d pupils, 2 half terms) in %.1f s: %@", schools, pupils, Date().timeIntervalSince(started), folder))
        } else {
            report("reusing the desk in \(folder) (remove it, or set LIAISON_BENCH_DESK, for a new one)")
        }
        let directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: directoryPath))
        let store = try DeskStore(path: deskPath, readOnly: true)
        let upn = try store.read { db in try String.fetchOne(db, sql: "SELECT upn FROM pupil_returns ORDER BY laestab, upn LIMIT 1") } ?? ""
        let pages = try AttendancePageTiming()

        func time(_ body: () throws -> String?) throws -> (ms: Double, bytes: Int) {
            let start = DispatchTime.now().uptimeNanoseconds
            let html = try body()
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
            guard let html else { throw BenchError("the page was not made: the desk holds no returns") }
            return (ms, html.utf8.count)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

        let countyFirst = try time { try pages.countyPage(store: store, directory: directory) }
        let countyWarm = try (0..<runs).map { _ in try time { try pages.countyPage(store: store, directory: directory) }.ms }
        let pupilFirst = try time { try pages.pupilPage(store: store, upn: upn) }
        let pupilWarm = try (0..<runs).map { _ in try time { try pages.pupilPage(store: store, upn: upn) }.ms }
        report("Console attendance pages: \(schools) schools, \(pupils) pupils, 2 half terms, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        report(String(format: "county page: first load %8.1f ms, warm median %7.1f ms (of %d; min %.1f, max %.1f), %d bytes  (target 300 ms)",
                      countyFirst.ms, median(countyWarm), runs, countyWarm.min() ?? 0, countyWarm.max() ?? 0, countyFirst.bytes))
        report(String(format: "pupil page:  first load %8.1f ms, warm median %7.1f ms (of %d; min %.1f, max %.1f), %d bytes  (target 50 ms)",
                      pupilFirst.ms, median(pupilWarm), runs, pupilWarm.min() ?? 0, pupilWarm.max() ?? 0, pupilFirst.bytes))
    }

    /// A synthetic county's two half terms of returns, stored in a new desk in `folder`/desk.
    static func makeDesk(folder: String, schools: Int, pupils: Int) async throws {
        let synth = try CountySynthesizer(.init(schools: schools, pupils: pupils, seed: 13, academicYear: 2025, halfTerms: 2, formats: [.csv]))
        let county = try synth.write(to: URL(fileURLWithPath: "\(folder)/county"))
        let directory = try SchoolDirectory(contentsOf: URL(fileURLWithPath: "\(folder)/county/schools.csv"))
        let reader = MISReader(directory: directory)
        try FileManager.default.createDirectory(atPath: "\(folder)/desk", withIntermediateDirectories: true)
        let store = try DeskStore(path: "\(folder)/desk/desk.sqlite")
        for (index, file) in county.csvFiles.sorted().enumerated() {
            let result = reader.read(path: "\(folder)/county/\(file)")
            guard let returnRows = ReturnRows(result) else { throw BenchError("\(file): no school or period read") }
            try await store.store(returnRows, messageID: "bench-\(index)")
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
