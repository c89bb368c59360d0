/// The adapter's side of the hub protocol, as an I/O-free state machine (docs/protocol.md §2 and §5); the
/// counterpart of the broker's ``PeerSession``.
///
/// The adapter kit's thread feeds it what arrived from the hub, what the application asked for and the time;
/// it answers with what to do: frames to write, sends to complete, deliveries to hand over, a connection to
/// close or open. It never touches a socket, a thread or a continuation, so every rule the kit keeps (say HELLO
/// again until WELCOME, heartbeats, 3 silent intervals, back-off, re-sending every unanswered SEND with its id)
/// is unit-tested in milliseconds without either.
///
/// ```
/// var session = ClientSession(hello: hello)
/// session.tick(now: 0)                         // [.connect]: open a socket, then
/// session.connected(now: 1)                    // [.write(.hello(hello))]
/// session.received(.success(.welcome(w)), now: 5)  // [.welcomed(w)]
/// session.send(id: "m-1", envelope: e, body: b)   // .queued
/// session.tick(now: 6)                         // [.write(.send(envelope: e, body: b), messageID: "m-1")]
/// session.received(.success(.accepted(messageID: "m-1", receipt: r)), now: 9)  // [.complete(messageID: "m-1", .accepted(r))]
/// ```
///
/// Times are the caller's monotonic milliseconds.
public struct ClientSession: Sendable {
    public enum State: Sendable, Equatable {
        /// No connection: ``tick(now:)`` says `.connect` once ``reconnectAt`` has come.
        case disconnected
        /// A connection is open and HELLO was said; WELCOME has not come on it yet.
        case greeting
        /// WELCOME came on this connection: SENDs and settlements go out.
        case ready
        /// Shut down (``shutDown()``); final.
        case closed
    }

    /// The kit's clocks, in milliseconds.
    public struct Timing: Sendable, Equatable {
        /// How long a SEND may go unanswered before it is written again (same id: the hub deduplicates).
        public var resendAfter: Int64
        /// The first pause before reconnecting, doubled after each attempt up to `maximumBackoff`, and reset at WELCOME.
        public var firstBackoff: Int64
        public var maximumBackoff: Int64
        /// The heartbeat interval assumed until WELCOME names the hub's (§5.2: 1000 ms).
        public var heartbeat: Int64
        /// How often unanswered SENDs are looked over for re-sending (the scan is O(n), so not on every tick).
        public var resendScan: Int64

        public init(
            resendAfter: Int64 = 10_000, firstBackoff: Int64 = 100, maximumBackoff: Int64 = 5000, heartbeat: Int64 = 1000,
            resendScan: Int64 = 100
        ) {
            self.resendAfter = resendAfter
            self.firstBackoff = firstBackoff
            self.maximumBackoff = maximumBackoff
            self.heartbeat = heartbeat
            self.resendScan = resendScan
        }
    }

    /// How a SEND ended.
    public enum SendOutcome: Sendable, Equatable {
        case accepted(Receipt)
        case rejected(ProtocolError)
        /// The session was shut down before the hub answered.
        case closed
    }

    /// What became of a ``send(id:envelope:body:)``.
    public enum Admission: Sendable, Equatable {
        /// Queued: it goes out once the session is ready, and again until the hub answers.
        case queued
        /// A SEND with this id is already waiting for its answer: one message, one answer for both callers.
        case joined
        /// Refused before sending: over the hub's limits (413). Re-sending could never succeed: the hub drops a
        /// connection whose frame is far over them, with no reply.
        case refused(ProtocolError)
        /// The session is closing or closed.
        case closed
    }

    /// Why the connection is to be closed (and, after the back-off, opened again).
    public enum DisconnectReason: String, Sendable, Equatable {
        /// Nothing heard from the hub for 3 heartbeat intervals.
        case silent
        /// The hub said GOODBYE (it is shutting down).
        case goodbye
        /// The hub answered 403: it has no session for this connection (it restarted). Reopened at once.
        case notReady
    }

