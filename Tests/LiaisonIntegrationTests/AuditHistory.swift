import LiaisonTestSupport
import Testing

/// The history `AuditEvidenceTests` start from, made once for the suite rather than once for each of its dozen
/// tests: a broker run in which 16 messages were sent and delivered, then stopped (which signs a checkpoint). Each
/// test works on its own copy of the folder (`TemporaryHub(copying:)`), so what one tampers with no other sees.
struct AuditHistory: SuiteTrait, TestScoping {
    /// The stopped hub, for the suite's tests to copy.
    @TaskLocal static var hub: TemporaryHub?

    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let running = try await RunningHub.start()
        defer { running.finish() }
        let yot = try await running.hub.connect("yot")
        _ = try await sendMany(yot, count: 16, to: ["npas"])
        let npas = try await running.hub.connect("npas")
        _ = await collect(npas, count: 16)
        await yot.close()
        await npas.close()
        await running.broker.stop()
        try await Self.$hub.withValue(running.hub) { try await function() }
    }
}
