import Foundation
import LiaisonProtocol
import Logging
import Prometheus
import Synchronization
import ZeroMQ

/// The library every adapter uses to talk to the hub (docs/protocol.md).
///
/// It connects with the agency's CURVE keys, says HELLO, keeps heartbeats going, reconnects with
/// back-off when the hub goes quiet or restarts, and re-sends every unanswered message (with the same
/// id, which the hub deduplicates) until it is accepted or rejected.
///
/// The protocol's rules live in ``ClientSession`` (I/O-free, unit-tested); this class and ``AdapterLoop`` only
/// run it: the socket lives on a thread of its own that blocks in `zmq_poll`; async callers hand the session
/// work under a mutex and wake the thread through a pipe, so Swift's cooperative pool never blocks.
///
/// ```swift
/// let client = AdapterClient(configuration: configuration, logger: logger)
/// try await client.connect()
/// let receipt = try await client.send(type: "yot.case-update", to: ["npas"], body: Array(json.utf8))
/// for await delivery in client.deliveries {
///     try write(delivery.body)
///     client.ack(delivery)
/// }
/// ```
public final class AdapterClient: Sendable {
    public let configuration: AdapterConfiguration
    let logger: Logger
    let shared: Mutex<AdapterSharedState>
    let waker = WakeUpPipe()
    /// Deliveries from the hub, in the order they arrived. Settle each with `ack` or `nack`.
    public let deliveries: AsyncStream<Delivery>
    let deliveryContinuation: AsyncStream<Delivery>.Continuation
    private let started = Atomic<Bool>(false)
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// This adapter's metrics (`liaison_adapter_…`), for a `MetricsEndpoint` to serve (`--metrics-listen`).
    public let metricsRegistry = PrometheusCollectorRegistry()
    let metrics: AdapterMetrics

    public init(configuration: AdapterConfiguration, logger: Logger = Logger(label: "liaison.adapter")) {
        self.configuration = configuration
        self.logger = logger
        self.shared = Mutex(AdapterSharedState(session: ClientSession(
            hello: Hello(
                adapter: configuration.adapterName, version: configuration.adapterVersion, consumes: configuration.consumes,
                credit: configuration.credit),
            timing: ClientSession.Timing(
                resendAfter: configuration.resendAfter.milliseconds, firstBackoff: configuration.reconnectBackoff.first.milliseconds,
                maximumBackoff: configuration.reconnectBackoff.max.milliseconds))))
        (deliveries, deliveryContinuation) = AsyncStream.makeStream(of: Delivery.self)
        metrics = AdapterMetrics(registry: metricsRegistry, adapter: configuration.adapterName)
    }

    /// Starts the connection and waits for the hub's WELCOME.
    ///
    /// - Returns: the WELCOME, which names the agency this adapter is authenticated as.
    /// - Throws: `AdapterError` `keyRefused` as soon as the hub refuses this agency's key in the CURVE handshake
    ///   (its agencies.yaml does not list it, or not today); `noAnswer` if no WELCOME arrives within `helloTimeout`
    ///   (the hub is down, or the hub public key this adapter uses is not the hub's); the client is then closed.
    @discardableResult
    public func connect() async throws(AdapterError) -> Welcome {
        if !started.exchange(true, ordering: .acquiringAndReleasing) {
            let thread = Thread { [self] in
                AdapterLoop(client: self).run()
                self.markFinished()
            }
            thread.name = "liaison-adapter"
            thread.start()
        }
        do {
            return try await waitForWelcome(timeout: configuration.helloTimeout)
        } catch {
            await close()
            throw error
        }
    }

