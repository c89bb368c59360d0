import Foundation
import LiaisonAdapterKit

/// What the standby-broker tests share, on SQLite and on PostgreSQL: a second broker's hub.yaml, adapters that know
/// both endpoints, and a sender that records when each message was accepted.
extension TemporaryHub {
    /// The standby broker's endpoint: its own socket in the hub's folder (as a second machine would have its own).
    package var standbyEndpoint: String { "ipc://\(directory)/standby.ipc" }

    /// A copy of hub.yaml for a standby broker: the same store, keys and agencies, the endpoint `standbyEndpoint`.
    package func standbyConfig() throws -> String {
        let path = "\(directory)/hub-standby.yaml"
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
            .replacingOccurrences(of: "endpoint: ipc://hub.ipc", with: "endpoint: ipc://standby.ipc")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A connected adapter for `agency` that knows both brokers (`standby_endpoints`).
    package func connectKnowingStandby(_ agency: String, credit: Int = 64) async throws -> AdapterClient {
        var configuration = try adapterConfiguration(agency, credit: credit)
        configuration.standbyEndpoints = [standbyEndpoint]
        let client = AdapterClient(configuration: configuration)
        try await client.connect()
        return client
    }
}

/// When each message a sender sent was accepted.
package typealias Acceptances = Locked<[(id: String, at: ContinuousClock.Instant)]>

/// Sends `total` test messages to npas with 64 in flight, ids `PREFIX-N`, recording in `accepted` when each was
/// accepted; the task ends when every one has been (across a failover: the client resends what was not answered).
package func streamAccepted(_ sender: AdapterClient, total: Int, prefix: String, accepted: Acceptances) -> Task<Void, any Error> {
    Task {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                if index >= 64 { try await group.next() }
                group.addTask {
                    let id = "\(prefix)-\(index)"
                    _ = try await sender.send(type: "test.message", to: ["npas"], body: Array("{\"n\":\(index)}".utf8), id: id)
                    accepted.withLock { $0.append((id, ContinuousClock.now)) }
                }
            }
            try await group.waitForAll()
        }
    }
}
