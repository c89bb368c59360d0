import AttendanceDomain
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NPASDesk
import ServiceLifecycle
import StrictJSON
import Testing

@testable import LiaisonConsole

/// The attendance pages' figures kept per desk data version (AttendanceFigures) and read when the console starts
/// (AttendanceWarmUp), on the hand-made desk of ``AttendancePagesTests``: read before the first request, once however
/// many requests wait for it, read anew after the desk changes (the page says so meanwhile), and the schools' pages
/// kept per version, a bounded number of them.
@Suite struct AttendanceFiguresTests {
    /// A half term 2 return from `laestab` for one pupil: two sessions on Monday 3 November 2025, present then `N`.
    static func secondHalfTerm(_ laestab: String, upn: String) throws -> ReturnRows {
        let body: JSONValue = .object([
            "school": .object(["laestab": .string(laestab)]),
            "period": .object([
                "academic_year": .number(2025), "half_term": .number(2), "start_date": .string("2025-11-03"), "end_date": .string("2025-11-07"),
            ]),
            "pupils": .array([.object([
                "upn": .string(upn), "sessions_possible": .number(2), "codes": .object(["/": .number(1), "N": .number(1)]),
                "marks": .object(["2025-11-03": .object(["am": .string("/"), "pm": .string("N")])]),
            ])]),
        ])
        return try #require(ReturnRows(body))
    }

    static func logger() -> Logger {
        var logger = Logger(label: "liaison.console.test")
        logger.logLevel = .warning
        return logger
    }

