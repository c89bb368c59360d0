import Dispatch
import StrictJSON
import LiaisonProtocol
import LiaisonRules
import Synchronization
import ZeroMQ

/// Parses and schema-checks message bodies on its own serial queue, off the broker's loop.
///
/// A 15 MB return took seconds to validate; done on the loop's thread it held every heartbeat, reply and
/// delivery for that long. The loop hands a large body here and goes back to polling; the result comes back
/// through `waker`, and the loop decides and commits the message then. The queue is a `DispatchQueue`, not a
/// task, so the work never occupies Swift's cooperative pool.
final class BodyChecker: Sendable {
    /// A body to check, and the ticket that brings its result back to the SEND it came with.
    struct Job: Sendable {
        let ticket: Int64
        let body: [UInt8]
        let type: MessageType
        let reference: String
    }

    /// Wakes the broker's poll when results are ready.
    let waker = WakeUpPipe()
    private let schemas: MessageSchemas?
    private let queue = DispatchQueue(label: "liaison.broker.body-checker")
    private let results = Mutex<[(ticket: Int64, result: Result<JSONValue, ProtocolError>)]>([])

    init(schemas: MessageSchemas?) {
        self.schemas = schemas
    }

    /// Checks `job` on the checker's queue; its result is then waiting in `takeResults()`.
    func submit(_ job: Job) {
        let schemas = schemas
        queue.async { [self] in
            let result = Result { () throws(ProtocolError) -> JSONValue in try BodyChecker.check(job, schemas: schemas) }
            results.withLock { $0.append((job.ticket, result)) }
            waker.wake()
        }
    }

    /// The results that have come in since the last call, in the order they finished.
    func takeResults() -> [(ticket: Int64, result: Result<JSONValue, ProtocolError>)] {
        waker.drain()
        return results.withLock { results in
            defer { results.removeAll(keepingCapacity: true) }
            return results
        }
    }

    /// The body's JSON, checked against its type's schema when the hub has schemas.
    ///
    /// - Throws: `ProtocolError` 416, 417 or 422 (as `MessageSchemas.check`), or 417 when only the sharing rules
    ///   need the body and it is not JSON.
    static func check(_ job: Job, schemas: MessageSchemas?) throws(ProtocolError) -> JSONValue {
        if let schemas { return try schemas.check(body: job.body, type: job.type, reference: job.reference) }
        do { return try JSONValue.parse(job.body) } catch {
            throw ProtocolError(.bodyNotJSON, "The sharing rules read the body, so it must be JSON (\(error)).", reference: job.reference)
        }
    }
}
