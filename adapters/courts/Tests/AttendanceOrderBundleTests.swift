import CourtsAdapter
import Foundation
import Testing

/// A s.443 prosecution file (failing to comply with a school attendance order) as the clerk's bundle prints it:
/// the offence named "Education Act 1996 s.443" on the cover, its statement and particulars of the order's breach.
@Suite("The Courts' adapter: s.443 files")
struct AttendanceOrderBundleTests {
    @Test func theBundleNamesTheOffenceAsSection443AndTheOrdersBreach() async throws {
        let body = Array(try Data(contentsOf: CourtBundleTests.repository.appendingPathComponent(
            "schemas/examples/prosecution.file/valid-3-s443-attendance-order.json")))
        let bundle = try await CourtBundleTests.bundle(body)
        let document = try #require(bundle.documents.first { $0.name == "prosecution-file.html" })
        let html = String(decoding: document.bytes, as: UTF8.self)
        #expect(html.contains("Offence: Education Act 1996 s.443"), "the cover names the offence")
        #expect(html.contains("contrary to section 443 of the Education Act 1996"), "the statement of offence")
        #expect(html.contains("served with a school attendance order made on Wednesday 19 November 2025"), "the particulars name the order")
        #expect(html.contains("LAESTAB 9264002") && html.contains("by Monday 8 December 2025"), "the school named and the breach")
        #expect(!html.contains("failed to attend regularly"), "no s.444 particulars on a s.443 file")
    }
}
