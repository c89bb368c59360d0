import Dispatch
import StrictJSON
import LiaisonProtocol
import LiaisonRules
import Synchronization
import ZeroMQ

/// Parses and schema-checks message bodies on its own serial queues, off the broker's loop, and decides them under
/// the sharing rules when the core sends their inputs along.
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
        /// What the sharing rules need to decide the message here too, when the hub has rules.
        var decision: DecisionInput? = nil
    }

    /// The sharing rules' inputs as the core held them when it handed the body over. The core uses the decision only
    /// if its cohorts and rules are still those of `generation`, on the same `date`; otherwise it decides again.
    struct DecisionInput: Sendable {
        let policy: SharingPolicy
        let envelope: Envelope
        let receivedAt: Int64
        let date: String
        let cohorts: [AgencyID: [String: Set<String>]]
        let generation: Int
    }

    /// A checked body: its JSON and, when asked for, the rules' decision (with the inputs' generation and date).
    struct Checked: Sendable {
        let json: JSONValue
        var admission: Admission? = nil
        var generation = 0
        var date = ""
    }

    /// Wakes the broker's poll when results are ready.
    let waker = WakeUpPipe()
    private let schemas: MessageSchemas?
    /// Two lanes, each a serial queue of its own: bodies of `smallBytes` or more (a school's return or roll) in one, the
    /// rest in the other, so a partner's small message is not checked only after every large body before it. The core
    /// still admits each connection's messages in the order they came (`HubCore.parked`).
    private let largeQueue = DispatchQueue(label: "liaison.broker.body-checker.large")
    private let smallQueue = DispatchQueue(label: "liaison.broker.body-checker.small")
    static let smallBytes = 32 << 10
    private let results = Mutex<[(ticket: Int64, result: Result<Checked, ProtocolError>)]>([])

    init(schemas: MessageSchemas?) {
        self.schemas = schemas
    }

    /// Checks `job` on the checker's queue; its result is then waiting in `takeResults()`.
    func submit(_ job: Job) {
        let schemas = schemas
        (job.body.count < Self.smallBytes ? smallQueue : largeQueue).async { [self] in
            let result = Result { () throws(ProtocolError) -> Checked in try BodyChecker.check(job, schemas: schemas) }
            results.withLock { $0.append((job.ticket, result)) }
            waker.wake()
        }
    }

    /// The results that have come in since the last call, in the order they finished.
    func takeResults() -> [(ticket: Int64, result: Result<Checked, ProtocolError>)] {
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
    ///   When the job carries the rules' inputs, the message is decided here too, as the core would have.
    static func check(_ job: Job, schemas: MessageSchemas?) throws(ProtocolError) -> Checked {
        let json: JSONValue
        if let schemas {
            json = try schemas.check(body: job.body, type: job.type, reference: job.reference)
        } else {
            do { json = try JSONValue.parse(job.body) } catch {
                throw ProtocolError(.bodyNotJSON, "The sharing rules read the body, so it must be JSON (\(error)).", reference: job.reference)
            }
        }
        guard let input = job.decision else { return Checked(json: json) }
        let admission = input.policy.admit(input.envelope, body: json, receivedAt: input.receivedAt, date: input.date, cohorts: input.cohorts)
        return Checked(json: json, admission: admission, generation: input.generation, date: input.date)
    }
}
