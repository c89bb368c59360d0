import AttendanceDomain
import Foundation
import JSONSchema
import LiaisonMessages
import StrictJSON
import Testing

@testable import MonitoringReports

/// The register audit as a report, as its `register-audit.findings` message (which must match its schema), and as
/// the governors' summary (counts only, no UPN).
@Suite("Register audit report")
struct RegisterAuditReportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    typealias Crafted = RegisterAuditFindingsTests

    /// A with two N's left since the 8th and an I each Monday; B unmarked on the 9th PM; B with 12 U sessions' worth of
    /// codes against a county that has few.
    static var findings: RegisterAuditFindings {
        let a = Crafted.pupil("K926200125001", Crafted.marks(["2025-09-08": ("N", "N"), "2025-09-15": ("I", "I")]))
        let b = Crafted.pupil("Z926200125002", Crafted.marks(["2025-09-09": ("/", "-")]))
        var input = Crafted.input([a, b])
        input.pupils.append(.init(upn: "A926200125003", halfTerm: 1, sessionsPossible: 40, codes: ["/": 28, "U": 12]))
        input.county = .init(schools: 10, sessionsPossible: 100_000, codes: ["/": 95_000, "N": 20, "I": 2000, "U": 100])
        return RegisterAuditFindings(input, settings: .init())
    }

    static let schedule = RegisterAuditProgramme.Schedule(lastAudit: nil, nextDue: SchoolDate(parsing: "2025-10-01")!, overdue: true)
    static var report: RegisterAuditReport { RegisterAuditReport(findings: findings, schedule: schedule, madeOn: SchoolDate(parsing: "2025-10-01")!) }

    @Test func theDocumentIsNamedFromFixedWordsTheLAESTABAndTheYear() throws {
        let document = Self.report.document
        #expect(document.name == "register-audit-9262001-2025")
        #expect(RegisterAuditReport.name(laestab: try LAESTAB("9262001"), academicYear: 2025) == document.name)
        #expect(document.marking == "Official-Sensitive")
        #expect(document.sections.map(\.title) == [
            "The audit", "Findings at a glance", "Reasons not yet established (N)", "Unmarked sessions", "Codes against the county",
            "Monday and Friday absence", "Late codes",
        ])
        // Every table id is a safe CSV name, and the N table lists the one pupil by UPN.
        #expect(document.tables.map(\.id) == ["unresolved-n", "unmarked", "codes", "weekdays", "late"])
        let n = try #require(document.tables.first)
        #expect(n.rows == [[.text("K926200125001"), .count(2), .text("2025-09-08")]])
        let unmarked = try #require(document.tables.first { $0.id == "unmarked" })
        #expect(unmarked.rows == [[.text("2025-09-09"), .text("PM"), .count(1)]])
        // Overdue, and no audit on record: said as a notice.
        let notices = document.sections[0].blocks.compactMap { block -> String? in if case .notice(let text) = block { text } else { nil } }
        #expect(notices == ["No register audit is on record for this school: one is due now."])
    }

    @Test func theMessageMatchesItsSchema() throws {
        let message = Self.report.message
        #expect(message.unresolvedN.pupils == [.init(upn: "K926200125001", sessions: 2, oldestDate: "2025-09-08")])
        #expect(message.unmarked.bySession == [.init(date: "2025-09-09", session: "pm", pupils: 1)])
        #expect(message.lateCodes.map(\.code) == ["L", "U"] && message.lateCodes[1].finding)
        #expect(message.audit == .init(lastAudit: nil, nextDue: "2025-10-01", overdue: true))
        let bytes = try MessageCoding.encode(message)
        let schemaText = try String(contentsOf: Self.repository.appendingPathComponent("schemas/register-audit.findings.schema.json"), encoding: .utf8)
        let validator = try SchemaValidator(schema: try JSONValue.parse(schemaText))
        let body = try JSONValue.parse(bytes)
        #expect(validator.validate(body) == [])
        // No name or date of birth of anyone: the pupils' objects hold a UPN, a count and a date only.
        #expect(body["unresolved_n"]?["pupils"]?.arrayValue?.first?.objectValue?.keys.sorted() == ["oldest_date", "sessions", "upn"])
        #expect(IntegerFields.problem(in: body, type: RegisterAuditMessage.type) == nil)
    }

    @Test func theGovernorsSummaryGivesCountsAndNoUPN() {
        let summary = RegisterAuditSummary(schedule: Self.schedule, findings: Self.findings)
        #expect(summary.headlines == [
            "2 N sessions (reason not yet established) unresolved after 5 school days (1 pupil)", "1 unmarked session",
            "late codes above the county's rate: U",
        ])
        guard case .summary(let rows) = summary.blocks[0] else { Issue.record("expected a summary list"); return }
        #expect(rows.map(\.label) == ["Last register audit", "Next register audit due", "Register findings this year"])
        #expect(!rows.contains { $0.value.contains("926200125") })
        #expect(summary.blocks.count == 2)  // and the overdue notice
        // A school with no return held: the programme only.
        let none = RegisterAuditSummary(schedule: Self.schedule, findings: nil)
        guard case .summary(let only) = none.blocks[0] else { Issue.record("expected a summary list"); return }
        #expect(only.count == 2)
    }
}
