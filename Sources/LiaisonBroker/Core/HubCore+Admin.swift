import Foundation
import LiaisonProtocol
import LiaisonStore

/// The broker's admin interface (docs/protocol.md, "Admin interface"): the operator's requests, decided here like
/// everything else, so that the hub's store is only ever written by the broker's own commits.
///
/// `status` is answered at once from the core's state; `replay` and `discard` become store operations of the next
/// group commit, and are answered (`takeAdminAnswer`) once it has committed.
extension HubCore {
    /// One admin request, parsed.
    enum AdminRequest: Equatable {
        case status
        /// The broker's metrics as Prometheus text, the same registry `/metrics` serves (the console's operations pages).
        case metrics
        case replay(recipient: AgencyID, sequence: Int64, by: String)
        case discard(recipient: AgencyID, sequence: Int64, by: String)
    }

    /// An admin error: a stable code for programs, and a message for the operator.
    struct AdminError: Error, Equatable {
        var code: String
        var message: String

        var json: [UInt8] { HubCore.encode(["ok": false, "error": ["code": code, "message": message]]) }
    }

    /// The most characters of an operator's name kept in the audit record.
    static let maxOperatorName = 200

    /// Parses a request's JSON.
    static func parseAdmin(_ bytes: [UInt8]) throws(AdminError) -> AdminRequest {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw AdminError(code: "bad_request", message: "The request is not a JSON object.")
        }
        guard let op = object["op"] as? String else {
            throw AdminError(code: "bad_request", message: "The request has no \"op\" (status, metrics, replay or discard).")
        }
        switch op {
        case "status": return .status
        case "metrics": return .metrics
        case "replay", "discard":
            guard let sequence = object["sequence"] as? Int, sequence > 0 else {
                throw AdminError(code: "bad_request", message: "\"sequence\" must be the dead letter's message sequence, a positive integer.")
            }
            guard let text = object["recipient"] as? String, let recipient = AgencyID(text) else {
                throw AdminError(code: "bad_request", message: "\"recipient\" must be the dead letter's recipient agency.")
            }
            guard let by = object["by"] as? String, !by.trimmingCharacters(in: .whitespaces).isEmpty,
                by.count <= maxOperatorName, !by.contains(where: { $0.isNewline })
            else {
                throw AdminError(code: "bad_request", message: "\"by\" must name the operator (one line, at most \(maxOperatorName) characters).")
            }
            return op == "replay"
                ? .replay(recipient: recipient, sequence: Int64(sequence), by: by)
                : .discard(recipient: recipient, sequence: Int64(sequence), by: by)
        default:
            throw AdminError(code: "unknown_op", message: "Unknown op \"\(op.prefix(40))\": use status, metrics, replay or discard.")
        }
    }

    /// Takes one admin request: returns the answer now, or nil when it waits for the next commit (then
    /// `takeAdminAnswer` gives it once that batch has committed). `metrics` gives the metrics' Prometheus text (the
    /// core holds no registry: the loop does).
    mutating func admin(_ bytes: [UInt8], time: HubTime, metrics: () -> String = { "" }) -> [UInt8]? {
        let request: AdminRequest
        do throws(AdminError) { request = try HubCore.parseAdmin(bytes) } catch { return error.json }
        switch request {
        case .status:
            return HubCore.encode(status(time: time))
        case .metrics:
            return HubCore.encode(["ok": true, "op": "metrics", "at": time.wall, "text": metrics()])
        case .replay(let recipient, let sequence, let by), .discard(let recipient, let sequence, let by):
            guard agencies.agency(recipient) != nil else {
                return AdminError(code: "not_found", message: "No agency \(recipient) is configured.").json
            }
            let replay: Bool
            if case .replay = request { replay = true } else { replay = false }
            let event = AuditEvent(
                replay ? .deadLetterReplayed : .deadLetterDiscarded, at: time.wall, agency: recipient.rawValue, sequence: sequence,
                recipient: recipient.rawValue, detail: "by \(by)")
            pending.adminOperation = pending.operations.count
            pending.operations.append(
                replay
                    ? .replayDeadLetter(recipient: recipient, sequence: sequence, audit: event)
                    : .discardDeadLetter(recipient: recipient, sequence: sequence, audit: event))
            return nil
        }
    }

    /// The answer to the admin request whose batch has committed, once; nil while there is none.
    mutating func takeAdminAnswer() -> [UInt8]? {
        defer { adminAnswer = nil }
        return adminAnswer
    }

    /// The admin operation at `index` of a batch has been committed (or not): answer it, and put a replayed
    /// delivery back on its queue.
    mutating func adminCommitted(_ operation: StoreOperation, found: Bool?, time: HubTime) {
        let target: (recipient: AgencyID, sequence: Int64, replay: Bool)
        switch operation {
        case .replayDeadLetter(let recipient, let sequence, _): target = (recipient, sequence, true)
        case .discardDeadLetter(let recipient, let sequence, _): target = (recipient, sequence, false)
        default: return
        }
        let (recipient, sequence, replay) = target
        guard let found else {
            adminAnswer = AdminError(code: "store_unavailable", message: "The hub could not store the change; nothing was done. Try again.").json
            return
        }
        guard found else {
            adminAnswer = AdminError(
                code: "not_found", message: "No dead letter for \(recipient) with sequence \(sequence) (replayed or discarded already?).").json
            return
        }
        if replay {
            let delivery: QueuedDelivery?
            do { delivery = try ledger.pendingDeliveries(recipient: recipient, after: sequence - 1, limit: 1).first } catch {
                logger.error("Could not read a replayed delivery back: \(error)")
                delivery = nil
            }
            if let delivery, delivery.sequence == sequence {
                backlog[recipient, default: 0] += 1
                // Above the queue's cursor it is paged in with the rest of the store's backlog; below it, it goes first.
                if sequence > (scheduler.queues[recipient]?.cursor ?? 0) {
                    scheduler.offer(delivery)
                } else {
                    scheduler.requeueAtFront([delivery])
                }
                pending.touched.insert(recipient)
            }
        }
        adminAnswer = HubCore.encode(["ok": true, "op": replay ? "replay" : "discard", "recipient": recipient.rawValue, "sequence": sequence])
    }

    /// The sessions and the agencies' queues, as the core holds them now.
    func status(time: HubTime) -> [String: Any] {
        let sessionList: [[String: Any]] = sessions.sorted {
            ($0.value.agency.rawValue, connectedAt[$0.key] ?? 0) < ($1.value.agency.rawValue, connectedAt[$1.key] ?? 0)
        }.map { routingID, session in
            var entry: [String: Any] = [
                "agency": session.agency.rawValue, "state": "\(session.state)", "credit": session.credit,
                "in_flight": session.unsettled.count, "last_seen": time.wall - (time.monotonic - session.lastHeard),
                "connected_since": connectedAt[routingID] ?? time.wall,
            ]
            if let adapter = session.hello?.adapter { entry["adapter"] = adapter }
            return entry
        }
        var agencyList: [[String: Any]] = []
        for agency in agencies.agencies.map(\.id).sorted() {
            let inFlight = scheduler.queues[agency]?.inFlight.count ?? 0
            agencyList.append([
                "agency": agency.rawValue, "backlog": backlog[agency] ?? 0, "in_flight": inFlight,
                "sessions": sessions.values.filter { $0.agency == agency }.count,
            ])
        }
        return ["ok": true, "op": "status", "at": time.wall, "sessions": sessionList, "agencies": agencyList]
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        [UInt8]((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{\"ok\":false}".utf8))
    }
}
