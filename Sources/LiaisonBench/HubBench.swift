import Foundation
import LiaisonAdapterKit
import LiaisonBroker
import LiaisonConfig
import Logging
import LiaisonTestSupport

/// The real thing: a broker (CURVE, ZAP, durable accept, full audit) and two adapter-kit clients.
final class HubBench: Sendable {
    let directory: String
    let broker: Broker
    let sender: AdapterClient
    let receiver: AdapterClient
    let received = Locked<[String: UInt64]>([:])
    let counted = Locked<Int>(0)

    /// - Parameter store: a `postgresql://` URL for the store (`store:` in hub.yaml), or nil for SQLite in the folder.
    static func start(window: Int, rules: Bool = false, auditTree: Bool = true, store: String? = nil) async throws -> HubBench {
        let directory = "\(FileManager.default.temporaryDirectory.path)/liaison-bench-\(getpid())-\(UUID().uuidString.prefix(6))"
        for name in ["hub", "sender", "receiver"] { try KeyFiles.generate(name: name, directory: "\(directory)/keys") }
        try """
            agencies:
              sender: {name: Sender, public_key_file: keys/sender.pub}
              receiver: {name: Receiver, public_key_file: keys/receiver.pub}
            """.write(toFile: "\(directory)/agencies.yaml", atomically: true, encoding: .utf8)
        try """
            endpoint: ipc://hub.ipc
            \(rules ? "agreements_dir: agreements" : "")
            data_dir: data
            keys_dir: keys
            agencies_file: agencies.yaml
            heartbeat_ms: 1000
            \(store.map { "store: \"\($0)\"" } ?? "")
            limits:
              batch_size: 1024
            """.write(toFile: "\(directory)/hub.yaml", atomically: true, encoding: .utf8)
        if rules {
            try FileManager.default.createDirectory(atPath: "\(directory)/agreements", withIntermediateDirectories: true)
            try """
                id: bench
                title: Benchmark agreement
                version: "1"
                parties: [sender, receiver]
                lawful_basis: Benchmark
                purpose: Benchmark
                effective: 2000-01-01
                review: 2999-01-01
                end: 2999-12-31
                retention: none
                contact: none
                flows:
                  - id: bench
                    from: sender
                    to: receiver
                    types: [bench.message]
                    purpose: Benchmark
                    records: /pupils
                    where:
                      - not_in_cohort: opt-outs
                        key: /upn
                    fields: [/school, /pupils/*/upn, /pupils/*/present]
                """.write(toFile: "\(directory)/agreements/bench.yaml", atomically: true, encoding: .utf8)
        }
        var configuration = try HubConfiguration.load(path: "\(directory)/hub.yaml")
        configuration.buildsAuditTree = auditTree
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let broker = Broker(
            configuration: configuration, agencies: try AgencyDirectory.load(path: configuration.agenciesFile), logger: logger)
        Task { try await broker.run() }
        let endpoint = try await broker.waitUntilRunning()
        func client(_ name: String, credit: Int) async throws -> AdapterClient {
            let client = AdapterClient(
                configuration: try AdapterConfiguration(
                    endpoint: endpoint, hubPublicKeyFile: "\(directory)/keys/hub.pub",
                    secretKeyFile: "\(directory)/keys/\(name).key", adapterName: "bench-\(name)", credit: credit),
                logger: logger)
            try await client.connect()
            return client
        }
        return HubBench(
            directory: directory, broker: broker, sender: try await client("sender", credit: 16),
            receiver: try await client("receiver", credit: max(window, 64)))
    }

    init(directory: String, broker: Broker, sender: AdapterClient, receiver: AdapterClient) {
        self.directory = directory
        self.broker = broker
        self.sender = sender
        self.receiver = receiver
    }

    /// Starts the receiver: acknowledges every delivery and notes when each id arrived.
    func startReceiving() -> Task<Void, Never> {
        let receiver = receiver
        let received = received
        let counted = counted
        return Task.detached {
            for await delivery in receiver.deliveries {
                let now = DispatchTime.now().uptimeNanoseconds
                // Only latency samples keep their id: a map of a million ids would swamp the memory figure.
                let id = delivery.envelope.id
                if id.hasPrefix("l-") {
                    received.withLock { $0[id] = now }
                } else {
                    counted.withLock { $0 += 1 }
                }
                receiver.ack(delivery)
            }
        }
    }

    var receivedCount: Int { received.withLock { $0.count } + counted.withLock { $0 } }

    func stop() async {
        await sender.close()
        await receiver.close()
        broker.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Resident memory of this process (or one part of it, such as `RssAnon:`), from /proc.
func residentMegabytes(field: String = "VmRSS:") -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) })
    else { return 0 }
    let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kilobytes / 1024
}
