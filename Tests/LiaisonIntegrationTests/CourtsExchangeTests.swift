import Foundation
import LiaisonAdapterKit
import LiaisonTestSupport
import Testing

/// The Courts' adapter as its own process: a prosecution file becomes the clerk's bundle; an outcomes file
/// becomes `court.outcome` for the attendance service, with a reply for the clerk naming every row.
@Suite("Prosecution files and outcomes through the Courts' adapter", .timeLimit(.minutes(2)))
struct CourtsExchangeTests {
    @Test func aProsecutionFileBecomesABundleAndOutcomesGoBackToTheDesk() async throws {
        let county = try await CountyExchangeTests.County.start(schools: 1, pupils: 10)
        defer { county.running.finish() }
        let courts = try await county.adapter("courts")
        defer { courts.stop() }
        let npas = try await county.running.hub.connect("npas", consumes: ["court.outcome"])
        let example = try Data(contentsOf: URL(fileURLWithPath: "\(CountyExchangeTests.repository)/schemas/examples/prosecution.file/valid-1.json"))
        _ = try await npas.send(type: "prosecution.file", to: ["courts"], body: Array(example), id: "prosecution-1")

        let bundle = "\(county.folder)/courts/outbox/NPAS-2025-0042/2025-04-07"
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: "\(bundle)/manifest.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: bundle).sorted()
        #expect(files == ["manifest.json", "prosecution-file.html", "prosecution-file.json", "register-extract.csv"])
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(bundle)/manifest.json"))) as? [String: Any])
        let entry = try #require((manifest["hub_receipt"] as? [String: Any])?["audit_entry"] as? Int)
        #expect(try county.running.audit().first { $0.entry == Int64(entry) }?.event.kind == .decision)

        // The clerk's outcomes: one good row, one malformed; the good one reaches the desk, the other is in the reply.
        try """
            case_reference,court,hearing_date,defendant_number,offence,outcome,amount,months,costs,adjourned_to,band,note
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,1,444(1A),fine+parenting_order,450,6,150,,B,
            NPAS-2025-0042,Example Magistrates' Court,2025-04-07,2,444(1A),fine,,,,,,

            """.write(toFile: "\(county.folder)/outcomes.csv", atomically: true, encoding: .utf8)
        let inbox = "\(county.folder)/courts/inbox"
        try FileManager.default.copyItem(atPath: "\(county.folder)/outcomes.csv", toPath: "\(inbox)/outcomes-2025-04-07.csv.part")
        try FileManager.default.moveItem(atPath: "\(inbox)/outcomes-2025-04-07.csv.part", toPath: "\(inbox)/outcomes-2025-04-07.csv")
        let outcome = try #require(await collect(npas, count: 1, timeout: .seconds(20)).first)
        #expect(outcome.envelope.type.rawValue == "court.outcome")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(outcome.body)) as? [String: Any])
        #expect((body["defendants"] as? [[String: Any]])?.count == 1)
        await npas.close()
        let replyPath = "\(county.folder)/courts/outbox/replies/outcomes-2025-04-07.csv.reply.csv"
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: replyPath) { try await Task.sleep(for: .milliseconds(50)) }
        let reply = try String(contentsOfFile: replyPath, encoding: .utf8)
        #expect(reply.contains("2,sent,"), "\(reply)")
        #expect(reply.contains("3,not sent,a fine needs its amount"), "\(reply)")
    }
}
