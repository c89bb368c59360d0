import Foundation
import LiaisonAdapterKit
import LiaisonStore
import LiaisonTestSupport
import Testing

/// Deliveries name their audit entry; bodies go at the end of their agreement's retention unless a legal
/// hold keeps them; holds are audited and may be placed while the broker runs.
@Suite("Retention, legal holds and delivery receipts", .timeLimit(.minutes(2)), .realProcesses)
struct RetentionTests {
    static let childA = "Q926200024001"
    static let childB = "B801200005001"

    /// The YOT protocol of `SharingRulesTests`, with bodies kept for no time at all and a fast sweep.
    func start() async throws -> RunningHub {
        let agreements = try TemporaryFolder("agreements")
        let folder = agreements.path
        try SharingRulesTests.agreement.replacingOccurrences(of: "retention: 2y\n", with: "retention: 2y\nbody_retention: P0D\n")
            .write(toFile: "\(folder)/yot.yaml", atomically: true, encoding: .utf8)
        return try await RunningHub.start(
            extraConfig: "agreements_dir: \(folder)\nretention: { sweep_interval: 100ms }\n", removing: [agreements])
    }

    func summary(_ upn: String) -> [UInt8] {
        Array(#"{"period":"2026-autumn-1","pupils":[{"upn":"\#(upn)","attendance":81.5}]}"#.utf8)
    }

    func bodyHeld(_ running: RunningHub, _ sequence: Int64) throws -> Bool {
        try HubStore(path: running.hub.databasePath, readOnly: true).holdsBody(sequence: sequence)
    }

    /// Waits (bounded) until the hub no longer holds the body.
    func waitForDeletion(_ running: RunningHub, _ sequence: Int64) async throws -> Bool {
        for _ in 0..<100 {
            if try !bodyHeld(running, sequence) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func aDeliveryNamesTheAuditEntryOfTheDecisionThatReleasedIt() async throws {
        let running = try await start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        try await SharingRulesTests().registerCaseload(yot, [Self.childA])
        let npas = try await running.hub.connect("npas")
        _ = try await npas.send(type: "test.summary", to: [], body: summary(Self.childA))
        let delivery = try #require(await collect(yot, count: 1).first)
        let entry = try #require(delivery.auditEntry)
        let record = try #require(try running.audit().first { $0.entry == entry })
        #expect(record.event.kind == .decision)
        #expect(record.event.recipient == "yot")
        #expect(record.event.detail?.contains("\"agreement\":\"yot-protocol\"") == true)
        await yot.close()
        await npas.close()
        await running.broker.stop()
        let receipt = try await LiaisonExecutable.run(["audit", "receipt", "--config", running.hub.configPath, "--entry", "\(entry)"])
        #expect(receipt.status == 0, "\(receipt.output)")
        #expect(receipt.output.contains("\"kind\\\":\\\"decision\\\"") || receipt.output.contains(#""kind":"decision""#), "\(receipt.output)")
    }

    @Test func bodiesGoAtTheEndOfRetentionExceptUnderALegalHold() async throws {
        let running = try await start()
        defer { running.finish() }
        // Placed while the broker runs: the broker must carry on from the hold's audit entry.
        let hold = try await LiaisonExecutable.run([
            "audit", "hold", "--config", running.hub.configPath, "--upn", Self.childA, "--reference", "SAR-2026-014",
        ])
        #expect(hold.status == 0, "\(hold.output)")
        let yot = try await running.hub.connect("yot")
        try await SharingRulesTests().registerCaseload(yot, [Self.childA, Self.childB])
        let npas = try await running.hub.connect("npas")
        let aboutA = try await npas.send(type: "test.summary", to: [], body: summary(Self.childA))
        let aboutB = try await npas.send(type: "test.summary", to: [], body: summary(Self.childB))
        #expect(await collect(yot, count: 2).count == 2)  // and acknowledged

        #expect(try await waitForDeletion(running, aboutB.sequence), "B's body outlived its retention")
        #expect(try bodyHeld(running, aboutA.sequence), "the hold on A must keep A's body")
        let deleted = try #require(try running.audit().first { $0.event.kind == .bodiesDeleted })
        #expect(deleted.event.detail?.contains("\(aboutB.sequence)") == true)

        let release = try await LiaisonExecutable.run([
            "audit", "release", "--config", running.hub.configPath, "--upn", Self.childA, "--reference", "SAR-2026-014-closed",
        ])
        #expect(release.status == 0, "\(release.output)")
        #expect(try await waitForDeletion(running, aboutA.sequence), "A's body stayed after the hold was released")
        await yot.close()
        await npas.close()
        await running.broker.stop()

        let log = try running.audit()
        let holds = log.filter { $0.event.kind == .legalHoldPlaced || $0.event.kind == .legalHoldReleased }
        #expect(holds.map(\.event.kind) == [.legalHoldPlaced, .legalHoldReleased])
        #expect(holds.allSatisfy { $0.event.detail?.contains("SAR-2026-014") == true })
        #expect(!log.contains { ($0.event.detail ?? "").contains(Self.childA) }, "no UPN in the audit log")
        // The CLI's entries and the broker's interleave into one tree that still verifies.
        let verify = try await LiaisonExecutable.run(["audit", "verify", "--config", running.hub.configPath])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test func aHoldNeedsAReferenceThatIsNotAName() async throws {
        let running = try await start()
        defer { running.finish() }
        let refused = try await LiaisonExecutable.run([
            "audit", "hold", "--config", running.hub.configPath, "--upn", Self.childA, "--reference", "Mrs Smith's request",
        ])
        #expect(refused.status != 0)
        #expect(refused.output.contains("never a name"), "\(refused.output)")
    }
}
