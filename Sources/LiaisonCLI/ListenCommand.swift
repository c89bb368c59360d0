import ArgumentParser
import Foundation
import LiaisonAdapterKit
import LiaisonProtocol
import Logging
import Synchronization

struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive messages for an agency, print a line for each, and acknowledge them.",
        discussion: """
            Each delivery is acknowledged after it is printed (and, with --out, after its body is written to \
            OUT/SEQUENCE.body). Stops after --count messages, after --timeout seconds without one, or on Ctrl-C.
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var adapter: AdapterOptions

    @Option(help: "Stop after this many messages.")
    var count: Int?

    @Option(help: "Stop after this many seconds without a message.")
    var timeout: Double?

    @Option(help: ArgumentHelp("Write each body to this folder.", valueName: "dir"))
    var out: String?

    @Option(help: "Only these message types, comma-separated (default: all).")
    var types: String = "*"

    @Flag(help: "Print each delivery as one JSON line with its envelope, instead of a summary.")
    var json = false

    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "liaison.listen")
        let hub = try loadHub(options.config)
        let client = AdapterClient(
            configuration: try adapter.adapterConfiguration(
                hub: hub.configuration, name: "liaison-listen", consumes: types.split(separator: ",").map(String.init)),
            logger: logger)
        do { try await client.connect() } catch { throw UserFacingError("listen: \(error.message)") }
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        // A watchdog closes the client after --timeout seconds without a delivery; that ends the loop below.
        let lastActivity = Atomic<Int64>(Int64(Date().timeIntervalSince1970 * 1000))
        let timedOut = Atomic<Bool>(false)
        let watchdog = Task { [timeout] in
            guard let timeout else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let idle = Int64(Date().timeIntervalSince1970 * 1000) - lastActivity.load(ordering: .relaxed)
                if Double(idle) >= timeout * 1000 {
                    timedOut.store(true, ordering: .relaxed)
                    await client.close()
                    return
                }
            }
        }
        var received = 0
        for await delivery in client.deliveries {
            lastActivity.store(Int64(Date().timeIntervalSince1970 * 1000), ordering: .relaxed)
            if let out {
                _ = FileManager.default.createFile(atPath: "\(out)/\(delivery.tag).body", contents: Data(delivery.body))
            }
            if json {
                print(String(decoding: delivery.envelope.encoded(), as: UTF8.self))
            } else {
                let envelope = delivery.envelope
                print("delivery \(delivery.tag): \(envelope.type) from \(envelope.source), id \(envelope.id), \(delivery.body.count) bytes")
            }
            client.ack(delivery)
            received += 1
            if let count, received >= count { break }
        }
        watchdog.cancel()
        await client.close()
        if let count, received < count, timedOut.load(ordering: .relaxed) { throw UserFacingError("listen: stopped after \(received) of \(count) messages (no message for \(timeout ?? 0) seconds).") }
    }
}
