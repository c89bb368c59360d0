/// The broker's view of one adapter connection, as an I/O-free state machine (docs/protocol.md §5.1).
///
/// The broker feeds it what arrived and the time; it answers with what to do. It never touches a socket
/// or the store, so every transition is unit-tested without either.
///
/// ```
/// var session = PeerSession(agency: yot, limits: limits, now: 0)
/// switch session.receive(.success(.hello(hello)), now: 5) {
/// case .reply(.welcome(let welcome)): ...  // send it
/// ...
/// }
/// ```
public struct PeerSession: Sendable {
    public enum State: Sendable, Equatable {
        /// Heard from, but no HELLO yet.
        case connected
        /// HELLO done: may send, and may receive deliveries.
        case ready
        /// Said GOODBYE or fell silent; final.
        case gone
    }

    /// The broker's limits, told to the adapter in WELCOME.
    public struct Limits: Sendable, Equatable {
        public var hubName: String
        public var heartbeatMilliseconds: Int
        public var maxBodyBytes: Int
        public var maxEnvelopeBytes: Int
        public var maxCredit: Int
        public var maxAttempts: Int

        public init(
            hubName: String, heartbeatMilliseconds: Int, maxBodyBytes: Int, maxEnvelopeBytes: Int, maxCredit: Int,
            maxAttempts: Int = 5
        ) {
            self.maxAttempts = maxAttempts
            self.hubName = hubName
            self.heartbeatMilliseconds = heartbeatMilliseconds
            self.maxBodyBytes = maxBodyBytes
            self.maxEnvelopeBytes = maxEnvelopeBytes
            self.maxCredit = maxCredit
        }
    }

    /// What the broker must do after an event.
    public enum Action: Sendable, Equatable {
        /// Nothing to send.
        case none
        /// Send this command to the peer.
        case reply(HubCommand)
        /// A SEND that passed the session's checks: the broker checks the envelope and stores it.
        case process(envelope: [UInt8], body: [UInt8])
        /// A delivery settled: record it.
        case settle(tag: Int64, outcome: Settlement)
        /// A HELLO arrived for a session that was already connected-and-ready or new: audit "connected".
        case welcome(Welcome, firstTime: Bool)
        /// The session ended; put `unsettled` back on the agency's queue and audit it.
        case close(unsettled: [Int64], reason: CloseReason)
    }

    public enum Settlement: Sendable, Equatable {
        case ack
        case nack(NackDisposition, reason: String)
    }

    public enum CloseReason: String, Sendable, Equatable {
        case goodbye
        case silent
        /// The broker ended it: its key was removed, or it sent without reading its replies.
        case disconnected
    }

    public let agency: AgencyID
    public let limits: Limits
    public private(set) var state: State = .connected
    public private(set) var hello: Hello?
    /// The credit granted in WELCOME (0 before HELLO).
    public private(set) var credit = 0
    /// Delivery tags sent and not yet acknowledged.
    public private(set) var unsettled: Set<Int64> = []
    /// When the peer was last heard from, in the broker's milliseconds.
    public private(set) var lastHeard: Int64
    /// When the broker last sent the peer anything.
    public private(set) var lastSent: Int64

    public init(agency: AgencyID, limits: Limits, now: Int64) {
        self.agency = agency
        self.limits = limits
        self.lastHeard = now
        self.lastSent = now
    }

