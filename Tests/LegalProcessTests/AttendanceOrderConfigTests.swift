import AttendanceDomain
import Foundation
import LegalProcess
import Testing

/// The shipped configuration for school attendance orders states the compliance period itself (the authority's
/// policy, so it is visible and changeable as data), and the prosecutions agreement names s.443 as a lawful basis.
@Suite("School attendance order configuration")
struct AttendanceOrderConfigTests {
    @Test func theShippedFileSetsTheCompliancePeriodExplicitly() throws {
        let path = "\(legalConfig)/school-attendance-orders.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\ncompliance_period_days: 15\n"), "set in the file, not left to the code's default")
        #expect(text.contains("policy, not statute"))
        let orders = try SchoolAttendanceOrder.load(path: path)
        #expect(orders.compliancePeriodDays == 15)
        #expect(orders.complianceEnds(orderMade: SchoolDate(parsing: "2025-11-19")!) == SchoolDate(parsing: "2025-12-04")!)
        // A different policy is a change of data: the file's key is what the rules read.
        let longer = try SchoolAttendanceOrder.parse(text.replacingOccurrences(of: "compliance_period_days: 15", with: "compliance_period_days: 20"), file: path)
        #expect(longer.complianceEnds(orderMade: SchoolDate(parsing: "2025-11-19")!) == SchoolDate(parsing: "2025-12-09")!)
    }

    @Test func theProsecutionsAgreementNamesSection443() throws {
        let text = try String(contentsOfFile: repository.appendingPathComponent("config/agreements/prosecutions.yaml").path, encoding: .utf8)
        let basis = try #require(text.split(separator: "\n").first { $0.hasPrefix("lawful_basis:") })
        #expect(basis.contains("s443"), "\(basis)")
        #expect(text.contains("version: \"1.3\""))
    }
}