    /// What the driver must do after an event, in order.
    public enum Action: Sendable, Equatable {
        /// Open a new connection (a new socket), then call ``connected(now:)``, or ``connectionFailed(now:)``.
        case connect
        /// Write this command to the hub (`messageID` names a SEND's pending entry). One that cannot be written
        /// now (the pipe is full) goes back through ``notWritten(_:)``.
        case write(AdapterCommand, messageID: String? = nil)
        /// Close the connection. ``tick(now:)`` says `.connect` when it is time for a new one.
        case disconnect(DisconnectReason)
        /// WELCOME came: whoever waits for the session to open may go on.
        case welcomed(Welcome)
        /// The hub refused HELLO (a REJECTED with no reference before WELCOME): saying it again would be refused
        /// again, so the session is closing.
        case helloRefused(ProtocolError)
        /// The hub refused this agency's key in the CURVE handshake (`status` is its ZAP handler's, 400 for a key
        /// agencies.yaml does not list or that is not current today). `final` when the session ended for it: it was
        /// never welcomed, so waiting for WELCOME would be waiting for ever. A session welcomed before keeps trying
        /// (the key may be listed again at the hub's next reload); `final` is then false, and the driver reports it.
        case keyRefused(status: UInt32, final: Bool)
        /// The SEND with this id is answered (or can no longer be).
        case complete(messageID: String, SendOutcome)
        /// A delivery for the application, to settle with ``acknowledge(tag:generation:)`` or
        /// ``refuse(tag:disposition:reason:generation:)``, passing `generation` back.
        case deliver(tag: Int64, envelope: Envelope, body: [UInt8], auditEntry: Int64?, generation: Int)
        /// A REJECTED no waiting SEND matches: a refused ACK or NACK (420), or an answer to a SEND already
        /// answered. Nothing to do but log it.
        case unmatchedRejection(ProtocolError)
        /// A message from the hub could not be decoded. Nothing to do but log it.
        case unreadable(ProtocolError)
    }

    /// A SEND awaiting its ACCEPTED or REJECTED.
    struct Pending: Sendable {
        var envelope: [UInt8]
        var body: [UInt8]
        /// First-come order, kept across reconnects.
        var order: Int
        /// When it last went out; nil if not yet written on this connection (or due again).
        var sentAt: Int64?
    }

    public let hello: Hello
    public let timing: Timing
    public private(set) var state: State = .disconnected
    /// The last WELCOME (kept across reconnects: it names the agency and the hub's limits).
    public private(set) var welcome: Welcome?
    /// Set by ``requestClose()`` or a refused HELLO: the driver should call ``shutDown()``.
    public private(set) var isClosing = false
    /// Counts connections; deliveries carry it, so that settlements for an older connection are dropped (the hub
    /// requeued those deliveries when that session ended).
    public private(set) var generation = 0
    /// The heartbeat interval: ``Timing/heartbeat`` until a WELCOME names the hub's.
    public private(set) var heartbeat: Int64
    /// When a new connection is due (while ``State/disconnected``).
    public private(set) var reconnectAt: Int64 = .min
    /// When the hub was last heard from on this connection (or the connection opened).
    public private(set) var lastHeard: Int64 = 0
    /// When something was last written; nil when nothing has been, or the last HELLO or HEARTBEAT could not be.
    public private(set) var lastSent: Int64?
    private var backoff: Int64
    private var lastResendScan: Int64 = 0
    private var pending: [String: Pending] = [:]
    /// Ids of SENDs to write, in order (an id may be stale: answered since; it is skipped).
    private var unsent: [String] = []
    private var nextOrder = 0
    /// ACK and NACK commands to write, in the order the application settled.
    private var outbox: [AdapterCommand] = []

    public init(hello: Hello, timing: Timing = Timing()) {
        self.hello = hello
        self.timing = timing
        self.heartbeat = timing.heartbeat
        self.backoff = timing.firstBackoff
    }

    /// SENDs waiting for their answer.
    public var unansweredCount: Int { pending.count }

    // MARK: The application

    /// Queues a SEND; it is written once the session is ready, and again (same id) after a reconnect or
    /// ``Timing/resendAfter`` without an answer, until the hub answers it.
    public mutating func send(id: String, envelope: [UInt8], body: [UInt8]) -> Admission {
        if let welcome, envelope.count > welcome.maxEnvelopeBytes || body.count > welcome.maxBodyBytes {
            return .refused(ProtocolError(
                .tooLarge,
                "The envelope is \(envelope.count) bytes and the body \(body.count); the hub's limits are \(welcome.maxEnvelopeBytes) and \(welcome.maxBodyBytes).",
                reference: id))
        }
        if isClosing || state == .closed { return .closed }
        if pending[id] != nil { return .joined }
        pending[id] = Pending(envelope: envelope, body: body, order: nextOrder)
        nextOrder += 1
        unsent.append(id)
        return .queued
    }

