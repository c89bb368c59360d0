import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonProtocol
import LiaisonTestSupport
import Testing

/// A full store (issue 11, chaos: SQLite's max_page_count, as a full disk behaves): the broker answers 503, keeps
/// serving, loses nothing it accepted, and takes messages again once space returns (the limit raised, SIGHUP).
@Suite("A full store", .timeLimit(.minutes(2)), .realProcesses)
struct FullStoreTests {
    @Test func aFullStoreAnswers503LosesNothingAndRecoversWhenSpaceReturns() async throws {
        let running = try await RunningHub.start(agencies: ["npas", "yot"], heartbeatMilliseconds: 30_000, extraConfig: "limits:\n  max_store_mib: 1\n")
        defer { running.finish() }
        let yot = try RawPeer(hub: running.hub, agency: "yot")
        #expect(try yot.hello() != nil)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 16_000)
        var accepted: [String] = []
        var refusedID: String?
        for index in 0..<200 {
            let id = "fill-\(index)"
            let envelope = Envelope(id: id, source: AgencyID("yot")!, type: MessageType("t.x")!, recipients: [AgencyID("npas")!])
            try yot.send(.send(envelope: envelope.encoded(), body: body))
            switch try await yot.next() {
            case .accepted(let messageID, _)?: accepted.append(messageID)
            case .rejected(let reference, let code, _)?:
                #expect(code == .storeUnavailable)
                #expect(reference == id)
                refusedID = id
            default: Issue.record("no answer to \(id)")
            }
            if refusedID != nil { break }
        }
        let full = try #require(refusedID, "1 MiB never filled")
        #expect(!accepted.isEmpty)

        // The broker still serves: a heartbeat-only peer stays, and the refused message is refused again, not lost.
        let retry = Envelope(id: full, source: AgencyID("yot")!, type: MessageType("t.x")!, recipients: [AgencyID("npas")!])
        try yot.send(.send(envelope: retry.encoded(), body: body))
        if case .rejected(_, let code, _)? = try await yot.next() { #expect(code == .storeUnavailable) } else { Issue.record("a full store accepted") }

        // Space returns: the limit is raised and the broker reloads.
        let config = try String(contentsOfFile: running.hub.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "max_store_mib: 1", with: "max_store_mib: 64")
            .write(toFile: running.hub.configPath, atomically: true, encoding: .utf8)
        running.broker.signal(SIGHUP)
        #expect(try await running.waitForAudit { $0.event.detail?.contains("store limit 64 MiB") == true } != nil)
        try yot.send(.send(envelope: retry.encoded(), body: body))
        guard case .accepted(let id, let receipt)? = try await yot.next() else {
            Issue.record("the store did not take messages again after space returned")
            return
        }
        #expect(id == full && !receipt.duplicate)
        accepted.append(full)

        // Nothing accepted was lost: every one reaches its recipient; the audit log verifies.
        let npas = try await running.hub.connect("npas")
        let delivered = await collect(npas, count: accepted.count, timeout: .seconds(30))
        #expect(Set(delivered.map(\.envelope.id)) == Set(accepted))
        await npas.close()
        await running.broker.stop()
        let verify = try await LiaisonExecutable.run(["audit", "verify", "--config", running.hub.configPath])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
