import AttendanceDomain
import Foundation
import LiaisonMessages
import StrictJSON
import Testing

@testable import NPASDesk

/// The Advisory Service's feed (`liaison desk term-end`): the year's feed and the term's from crafted returns, with
/// figures worked by hand; the flags' edges; and disclosure control.
@Suite struct AdvisoryFeedTests {
    /// A store in a temporary folder; each pupil's half term is 100 possible sessions, present (`/`) or absent
    /// unauthorised (`O`).
    struct Desk {
        let folder: String
        let store: DeskStore

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("desk-feed-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            store = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        }

        func remove() { try? FileManager.default.removeItem(atPath: folder) }

        /// A school's return for a half term: one pupil per entry of `absences` (sessions absent of 100).
        func add(_ laestab: String, year: Int = 2025, halfTerm: Int, absences: [Int]) async throws {
            let calendar = SchoolCalendar(academicYear: year)
            let period = calendar.halfTerm(halfTerm)!
            let pupils: [JSONValue] = absences.enumerated().map { index, absent in
                var codes: [String: JSONValue] = ["/": .number(Double(100 - absent))]
                if absent > 0 { codes["O"] = .number(Double(absent)) }
                return .object([
                    "upn": .string("Z\(laestab)\(String(format: "%05d", index))"), "sessions_possible": .number(100), "codes": .object(codes),
                ])
            }
            let body: JSONValue = .object([
                "school": .object(["laestab": .string(laestab)]),
                "period": .object([
                    "academic_year": .number(Double(year)), "half_term": .number(Double(halfTerm)),
                    "start_date": .string(period.start.description), "end_date": .string(period.end.description),
                ]),
                "pupils": .array(pupils),
            ])
            try await store.store(try #require(ReturnRows(body)), messageID: "return-\(laestab)-\(year)-\(halfTerm)")
        }
    }

    static let directory = SchoolDirectory([
        SchoolEntry(laestab: try! LAESTAB("9260001"), urn: "100001", name: "Alpha Primary School", phase: .primary),
        SchoolEntry(laestab: try! LAESTAB("9260002"), urn: "100002", name: "Beta Primary School", phase: .primary),
        SchoolEntry(laestab: try! LAESTAB("9260003"), urn: "100003", name: "Gamma Academy", phase: .secondary),
        SchoolEntry(laestab: try! LAESTAB("9260004"), urn: "100004", name: "Delta Primary School", phase: .primary),
        SchoolEntry(laestab: try! LAESTAB("9260005"), urn: "100005", name: "Epsilon Unit", phase: .alternativeProvision),
    ])

    /// Ten pupils a school, every half term of 2025/26:
    /// - Alpha: every pupil absent 4 of 100 (96%; nobody persistently absent);
    /// - Beta: pupils 1-3 absent 10 each half term, pupil 4 also in half terms 5 and 6, pupil 5 also in half term 6
    ///   (persistent absence per half term 30%, 30%, 30%, 30%, 40%, 50%);
    /// - Gamma (the only secondary): every pupil absent 10 (90%; all persistently absent, flat);
    /// - Delta: every pupil absent 7 (93%).
    static func county(halfTerms: ClosedRange<Int> = 1...6) async throws -> Desk {
        let desk = try Desk()
        for halfTerm in halfTerms {
            try await desk.add("9260001", halfTerm: halfTerm, absences: Array(repeating: 4, count: 10))
            try await desk.add(
                "9260002", halfTerm: halfTerm,
                absences: [10, 10, 10, halfTerm >= 5 ? 10 : 0, halfTerm == 6 ? 10 : 0] + Array(repeating: 0, count: 5))
            try await desk.add("9260003", halfTerm: halfTerm, absences: Array(repeating: 10, count: 10))
            try await desk.add("9260004", halfTerm: halfTerm, absences: Array(repeating: 7, count: 10))
        }
        return desk
    }

    @Test func theYearFeedHasTheYearsFiguresNamesAndFlags() async throws {
        let desk = try await Self.county()
        defer { desk.remove() }
        let feed = try TermlyFeedBuilder(directory: Self.directory).yearFeed(from: desk.store, academicYear: 2025)
        let calendar = SchoolCalendar(academicYear: 2025)
        #expect(feed.period == TermlyFeed.Period(
            academicYear: 2025, term: "full_year", startDate: calendar.halfTerm(1)!.start.description,
            endDate: calendar.halfTerm(6)!.end.description, halfTerms: [1, 2, 3, 4, 5, 6]))
        #expect(feed.schools.map(\.name) == ["Alpha Primary School", "Beta Primary School", "Gamma Academy", "Delta Primary School"])
        let beta = feed.schools[1].figures
        // Beta: 6,000 possible sessions; 3 x 60 + 20 + 10 = 210 absent: 96.5%. Pupils 1-3 are absent 60 of 600 (10%):
        // persistently absent over the year; pupil 4 (20 of 600) is not.
        #expect(beta.pupils == 10 && beta.sessionsPossible == 6000)
        #expect(beta.attendanceRate == 96.5 && beta.unauthorisedAbsenceRate == 3.5 && beta.authorisedAbsenceRate == 0)
        #expect(beta.persistentAbsenceCount == 3 && beta.persistentAbsenceRate == 30 && beta.severeAbsenceCount == 0)
        // The county's primaries: (5,760 + 5,790 + 5,580) / 18,000 = 95.17%; Delta (93.0) is 2.17 points below it.
        let primary = try #require(feed.county.byPhase?["primary"])
        #expect(primary.attendanceRate == 95.17 && primary.pupils == 30 && primary.persistentAbsenceCount == 3)
        #expect(feed.county.overall.pupils == 40 && feed.county.overall.persistentAbsenceCount == 13)
        #expect(abs((feed.county.overall.attendanceRate ?? 0) - 93.875) <= 0.005)  // 22,530 / 24,000, to two decimals
        // Flags: Delta below its phase by 2 points or more; Beta's persistent absence rose 30 -> 40 -> 50 over half
        // terms 4-6; Gamma, flat at 100% and alone in its phase, has none; nor Alpha (above the county).
        #expect(feed.schools.map { $0.flags ?? [] } == [[], [.persistentAbsenceRising], [], [.belowCounty]])
    }

