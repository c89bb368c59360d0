import Foundation
import StrictJSON
import Testing

@testable import SchoolsMISAdapter

/// The schools' adapter takes `register-audit.findings` and prints it as a page for the school: each finding with its
/// figures, the pupils with unresolved `N`s by UPN.
@Suite("Register audit findings for schools")
struct RegisterAuditLetterTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func example(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: "\(repository)/schemas/examples/register-audit.findings/\(name)", encoding: .utf8))
    }

    @Test func theAdapterTakesRegisterAuditFindings() {
        #expect(SchoolsMISAdapter.consumes.contains("register-audit.findings"))
    }

    @Test func thePageGivesEachFindingWithItsFigures() throws {
        let html = RegisterAuditLetter.html(body: try Self.example("valid-1.json"))
        #expect(html.contains("<h1>Register audit findings: Ashby Primary School (LAESTAB 9262001)</h1>"))
        #expect(html.contains("Academic year 2025/26, half terms 1-2 (2025-09-03 to 2025-12-19)"))
        #expect(html.contains("Last register audit: 2024-10-15. Next due: 2027-10-15."))
        #expect(!html.contains("overdue"))
        #expect(html.contains("7 N sessions were still in the register after 5 or more school days"))
        #expect(html.contains("<tr><td>K926200125001</td><td>4</td><td>2025-10-06</td></tr>"))
        #expect(html.contains("<tr><td>2025-11-21</td><td>PM</td><td>3</td></tr>"))
        #expect(html.contains("Used unusually often: B."))
        #expect(html.contains("<tr><td>B</td><td>64</td><td>2.0</td><td>0.4</td><td><strong>yes</strong></td></tr>"))
        #expect(html.contains("<tr><td>Monday</td><td>420</td><td>6100</td><td>6.9</td><td>4.6</td><td><strong>yes</strong></td></tr>"))
        #expect(html.contains("<tr><td>U</td><td>95</td><td>3.0</td><td>0.9</td><td><strong>yes</strong></td></tr>"))
    }

    @Test func noFindingsAndNoAuditOnRecordSaySo() throws {
        let html = RegisterAuditLetter.html(body: try Self.example("valid-2-no-findings-no-audit-on-record.json"))
        #expect(html.contains("<h1>Register audit findings: LAESTAB 9264001</h1>"))
        #expect(html.contains("Last register audit: none on record."))
        #expect(html.contains("The school's register audit is overdue."))
        #expect(html.contains("(2025-09-03 to 2025-10-10)"))  // a return to date: to its last marked day
        #expect(html.contains("A further 12 N sessions are in returns sent without per-session marks."))
        #expect(html.contains("No code is used unusually often."))
    }

    @Test func whatTheMessageSaysIsEscaped() throws {
        guard case .object(var body) = try Self.example("valid-1.json"), case .object(var school) = body["school"] else {
            Issue.record("not the example's shape")
            return
        }
        school["name"] = .string("<script>x</script>")
        body["school"] = .object(school)
        let html = RegisterAuditLetter.html(body: .object(body))
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;x&lt;/script&gt; (LAESTAB 9262001)"))
    }
}
