import CZeroMQ
import Foundation
import ZeroMQ

/// A client of the broker's admin interface (docs/protocol.md, "Admin interface"): one ZeroMQ `REQ` socket per
/// request, connected to the broker's `admin_endpoint` (an `ipc://` socket only the hub's OS user can open), one JSON
/// request, one JSON answer, bounded by a timeout.
///
/// A fresh socket per request is the protocol's own advice: a `REQ` socket that missed its answer cannot send again.
/// An operator's page makes a request or two, so the cost (a connect on a local socket) does not matter.
///
/// Every call blocks for up to `timeout`: the pages call it off Swift's cooperative pool (`offPool`).
struct HubAdminClient: Sendable {
    /// Why the broker gave no usable answer, worded for the operator.
    struct Failure: Error, Sendable, Equatable {
        /// The admin interface's error code (`not_found`, `store_unavailable`, ...), or `unreachable` when the broker did
        /// not answer at all, or `bad_answer` when its answer was not what the protocol says.
        var code: String
        var message: String
    }

    /// One connection with a session, as `status` lists it.
    struct Session: Decodable, Sendable, Equatable {
        var agency: String
        var adapter: String?
        var state: String
        var connectedSince: Int64
        var lastSeen: Int64
        var credit: Int
        var inFlight: Int
    }

    /// One configured agency, as `status` lists it.
    struct Agency: Decodable, Sendable, Equatable {
        var agency: String
        var backlog: Int
        var inFlight: Int
        var sessions: Int
    }

    /// The broker's answer to `status`.
    struct Status: Decodable, Sendable, Equatable {
        /// When the broker answered (ms since 1970).
        var at: Int64
        var sessions: [Session]
        var agencies: [Agency]
    }

    /// The broker's `admin_endpoint` (`ipc://PATH`).
    let endpoint: String
    /// How long to wait for the answer; replay and discard wait for a group commit, which is milliseconds unless the
    /// disk is in trouble.
    var timeoutMilliseconds: Int32 = 3_000

    /// One context for the process: libzmq's contexts are thread-safe, and each request's socket is used by one thread.
    private static let context = ZeroMQContext(ioThreads: 1)

    /// The sessions and each agency's queue, now.
    func status() throws(Failure) -> Status {
        let answer = try request(["op": "status"])
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(Status.self, from: answer)
        } catch {
            throw Failure(code: "bad_answer", message: "The broker's status answer was not what the admin interface describes: \(error).")
        }
    }

    /// The broker's metrics: the Prometheus text its `/metrics` serves.
    func metrics() throws(Failure) -> String {
        let answer = try request(["op": "metrics"])
        guard let text = (try? JSONSerialization.jsonObject(with: answer) as? [String: Any])?["text"] as? String else {
            throw Failure(code: "bad_answer", message: "The broker's metrics answer held no text: is the broker older than the console?")
        }
        return text
    }

    /// Puts a dead letter back on its recipient's queue (answered after the commit that stored it, so it is durable).
    func replay(recipient: String, sequence: Int64, by operatorName: String) throws(Failure) {
        _ = try request(["op": "replay", "recipient": recipient, "sequence": sequence, "by": operatorName])
    }

    /// Marks a dead letter discarded: kept for the record, never delivered, no longer listed.
    func discard(recipient: String, sequence: Int64, by operatorName: String) throws(Failure) {
        _ = try request(["op": "discard", "recipient": recipient, "sequence": sequence, "by": operatorName])
    }

    /// Sends `object` and returns the answer's bytes when it says `"ok": true`.
    func request(_ object: [String: Any]) throws(Failure) -> Data {
        let unreachable = { (detail: String) in
            Failure(
                code: "unreachable",
                message: "The broker did not answer on its admin interface (\(endpoint)): \(detail). Check that the broker is running with admin_endpoint set, and that the console runs as the hub's user.")
        }
        if endpoint.hasPrefix("ipc://"), !FileManager.default.fileExists(atPath: String(endpoint.dropFirst(6))) {
            throw unreachable("its socket file is not there, so the broker is not running or has no admin_endpoint")
        }
        guard let body = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            throw Failure(code: "bad_request", message: "The console could not write its request.")
        }
        let received: ReceivedMessage?
        do throws(ZeroMQError) {
            let socket = try ZeroMQSocket(context: Self.context, type: .req)
            defer { socket.close() }
            try socket.setOption(ZMQ_LINGER, 0)
            try socket.setOption(ZMQ_RCVTIMEO, timeoutMilliseconds)
            try socket.setOption(ZMQ_SNDTIMEO, timeoutMilliseconds)
            // Fail at once when no socket file is there, instead of queueing for a broker that may never come.
            try socket.setOption(ZMQ_IMMEDIATE, 1)
            try socket.connect(endpoint)
            try socket.send([Array(body)])
            received = try socket.receive(maxFrames: 1)
        } catch {
            throw unreachable(error.isAgain ? "no answer within \(timeoutMilliseconds) ms" : "\(error)")
        }
        guard let answer = received?.frames.first else { throw unreachable("an empty answer") }
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] else {
            throw Failure(code: "bad_answer", message: "The broker's answer was not a JSON object.")
        }
        guard parsed["ok"] as? Bool == true else {
            let error = parsed["error"] as? [String: Any]
            throw Failure(
                code: error?["code"] as? String ?? "bad_answer",
                message: error?["message"] as? String ?? "The broker refused the request without saying why.")
        }
        return Data(answer)
    }
}
