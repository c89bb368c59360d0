import AttendanceDomain
import Foundation
import JSONSchema
import LiaisonMessages
import NPASDesk
import StrictJSON
import Testing

@testable import MonitoringReports

/// The awards as written: the school's list (its `awards.list` and its report, a certificate per pupil on a page of
/// its own, file names without names), the county's counts, and the figures read from the desk's store.
@Suite("Awards: the school's list, its certificates and the county's counts")
struct AwardsReportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let rules = AwardsSelectionTests.rules

    static var report: AwardsReport {
        AwardsReport(
            academicYear: 2025, halfTerms: 1...6, rules: rules, madeOn: "2026-07-24",
            directory: SchoolDirectory([SchoolEntry(laestab: try! LAESTAB("9262001"), urn: "120001", name: "Example Primary School", phase: .primary)]))
    }

    static let selected = AwardsSelection.select(
        thisYear: [
            "9262001": [
                "Q926200024001": PupilFigures(codeCounts: ["/": 366, "B": 4]),
                "N926200124002": PupilFigures(codeCounts: ["/": 348, "I": 12, "O": 10]),
                "Z926200124001": PupilFigures(codeCounts: ["/": 300, "O": 70]),
            ],
            "9262002": ["K92620012400A": PupilFigures(codeCounts: ["/": 351])],
        ],
        lastYear: ["N926200124002": PupilFigures(codeCounts: ["/": 300, "O": 60])], rules: rules)

    static let roll = [
        "Q926200024001": PupilRoll.Pupil(upn: "Q926200024001", forename: "Ada", surname: "Example", dateOfBirth: "2016-05-01", yearGroup: "4", address: nil, contacts: nil, sen: nil),
        "N926200124002": PupilRoll.Pupil(upn: "N926200124002", forename: "Ben", surname: "Sample", dateOfBirth: nil, yearGroup: nil, address: nil, contacts: nil, sen: nil),
    ]

    @Test func theSchoolsListIsValidAgainstItsSchemaAndCarriesTheFiguresThatEarnedEachAward() throws {
        let list = Self.report.list(for: Self.selected[0], yearGroups: ["9262001": ["Q926200024001": "5"]], roll: Self.roll)
        #expect(list.school == .init(laestab: "9262001", name: "Example Primary School"))
        #expect(list.fullAttendance == [.init(pupil: .init(upn: "Q926200024001", forename: "Ada", surname: "Example", yearGroup: "5"), sessionsPossible: 370, aea: 4)])
        // 348 of 370 is 94.05...% (94.1), 300 of 360 83.33...% (83.3): 10.7 points.
        #expect(list.mostImproved == [.init(
            pupil: .init(upn: "N926200124002", forename: "Ben", surname: "Sample", yearGroup: nil),
            thisYear: .init(sessionsPossible: 370, attended: 348, attendanceRate: 94.1), lastYear: .init(sessionsPossible: 360, attended: 300, attendanceRate: 83.3),
            improvementPoints: 10.7)])
        let schema = try SchemaValidator(schema: try JSONValue.parse(String(contentsOfFile: "\(Self.repository)/schemas/awards.list.schema.json", encoding: .utf8)))
        #expect(schema.validate(try JSONValue.parse(MessageCoding.encode(list))) == [])
        // The schema's valid example is this list, as the adapter's tests print it.
        let example = try MessageCoding.decode(AwardsList.self, from: Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.repository)/schemas/examples/awards.list/valid-1.json"))))
        #expect(example.mostImproved == list.mostImproved.map { var award = $0; award.pupil.yearGroup = "4"; return award })
    }

    @Test func theSchoolsReportHasTheTablesThenACertificatePerPupilEachOnItsOwnPage() {
        let list = Self.report.list(for: Self.selected[0], yearGroups: [:], roll: Self.roll)
        let document = Self.report.schoolDocument(list)
        #expect(document.name == "awards-9262001-2025")
        #expect(document.title == "Attendance awards 2025/26: Example Primary School")
        #expect(document.tables.map(\.id) == ["full-attendance", "most-improved"])
        #expect(document.tables[0].rows == [[.text("Ada Example"), .text("4"), .text("Q926200024001"), .count(370), .count(4)]])
        #expect(document.tables[1].rows == [[.text("Ben Sample"), .text(""), .text("N926200124002"), .percent(83.3), .percent(94.1), .percent(10.7)]])
        #expect(document.sections.map(\.title) == [
            "The awards", "Full attendance", "Most improved", "Certificate of full attendance", "Certificate of most improved attendance",
        ])
        // A page break ends the section before each certificate, and nothing else.
        let breaks = document.sections.map { $0.blocks.filter { if case .pageBreak = $0 { true } else { false } }.count }
        #expect(breaks == [0, 0, 1, 1, 0])
        guard case .notice(let name) = document.sections[4].blocks[1], case .paragraph(let reason) = document.sections[4].blocks[2] else {
            Issue.record("the certificate's blocks")
            return
        }
        #expect(name == "Ben Sample")
        #expect(reason == "For improving their attendance at Example Primary School in the school year 2025/26 from 83.3% to 94.1%.")
    }

    @Test func aPupilTheDeskHoldsNoNameForIsNamedByUPNAndASchoolWithNoAwardsSaysSo() {
        let document = Self.report.schoolDocument(Self.report.list(for: Self.selected[1], yearGroups: [:], roll: [:]))
        #expect(document.name == "awards-9262002-2025")
        #expect(document.title == "Attendance awards 2025/26: school 9262002")
        #expect(document.tables.first?.rows.first?.first == .text("A pupil (K92620012400A)"))
        let empty = Self.report.schoolDocument(Self.report.list(
            for: AwardsSelection.School(laestab: "9262001", pupilsConsidered: 5, fullAttendance: [], mostImproved: []), yearGroups: [:], roll: [:]))
        #expect(empty.tables.isEmpty && empty.sections.count == 3)
    }

    @Test func theCountySummaryHoldsCountsOnly() throws {
        let document = Self.report.countyDocument(Self.selected)
        #expect(document.name == "awards-county-2025")
        #expect(document.tables.map(\.id) == ["per-school"])
        #expect(document.tables[0].rows == [
            [.text("9262001"), .text("Example Primary School"), .count(3), .count(1), .count(1)],
            [.text("9262002"), .text(""), .count(1), .count(1), .count(0)],
        ])
        let html = ReportHTML(document).html
        for personal in ["Q926200024001", "N926200124002", "K92620012400A", "Ada", "Ben"] { #expect(!html.contains(personal)) }
    }

    @Test func theFiguresAreReadFromTheDesksStorePerSchoolThisYearAndAcrossSchoolsLastYear() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("awards-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let desk = try DeskStore(path: "\(folder)/desk.sqlite", messageIDs: false)
        func store(_ laestab: String, _ year: Int, _ halfTerm: Int, _ pupils: [(upn: String, group: String, codes: String)]) async throws {
            let json = """
                {"school": {"laestab": "\(laestab)"}, "period": {"academic_year": \(year), "half_term": \(halfTerm), "start_date": "\(year)-09-01", "end_date": "\(year)-10-20"},
                 "pupils": [\(pupils.map { "{\"upn\": \"\($0.upn)\", \"year_group\": \"\($0.group)\", \"sessions_possible\": 0, \"codes\": \($0.codes)}" }.joined(separator: ","))]}
                """
            try await desk.store(try #require(ReturnRows(try JSONValue.parse(json))), messageID: "m-\(laestab)-\(year)-\(halfTerm)")
        }
        try await store("9262001", 2025, 1, [("Q926200024001", "5", #"{"/": 60, "B": 2}"#), ("N926200124002", "4", #"{"/": 50, "O": 10}"#)])
        try await store("9262001", 2025, 2, [("Q926200024001", "6", #"{"/": 70}"#)])
        try await store("9262002", 2025, 2, [("N926200124002", "4", #"{"/": 70}"#)])
        try await store("9262001", 2024, 1, [("N926200124002", "3", #"{"/": 40, "I": 20}"#)])
        try await store("9262002", 2024, 4, [("N926200124002", "3", #"{"/": 30, "O": 30}"#)])
        try await store("9262001", 2023, 1, [("Q926200024001", "3", #"{"O": 60}"#)])

        let data = try AwardsData.read(from: try DeskStore(path: "\(folder)/desk.sqlite", readOnly: true), academicYear: 2025)
        #expect(data.halfTerms == 1...2)
        #expect(data.thisYear["9262001"]?["Q926200024001"]?.codeCounts == ["/": 130, "B": 2])
        #expect(data.thisYear["9262001"]?["N926200124002"]?.possible == 60)
        #expect(data.thisYear["9262002"]?["N926200124002"]?.attended == 70)
        // Last year, both schools together; the year before that is not read.
        #expect(data.lastYear["N926200124002"]?.codeCounts == ["/": 70, "I": 20, "O": 30])
        #expect(data.lastYear["Q926200024001"] == nil)
        // The year group of the school's latest return that gives one.
        #expect(data.yearGroups["9262001"]?["Q926200024001"] == "6")
        #expect(try AwardsData.read(from: desk, academicYear: 2030).halfTerms == nil)
    }
}
