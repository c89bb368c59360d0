import Foundation
import Testing

@testable import MonitoringReports

/// `config/awards.yaml`: the county's file loads as written, and every mistake is an error naming the file, the line
/// and the key.
@Suite("Awards: the rules file")
struct AwardsRulesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let good = """
        full_attendance:
          minimum_sessions: 350
          aea_counts_as_present: true
        most_improved:
          minimum_improvement_points: 7.5
          minimum_sessions_this_year: 190
          minimum_sessions_last_year: 180
        """

    @Test func theCountysFileLoads() throws {
        let rules = try AwardsRules.load(path: "\(Self.repository)/config/awards.yaml")
        #expect(rules.fullAttendance == .init(minimumSessions: 350, aeaCountsAsPresent: true))
        #expect(rules.mostImproved == .init(minimumImprovementTenths: 50, minimumSessionsThisYear: 190, minimumSessionsLastYear: 190, maximumPerSchool: 10))
    }

    @Test func pointsAreReadInTenthsAndTheCapIsOptional() throws {
        let rules = try AwardsRules.parse(Self.good, file: "awards.yaml")
        #expect(rules.mostImproved.minimumImprovementTenths == 75 && rules.mostImproved.minimumImprovementPoints == 7.5)
        #expect(rules.mostImproved.maximumPerSchool == nil && rules.mostImproved.minimumSessionsLastYear == 180)
        #expect(try AwardsRules.parse(Self.good.replacingOccurrences(of: "7.5", with: "5"), file: "a").mostImproved.minimumImprovementTenths == 50)
    }

    static func error(_ text: String) -> String {
        do {
            _ = try AwardsRules.parse(text, file: "awards.yaml")
            return "no error"
        } catch {
            #expect(error.code == .configInvalid)
            return error.message
        }
    }

    @Test func mistakesNameTheFileTheLineAndTheKey() {
        #expect(Self.error(Self.good.replacingOccurrences(of: "350", with: "0"))
            == "awards.yaml:2: 'full_attendance.minimum_sessions': Expected a whole number from 1 to 400, not 0.")
        #expect(Self.error(Self.good.replacingOccurrences(of: "true", with: "yes please"))
            == "awards.yaml:3: 'full_attendance.aea_counts_as_present': Expected true or false, not yes please.")
        #expect(Self.error(Self.good.replacingOccurrences(of: "7.5", with: "7.25")).hasPrefix(
            "awards.yaml:5: 'most_improved.minimum_improvement_points': Expected percentage points from 0.1 to 100.0 with at most one decimal place"))
        #expect(Self.error(Self.good.replacingOccurrences(of: "  minimum_sessions_last_year", with: "  minimum_sesions_last_year")).hasPrefix(
            "awards.yaml:4: 'most_improved.minimum_sessions_last_year': This key is required (found: minimum_improvement_points,"))
        #expect(Self.error(Self.good + "\n  per_school: 3")
            == "awards.yaml:8: 'most_improved.per_school': Unknown key. Allowed here: maximum_per_school, minimum_improvement_points, minimum_sessions_last_year, minimum_sessions_this_year.")
        #expect(Self.error(Self.good + "\n  maximum_per_school: 0")
            == "awards.yaml:8: 'most_improved.maximum_per_school': Expected a whole number from 1 to 1000, not 0.")
        #expect(Self.error("full_attendance: [1, 2]\nmost_improved: {}").hasPrefix("awards.yaml:1: 'full_attendance': Expected a mapping"))
        #expect(Self.error("full_attendance:\n  minimum_sessions: [350").hasPrefix("awards.yaml:"))
        #expect(Self.error("").hasPrefix("awards.yaml: the file is empty"))
    }

    @Test func aMissingFileSaysWhatToCheck() {
        #expect(throws: ReportError.self) { try AwardsRules.load(path: "/nonexistent/awards.yaml") }
    }
}
