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
            OUT/SEQUENCE.body, mode 0600, and the file and the folder are flushed to disk: a message acknowledged \
            is never lost to a power cut). A body that cannot be written is not acknowledged: the hub delivers it \
            again, and listen stops with the reason. Stops after --count messages, after --timeout seconds without \
            one, or on Ctrl-C.
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
        if let out {
            // 0700: the bodies are agencies' messages, often about children.
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
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
                // Named by the hub's sequence number, never by the sender's id; acknowledged only once on disk.
                do { try Self.writeDurably(delivery.body, to: "\(out)/\(delivery.tag).body") } catch {
                    client.nack(delivery, .retry, reason: "liaison listen could not write the body")
                    watchdog.cancel()
                    await client.close()
                    throw UserFacingError("listen: \(error.description) The message was not acknowledged: the hub delivers it again.")
                }
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

    /// Writes `bytes` to `path` so that it survives a crash or a power cut before the caller acknowledges it:
    /// written whole to `path.part` (created mode 0600), `fsync`ed, renamed over `path`, then the folder itself
    /// `fsync`ed, since the rename is an entry in the folder and is otherwise lost with it.
    ///
    /// - Throws: ``DurableWriteError`` naming the step and the system's reason; a partly written `.part` is removed.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(DurableWriteError) {
        let temporary = path + ".part"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw DurableWriteError("Cannot create \(temporary): \(String(cString: strerror(errno))).") }
        var failure: String?
        var written = 0
        while failure == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { failure = "Cannot write \(temporary): \(String(cString: strerror(errno)))." } else { written += count }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = "Cannot flush \(temporary) to disk: \(String(cString: strerror(errno)))." }
        if close(descriptor) != 0, failure == nil { failure = "Cannot close \(temporary): \(String(cString: strerror(errno)))." }
        if failure == nil, rename(temporary, path) != 0 { failure = "Cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))." }
        if let failure {
            unlink(temporary)
            throw DurableWriteError(failure)
        }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw DurableWriteError("Cannot open the folder \(folder) to flush it: \(String(cString: strerror(errno))).") }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw DurableWriteError("Cannot flush the folder \(folder) to disk: \(String(cString: strerror(errno))).") }
    }
}

/// A body `liaison listen --out` could not put durably on disk.
struct DurableWriteError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