    /// Queues an ACK for a delivery of connection `generation`; dropped (false) if that connection has ended.
    @discardableResult
    public mutating func acknowledge(tag: Int64, generation: Int) -> Bool {
        settle(.ack(tag: tag), generation: generation)
    }

    /// Queues a NACK for a delivery of connection `generation`; dropped (false) if that connection has ended.
    @discardableResult
    public mutating func refuse(tag: Int64, disposition: NackDisposition, reason: String, generation: Int) -> Bool {
        settle(.nack(tag: tag, disposition: disposition, reason: reason), generation: generation)
    }

    private mutating func settle(_ command: AdapterCommand, generation: Int) -> Bool {
        // A settlement for an older connection would be answered 420: the hub has requeued that delivery.
        guard generation == self.generation, state != .closed else { return false }
        outbox.append(command)
        return true
    }

    /// The application is closing: the driver should call ``shutDown()``.
    public mutating func requestClose() {
        isClosing = true
    }

    // MARK: The connection

    /// A new connection is open: everything unanswered goes again on it, in the order first sent, once WELCOME
    /// comes; settlements queued for the old one are void (the hub requeues those deliveries).
    public mutating func connected(now: Int64) -> [Action] {
        generation += 1
        outbox.removeAll()
        for id in pending.keys { pending[id]!.sentAt = nil }
        unsent = pending.sorted { $0.value.order < $1.value.order }.map(\.key)
        state = .greeting
        lastHeard = now
        lastSent = now
        return [.write(.hello(hello))]
    }

    /// The driver's socket monitor saw the hub refuse this agency's key in the CURVE handshake (ZAP `status`).
    /// A session never welcomed ends (``Action/keyRefused(status:final:)`` with `final`), as for a refused HELLO.
    public mutating func handshakeRefused(status: UInt32) -> [Action] {
        guard state != .closed, !isClosing else { return [] }
        guard welcome == nil else { return [.keyRefused(status: status, final: false)] }
        isClosing = true
        return [.keyRefused(status: status, final: true)]
    }

    /// A new connection could not be opened: another attempt after the back-off.
    public mutating func connectionFailed(now: Int64) {
        scheduleReconnect(now: now)
    }

    /// `.write` actions the driver could not carry out (the pipe was full), in the order they were given:
    /// settlements go back to the head of the queue, SENDs to its tail, and a HELLO or HEARTBEAT is said at the
    /// next tick.
    public mutating func notWritten(_ writes: [Action]) {
        var settlements: [AdapterCommand] = []
        for case .write(let command, let messageID) in writes {
            switch command {
            case .ack, .nack: settlements.append(command)
            case .send:
                guard let messageID, pending[messageID]?.sentAt != nil else { continue }
                pending[messageID]!.sentAt = nil
                unsent.append(messageID)
            case .hello, .heartbeat: lastSent = nil
            case .goodbye: break
            }
        }
        outbox.insert(contentsOf: settlements, at: 0)
    }

    /// Drops the connection; the next is due after the current back-off (doubling, capped).
    private mutating func scheduleReconnect(now: Int64) {
        state = .disconnected
        reconnectAt = now + backoff
        backoff = min(backoff * 2, timing.maximumBackoff)
    }

    // MARK: Events

    /// What came from the hub at `now` (or why it could not be decoded). Anything at all counts as a sign of life.
    public mutating func received(_ result: Result<HubCommand, ProtocolError>, now: Int64) -> [Action] {
        guard state == .greeting || state == .ready else { return [] }
        lastHeard = now
        let command: HubCommand
        switch result {
        case .failure(let error): return [.unreadable(error)]
        case .success(let decoded): command = decoded
        }
        switch command {
        case .welcome(let welcome):
            state = .ready
            self.welcome = welcome
            heartbeat = Int64(welcome.heartbeatMilliseconds)
            backoff = timing.firstBackoff
            return [.welcomed(welcome)]
        case .accepted(let id, let receipt):
            guard pending.removeValue(forKey: id) != nil else { return [] }
            return [.complete(messageID: id, .accepted(receipt))]
        case .rejected(let reference, let code, let reason):
            return rejected(reference: reference, code: code, reason: reason, now: now)
        case .deliver(let tag, let envelopeBytes, let body, let auditEntry):
            guard let envelope = try? Envelope.decode(envelopeBytes) else {
                lastSent = now
                return [.write(.nack(tag: tag, disposition: .reject, reason: "unreadable envelope"))]
            }
            return [.deliver(tag: tag, envelope: envelope, body: body, auditEntry: auditEntry, generation: generation)]
        case .heartbeat:
            return []
        case .goodbye:
            scheduleReconnect(now: now)
            return [.disconnect(.goodbye)]
        }
    }

