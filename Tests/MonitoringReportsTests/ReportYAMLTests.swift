import AttendanceDomain
import Testing

@testable import MonitoringReports

/// The reports' one strict YAML reader: where each kind of error points, and that a key nobody reads is refused.
@Suite("Report YAML reader")
struct ReportYAMLTests {
    static let text = """
        # comment
        limits:
          sessions: 350
          flag: yes
        schools:
          "9262001": 1
          9262001: 2
        """

    /// The message of the error `body` throws.
    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as ReportError {
            #expect(error.code == .configInvalid)
            return error.message
        } catch {
            return "not a ReportError: \(error)"
        }
    }

    @Test func valueErrorsPointAtTheValueAndMappingErrorsAtTheKeyThatNamesIt() throws {
        let top = try ReportYAML.parse(Self.text, file: "f.yaml").mapping()
        let limits = try #require(top.optional("limits"))
        #expect(limits.key == "limits" && limits.keyLine == 2 && limits.line == 3)
        let fields = try limits.mapping()
        #expect(try fields.required("sessions").int(in: 1...400) == 350)
        #expect(Self.message { _ = try fields.required("flag").bool() } == "f.yaml:4: 'limits.flag': Expected true or false, not yes.")
        #expect(Self.message { _ = try fields.required("days") }
            == "f.yaml:2: 'limits.days': This key is required (found: sessions, flag). Add 'days:'.")
        #expect(Self.message { _ = try limits.sequence() } == "f.yaml:2: 'limits': Expected a list.")
        // A key nobody read, at its own line.
        let partly = try limits.mapping()
        _ = partly.optional("sessions")
        _ = partly.optional("days")
        #expect(Self.message { try partly.finish() } == "f.yaml:4: 'limits.flag': Unknown key. Allowed here: days, sessions.")
        #expect(Self.message { try fields.finish() } == "no error")
        // The same key quoted and not: the parser lets it through, the reader does not.
        #expect(Self.message { _ = try top.required("schools").mapping() } == "f.yaml:7: 'schools.9262001': Written twice (once quoted, once not?): keep one of them.")
    }

    @Test func typedValuesSayWhatToWrite() throws {
        func value(_ text: String) throws -> ReportYAML { try #require(ReportYAML.parse("k: \(text)", file: "f").mapping().optional("k")) }
        #expect(try value("7.5").tenths(in: 1...1000) == 75)
        #expect(Self.message { _ = try value("7.25").tenths(in: 1...1000) }.hasPrefix("f:1: 'k': Expected percentage points from 0.1 to 100.0"))
        #expect(try value("94.5").percent() == 94.5)
        #expect(Self.message { _ = try value("95%").percent() }.contains("no % sign"))
        #expect(try value("2025-09-03").date() == SchoolDate(parsing: "2025-09-03"))
        #expect(Self.message { _ = try value("2025-13-03").date() } == "f:1: 'k': Expected a date as YYYY-MM-DD, such as 2025-09-03, not 2025-13-03.")
        #expect(try value("\"9262001\"").laestab() == "9262001")
        #expect(Self.message { _ = try value("926001").laestab() }.contains("not the 6-digit URN"))
        #expect(Self.message { _ = try value("[1]").string() } == "f:1: 'k': Expected a single value, not a list or a mapping.")
        #expect(Self.message { _ = try value("1.5").double(in: 2...3) } == "f:1: 'k': Expected a number from 2.0 to 3.0, not 1.5.")
    }

    @Test func syntaxErrorsAndEmptyFilesNameTheFile() {
        #expect(Self.message { _ = try ReportYAML.parse("", file: "f") } == "f: the file is empty.")
        #expect(Self.message { _ = try ReportYAML.parse("a: 1\nb: [", file: "f") }.hasPrefix("f:"))
        #expect(Self.message { _ = try ReportYAML.parse("a: 1\nb: [", file: "f") }.contains("YAML syntax error"))
        #expect(Self.message { _ = try ReportYAML.parse("a:\n  x: 1\n  x: 2\n", file: "f") }
            == "f:2: x written twice in the mapping that starts on this line: keep one of them.")
        #expect(Self.message { _ = try ReportYAML.load(path: "/nonexistent/f.yaml") } == "/nonexistent/f.yaml: cannot read the file: check that it exists and is UTF-8.")
    }
}
