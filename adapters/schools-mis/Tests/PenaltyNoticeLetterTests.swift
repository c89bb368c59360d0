import Foundation
import StrictJSON
import Testing

@testable import SchoolsMISAdapter

/// The schools' adapter takes `penalty.notice` and words it as the letter the school passes to the parent: the
/// parent's name and address, the child and the period, each amount with its last day, and what follows non-payment.
@Suite("Penalty notice letters for parents")
struct PenaltyNoticeLetterTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func example(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: "\(repository)/schemas/examples/penalty.notice/\(name)", encoding: .utf8))
    }

    @Test func theAdapterTakesPenaltyNotices() {
        #expect(SchoolsMISAdapter.consumes.contains("penalty.notice"))
    }

    @Test func aFirstNoticeGivesBothAmountsWithTheirDaysAndTheParentsAddress() throws {
        let html = PenaltyNoticeLetter.html(body: try Self.example("valid-1.json"))
        #expect(html.contains("<title>Penalty notice PN-2025-0001</title>"))
        #expect(html.contains("Ms Anne Example<br>12 Example Street<br>Dereham<br>NR19 1ZZ"))
        #expect(html.contains("£80.00</td><td>if paid by the end of 2025-12-08"))
        #expect(html.contains("£160.00</td><td>if paid by the end of 2025-12-15"))
        #expect(html.contains("not paid in full by the end of 2025-12-15"))
        #expect(html.contains("Kai Example, born 2011-03-02,") && html.contains("between 2025-09-08 and 2025-11-14: 14"))
        #expect(!html.contains("no reduced amount"), "a first notice has the reduced amount")
    }

    @Test func aSecondNoticeSaysThereIsNoReductionAndEscapesWhatItQuotes() throws {
        guard case .object(var body) = try Self.example("valid-2-second-notice.json") else { Issue.record("not an object"); return }
        body["how_to_pay"] = .string("Quote <b>PN</b> & pay")
        let html = PenaltyNoticeLetter.html(body: .object(body))
        #expect(html.contains("no reduced amount applies"))
        #expect(html.contains("£160.00</td><td>if paid by the end of 2026-03-02") && !html.contains("£80.00"))
        #expect(html.contains("Quote &lt;b&gt;PN&lt;/b&gt; &amp; pay"))
    }
}
