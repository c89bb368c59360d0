import Foundation
import LiaisonProtocol
import LiaisonStore

/// `LiaisonBench commit [messages] [batch]`: the group commit alone, as the broker drives it for the main figure
/// (per message: stored with its acceptance and delivery, then delivered and acknowledged, each with its audit
/// record), in batches like the broker's, with the audit rows alone as the baseline in the same run.
enum CommitBench {
    static func run(messages: Int, batch: Int) throws {
        for tree in [false, true, false, true] {
            let rate = try measure(messages: messages, batch: batch, tree: tree)
            report(String(format: "commit path, %@: %8.0f msg/s (%.1f µs a message)", tree ? "with the Merkle tree" : "audit rows only     ", rate, 1e6 / rate))
        }
    }

    static func measure(messages: Int, batch: Int, tree: Bool) throws -> Double {
        let directory = "\(FileManager.default.temporaryDirectory.path)/liaison-commit-\(getpid())-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HubStore(path: "\(directory)/hub.sqlite", buildsTree: tree)
        let sender = AgencyID("sender")!
        let receiver = AgencyID("receiver")!
        let body = [UInt8](repeating: 0x41, count: 1024)
        let digest = Digest.sha256Hex(body)
        var previous: [QueuedDelivery] = []
        let start = DispatchTime.now()
        var sent = 0
        while sent < messages {
            let count = min(batch, messages - sent)
            var operations: [StoreOperation] = []
            for index in sent..<(sent + count) {
                let envelope = Envelope(
                    id: "b-\(index)", source: sender, type: MessageType("bench.message")!, recipients: [receiver],
                    time: "2026-12-02T12:00:00Z")
                operations.append(.insert(MessagePlan(
                    envelope: envelope, envelopeBytes: envelope.encoded(), body: body, bodyDigest: digest, recipients: [receiver],
                    receivedAt: 1, expiresAt: Int64.max / 2)))
            }
            // The previous batch's messages are delivered and acknowledged in this one, as under steady load.
            for delivery in previous {
                operations.append(.audit(AuditEvent(
                    .delivered, at: 1, agency: "sender", messageID: delivery.messageID, sequence: delivery.sequence,
                    type: "bench.message", recipient: "receiver")))
                operations.append(.acknowledge(delivery))
                operations.append(.audit(AuditEvent(
                    .acknowledged, at: 1, agency: "receiver", messageID: delivery.messageID, sequence: delivery.sequence,
                    type: "bench.message")))
            }
            let result = try store.commit(operations, at: 1)
            previous = result.stored.sorted { $0.key < $1.key }.map { _, stored in
                QueuedDelivery(
                    sequence: stored.sequence, recipient: receiver, type: MessageType("bench.message")!, messageID: "m",
                    source: sender, envelope: [], body: [], bodyDigest: digest, attempts: 0, expiresAt: 0)
            }
            sent += count
        }
        return Double(messages) / (Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
    }
}
