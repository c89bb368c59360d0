import Foundation
import Testing

@testable import MonitoringReports

/// The protocol review paper (`liaison report protocol`) on values made by hand: the per-month counts, the denial
/// reasons, what changed since the last review, and the dates with the days left.
@Suite struct ProtocolReviewTests {
    static func flow(_ id: String, fields: [String] = ["/upn", "/school"], conditions: [String] = [], cohorts: [String] = []) -> ProtocolReviewData.Flow {
        .init(id: id, from: "npas", to: "yot", types: ["yot.attendance-summary"], purpose: "Education status", fields: fields, conditions: conditions, cohorts: cohorts)
    }

    static let agreement = ProtocolReviewData.Agreement(
        id: "yot-protocol", title: "Protocol with the YOT", version: "2.1", parties: ["npas", "yot"], lawfulBasis: "CDA 1998 s115",
        purpose: "Education of children known to the YOT", effective: "2026-09-01", review: "2027-05-31", end: "2028-08-31",
        retention: "2 years", bodyRetention: "P6M", contact: "IG Officer",
        flows: [flow("caseload-attendance", conditions: ["/upn is in the recipient's cohort 'yot-caseload'"], cohorts: ["yot-caseload"]), flow("case-updates")])

    /// Milliseconds at noon UTC on a day.
    static func at(_ day: String) -> Int64 {
        Int64(try! Date(day + "T12:00:00Z", strategy: .iso8601).timeIntervalSince1970 * 1000)
    }

    static let data = ProtocolReviewData(
        agreement: agreement, from: "2026-09-01", to: "2026-11-30",
        decisions: [
            .init(at: at("2026-09-03"), permitted: true, flow: "caseload-attendance", version: "2.0"),
            .init(at: at("2026-09-30"), permitted: true, minimised: true, flow: "caseload-attendance", version: "2.0"),
            .init(at: at("2026-09-30"), permitted: false, flow: "caseload-attendance", version: "2.0",
                  reasons: ["flow caseload-attendance: no record meets /upn is in the recipient's cohort 'yot-caseload'"]),
            .init(at: at("2026-11-01"), permitted: true, flow: "case-updates", version: "2.1"),
            .init(at: at("2026-11-02"), permitted: false, reasons: ["its flows from npas to yot do not cover 'referral'"]),
            .init(at: at("2026-11-03"), permitted: false, flow: "caseload-attendance", version: "2.1",
                  reasons: ["flow caseload-attendance: no record meets /upn is in the recipient's cohort 'yot-caseload'"]),
            // Outside the period: not counted.
            .init(at: at("2026-12-01"), permitted: true, flow: "case-updates", version: "2.1"),
        ],
        deadLetters: [.init(at: at("2026-10-10"), recipient: "yot", type: "yot.attendance-summary", cause: "rejected", messageID: "summary-17")],
        cohorts: [.init(owner: "yot", name: "yot-caseload", size: 2)])

    @Test func decisionsAreCountedPerMonthWithEmptyMonthsShown() {
        #expect(Self.data.months == ["2026-09", "2026-10", "2026-11"])
        let monthly = Self.data.monthly
        #expect(monthly.map(\.permitted) == [2, 0, 1])
        #expect(monthly.map(\.minimised) == [1, 0, 0])
        #expect(monthly.map(\.denied) == [1, 0, 2])
        // A decision on a day before the period, in its first month, is not counted.
        var late = Self.data
        late.from = "2026-09-04"
        #expect(late.monthly.map(\.permitted) == [1, 0, 1])
        // Across a year's end.
        let winter = ProtocolReviewData(agreement: Self.agreement, from: "2026-11-15", to: "2027-02-01", decisions: [], deadLetters: [], cohorts: [])
        #expect(winter.months == ["2026-11", "2026-12", "2027-01", "2027-02"])
    }

    @Test func denialReasonsFlowsAndVersionsAreCounted() {
        let reasons = Self.data.denialReasons
        #expect(reasons.map(\.count) == [2, 1])
        #expect(reasons.first?.reason == "flow caseload-attendance: no record meets /upn is in the recipient's cohort 'yot-caseload'")
        #expect(Self.data.perFlow.map(\.permitted) == [2, 1] && Self.data.perFlow.map(\.denied) == [2, 0])
        #expect(Self.data.versionsSeen.map(\.version) == ["2.0", "2.1"])
        #expect(Self.data.versionsSeen.first?.last == "2026-09-30")
    }

    @Test func whatChangedIsSaidLineByLine() {
        var old = Self.agreement
        old.version = "2.0"
        old.review = "2026-11-30"
        old.flows[0].fields.append("/sen/primary_need")
        old.flows.removeLast()
        old.flows.append(Self.flow("old-flow"))
        let changes = ProtocolReviewData.changes(from: old, to: Self.agreement)
        #expect(changes.contains("Version: 2.0 → 2.1"))
        #expect(changes.contains("Review date: 2026-11-30 → 2027-05-31"))
        #expect(changes.contains("Flow case-updates added: yot.attendance-summary from npas to yot"))
        #expect(changes.contains("Flow old-flow removed: yot.attendance-summary from npas to yot"))
        #expect(changes.contains("Flow caseload-attendance: fields removed: /sen/primary_need"))
        #expect(ProtocolReviewData.changes(from: Self.agreement, to: Self.agreement).isEmpty)
    }

    @Test func thePaperHasTheMonthsTheChartTheDatesAndTheCohortsProtected() throws {
        let document = ProtocolReview(data: Self.data, madeOn: "2026-12-01").build()
        #expect(document.name == "protocol-review-yot-protocol-2026-11-30")
        let monthly = try #require(document.tables.first { $0.id == "monthly" })
        #expect(monthly.rows.map { $0[0].text } == ["September 2026", "October 2026", "November 2026", "All months"])
        #expect(monthly.rows.last == [.text("All months"), .count(3), .count(1), .count(3), .count(6)])
        let chart = document.sections.flatMap(\.blocks).compactMap { block -> ReportChart? in
            if case .chart(let chart) = block { return chart }
            return nil
        }
        #expect(chart.first?.kind == .bar && chart.first?.series.map(\.name) == ["Permitted", "Minimised", "Denied"])
        let summary = document.sections[0].blocks.compactMap { block -> [(label: String, value: String)]? in
            if case .summary(let pairs) = block { return pairs }
            return nil
        }.first ?? []
        #expect(summary.first { $0.label == "Review due by" }?.value == "2027-05-31 (181 days left)")
        #expect(summary.first { $0.label == "Ends" }?.value == "2028-08-31 (639 days left)")
        // A cohort of 2 children is withheld.
        let cohorts = try #require(document.tables.first { $0.id == "cohorts" })
        #expect(cohorts.rows == [[.text("yot-caseload"), .text("yot"), .suppressed]] && cohorts.note != nil)
        #expect(document.tables.first { $0.id == "dead-letters" }?.rows == [[.text("rejected"), .count(1)]])
        // Without --since, the paper says how to show what changed.
        let notices = document.sections.last?.blocks.compactMap { block -> String? in
            if case .notice(let text) = block { return text }
            return nil
        } ?? []
        #expect(notices.contains { $0.contains("--since FILE") })
    }

    @Test func aPassedReviewDateIsNoticed() {
        let late = ProtocolReview(data: Self.data, madeOn: "2027-06-02").build()
        let blocks = late.sections[0].blocks
        #expect(blocks.contains { if case .notice(let text) = $0 { text.contains("review date has passed") } else { false } })
        #expect(ProtocolReviewData.days(from: "2027-06-02", to: "2027-05-31") == -2)
    }
}
