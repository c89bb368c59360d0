import Foundation
import LiaisonStore
import StrictJSON

/// What the operator's pages show from the hub's store, read-only (WAL lets the console read while the broker writes):
/// each agency's queue and when it was last seen, the dead letters, and one stored message's envelope. A message's
/// body is never read into a page: the operator sees its size and SHA-256 only, since it may hold a child's data.
///
/// Reading is blocking (GRDB's queue): the pages call these off Swift's cooperative pool.
enum HubOverview {
    /// Why the hub's store could not be read, worded for the page.
    struct Unavailable: Error, Sendable {
        var message: String
    }

    static func open(_ store: HubStoreAccess) throws(Unavailable) -> HubStore {
        guard let path = store.path else { throw Unavailable(message: store.missing) }
        guard FileManager.default.fileExists(atPath: path) else {
            throw Unavailable(message: "The hub's store is not there yet (\(path)): start the broker once, then reload this page.")
        }
        do { return try HubStore(path: path, readOnly: true) } catch {
            throw Unavailable(message: "Cannot open the hub's store at \(path): \(error.message)")
        }
    }

    /// The agencies page's rows: each agency's queue from the store, and, when the broker answered `status`, who is
    /// connected now, their credit and what is in flight (the broker's own view, not the audit log's last record).
    static func agencies(store hubStore: HubStoreAccess, live: HubAdminClient.Status? = nil) throws(Unavailable) -> [[String: Any]] {
        let store = try open(hubStore)
        let queues: [HubStore.AgencyQueue]
        do { queues = try store.agencyQueues() } catch { throw Unavailable(message: "Cannot read the hub's queues: \(error.message)") }
        var rows: [String: [String: Any]] = [:]
        for queue in queues {
            rows[queue.agency] = [
                "agency": queue.agency, "backlog": queue.backlog, "unacknowledged": queue.unacknowledged, "deadLetters": queue.deadLetters,
                "hasDeadLetters": queue.deadLetters > 0, "lastSeen": queue.lastSeen.map(time) ?? "never", "connected": queue.lastConnected,
                "credit": "",
            ]
        }
        if let live {
            for agency in live.agencies {
                var row = rows[agency.agency] ?? [
                    "agency": agency.agency, "backlog": 0, "unacknowledged": 0, "deadLetters": 0, "hasDeadLetters": false, "lastSeen": "never",
                ]
                let sessions = live.sessions.filter { $0.agency == agency.agency }
                row["connected"] = !sessions.isEmpty
                row["live"] = true
                row["connections"] = sessions.count
                row["credit"] = sessions.isEmpty ? "" : String(sessions.reduce(0) { $0 + $1.credit })
                // Only when some adapter gave its name: mustache takes an empty string as true.
                let adapters = Set(sessions.compactMap(\.adapter)).sorted()
                if !adapters.isEmpty { row["adapters"] = adapters.joined(separator: ", ") }
                if let latest = sessions.map(\.lastSeen).max() { row["lastSeen"] = time(latest) }
                rows[agency.agency] = row
            }
        }
        return rows.keys.sorted().compactMap { rows[$0] }
    }

    /// The dead letters page's rows, newest first.
    static func deadLetters(store hubStore: HubStoreAccess) throws(Unavailable) -> [[String: Any]] {
        let store = try open(hubStore)
        let letters: [HubStore.DeadLetterRecord]
        do { letters = try store.deadLetterRecords() } catch { throw Unavailable(message: "Cannot read the dead letters: \(error.message)") }
        return letters.map { letter in
            [
                "at": time(letter.at), "recipient": letter.recipient, "sequence": String(letter.sequence), "cause": letter.cause,
                "reason": letter.reason, "source": letter.source, "messageID": letter.messageID, "type": letter.type,
            ] as [String: Any]
        }
    }

    /// The envelope inspector's data, or nil when no message has that sequence.
    static func envelope(store hubStore: HubStoreAccess, sequence: Int64) throws(Unavailable) -> [String: Any]? {
        let store = try open(hubStore)
        let stored: HubStore.StoredEnvelope?
        do { stored = try store.storedEnvelope(sequence: sequence) } catch { throw Unavailable(message: "Cannot read the message: \(error.message)") }
        guard let stored else { return nil }
        var fields: [[String: String]] = []
        if let members = (try? JSONValue.parse(stored.envelope))?.objectValue {
            for key in members.keys.sorted() where key != "body" {
                fields.append(["key": key, "value": text(members[key] ?? .null)])
            }
        } else {
            fields.append(["key": "envelope", "value": "\(stored.envelope.count) bytes that are not a JSON object"])
        }
        return [
            "sequence": String(stored.sequence), "source": stored.source, "messageID": stored.messageID, "type": stored.type,
            "received": time(stored.receivedAt), "expires": time(stored.expiresAt),
            "bodySize": stored.bodySize.map { "\($0) bytes" } ?? "deleted at the end of its retention", "bodyDigest": stored.bodyDigest,
            "fields": fields,
            "deliveries": stored.deliveries.map { delivery -> [String: Any] in
                [
                    "recipient": delivery.recipient, "state": delivery.state, "attempts": delivery.attempts,
                    "settled": delivery.settledAt.map(time) ?? "",
                ]
            },
        ]
    }

    /// A JSON value as one line of text.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let string): string
        case .array(let items): "[" + items.map(text).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.keys.sorted().map { "\($0): \(text(members[$0] ?? .null))" }.joined(separator: ", ") + "}"
        }
    }

    /// Milliseconds since 1970 in London time, such as `3 Dec 2026 08:15:02`.
    static func time(_ milliseconds: Int64) -> String {
        ViewLogPage.displayFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
