import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// The Courts' adapter as its own process: a prosecution file becomes the clerk's bundle; an outcomes file
/// becomes `court.outcome` for the attendance service, with a reply for the clerk naming every row.
@Suite("Prosecution files and outcomes through the Courts' adapter", .timeLimit(.minutes(2)), .realProcesses(.long))
struct CourtsExchangeTests {
    @Test func aProsecutionFileBecomesABundleAndOutcomesGoBackToTheDesk() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let courts = try await county.adapter("courts")
        defer { courts.stopInBackground() }
        let npas = try await county.running.hub.connect("npas", consumes: ["court.outcome"])
        let example = try Data(contentsOf: URL(fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/prosecution.file/valid-1.json"))
        _ = try await npas.send(type: "prosecution.file", to: ["courts"], body: Array(example), id: "prosecution-1")

        let bundle = "\(county.folder)/courts/outbox/NPAS-2025-0042/2026-01-12"
        // Printing three documents to PDF takes Chromium a few seconds on a busy machine.
        for _ in 0..<900 where !FileManager.default.fileExists(atPath: "\(bundle)/manifest.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: bundle).sorted()
        // With Debian's chromium on PATH (make deps installs it) the PDFs; without, a note saying why not.
        let chromium = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"].contains { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }
        let pdf = chromium ? ["attendance-certificate.pdf", "prosecution-file.pdf", "witness-statement.pdf"] : ["pdf-missing.txt"]
        #expect(files == ([
            "attendance-certificate.html", "manifest.json", "prosecution-file.html", "prosecution-file.json", "register-extract.csv",
            "witness-statement.html",
        ] + pdf).sorted())
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(bundle)/manifest.json"))) as? [String: Any])
        let entry = try #require((manifest["hub_receipt"] as? [String: Any])?["audit_entry"] as? Int)
        #expect(try county.running.audit().first { $0.entry == Int64(entry) }?.event.kind == .decision)

        // The clerk's outcomes: one good row, one naming a defendant the bundle does not have, one malformed; the
        // good one reaches the desk, the others are in the reply.
        try """
            case_reference,court,hearing_date,defendant,offence,outcome,amount,parenting_months,programme,costs,victim_surcharge,note
            NPAS-2025-0042,Example Magistrates' Court,2026-01-12,D1,444(1A),fine+parenting_order,450,6,yes,150,180,
            NPAS-2025-0042,Example Magistrates' Court,2026-01-12,D2,444(1A),fine,450,,,,,
            NPAS-2025-0042,Example Magistrates' Court,2026-01-12,D1,444(1A),fine,,,,,,

            """.write(toFile: "\(county.folder)/outcomes.csv", atomically: true, encoding: .utf8)
        let inbox = "\(county.folder)/courts/inbox"
        try FileManager.default.copyItem(atPath: "\(county.folder)/outcomes.csv", toPath: "\(inbox)/outcomes-2025-04-07.csv.part")
        try FileManager.default.moveItem(atPath: "\(inbox)/outcomes-2025-04-07.csv.part", toPath: "\(inbox)/outcomes-2025-04-07.csv")
        let outcome = try #require(await collect(npas, count: 1, timeout: .seconds(20)).first)
        #expect(outcome.envelope.type.rawValue == "court.outcome")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(outcome.body)) as? [String: Any])
        let defendants = try #require(body["defendants"] as? [[String: Any]])
        #expect(defendants.count == 1 && defendants.first?["defendant_reference"] as? String == "D1")
        #expect((defendants.first?["sentence"] as? [String: Any])?["victim_surcharge"] as? [String: Int] == ["amount_pence": 18000])
        await npas.close()
        let replyPath = "\(county.folder)/courts/outbox/replies/outcomes-2025-04-07.csv.reply.csv"
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: replyPath) { try await Task.sleep(for: .milliseconds(50)) }
        let reply = try String(contentsOfFile: replyPath, encoding: .utf8)
        #expect(reply.contains("2,sent,\"D1, case NPAS-2025-0042, hearing 2026-01-12: hub sequence"), "\(reply)")
        #expect(reply.contains("3,not sent,\"defendant D2 is not in the bundle for case NPAS-2025-0042, whose defendants are D1\""), "\(reply)")
        #expect(reply.contains("4,not sent,a fine needs its amount"), "\(reply)")
    }
}