    private mutating func rejected(reference: String, code: ProtocolError.Code, reason: String, now: Int64) -> [Action] {
        if code == .notReady {
            // The hub restarted and lost the session: a new connection at once, HELLO, and everything re-sent.
            state = .disconnected
            reconnectAt = now
            return [.disconnect(.notReady)]
        }
        if state != .ready && reference.isEmpty {
            isClosing = true
            return [.helloRefused(ProtocolError(code, reason))]
        }
        if code.isTransient {
            // The hub kept nothing: the SEND goes again after `resendAfter`.
            if pending[reference] != nil { pending[reference]!.sentAt = now }
            return []
        }
        let error = ProtocolError(code, reason, reference: reference)
        // A rejected ACK or NACK names a delivery tag, not a message id: it must not fail a send.
        guard code != .unknownDelivery, pending.removeValue(forKey: reference) != nil else {
            return [.unmatchedRejection(error)]
        }
        return [.complete(messageID: reference, .rejected(error))]
    }

    /// The clock moved on: open a connection that is due, write what is queued (once ready), keep heartbeats
    /// (HELLO again until WELCOME), give up on a hub silent for 3 intervals, and re-send what has waited too long.
    public mutating func tick(now: Int64) -> [Action] {
        switch state {
        case .closed: return []
        case .disconnected: return !isClosing && now >= reconnectAt ? [.connect] : []
        case .greeting, .ready: break
        }
        var actions: [Action] = []
        if state == .ready { flush(now: now, into: &actions) }
        if now - lastHeard >= 3 * heartbeat {
            scheduleReconnect(now: now)
            actions.append(.disconnect(.silent))
            return actions
        }
        if lastSent.map({ now - $0 >= heartbeat }) ?? true {
            // Before WELCOME, HELLO may have gone to a handshake that never completed: say it again.
            actions.append(.write(state == .ready ? .heartbeat : .hello(hello)))
            lastSent = now
        }
        if now - lastResendScan >= timing.resendScan {
            lastResendScan = now
            for (id, send) in pending {
                if let sentAt = send.sentAt, now - sentAt >= timing.resendAfter {
                    pending[id]!.sentAt = nil
                    unsent.append(id)
                }
            }
        }
        return actions
    }

    /// Settlements first, then SENDs not yet written on this connection.
    private mutating func flush(now: Int64, into actions: inout [Action]) {
        guard !outbox.isEmpty || !unsent.isEmpty else { return }
        let before = actions.count
        for command in outbox { actions.append(.write(command)) }
        outbox.removeAll(keepingCapacity: true)
        for id in unsent {
            guard let send = pending[id], send.sentAt == nil else { continue }
            pending[id]!.sentAt = now
            actions.append(.write(.send(envelope: send.envelope, body: send.body), messageID: id))
        }
        unsent.removeAll(keepingCapacity: true)
        if actions.count > before { lastSent = now }
    }

    /// Ends the session: when ready, the settlements the application made go out first (so nothing it
    /// acknowledged is delivered again), then GOODBYE; every unanswered SEND completes as `.closed`.
    public mutating func shutDown() -> [Action] {
        guard state != .closed else { return [] }
        var actions: [Action] = []
        if state == .ready {
            for command in outbox { actions.append(.write(command)) }
            actions.append(.write(.goodbye))
        }
        for (id, _) in pending.sorted(by: { $0.value.order < $1.value.order }) {
            actions.append(.complete(messageID: id, .closed))
        }
        pending = [:]
        unsent = []
        outbox = []
        isClosing = true
        state = .closed
        return actions
    }

    /// How long the driver may wait for input before the next ``tick(now:)``: until a due reconnection, or a
    /// quarter of the heartbeat (at least 10 ms) while connected.
    public func millisecondsToNextTick(now: Int64) -> Int64 {
        switch state {
        case .disconnected: max(1, min(reconnectAt == .min ? 1 : reconnectAt - now, timing.maximumBackoff))
        case .greeting, .ready: max(10, heartbeat / 4)
        case .closed: 10
        }
    }
}
