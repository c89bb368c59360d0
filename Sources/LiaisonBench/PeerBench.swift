import Foundation
import LiaisonAdapterKit
import LiaisonBroker
import LiaisonConfig
import LiaisonTestSupport
import Logging

/// `LiaisonBench peers [MESSAGES] [WINDOW]`: the hub's side of `make bench-peers`, which measures RabbitMQ
/// (scripts/bench_peers.py) with the same message size and window in the same run and prints the ratio.
///
/// Two figures, each on a hub of its own, both with 1 KiB bodies, WINDOW sends awaiting ACCEPTED (the hub's
/// publisher confirm: it comes after the durable commit) and a receiver with WINDOW credit acking each delivery:
/// - `hub-plain`: the hub exactly as `make bench` measures its main figure (CURVE, envelope checks, durable
///   accept, Merkle-audited, acked; an opaque body, no schemas, no agreements).
/// - `hub-county`: the same hub with the county's schemas (`schemas/`) and agreements (`config/agreements/`)
///   loaded, as config/hub.yaml has them: schools-mis sends npas a half-termly `attendance.return` of 1 KiB,
///   which is validated against its schema and routed, minimised and decision-recorded by the schools' SLA.
///   This is the configuration of the issue's first row, and the one to compare with RabbitMQ.
///
/// Each line the script reads starts with the figure's name and its rate in msg/s; it prints them as they are.
enum PeerBench {
    static let bodySize = 1024

    static func run(messages: Int, window: Int) async throws {
        report("hub: \(messages) messages of \(bodySize) B, window \(window), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let opaque = [UInt8](repeating: 0x41, count: bodySize)
        let plain = try await measure(try await HubBench.start(window: window), messages: messages, window: window,
                                      type: "bench.message", to: "receiver", body: opaque)
        report(String(format: "hub-plain  %8.0f msg/s  %4.0f us CPU a message  (make bench's hub figure: opaque body, no schemas, no agreements)",
                      plain.rate, plain.cpu))
        let county = try await measure(try await startCounty(window: window), messages: messages, window: window,
                                       type: "attendance.return", to: "npas", body: try attendanceReturn(size: bodySize))
        report(String(format: "hub-county %8.0f msg/s  %4.0f us CPU a message  (the county's schemas and agreements: schools-mis -> npas attendance.return)",
                      county.rate, county.cpu))
    }

    /// Sends `messages` bodies with `window` awaiting ACCEPTED and waits until the receiver has acked them all.
    ///
    /// - Returns: the rate, and the process's CPU time a message over the same span (broker, commit, checks and both
    ///   adapters: the whole machine's work for a message, which moves less from run to run than the rate does).
    static func measure(
        _ hub: HubBench, messages: Int, window: Int, type: String, to recipient: String, body: [UInt8]
    ) async throws -> (rate: Double, cpu: Double) {
        let receiving = hub.startReceiving()
        // One message first, outside the timing: a refusal (a body the schema or the rules turn down) throws here
        // instead of leaving the benchmark waiting for deliveries that will never come.
        _ = try await hub.sender.send(type: type, to: [recipient], body: body, id: "warm-0")
        while hub.receivedCount < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let begin = DispatchTime.now()
        let cpuBefore = processCPUSeconds()
        // Off the main actor, as in make bench: on Linux each hop back to the main thread costs enough to show.
        _ = try await Task.detached {
            try await sendMany(hub.sender, count: messages, type: type, to: [recipient], window: window, body: { _ in body }, idPrefix: "p")
        }.value
        while hub.receivedCount < messages + 1 { try await Task.sleep(for: .milliseconds(1)) }
        let rate = Double(messages) / (Double(DispatchTime.now().uptimeNanoseconds - begin.uptimeNanoseconds) / 1e9)
        let cpu = (processCPUSeconds() - cpuBefore) * 1e6 / Double(messages)
        receiving.cancel()
        await hub.stop()
        return (rate, cpu)
    }

    /// A hub in a folder of its own with the county's seven agencies (fresh keys), schemas and agreements, and the
    /// same limits as HubBench (so the two figures differ only by the schemas and agreements). The sender is
    /// schools-mis, the receiver npas.
    static func startCounty(window: Int) async throws -> HubBench {
        let root = FileManager.default.currentDirectoryPath
        let schemas = "\(root)/schemas"
        let agreements = "\(root)/config/agreements"
        guard FileManager.default.fileExists(atPath: agreements), FileManager.default.fileExists(atPath: schemas) else {
            throw PeerBenchError("schemas/ or config/agreements/ not found from \(root): run make bench-peers from the repository root.")
        }
        let directory = "\(FileManager.default.temporaryDirectory.path)/liaison-peers-\(getpid())-\(UUID().uuidString.prefix(6))"
        let agencies = ["npas", "schools-mis", "connexions", "yot", "social-services", "courts", "advisory-service"]
        for name in ["hub"] + agencies { try KeyFiles.generate(name: name, directory: "\(directory)/keys") }
        try (["agencies:"] + agencies.map { "  \($0): {name: \($0), public_key_file: keys/\($0).pub}" })
            .joined(separator: "\n").write(toFile: "\(directory)/agencies.yaml", atomically: true, encoding: .utf8)
        try """
            endpoint: ipc://hub.ipc
            schemas_dir: \(schemas)
            agreements_dir: \(agreements)
            data_dir: data
            keys_dir: keys
            agencies_file: agencies.yaml
            heartbeat_ms: 1000
            limits:
              batch_size: 1024
            """.write(toFile: "\(directory)/hub.yaml", atomically: true, encoding: .utf8)
        let configuration = try HubConfiguration.load(path: "\(directory)/hub.yaml")
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
            directory: directory, broker: broker, sender: try await client("schools-mis", credit: 16),
            receiver: try await client("npas", credit: max(window, 64)))
    }

    /// A half-termly attendance return (synthetic school and pupils, valid against its schema) of exactly `size`
    /// bytes: as many pupils as fit, then spaces before the closing brace.
    static func attendanceReturn(size: Int) throws -> [UInt8] {
        let head = #"{"school":{"laestab":"9262001"},"period":{"academic_year":2026,"half_term":1,"start_date":"2026-09-03","end_date":"2026-10-23"},"pupils":["#
        func pupil(_ index: Int) -> String {
            #"{"upn":"Q9262000260"# + String(format: "%02d", index)
                + #"","sessions_possible":76,"present":70,"aea":0,"authorised":4,"unauthorised":2,"codes":{"/":35,"\\":35,"I":4,"N":2}}"#
        }
        var pupils: [String] = []
        while (head + (pupils + [pupil(pupils.count + 1)]).joined(separator: ",") + "]}").utf8.count <= size {
            pupils.append(pupil(pupils.count + 1))
        }
        let text = head + pupils.joined(separator: ",") + "]"
        guard !pupils.isEmpty, text.utf8.count + 1 <= size else { throw PeerBenchError("A return does not fit in \(size) bytes.") }
        return Array((text + String(repeating: " ", count: size - text.utf8.count - 1) + "}").utf8)
    }
}

/// Why `LiaisonBench peers` could not measure the hub.
struct PeerBenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
