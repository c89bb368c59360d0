import Foundation
import LiaisonStore
import LiaisonTestSupport
import Testing

/// A temporary hub with its broker process running; stopped and removed by `finish()`.
struct RunningHub {
    let hub: TemporaryHub
    let broker: BrokerProcess
    /// Folders outside the hub's that its broker reads (agreements, schemas), removed with the hub's.
    var folders: [TemporaryFolder] = []

    /// Starts a broker on a fresh hub. `folders` (named in `extraConfig`) are removed with the hub's folder by
    /// `finish()`. A broker that does not start is killed and its folders are kept, its log among them, for the
    /// failure to be read; the error names the folder.
    static func start(
        agencies: [String] = ["npas", "yot", "courts", "schools-mis"], heartbeatMilliseconds: Int = 250, extraConfig: String = "",
        removing folders: [TemporaryFolder] = []
    ) async throws -> RunningHub {
        let hub: TemporaryHub
        do {
            hub = try TemporaryHub(agencies: agencies, heartbeatMilliseconds: heartbeatMilliseconds, extraConfig: extraConfig)
        } catch {
            for folder in folders { folder.remove() }
            throw error
        }
        let running = RunningHub(hub: hub, broker: BrokerProcess(hub: hub), folders: folders)
        do {
            try await running.broker.start()
        } catch {
            await running.broker.kill()
            throw TestSupportError("\(error) (kept for reading: \(hub.directory), the broker's log in broker.log)")
        }
        return running
    }

    /// Removes the hub's folder and `folders`: only once the broker has exited.
    private func remove() {
        hub.remove()
        for folder in folders { folder.remove() }
    }

    /// The audit log as the broker left it.
    func audit() throws -> [AuditRecord] {
        try HubStore(path: hub.databasePath, readOnly: true).auditTail(count: 1_000_000)
    }

    /// Waits (bounded) until an audit record satisfies `predicate`.
    func waitForAudit(timeout: Duration = .seconds(10), _ predicate: (AuditRecord) -> Bool) async throws -> AuditRecord? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let record = try audit().first(where: predicate) { return record }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Stops the broker and removes the hub's folder once it has exited, on a thread of its own: for `defer`, which
    /// cannot await.
    func finish() {
        let running = self
        broker.stopInBackground { running.remove() }
    }
}

/// Suites whose tests run real brokers and adapters take one of a few slots for as long as they run
/// (`@Suite(..., .realProcesses)`), so that only a few such suites run their processes at once.
///
/// Swift Testing starts every test at once. With a hundred brokers and their adapters started together on a
/// 2-core machine, each test took many times its own length, and the processes' idle work (heartbeats, polls)
/// over that time added a third to the suite's CPU time. A slot is taken for a whole suite, not for each test,
/// because a test's time limit counts from before its scope traits run: a test waiting for a slot would use up
/// its own limit. `LIAISON_TEST_PROCESS_SLOTS` sets how many suites run at once (default 3). Unit tests are not
/// held back.
///
/// Suites marked `.realProcesses(.long)` (those that take several seconds even alone) get slots first, and the
/// others ask a moment later, so that the run does not end waiting on a long suite that happened to start last.
struct RealProcesses: SuiteTrait, TestScoping {
    enum Length: Int, Sendable {
        case short = 0
        case long = 1
    }

    static let slots = AsyncSemaphore(
        slots: ProcessInfo.processInfo.environment["LIAISON_TEST_PROCESS_SLOTS"].flatMap { Int($0) } ?? 3)

    var length: Length

    var isRecursive: Bool { false }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? self : nil
    }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // Every suite starts within a few milliseconds: a short one waits a little, so the first slots go to long ones.
        if length == .short { try? await Task.sleep(for: .milliseconds(200)) }
        await Self.slots.acquire(priority: length.rawValue)
        defer { Self.slots.release() }
        try await function()
    }
}

extension Trait where Self == RealProcesses {
    /// The suite's tests run real broker or adapter processes: it waits for one of a few slots (``RealProcesses``).
    static var realProcesses: Self { Self(length: .short) }

    /// The same, for a suite that takes several seconds even alone: it gets a slot before short ones.
    static func realProcesses(_ length: RealProcesses.Length) -> Self { Self(length: length) }
}
