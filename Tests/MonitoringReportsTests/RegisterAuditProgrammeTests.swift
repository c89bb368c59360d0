import AttendanceDomain
import Foundation
import Testing

@testable import MonitoringReports

/// `config/register-audits.yaml`: the repository's file loads, the cycle gives each school's next audit, overdue
/// schools are flagged, and every mistake names the file and its line.
@Suite("Register audit programme")
struct RegisterAuditProgrammeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let valid = """
        cycle_years: 3
        n_unresolved_after_school_days: 5
        unusual_codes:
          ratio_to_county: 3.0
          minimum_sessions: 10
        late_codes:
          ratio_to_county: 2
          minimum_sessions: 10
        weekday_absence:
          ratio_to_midweek: 1.5
          minimum_sessions: 10
        schools:
          - laestab: "9262001"
            last_audit: 2024-02-29
          - laestab: "9262002"
            last_audit: 2022-11-03
          - laestab: "9264001"
            last_audit: 2024-02-27
            next_due: 2026-02-27

        """

    static func day(_ text: String) -> SchoolDate { SchoolDate(parsing: text)! }

    @Test func theRepositorysProgrammeLoads() throws {
        let programme = try RegisterAuditProgramme.load(path: Self.repository.appendingPathComponent("config/register-audits.yaml").path)
        #expect(programme.cycleYears == 3)
        #expect(programme.settings.nUnresolvedAfterSchoolDays == 5)
        #expect(programme.schools.map(\.laestab).contains("9262001"))
        // 9262003's last audit was 2022-11-03: due 2025-11-03, overdue by the end of 2025.
        #expect(programme.schedule(for: "9262003", on: Self.day("2025-12-01")).overdue)
    }

    @Test func theNextAuditIsDueACycleAfterTheLastUnlessGiven() throws {
        let programme = try RegisterAuditProgramme.parse(Self.valid, file: "register-audits.yaml")
        #expect(programme.settings.unusualCodes == .init(ratio: 3, minimumSessions: 10))
        #expect(programme.settings.weekdayAbsence.ratio == 1.5)
        // 29 February plus three years is 28 February.
        #expect(programme.schedule(for: "9262001", on: Self.day("2026-12-03")) == .init(lastAudit: Self.day("2024-02-29"), nextDue: Self.day("2027-02-28"), overdue: false))
        #expect(programme.schedule(for: "9262002", on: Self.day("2026-12-03")) == .init(lastAudit: Self.day("2022-11-03"), nextDue: Self.day("2025-11-03"), overdue: true))
        #expect(programme.schedule(for: "9264001", on: Self.day("2026-12-03")).nextDue == Self.day("2026-02-27"))
        #expect(programme.schedule(for: "9264001", on: Self.day("2026-02-27")).overdue == false)  // due that day: not yet overdue
        // A school not in the programme: none on record, due now.
        #expect(programme.schedule(for: "9262099", on: Self.day("2026-12-03")) == .init(lastAudit: nil, nextDue: Self.day("2026-12-03"), overdue: true))
        #expect(programme.due(on: Self.day("2026-12-03")).map(\.laestab) == ["9262002", "9264001"])
    }

    /// The message for a broken copy of ``valid``: the line replaced by `line` at `number` (1-based).
    func error(replacing number: Int, with line: String) -> String {
        var lines = Self.valid.components(separatedBy: "\n")
        lines[number - 1] = line
        do {
            _ = try RegisterAuditProgramme.parse(lines.joined(separator: "\n"), file: "register-audits.yaml")
            return "no error"
        } catch {
            #expect(error.code == .configInvalid)
            return error.message
        }
    }

    @Test func mistakesNameTheFileAndLine() {
        // A misspelt key: the key it should be is missing (at the line of the mapping's own key), and the message
        // says what was found and what to write.
        #expect(error(replacing: 5, with: "  minimum_session: 10")
            == "register-audits.yaml:3: 'unusual_codes.minimum_sessions': This key is required (found: ratio_to_county, minimum_session). Add 'minimum_sessions:'.")
        // A key nobody reads.
        #expect(error(replacing: 5, with: "  minimum_sessions: 10\n  colour: red").hasPrefix(
            "register-audits.yaml:6: 'unusual_codes.colour': Unknown key. Allowed here: minimum_sessions, ratio_to_county."))
        // A date that is not one.
        #expect(error(replacing: 16, with: "    last_audit: 2022-13-03").hasPrefix("register-audits.yaml:16: 'schools.1.last_audit': Expected a date"))
        // A LAESTAB that is not 7 digits.
        #expect(error(replacing: 15, with: "  - laestab: \"926200\"").hasPrefix("register-audits.yaml:15: 'schools.1.laestab': Expected a LAESTAB"))
        // A school given twice.
        #expect(error(replacing: 15, with: "  - laestab: \"9262001\"").contains("register-audits.yaml:15: 'schools.1.laestab': School 9262001 is listed twice (first at line 13)"))
        // A ratio out of range, and a next audit before the last.
        #expect(error(replacing: 10, with: "  ratio_to_midweek: 0.5").hasPrefix("register-audits.yaml:10: 'weekday_absence.ratio_to_midweek': Expected a number from 1.0"))
        #expect(error(replacing: 19, with: "    next_due: 2023-01-01").hasPrefix("register-audits.yaml:19: 'schools.2.next_due': The next audit must be after the last"))
        // A required key left out names the mapping's line.
        #expect(error(replacing: 2, with: "").hasPrefix("register-audits.yaml:1: 'n_unresolved_after_school_days': This key is required"))
        // Not YAML.
        #expect(error(replacing: 3, with: "unusual_codes: [").hasPrefix("register-audits.yaml:"))
    }
}
