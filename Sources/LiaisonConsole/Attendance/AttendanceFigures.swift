import AttendanceDomain
import Foundation
import GRDB
import NPASDesk
import Synchronization

/// The attendance pages' figures, kept per desk data version: the county's for each academic year asked for, and the
/// last few dozen schools' pages (least recently used dropped first).
///
/// Why: the county page reads every pupil's returns (about 1.4 s for 120,000 pupils), far over issue 13's 300 ms, so
/// its figures are read when the console starts and again whenever the desk's store changes (``AttendanceWarmUp``,
/// one of the console's services), off the request. A request finds them ready; one that arrives while the first
/// read runs waits for that read (there is never a second read of the same figures at once, and reads run one at a
/// time); one that arrives after the desk changed, while the new figures are read, gets the figures held with
/// ``Held/updating`` set, and the page says so in a banner ("Figures as of 10:42 ...; new returns are being added"):
/// staff see a page at once and are told it is about to change, rather than waiting a second and a half for it.
///
/// Checking the version is one small query (``version(_:)``) on the console's own connection to the desk; the county's
/// figures are read on a second read-only connection, so that a check or a pupil's page is not queued behind a read of
/// the whole county (GRDB's queue runs one statement at a time). Every SQLite call runs on NIO's thread pool
/// (``offPool(_:)``), never on Swift's cooperative pool.
final class AttendanceFigures: Sendable {
    /// What changes whenever the desk's store does, and the latest academic year it holds returns for.
    struct Version: Sendable, Equatable {
        /// SQLite's `data_version` (another connection committed: the desk storing a return or a roll), this
        /// connection's `total_changes()`, and the count and latest receipt of the returns.
        var stamp: String
        /// The newest academic year any return is for; nil when the desk holds none.
        var latestYear: Int?
    }

    /// Some figures, the desk's version they were read at, and when.
    struct Held<Figures: Sendable>: Sendable {
        /// nil when the desk holds no returns for the year (or none from the school).
        var figures: Figures?
        var version: Version
        /// When the read began: the banner's "Figures as of".
        var asOf: Date
        /// True when the desk has changed since these were read and newer figures are being read: the page says so.
        var updating = false
    }

    private struct State {
        var county: [Int: Held<CountyAttendance>] = [:]
        var reading: [Int: Task<Held<CountyAttendance>, any Error>] = [:]
        /// Waits for the last read started (the next read waits for it: one read at a time).
        var last: (@Sendable () async -> Void)?
        var schools: [String: (held: Held<SchoolAttendance>, used: UInt64)] = [:]
        var tick: UInt64 = 0
        var countyReads = 0, schoolReads = 0
    }

    /// The console's connection to the desk: version checks and the schools' pages.
    let desk: DeskStore
    /// A second read-only connection for the county's reads.
    private let reader: DeskStore
    /// The county's schools (names and phases), read once when the console starts.
    let directory: SchoolDirectory?
    /// How many schools' pages are kept.
    let schoolCapacity: Int
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    /// - Parameters:
    ///   - desk: the console's read-only desk store.
    ///   - schoolCapacity: schools' pages kept (each a few kilobytes of figures).
    ///   - now: the clock for "Figures as of".
    /// - Throws: the desk store's error when a second read-only connection cannot be opened.
    init(desk: DeskStore, directory: SchoolDirectory?, schoolCapacity: Int = 48, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.desk = desk
        self.reader = try DeskStore(path: desk.path, readOnly: true)
        self.directory = directory
        self.schoolCapacity = max(1, schoolCapacity)
        self.now = now
    }

    /// How many times the county's figures have been read, and schools' pages made (the tests count them).
    var reads: (county: Int, schools: Int) { state.withLock { ($0.countyReads, $0.schoolReads) } }

    /// The desk's version now. Blocking: call it off Swift's cooperative pool.
    static func version(_ store: DeskStore) throws -> Version {
        try store.read { db in
            let dataVersion = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
            let row = try Row.fetchOne(db, sql: "SELECT total_changes(), COUNT(*), MAX(received_at), MAX(academic_year) FROM returns")
            let stamp = "\(dataVersion)|" + (row.map { "\($0[0] as Int)|\($0[1] as Int)|\(($0[2] as Int64?) ?? 0)" } ?? "")
            return Version(stamp: stamp, latestYear: row?[3])
        }
    }

    /// The county's figures for `academicYear` (the latest year held when nil): those held when the desk has not
    /// changed since they were read; else, while they are read anew, those held marked ``Held/updating``; else (none
    /// held for the year yet) the read's, waiting for it.
    func county(academicYear: Int?) async throws -> Held<CountyAttendance> {
        let version = try await offPool { [desk] in try Self.version(desk) }
        guard let year = academicYear ?? version.latestYear else { return Held(figures: nil, version: version, asOf: now()) }
        return try await county(year: year, version: version, wait: false)
    }

