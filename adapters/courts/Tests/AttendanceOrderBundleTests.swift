import CourtsAdapter
import Foundation
import StrictJSON
import Testing

/// A s.443 prosecution file (failing to comply with a school attendance order) as the clerk's bundle prints it:
/// the offence named "Education Act 1996 s.443" on the cover, its statement and particulars of the order's breach.
@Suite("The Courts' adapter: s.443 files")
struct AttendanceOrderBundleTests {
    static func example() throws -> [UInt8] {
        Array(try Data(contentsOf: CourtBundleTests.repository.appendingPathComponent(
            "schemas/examples/prosecution.file/valid-3-s443-attendance-order.json")))
    }

    /// A s.443 bundle's documents: no certificate of attendance and no register extract.
    static let goldenNames = ["prosecution-file.html", "witness-statement.html", "prosecution-file.json", "pdf-missing.txt", "manifest.json"]

    /// Held to `Golden/s443/` byte for byte (UPDATE_GOLDEN=1 rewrites them; then read the diff).
    @Test(arguments: goldenNames)
    func theSection443BundleMatchesItsGoldenFile(name: String) async throws {
        let bundle = try await CourtBundleTests.bundle(try Self.example())
        let document = try #require(bundle.documents.first { $0.name == name })
        let golden = CourtBundleTests.here.appendingPathComponent("Golden/s443/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(document.bytes).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(String(decoding: document.bytes, as: UTF8.self) == expected, "\(name) differs from Golden/s443/\(name)")
    }

    /// No empty certificate or "Attendance" section: the order's details (notice, order, school, breach) instead.
    @Test func theBundlePrintsTheOrderInPlaceOfTheRegister() async throws {
        let bundle = try await CourtBundleTests.bundle(try Self.example())
        #expect(bundle.documents.map(\.name) == Self.goldenNames)
        let html = String(decoding: try #require(bundle.documents.first { $0.name == "prosecution-file.html" }).bytes, as: UTF8.self)
        #expect(!html.contains("<h2>Attendance</h2>") && !html.contains("attendance-certificate.html"), "nothing of a register the file does not have")
        #expect(html.contains("The school attendance order</h2>"))
        #expect(html.contains("<dt>Notice served (s.437(1))</dt><dd>Monday 3 November 2025 (exhibit EW/1)</dd>"), "the notice and its copy")
        #expect(html.contains("<dt>Order made and served (s.437(3))</dt><dd>Wednesday 19 November 2025 (exhibit EW/2)</dd>"), "the order and its copy")
        #expect(html.contains("<dt>School the order names</dt><dd>LAESTAB 9264002</dd>"))
        #expect(html.contains("<dt>The order gave until</dt><dd>Thursday 4 December 2025 to register the child there</dd>"))
        #expect(html.contains("<dt>Breach found on</dt><dd>Monday 8 December 2025</dd>") && html.contains("had not been registered at the school"))
        let note = String(decoding: try #require(bundle.documents.first { $0.name == "pdf-missing.txt" }).bytes, as: UTF8.self)
        #expect(note.contains("(prosecution-file.pdf, witness-statement.pdf)"), "no certificate to print")
        #expect(bundle.record.offence == "443")
    }

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

    /// A clerk sends a s.443 outcome like any other: a level 3 fine, a discharge, a parenting order, each
    /// message one the schema accepts; custody, a community order, or a fine over level 3 is refused with the reason.
    @Test func theClerkSendsSection443OutcomesAndTheLawsLimitsAreKept() throws {
        let header = "case_reference,court,hearing_date,defendant,offence,outcome,amount,costs,victim_surcharge,"
            + "discharge_months,parenting_months,programme,community_months,custody_days,suspended,adjourned_to,band,note"
        let csv = """
            \(header)
            NPAS-2025-0043,Example Magistrates' Court,2026-02-09,D1,443,fine+parenting_order,1000,90,,,6,yes,,,,,B,
            NPAS-2025-0044,Example Magistrates' Court,2026-02-09,D1,443,conditional_discharge,,,,12,,,,,,,,
            NPAS-2025-0045,Example Magistrates' Court,2026-02-09,D1,443,absolute_discharge+eso_direction,,,,,,,,,,,,
            NPAS-2025-0046,Example Magistrates' Court,2026-02-09,D1,443,custody,,,,,,,,28,yes,,,
            NPAS-2025-0047,Example Magistrates' Court,2026-02-09,D1,443,community_order,,,,,,,12,,,,,
            NPAS-2025-0048,Example Magistrates' Court,2026-02-09,D1,443,fine,1000.01,,,,,,,,,,,
            NPAS-2025-0049,Example Magistrates' Court,2026-02-09,D1,444(1),fine,100,,,,,,,,,,,

            """
        // Case 0049's bundle was a s.443 file: a s.444 outcome for it is refused.
        let outcomes = try CourtOutcomes(csv: csv) { reference in
            reference == "NPAS-2025-0049" ? BundledCase(offence: "443", defendants: ["D1": 1]) : nil
        }
        #expect(outcomes.messages.map(\.caseReference) == ["NPAS-2025-0043", "NPAS-2025-0044", "NPAS-2025-0045"])
        let validator = try CourtBundleTests.validator()
        for message in outcomes.messages {
            let body = try JSONValue.parse(message.body)
            #expect(validator.validate(body).isEmpty, "\(message.caseReference): \(validator.validate(body))")
            #expect(body["defendants"]?.arrayValue?[0]["offence"] == .string("443"))
        }
        let first = try JSONValue.parse(outcomes.messages[0].body)["defendants"]?.arrayValue?[0]["sentence"]
        #expect(first?["fine"]?["amount_pence"] == .number(100_000), "a level 3 fine, £1,000 at most")
        #expect(first?["parenting_order"] == .object(["months": .number(6), "programme": .bool(true)]))
        let byLine = Dictionary(uniqueKeysWithValues: outcomes.problems.map { ($0.line, $0.problem) })
        #expect(byLine[5]?.contains("custody is not available for s443") == true, "\(outcomes.problems)")
        #expect(byLine[6]?.contains("a community order is not available for s443") == true, "\(outcomes.problems)")
        #expect(byLine[7]?.contains("at most £1000") == true, "\(outcomes.problems)")
        #expect(byLine[8]?.contains("alleges s443") == true, "\(outcomes.problems)")
        #expect(outcomes.problems.count == 4)
    }
}