    @Test func theTermsFeedStillHasItsTwoHalfTermsAndNowNamesAndFlags() async throws {
        let desk = try await Self.county()
        defer { desk.remove() }
        let feed = try TermlyFeedBuilder(directory: Self.directory).feed(from: desk.store, academicYear: 2025, term: .autumn)
        #expect(feed.period.term == "autumn" && feed.period.halfTerms == [1, 2])
        #expect(feed.period.endDate == SchoolCalendar(academicYear: 2025).halfTerm(2)!.end.description)
        // Beta in autumn: 2,000 sessions, 60 absent: 97%; primaries (1,920 + 1,940 + 1,860) / 6,000 = 95.33%.
        #expect(feed.schools[1].figures.attendanceRate == 97 && feed.schools[1].figures.persistentAbsenceCount == 3)
        #expect(feed.county.byPhase?["primary"]?.attendanceRate == 95.33)
        // No returns from 2024/25, so nothing can have risen over the three half terms to autumn 2.
        #expect(feed.schools.map { $0.flags ?? [] } == [[], [], [], [.belowCounty]])
        #expect(feed.schools.allSatisfy { $0.name != nil })
    }

    @Test func theYearFeedNamesTheHalfTermsMissingOrGoesOverThoseHeld() async throws {
        let desk = try await Self.county(halfTerms: 1...4)
        defer { desk.remove() }
        let builder = TermlyFeedBuilder(directory: Self.directory)
        do {
            _ = try builder.yearFeed(from: desk.store, academicYear: 2025)
            Issue.record("a year feed without half terms 5 and 6 was built")
        } catch let failure as TermlyFeedBuilder.Failure {
            #expect("\(failure)".contains("no returns for half terms 5 and 6 of 2025/26 (held: 1, 2, 3 and 4)"), "\(failure)")
            #expect("\(failure)".contains("--partial"))
        }
        let partial = try builder.yearFeed(from: desk.store, academicYear: 2025, partial: true)
        #expect(partial.period.term == "full_year" && partial.period.halfTerms == [1, 2, 3, 4])
        #expect(partial.period.endDate == SchoolCalendar(academicYear: 2025).halfTerm(4)!.end.description)
        #expect(partial.schools[1].figures.sessionsPossible == 4000)
        // Half terms 2-4 held: Beta's rate is flat at 30%, so nothing rose.
        #expect(!partial.schools.contains { ($0.flags ?? []).contains(.persistentAbsenceRising) })
        #expect(throws: TermlyFeedBuilder.Failure.self) {
            _ = try builder.yearFeed(from: desk.store, academicYear: 2024, partial: true)
        }
    }

    // MARK: The flags' edges

    static func aggregate(pupils: Int = 100, attendance: Double) -> TermlyFeed.Aggregate {
        TermlyFeed.Aggregate(
            pupils: pupils, sessionsPossible: pupils * 100, persistentAbsenceCount: 0, severeAbsenceCount: 0, attendanceRate: attendance,
            authorisedAbsenceRate: 0, unauthorisedAbsenceRate: 100 - attendance, overallAbsenceRate: 100 - attendance,
            persistentAbsenceRate: 0, severeAbsenceRate: 0)
    }

    @Test func belowCountyIsAtTheMarginOrMoreInHundredths() {
        let builder = TermlyFeedBuilder(directory: Self.directory)
        let county = Self.aggregate(attendance: 94.1)
        #expect(builder.isBelowCounty(county, Self.aggregate(attendance: 92.1)))  // 2.00 exactly (94.1 - 92.1 is 1.9999... in binary)
        #expect(!builder.isBelowCounty(county, Self.aggregate(attendance: 92.11)))  // 1.99
        #expect(builder.isBelowCounty(county, Self.aggregate(attendance: 80)))
        #expect(!builder.isBelowCounty(county, Self.aggregate(attendance: 95)))
        // Too few pupils to publish: no flag that would point at them.
        #expect(!builder.isBelowCounty(county, Self.aggregate(pupils: 2, attendance: 50)))
        // Another margin.
        let wide = TermlyFeedBuilder(directory: Self.directory, settings: .init(belowCountyMargin: 5))
        #expect(!wide.isBelowCounty(county, Self.aggregate(attendance: 89.2)) && wide.isBelowCounty(county, Self.aggregate(attendance: 89.1)))
    }

    @Test func persistentAbsenceRisingNeedsTwoStrictRisesOverThreeHalfTermsAcrossTheYear() async throws {
        let desk = try Desk()
        defer { desk.remove() }
        let ten = Array(repeating: 0, count: 10)
        func pupils(_ persistent: Int) -> [Int] { Array(repeating: 10, count: persistent) + ten.dropFirst(persistent) }
        // 9260001 rises 3 -> 4 -> 5 over summer 2 of 2024/25 and autumn 1-2 of 2025/26: flagged at autumn.
        try await desk.add("9260001", year: 2024, halfTerm: 6, absences: pupils(3))
        try await desk.add("9260001", halfTerm: 1, absences: pupils(4))
        try await desk.add("9260001", halfTerm: 2, absences: pupils(5))
        // 9260002 rises then stays (3 -> 4 -> 4): not flagged.
        try await desk.add("9260002", year: 2024, halfTerm: 6, absences: pupils(3))
        try await desk.add("9260002", halfTerm: 1, absences: pupils(4))
        try await desk.add("9260002", halfTerm: 2, absences: pupils(4))
        // 9260004 rises 0 -> 1 -> 2: a rise among fewer pupils than the threshold is not flagged.
        try await desk.add("9260004", year: 2024, halfTerm: 6, absences: pupils(0))
        try await desk.add("9260004", halfTerm: 1, absences: pupils(1))
        try await desk.add("9260004", halfTerm: 2, absences: pupils(2))
        // 9260003 rises over autumn but has no return for summer 2: not flagged.
        try await desk.add("9260003", halfTerm: 1, absences: pupils(4))
        try await desk.add("9260003", halfTerm: 2, absences: pupils(5))
        let builder = TermlyFeedBuilder(directory: Self.directory)
        #expect(try builder.risingPersistentAbsence(store: desk.store, academicYear: 2025, through: 2) == ["9260001"])
        // Through autumn 1 the three are summer 1 and 2 of 2024/25 (summer 1 not held) and autumn 1: none.
        #expect(try builder.risingPersistentAbsence(store: desk.store, academicYear: 2025, through: 1).isEmpty)
        let feed = try builder.feed(from: desk.store, academicYear: 2025, term: .autumn)
        #expect(feed.schools.first { $0.laestab == "9260001" }?.flags == [.persistentAbsenceRising])
    }

    // MARK: Disclosure control

    @Test func smallCountsAndWhatWouldRevealThemAreWithheld() async throws {
        let desk = try await Self.county(halfTerms: 1...2)
        defer { desk.remove() }
        // Epsilon: two pupils, alone in its phase: every figure of it withheld, and so its phase's; the county's total
        // would then give it back, so the smallest other phase (secondary, 10 pupils) goes too, and with it its one
        // school (Gamma), whose figures equal the phase's.
        for halfTerm in 1...2 { try await desk.add("9260005", halfTerm: halfTerm, absences: [50, 0]) }
        // Alpha: one pupil persistently absent (a count of 1).
        try await desk.add("9260001", halfTerm: 2, absences: [30] + Array(repeating: 4, count: 9))
        let feed = try TermlyFeedBuilder(directory: Self.directory).feed(from: desk.store, academicYear: 2025, term: .autumn)
        let schools = Dictionary(uniqueKeysWithValues: feed.schools.map { ($0.laestab, $0) })
        let nothing = TermlyFeed.Aggregate(
            pupils: nil, sessionsPossible: nil, persistentAbsenceCount: nil, severeAbsenceCount: nil, attendanceRate: nil,
            authorisedAbsenceRate: nil, unauthorisedAbsenceRate: nil, overallAbsenceRate: nil, persistentAbsenceRate: nil,
            severeAbsenceRate: nil)
        #expect(schools["9260005"]?.figures == nothing && schools["9260005"]?.flags == [])
        #expect(feed.county.byPhase?["alternative_provision"] == nothing)
        #expect(feed.county.byPhase?["secondary"]?.pupils == nil && schools["9260003"]?.figures.pupils == nil)
        // Alpha's persistent absence count of 1 and its rate are withheld; its other figures are not. The primary
        // phase would give it back, so the smallest non-zero other count there (Beta's 3; Delta's is 0) goes too.
        let alpha = try #require(schools["9260001"]?.figures)
        #expect(alpha.persistentAbsenceCount == nil && alpha.persistentAbsenceRate == nil)
        #expect(alpha.pupils == 10 && alpha.attendanceRate != nil && alpha.severeAbsenceCount == 0)
        #expect(schools["9260002"]?.figures.persistentAbsenceCount == .some(nil) && schools["9260004"]?.figures.persistentAbsenceCount == 0)
        #expect(feed.county.byPhase?["primary"]?.persistentAbsenceCount == 4)
        // The county's own total stays: two phases withheld in it.
        #expect(feed.county.overall.pupils == 42)
        // No sum is left with exactly one withheld member.
        let phases = feed.county.byPhase ?? [:]
        for (phase, total) in phases {
            let parts = feed.schools.filter { $0.phase == phase }.map(\.figures.persistentAbsenceCount)
            #expect(([total.persistentAbsenceCount] + parts).filter { $0 == nil }.count != 1, "\(phase)")
        }
        #expect(([feed.county.overall.pupils] + phases.values.map(\.pupils)).filter { $0 == nil }.count != 1)
        // In the JSON a withheld figure is null, never left out.
        let json = try JSONValue.parse(try MessageCoding.encode(feed))
        let epsilon = try #require(json["schools"]?.arrayValue?.first { $0["laestab"]?.stringValue == "9260005" })
        #expect(epsilon["pupils"] == .null && epsilon["attendance_rate"] == .null && epsilon["name"]?.stringValue == "Epsilon Unit")
        #expect(try MessageCoding.decode(TermlyFeed.self, from: try MessageCoding.encode(feed)) == feed)
    }

    @Test func zeroIsShownAndTheThresholdIsTheSettings() {
        #expect(!FeedDisclosure().withholds(0) && FeedDisclosure().withholds(1) && FeedDisclosure().withholds(2))
        #expect(!FeedDisclosure().withholds(3) && FeedDisclosure(threshold: 5).withholds(4))
    }
}
