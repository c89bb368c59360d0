import Foundation
import StrictJSON
import Testing

@testable import SchoolsMISAdapter

/// The schools' adapter takes `awards.list` and prints it as the school's list of its own pupils' awards, then a
/// certificate per pupil, each on a page of its own.
@Suite("Attendance awards lists and certificates")
struct AwardsLetterTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func example(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: "\(repository)/schemas/examples/awards.list/\(name)", encoding: .utf8))
    }

    @Test func theAdapterTakesAwardsLists() {
        #expect(SchoolsMISAdapter.consumes.contains("awards.list"))
    }

    @Test func theListNamesEachPupilWithTheFiguresAndEachCertificateIsOnItsOwnPage() throws {
        let html = AwardsLetter.html(body: try Self.example("valid-1.json"))
        #expect(html.contains("<h1>Attendance awards 2025/26: Example Primary School</h1>"))
        #expect(html.contains("<tr><td>Ada Example</td><td>5</td><td>Q926200024001</td><td>370</td></tr>"))
        #expect(html.contains("<tr><td>Ben Sample</td><td>4</td><td>N926200124002</td><td>83.3</td><td>94.1</td><td>10.7</td></tr>"))
        #expect(html.contains("at least 350 sessions") && html.contains("at least 5.0 percentage points"))
        // Two certificates, each starting a new printed page.
        #expect(html.components(separatedBy: "<section class=\"certificate\">").count == 3)
        #expect(html.contains(".certificate{page-break-before:always;break-before:page"))
        #expect(html.contains("<h2>Full attendance</h2><p>awarded to</p><p class=\"name\">Ada Example</p>"))
        #expect(html.contains("<p class=\"name\">Ben Sample</p><p>for improving their attendance at Example Primary School in the school year 2025/26 from 83.3% to 94.1%.</p>"))
    }

    @Test func anEmptyListSaysSoAndNamesTheSchoolByLAESTABWithoutAName() throws {
        let html = AwardsLetter.html(body: try Self.example("valid-2-none-awarded-no-limit.json"))
        #expect(html.contains("Attendance awards 2025/26: LAESTAB 9262001"))
        #expect(html.components(separatedBy: "No pupil this year.").count == 3)
        #expect(!html.contains("<section class=\"certificate\">"))
    }

    @Test func whatTheMessageSaysIsEscaped() throws {
        guard case .object(var body) = try Self.example("valid-1.json"), case .array(var full) = body["full_attendance"],
            case .object(var award) = full[0], case .object(var pupil) = award["pupil"]
        else { Issue.record("not the example's shape"); return }
        pupil["forename"] = .string("<script>x</script>")
        award["pupil"] = .object(pupil)
        full[0] = .object(award)
        body["full_attendance"] = .array(full)
        let html = AwardsLetter.html(body: .object(body))
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;x&lt;/script&gt; Example"))
    }
}