    /// Waits for WELCOME; a timer task fails the wait after `timeout` (and a HELLO the hub refuses fails it
    /// at once, from the adapter's thread).
    private func waitForWelcome(timeout: Duration) async throws(AdapterError) -> Welcome {
        let waiterID = UUID()
        let endpoint = configuration.endpoint
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            let waiter = shared.withLock { $0.welcomeWaiters.removeValue(forKey: waiterID) }
            waiter?.resume(throwing: AdapterError(
                .noAnswer,
                "No answer from the hub at \(endpoint) within \(timeout): is the broker running, "
                    + "and is the hub public key this adapter uses the hub's own (hub.pub)?"))
        }
        defer { timer.cancel() }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let immediate: Result<Welcome, any Error>? = shared.withLock { state in
                    if let welcome = state.session.welcome { return .success(welcome) }
                    if state.session.isClosing { return .failure(state.closedBecause ?? AdapterError(.closed, "The client is closed.")) }
                    state.welcomeWaiters[waiterID] = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } catch let error as AdapterError {
            throw error
        } catch {
            throw AdapterError(.closed, "\(error)")
        }
    }

    /// The agency this adapter is authenticated as (known after `connect()`).
    public var agency: AgencyID? {
        shared.withLock { $0.session.welcome.flatMap { AgencyID($0.agency) } }
    }

    /// Sends a message and waits until the hub has durably accepted it.
    ///
    /// The message is re-sent, with the same id, across reconnects and after `resendAfter` without an
    /// answer, so a message is never lost between the caller and the hub's store.
    ///
    /// - Parameters:
    ///   - type: the message type, e.g. `attendance.return`.
    ///   - recipients: the agencies it is for.
    ///   - body: the body, usually JSON.
    ///   - id: the message id; a fresh UUID by default. Re-using an id re-sends the same message.
    /// - Returns: the hub's receipt (sequence number, recipients, whether it was a duplicate).
    /// - Throws: `AdapterError` `rejected` with the hub's code and reason, or `closed`.
    public func send(
        type: String, to recipients: [String], body: [UInt8], id: String = UUID().uuidString.lowercased(),
        subject: String? = nil, correlationID: String? = nil, purpose: String? = nil,
        dataContentType: String = "application/json"
    ) async throws(AdapterError) -> Receipt {
        let envelope = try envelope(
            type: type, to: recipients, id: id, subject: subject, correlationID: correlationID, purpose: purpose, dataContentType: dataContentType)
        return try await sendRaw(id: id, envelope: envelope.encoded(), body: body)
    }

    /// Hands a message to the client and returns at once, without waiting for the hub: messages submitted (or sent)
    /// one after another go to the hub in that order. The hub's answer comes with ``PendingSend/receipt()``; the
    /// message is re-sent as ``send(type:to:body:id:subject:correlationID:purpose:dataContentType:)`` does until it
    /// comes. For a sender that keeps its messages in order but need not wait for one before handing over the next.
    ///
    /// - Throws: `AdapterError` `rejected` for an envelope the hub would refuse (as `send`), or `closed`.
    public func submit(
        type: String, to recipients: [String], body: [UInt8], id: String = UUID().uuidString.lowercased(),
        subject: String? = nil, correlationID: String? = nil, purpose: String? = nil,
        dataContentType: String = "application/json"
    ) throws(AdapterError) -> PendingSend {
        let envelope = try envelope(
            type: type, to: recipients, id: id, subject: subject, correlationID: correlationID, purpose: purpose, dataContentType: dataContentType)
        let (answer, continuation) = AsyncThrowingStream<Receipt, any Error>.makeStream()
        let waiter = SendWaiter.pending(continuation)
        switch enqueue(id: id, envelope: envelope.encoded(), body: body, waiter: waiter) {
        case .queued, .joined: waker.wake()
        case .closed: waiter.resume(with: .failure(AdapterError(.closed, "The client is closed.")))
        case .refused(let error): waiter.resume(with: .failure(AdapterError(.rejected, error.description, protocolError: error)))
        }
        return PendingSend(answer: answer)
    }

    /// The envelope of a message this client sends, checked as the hub would check it.
    func envelope(
        type: String, to recipients: [String], id: String, subject: String?, correlationID: String?, purpose: String?, dataContentType: String
    ) throws(AdapterError) -> Envelope {
        guard let agency = self.agency else {
            throw AdapterError(.closed, "Call connect() before sending.")
        }
        guard let messageType = MessageType(type) else {
            let error = ProtocolError(.invalidEnvelope, "'\(type)' is not a message type (lower-case letters, digits, '.', '-').")
            throw AdapterError(.rejected, error.description, protocolError: error)
        }
        var agencies: [AgencyID] = []
        for recipient in recipients {
            guard let id = AgencyID(recipient) else {
                let error = ProtocolError(.invalidEnvelope, "'\(recipient)' is not an agency id (lower-case letters, digits, '-').")
                throw AdapterError(.rejected, error.description, protocolError: error)
            }
            agencies.append(id)
        }
        // Checked here as the hub would (419): the hub's REJECTED cannot name an id it refuses to repeat, so the
        // kit could not match the refusal to this send, which would then be re-sent for ever.
        for (name, text) in [("id", id), ("correlationid", correlationID), ("subject", subject)] {
            guard let text, UPNShapedToken.occurs(in: text) else { continue }
            let error = ProtocolError(
                .personalData, "'\(name)' holds a token shaped like a UPN: make ids opaque and put the child's details in the body.")
            throw AdapterError(.rejected, error.description, protocolError: error)
        }
        return Envelope(
            id: id, source: agency, type: messageType, recipients: agencies, time: Envelope.timestamp(), subject: subject,
            dataContentType: dataContentType, correlationID: correlationID, purpose: purpose)
    }

    /// Sends an envelope exactly as given (for tools and tests that craft their own).
    public func sendRaw(id: String, envelope: [UInt8], body: [UInt8]) async throws(AdapterError) -> Receipt {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                switch enqueue(id: id, envelope: envelope, body: body, waiter: .caller(continuation)) {
                case .queued, .joined: waker.wake()
                case .closed: continuation.resume(throwing: AdapterError(.closed, "The client is closed."))
                case .refused(let error):
                    // The hub drops a connection whose frame is far over its limits, with no reply: a caller gets a
                    // clear error instead of a send re-tried for ever.
                    continuation.resume(throwing: AdapterError(.rejected, error.description, protocolError: error))
                }
            }
        } catch let error as AdapterError {
            throw error
        } catch {
            throw AdapterError(.closed, "\(error)")
        }
    }

    /// Gives a SEND to the session, in the order of the calls, with who waits for its answer (unless it is refused at once).
    private func enqueue(id: String, envelope: [UInt8], body: [UInt8], waiter: SendWaiter) -> ClientSession.Admission {
        shared.withLock { state in
            let admission = state.session.send(id: id, envelope: envelope, body: body)
            switch admission {
            case .queued, .joined: state.sendWaiters[id, default: []].append(waiter)
            case .refused, .closed: break
            }
            return admission
        }
    }

    /// Acknowledges a delivery: the hub will not deliver it again.
    public func ack(_ delivery: Delivery) {
        // A settlement for an older connection is dropped: the hub requeued the delivery when that session ended.
        shared.withLock { _ = $0.session.acknowledge(tag: delivery.tag, generation: delivery.generation) }
        waker.wake()
    }

    /// Refuses a delivery: `retry` asks for it again later; `reject` sends it to the dead-letter store.
    public func nack(_ delivery: Delivery, _ disposition: NackDisposition, reason: String) {
        shared.withLock {
            _ = $0.session.refuse(tag: delivery.tag, disposition: disposition, reason: reason, generation: delivery.generation)
        }
        waker.wake()
    }

    /// Says GOODBYE, closes the socket and ends `deliveries`. Unanswered sends fail with `closed`.
    public func close() async {
        let alreadyStarted = started.load(ordering: .acquiring)
        shared.withLock { $0.session.requestClose() }
        waker.wake()
        if alreadyStarted {
            await withCheckedContinuation { continuation in
                let done = finished.withLock { state in
                    if !state.done { state.waiters.append(continuation) }
                    return state.done
                }
                if done { continuation.resume() }
            }
        } else {
            deliveryContinuation.finish()
        }
    }

    private func markFinished() {
        let waiters = finished.withLock { state in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Who waits for a SEND's answer: a caller of `send` (suspended until it comes) or a ``PendingSend``.
enum SendWaiter: Sendable {
    case caller(CheckedContinuation<Receipt, any Error>)
    case pending(AsyncThrowingStream<Receipt, any Error>.Continuation)

    func resume(with result: Result<Receipt, any Error>) {
        switch self {
        case .caller(let continuation): continuation.resume(with: result)
        case .pending(let continuation):
            continuation.yield(with: result)
            continuation.finish()
        }
    }
}

/// A message handed to the client by ``AdapterClient/submit(type:to:body:id:subject:correlationID:purpose:dataContentType:)``,
/// whose answer is still to come.
public struct PendingSend: Sendable {
    let answer: AsyncThrowingStream<Receipt, any Error>

    /// Waits for the hub's answer: its receipt once it has durably accepted the message.
    ///
    /// - Throws: `AdapterError` `rejected` with the hub's code and reason, or `closed`.
    public func receipt() async throws(AdapterError) -> Receipt {
        do {
            for try await receipt in answer { return receipt }
        } catch let error as AdapterError {
            throw error
        } catch {
            throw AdapterError(.closed, "\(error)")
        }
        throw AdapterError(.closed, "The client closed before the hub answered.")
    }
}

/// What async callers and the adapter's thread share, always under the client's mutex: the protocol's state
/// (``ClientSession``) and the continuations its answers resume.
struct AdapterSharedState {
    var session: ClientSession
    /// Callers waiting on each unanswered SEND (more than one when an id is sent again before its answer).
    var sendWaiters: [String: [SendWaiter]] = [:]
    var welcomeWaiters: [UUID: CheckedContinuation<Welcome, any Error>] = [:]
    /// Why the session ended before any WELCOME (the hub refused the key or the HELLO), for a caller that starts to
    /// wait only after it ended: the refusal can come before `connect()` has begun to wait.
    var closedBecause: AdapterError?
}