    /// Reads the latest year's county figures, and each other year's held, anew when the desk has changed since they
    /// were read (or they never were), and returns once they are current: what ``AttendanceWarmUp`` runs at start
    /// and then every few seconds.
    ///
    /// - Returns: how many years' figures were read anew.
    @discardableResult
    func refresh() async throws -> Int {
        let version = try await offPool { [desk] in try Self.version(desk) }
        let held = state.withLock { $0.county.mapValues(\.version) }
        let years = ([version.latestYear].compactMap { $0 } + held.keys.sorted(by: >)).reduce(into: [Int]()) { years, year in
            if !years.contains(year) { years.append(year) }
        }
        var read = 0
        for year in years where held[year] != version {
            _ = try await county(year: year, version: version, wait: true)
            read += 1
        }
        return read
    }

    private func county(year: Int, version: Version, wait: Bool) async throws -> Held<CountyAttendance> {
        enum Next { case ready(Held<CountyAttendance>), wait(Task<Held<CountyAttendance>, any Error>) }
        let next: Next = state.withLock { state in
            let held = state.county[year]
            if let held, held.version == version { return .ready(held) }
            let reading = state.reading[year] ?? startRead(&state, year: year, version: version)
            if !wait, var held {
                held.updating = true
                return .ready(held)
            }
            return .wait(reading)
        }
        switch next {
        case .ready(let held):
            return held
        case .wait(let reading):
            let held = try await reading.value
            // A read begun before the latest change: the next call starts another (and, unless waiting, returns this).
            return held.version == version ? held : try await county(year: year, version: version, wait: wait)
        }
    }

    /// Starts reading the county's figures for `year` once the read before it (any year) has finished. Called with
    /// the lock held.
    private func startRead(_ state: inout State, year: Int, version: Version) -> Task<Held<CountyAttendance>, any Error> {
        let previous = state.last
        let reading = Task { [reader, directory, now] in
            await previous?()
            let asOf = now()
            do {
                let county = try await offPool { try CountyAttendance.read(store: reader, directory: directory, academicYear: year) }
                let held = Held(figures: county, version: version, asOf: asOf)
                self.state.withLock { state in
                    state.reading[year] = nil
                    state.countyReads += 1
                    if state.county[year] == nil, state.county.count >= 8 { state.county.removeAll() }  // a handful of years
                    state.county[year] = held
                }
                return held
            } catch {
                self.state.withLock { $0.reading[year] = nil }
                throw error
            }
        }
        state.reading[year] = reading
        state.last = { _ = try? await reading.value }
        return reading
    }

    /// A school's page for `academicYear` (the latest year the school has returns for when nil): the one held when the
    /// desk has not changed since it was made, else made anew from the school's own returns and the county's figures
    /// (``county(academicYear:)``'s: marked ``Held/updating``, and not kept, while the county's are read anew).
    func school(laestab: String, academicYear: Int?) async throws -> Held<SchoolAttendance> {
        let (version, years) = try await offPool { [desk] in (try Self.version(desk), try SchoolAttendance.years(store: desk, laestab: laestab)) }
        guard let year = academicYear ?? years.first, years.contains(year) else { return Held(figures: nil, version: version, asOf: now()) }
        let key = "\(laestab)|\(year)"
        let kept = state.withLock { state -> Held<SchoolAttendance>? in
            state.tick += 1
            guard let entry = state.schools[key], entry.held.version == version else { return nil }
            state.schools[key]?.used = state.tick
            return entry.held
        }
        if let kept { return kept }
        let county = try await self.county(year: year, version: version, wait: false)
        guard let countyFigures = county.figures else { return Held(figures: nil, version: version, asOf: now()) }
        let asOf = county.updating ? county.asOf : now()
        let school = try await offPool { [desk, directory] in
            try SchoolAttendance.read(store: desk, laestab: laestab, directory: directory, academicYear: year, years: years, county: countyFigures)
        }
        let held = Held(figures: school, version: county.version, asOf: asOf, updating: county.updating)
        state.withLock { state in
            state.schoolReads += 1
            guard !held.updating else { return }
            if state.schools[key] == nil, state.schools.count >= schoolCapacity,
                let oldest = state.schools.min(by: { $0.value.used < $1.value.used })?.key {
                state.schools[oldest] = nil
            }
            state.schools[key] = (held, state.tick)
        }
        return held
    }

    /// The notification banner of a page whose figures are being read anew: when they are from, and that newer ones
    /// are coming.
    static func updatingBanner(asOf: Date) -> [String: Any] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.dateFormat = "HH:mm 'on' d MMMM yyyy"
        return [
            "title": "Important",
            "text": "Figures as of \(formatter.string(from: asOf)); new returns are being added. Reload the page in a minute for the new figures.",
        ]
    }
}
