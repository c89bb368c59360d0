import Foundation
import LiaisonStore
import LiaisonTestSupport

/// A temporary hub with its broker process running; stopped and removed by `finish()`.
struct RunningHub {
    let hub: TemporaryHub
    let broker: BrokerProcess

    static func start(
        agencies: [String] = ["npas", "yot", "courts", "schools-mis"], heartbeatMilliseconds: Int = 250, extraConfig: String = ""
    ) async throws -> RunningHub {
        let hub = try TemporaryHub(agencies: agencies, heartbeatMilliseconds: heartbeatMilliseconds, extraConfig: extraConfig)
        let broker = BrokerProcess(hub: hub)
        try await broker.start()
        return RunningHub(hub: hub, broker: broker)
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

    func finish() {
        broker.stop()
        hub.remove()
    }
}