    @Test("the warm-up reads the county's figures when the console starts, so the first request reads nothing; it stops on shutdown")
    func warmUpBeforeFirstRequest() async throws {
        let folder = try await AttendancePagesTests.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("manager.one", .manager)
        let figures = try #require(harness.console.attendanceFigures)
        // The console's application runs the warm-up beside its server.
        #expect(try ConsoleApplication.makeApplication(console: harness.console).services.contains { $0 is AttendanceWarmUp })
        #expect(figures.reads.county == 0)

        let group = ServiceGroup(
            services: [AttendanceWarmUp(figures: figures, interval: .milliseconds(10), logger: Self.logger())], gracefulShutdownSignals: [],
            cancellationSignals: [], logger: Self.logger())
        let running = Task { try await group.run() }
        for _ in 0..<500 where figures.reads.county == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(figures.reads.county == 1)

        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let html = AttendancePagesTests.body(try await harness.get(client, "/attendance", as: manager))
            #expect(html.contains("86.1% (England 92.9%)") && !html.contains("new returns are being added"))
        }
        // The request found the figures read; the warm-up's checks since (every 10 ms) found the desk unchanged.
        try await Task.sleep(for: .milliseconds(50))
        #expect(figures.reads.county == 1)
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test("requests that arrive while the first read runs wait for it: the county is read once")
    func oneReadForManyRequests() async throws {
        let folder = try await AttendancePagesTests.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let figures = try AttendanceFigures(desk: try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true), directory: nil)
        let pupils = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<4 { group.addTask { try await figures.county(academicYear: nil).figures?.figures.pupils } }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(pupils == [6, 6, 6, 6])
        #expect(figures.reads.county == 1)
        #expect(try await figures.county(academicYear: 2024).figures == nil)
    }

    @Test("after the desk stores a return the county page says the figures are being updated, then shows the new ones")
    func countyAfterDeskChange() async throws {
        let folder = try await AttendancePagesTests.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let harness = try ConsoleHarness(desk: folder)
        try await harness.addUser("manager.one", .manager)
        let figures = try #require(harness.console.attendanceFigures)
        try await figures.refresh()
        try await harness.application().test(.router) { client in
            let manager = try await harness.signIn(client, "manager.one")
            let before = AttendancePagesTests.body(try await harness.get(client, "/attendance", as: manager))
            #expect(before.contains("86.1% (England 92.9%)") && !before.contains("Autumn 2"))

            // The desk (another connection) stores half term 2 for pupil 6: 2 sessions, 1 attended, 1 unauthorised.
            let writer = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
            try await writer.store(try Self.secondHalfTerm(AttendancePagesTests.secondary, upn: AttendancePagesTests.upns[5]), messageID: "return-ht2")

            // Asked at once: the figures held, and a banner saying when they are from while the new ones are read.
            let during = try await harness.get(client, "/attendance", as: manager)
            let duringHTML = AttendancePagesTests.body(during)
            #expect(during.status == .ok)
            #expect(duringHTML.contains("notification-banner") && duringHTML.contains("Figures as of ") && duringHTML.contains("new returns are being added"))
            #expect(duringHTML.contains("86.1% (England 92.9%)"))
            HTMLChecks.expectAccessible(duringHTML)

            // Once read (the warm-up's next check does this; here the test waits for the read under way): 311 of 362
            // sessions attended (85.9%), half term 2 and its week on the charts, and no banner.
            try await figures.refresh()
            let after = AttendancePagesTests.body(try await harness.get(client, "/attendance", as: manager))
            #expect(after.contains("85.9% (England 92.9%)") && after.contains("Autumn 2") && after.contains("w/c 3 Nov"))
            #expect(!after.contains("new returns are being added"))
        }
        #expect(figures.reads.county == 2)

        // The figures held are those a fresh read gives.
        let store = try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true)
        let held = try #require(try await figures.county(academicYear: nil).figures)
        let fresh = try #require(try CountyAttendance.read(store: store, directory: nil, academicYear: nil))
        #expect(held.halfTerms == [1, 2] && held.figures == fresh.figures && held.schools.map(\.figures) == fresh.schools.map(\.figures))
        #expect(held.halfTermFigures == fresh.halfTermFigures && held.weeks == fresh.weeks)
        #expect(held.breakdowns.map(\.table.rows) == fresh.breakdowns.map(\.table.rows))
    }

    @Test("a school's page is kept until the desk changes, then made anew with the new return; the kept pages are bounded")
    func schoolKeptPerVersion() async throws {
        let folder = try await AttendancePagesTests.desk()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let figures = try AttendanceFigures(desk: try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true), directory: nil, schoolCapacity: 1)
        let primary = AttendancePagesTests.primary, secondary = AttendancePagesTests.secondary
        let first = try #require(try await figures.school(laestab: primary, academicYear: nil).figures)
        #expect(first.figures.possible == 240 && first.county.possible == 360 && first.name == "Example Primary School")
        #expect(try await figures.school(laestab: primary, academicYear: nil).figures?.figures == first.figures)
        #expect(figures.reads.schools == 1 && figures.reads.county == 1)

        // The primary sends half term 2 for pupil 1: kept pages are stale. While the county is read anew the page is
        // made for the half terms the county's figures held cover (half term 1), and says so; then with the new ones.
        let writer = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        try await writer.store(try Self.secondHalfTerm(primary, upn: AttendancePagesTests.upns[0]), messageID: "return-primary-ht2")
        let during = try await figures.school(laestab: primary, academicYear: nil)
        #expect(during.updating && during.figures?.halfTerms == [1] && during.figures?.figures.possible == 240 && during.figures?.county.possible == 360)
        try await figures.refresh()
        let after = try await figures.school(laestab: primary, academicYear: nil)
        #expect(!after.updating && after.figures?.halfTerms == [1, 2] && after.figures?.figures.possible == 242 && after.figures?.county.possible == 362)
        #expect(after.figures?.comparison.rows == (try await figures.school(laestab: primary, academicYear: nil)).figures?.comparison.rows)
        #expect(figures.reads.schools == 3)

        // One page kept: the secondary's pushes the primary's out.
        _ = try await figures.school(laestab: secondary, academicYear: nil)
        _ = try await figures.school(laestab: primary, academicYear: nil)
        #expect(figures.reads.schools == 5)
        #expect(try await figures.school(laestab: "9269999", academicYear: nil).figures == nil)
        #expect(try await figures.school(laestab: primary, academicYear: 2024).figures == nil)
    }
}
