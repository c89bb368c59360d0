import AttendanceDomain
import Foundation
import GRDB
import LiaisonConsole
import NPASDesk

/// `LiaisonBench console [schools] [pupils]`: the console's county, school and pupil attendance pages at a county's scale
/// (issue 13: 430 schools and 120,000 pupils; the county page in at most 300 ms, a pupil's in at most 50 ms).
///
/// Makes a desk of two half terms' returns (CountySynthesizer → MISReader → ReturnRows → DeskStore, as the reports'
/// tests do) once, in `LIAISON_BENCH_DESK` (default: a folder named by the county's size under the temporary folder)
/// and reuses it when it is there; then times each page as its route makes it (figures from the console's cache or read
/// from the desk, template rendered into the layout). The county's figures are read by a warm-up that starts with the
/// console, so the county page is timed twice from a fresh cache: a request the moment the console starts (which waits
/// for the warm-up: its time is start to page), and the first request after the warm-up has finished (with the
/// warm-up's own time printed beside it); then warm (median of the runs). Not a test: it prints figures only.
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
        let (upn, laestabs) = try store.read { db in
            (try String.fetchOne(db, sql: "SELECT upn FROM pupil_returns ORDER BY laestab, upn LIMIT 1") ?? "",
             try String.fetchAll(db, sql: "SELECT DISTINCT laestab FROM returns ORDER BY laestab LIMIT 6"))
        }

        func time(_ body: () async throws -> String?) async throws -> (ms: Double, bytes: Int) {
            let start = DispatchTime.now().uptimeNanoseconds
            let html = try await body()
            let ms = milliseconds(since: start)
            guard let html else { throw BenchError("the page was not made: the desk holds no returns") }
            return (ms, html.utf8.count)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

        // 1. A request the moment the console starts: the warm-up (AttendanceWarmUp) has just begun reading the county,
        //    and the request waits for that read (it does not start its own). Its time is the time from start to the page.
        var pages = try AttendancePageTiming(store: store, directory: directory)
        let started = DispatchTime.now().uptimeNanoseconds
        let warmUp = Task { [pages] in try await pages.warmUp(); return milliseconds(since: started) }
        let atStart = try await time { try await pages.countyPage() }
        let warmUpAtStart = try await warmUp.value

        // 2. A console that started a while ago: the warm-up has finished before the first request.
        pages = try AttendancePageTiming(store: store, directory: directory)
        let warmUpStart = DispatchTime.now().uptimeNanoseconds
        try await pages.warmUp()
        let warmUpAlone = milliseconds(since: warmUpStart)
        let countyFirst = try await time { try await pages.countyPage() }
        let countyWarm = try await (0..<runs).asyncMap { _ in try await time { try await pages.countyPage() }.ms }

        // A school's page: the first request for each of a few schools (the county's figures held), then one again.
        let schoolFirsts = try await laestabs.asyncMap { laestab in try await time { try await pages.schoolPage(laestab: laestab) } }
        let schoolWarm = try await (0..<runs).asyncMap { _ in try await time { try await pages.schoolPage(laestab: laestabs[0]) }.ms }
        let pupilFirst = try await time { try pages.pupilPage(upn: upn) }
        let pupilWarm = try await (0..<runs).asyncMap { _ in try await time { try pages.pupilPage(upn: upn) }.ms }

        report("Console attendance pages: \(schools) schools, \(pupils) pupils, 2 half terms, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        report(String(format: "county page, request at start:  %8.1f ms from start to page (waits for the warm-up begun at start, which took %.1f ms)",
                      atStart.ms, warmUpAtStart))
        report(String(format: "county page, warm-up alone:     %8.1f ms (at start, before any request; off the request path)", warmUpAlone))
        report(String(format: "county page, first request after the warm-up %8.1f ms, warm median %7.1f ms (of %d; min %.1f, max %.1f), %d bytes  (target 300 ms)",
                      countyFirst.ms, median(countyWarm), runs, countyWarm.min() ?? 0, countyWarm.max() ?? 0, countyFirst.bytes))
        let firsts = schoolFirsts.map(\.ms)
        report(String(format: "school page: first request for each of %d schools median %7.1f ms (min %.1f, max %.1f), warm median %7.1f ms (of %d; min %.1f, max %.1f), %d bytes",
                      firsts.count, median(firsts), firsts.min() ?? 0, firsts.max() ?? 0, median(schoolWarm), runs, schoolWarm.min() ?? 0,
                      schoolWarm.max() ?? 0, schoolFirsts[0].bytes))
        report(String(format: "pupil page:  first load %8.1f ms, warm median %7.1f ms (of %d; min %.1f, max %.1f), %d bytes  (target 50 ms)",
                      pupilFirst.ms, median(pupilWarm), runs, pupilWarm.min() ?? 0, pupilWarm.max() ?? 0, pupilFirst.bytes))
    }

    /// Milliseconds since `start` (`DispatchTime`'s nanoseconds).
    @Sendable static func milliseconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000 }

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

extension Sequence {
    /// `map` with an async body, one element at a time.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
