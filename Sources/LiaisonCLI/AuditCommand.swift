import ArgumentParser
import Foundation
import LiaisonAudit
import LiaisonConfig

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the hub's audit log.",
        subcommands: [Tail.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last audit records (and, with --follow, new ones as they are written).",
            discussion: "Reads the store read-only, so it is safe while the broker runs. Records hold no personal data.")

        @OptionGroup var options: ConfigOptions

        @Option(name: [.customShort("n"), .long], help: "How many records.")
        var count: Int = 20

        @Flag(help: "Keep printing new records until interrupted.")
        var follow = false

        @Flag(help: "One JSON object per line.")
        var json = false

        func run() async throws {
            let hub = try loadHub(options.config)
            let store: HubStore
            do { store = try HubStore(path: hub.configuration.databasePath, readOnly: true) } catch {
                throw UserFacingError("audit: \(error)")
            }
            var last: Int64 = 0
            repeat {
                let records = try store.auditTail(count: last == 0 ? count : 10_000, after: last)
                for record in records { print(json ? record.jsonLine : record.line) }
                last = records.last?.entry ?? last
                if follow { try await Task.sleep(for: .milliseconds(500)) }
            } while follow
        }
    }
}

extension AuditRecord {
    var line: String {
        let date = Date(timeIntervalSince1970: Double(event.at) / 1000).ISO8601Format(.iso8601WithTimeZone(includingFractionalSeconds: true))
        var parts = ["#\(entry)", date, event.kind.rawValue]
        if let agency = event.agency { parts.append("agency=\(agency)") }
        if let recipient = event.recipient { parts.append("to=\(recipient)") }
        if let type = event.type { parts.append("type=\(type)") }
        if let sequence = event.sequence { parts.append("seq=\(sequence)") }
        if let id = event.messageID { parts.append("id=\(id)") }
        if let code = event.code { parts.append("code=\(code)") }
        if let peer = event.peer { parts.append("peer=\(peer)") }
        if let digest = event.bodyDigest { parts.append("sha256=\(digest.prefix(16))…") }
        if let detail = event.detail { parts.append("(\(detail))") }
        return parts.joined(separator: " ")
    }

    var jsonLine: String {
        var object: [String: Any] = ["entry": entry, "at": event.at, "kind": event.kind.rawValue]
        object["agency"] = event.agency
        object["peer"] = event.peer
        object["message_id"] = event.messageID
        object["sequence"] = event.sequence
        object["type"] = event.type
        object["recipient"] = event.recipient
        object["body_sha256"] = event.bodyDigest
        object["code"] = event.code
        object["detail"] = event.detail
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