    /// A command (or the error decoding it) arrived from the peer at `now`.
    public mutating func receive(_ result: Result<AdapterCommand, ProtocolError>, now: Int64) -> Action {
        guard state != .gone else { return .none }
        lastHeard = now
        let command: AdapterCommand
        switch result {
        case .failure(let error): return reject(error)
        case .success(let decoded): command = decoded
        }
        switch (state, command) {
        case (_, .hello(let newHello)):
            let firstTime = state == .connected
            hello = newHello
            credit = min(newHello.credit, limits.maxCredit)
            state = .ready
            return .welcome(
                Welcome(
                    agency: agency.rawValue, hub: limits.hubName, heartbeatMilliseconds: limits.heartbeatMilliseconds,
                    maxBodyBytes: limits.maxBodyBytes, maxEnvelopeBytes: limits.maxEnvelopeBytes, credit: credit,
                    maxAttempts: limits.maxAttempts),
                firstTime: firstTime)
        case (_, .heartbeat):
            return .none
        case (_, .goodbye):
            return close(.goodbye)
        case (.connected, _):
            return reject(ProtocolError(
                .notReady, "Say HELLO first: this connection has no session (is the hub newly restarted?).",
                reference: Self.reference(of: command, maxEnvelopeBytes: limits.maxEnvelopeBytes)))
        case (.ready, .send(let envelope, let body)):
            if envelope.count > limits.maxEnvelopeBytes {
                return reject(ProtocolError(
                    .tooLarge, "The envelope is \(envelope.count) bytes; the hub's limit is \(limits.maxEnvelopeBytes).",
                    reference: Envelope.readID(envelope) ?? ""))
            }
            if body.count > limits.maxBodyBytes {
                return reject(ProtocolError(
                    .tooLarge, "The body is \(body.count) bytes; the hub's limit is \(limits.maxBodyBytes). Split the message.",
                    reference: Envelope.readID(envelope) ?? ""))
            }
            return .process(envelope: envelope, body: body)
        case (.ready, .ack(let tag)):
            return settle(tag, .ack)
        case (.ready, .nack(let tag, let disposition, let reason)):
            return settle(tag, .nack(disposition, reason: reason))
        case (.gone, _):
            return .none
        }
    }

    /// The clock moved on: has the peer been silent for 3 heartbeat intervals, or is a heartbeat due?
    ///
    /// - Parameter readUpTo: the last time the broker had read everything waiting for it (default `now`). Silence
    ///   is judged against it, not against `now`: a heartbeat still waiting behind a large message was sent, so a
    ///   peer is silent only if nothing came from it for 3 intervals before the broker last caught up.
    public mutating func tick(now: Int64, readUpTo: Int64? = nil) -> Action {
        guard state != .gone else { return .none }
        let interval = Int64(limits.heartbeatMilliseconds)
        if (readUpTo ?? now) - lastHeard >= 3 * interval { return close(.silent) }
        if state == .ready && now - lastSent >= interval {
            lastSent = now
            return .reply(.heartbeat)
        }
        return .none
    }

    /// Whether a delivery of `type` may go to this session now (ready, consumes it, has credit).
    public func canDeliver(_ type: MessageType) -> Bool {
        state == .ready && unsettled.count < credit && (hello?.consumes(type) ?? false)
    }

    /// Whether the session has room for any delivery at all.
    public var hasCredit: Bool { state == .ready && unsettled.count < credit }

    /// The broker sent DELIVER with `tag` at `now`.
    public mutating func didDeliver(tag: Int64, now: Int64) {
        unsettled.insert(tag)
        lastSent = now
    }

    /// A DELIVER with `tag` could not be handed to the connection after all (its pipe was full): the credit it
    /// took is given back.
    public mutating func didNotDeliver(tag: Int64) {
        unsettled.remove(tag)
    }

    /// The broker sent the peer something at `now` (delays the next heartbeat).
    public mutating func didSend(now: Int64) {
        lastSent = now
    }

    /// The broker learned the peer is unreachable (e.g. libzmq says EHOSTUNREACH).
    public mutating func lost() -> Action { close(.silent) }

    /// The broker ends the session itself (a removed key, a peer that does not read its replies).
    public mutating func disconnect() -> Action { close(.disconnected) }

    /// What a rejection of `command` refers to: the message id of a SEND, the tag of an ACK or NACK.
    static func reference(of command: AdapterCommand, maxEnvelopeBytes: Int) -> String {
        switch command {
        case .send(let envelope, _) where envelope.count <= maxEnvelopeBytes: Envelope.readID(envelope) ?? ""
        case .ack(let tag), .nack(let tag, _, _): String(tag)
        default: ""
        }
    }

    private mutating func settle(_ tag: Int64, _ outcome: Settlement) -> Action {
        guard unsettled.remove(tag) != nil else {
            return reject(ProtocolError(.unknownDelivery, "Delivery \(tag) is not awaiting acknowledgement on this session.", reference: String(tag)))
        }
        return .settle(tag: tag, outcome: outcome)
    }

    private mutating func close(_ reason: CloseReason) -> Action {
        state = .gone
        let tags = unsettled.sorted()
        unsettled = []
        return .close(unsettled: tags, reason: reason)
    }

    private func reject(_ error: ProtocolError) -> Action {
        .reply(.rejected(reference: error.reference, code: error.code, reason: error.message))
    }
}
