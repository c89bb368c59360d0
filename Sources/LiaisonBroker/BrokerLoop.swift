import CZeroMQ
import Crypto
import DequeModule
import Foundation
import LiaisonStore
import LiaisonConfig
import LiaisonProtocol
import StrictJSON
import LiaisonRules
import Logging
import ZeroMQ

/// The broker's thread: owns the ROUTER socket, the ZAP socket and the store, and runs the poll loop.
///
/// One cycle: poll; answer ZAP requests; read up to `batchSize` messages and run each through its
/// connection's `PeerSession`; tick heartbeats and expiry; commit everything the cycle produced in ONE
/// transaction (group commit); only then send ACCEPTED and REJECTED replies and hand out deliveries.
/// Nothing here is shared with another thread, which is why none of it needs a lock.
final class BrokerLoop {
    static let hubName = "liaison 0.1.0"

    let configuration: HubConfiguration
    /// The agencies and their keys; replaced on reload (SIGHUP).
    var agencies: AgencyDirectory
    let control: BrokerControl
    var logger: Logger
    let context: ZeroMQContext
    let zap: ZeroMQSocket
    let router: ZeroMQSocket
    let store: HubStore
    /// Held for the broker's life: no second broker on this store.
    let instanceLock: InstanceLock
    var zapHandler: ZAPHandler
    let limits: PeerSession.Limits
    /// The message types' schemas, when the hub is configured with them.
    let schemas: MessageSchemas?
    /// The sharing rules, when the hub is configured with them; then they decide every recipient. Replaced on reload.
    var ruleSet: RuleSet?
    let pseudonymKey: [UInt8]
    let pseudonyms: PseudonymKey
    /// Signs the audit tree's checkpoints.
    let checkpointKey: Curve25519.Signing.PrivateKey
    var lastCheckpointSize = 0
    var lastCheckpointAt: Int64 = 0
    /// When bodies past their retention were last looked for (0: at the first turn of the loop).
    var lastRetentionSweepAt: Int64 = 0
    /// Every agency's cohorts (e.g. yot → yot-caseload → UPNs), as committed.
    var cohorts: [AgencyID: [String: Set<String>]] = [:]

    /// Sessions by routing id.
    var sessions: [[UInt8]: PeerSession] = [:]
    /// The fingerprint of the key each connection authenticated with (from its ZAP user id).
    var sessionKeys: [[UInt8]: String] = [:]
    /// Routing ids of each agency's sessions, in connection order (for round-robin delivery).
    var sessionsByAgency: [String: [[UInt8]]] = [:]
    /// Each recipient agency's queue.
    var queues: [String: AgencyQueue] = [:]
    /// Messages for peers whose pipe was full, kept in order per peer.
    var backlogs: [[UInt8]: [[[UInt8]]]] = [:]
    /// What this cycle must commit, in order.
    var pending = CycleWork()
    /// Peers libzmq reported unreachable during this cycle.
    var lostPeers: Set<[UInt8]> = []
    /// Agencies whose dispatch stopped at a full pipe: tried again on the next (short) poll.
    var retryDispatch: Set<String> = []
    var lastTick: Int64 = 0
    var lastExpirySweep: Int64 = 0
    let window: Int
    /// Checks large bodies off this thread (see `BodyChecker`).
    let checker: BodyChecker
    /// SENDs waiting for their body's check, in arrival order: each is decided only when it and every SEND
    /// before it are checked, so messages are still stored in the order they came.
    var parked: Deque<ParkedSend> = []
    /// Checks that came back ahead of an earlier SEND's.
    var checkedBodies: [Int64: Result<JSONValue, ProtocolError>] = [:]
    var nextTicket: Int64 = 0
    /// Routing ids whose reply backlog overflowed: their session is closed and whatever they send is dropped,
    /// unread, so the adapter times out and reconnects as a new connection.
    var silenced: Set<[UInt8]> = []
    /// Refused handshakes and rejections, audited as aggregates per key and minute.
    var refusals = RefusalTally()
    /// The bytes of the parked SENDs' bodies: past `maxParkedBytes` the broker stops reading until checks catch up.
    var parkedBytes = 0
    /// When the broker last read everything waiting (monotonic ms): silence is judged against it.
    var lastCaughtUp: Int64 = 0
    /// Sessions the broker ends itself at the end of this cycle (see `disconnect(_:because:)`).
    var disconnectedPeers: Set<[UInt8]> = []
    /// The UTC date keys were last checked against (their `current_until` / `next_from`).
    var keysCheckedOn = ""

    /// A SEND whose envelope passed and whose body is being checked on the `BodyChecker`'s queue.
    struct ParkedSend {
        var ticket: Int64
        var routingID: [UInt8]
        var agency: String
        var peer: String?
        var envelope: Envelope
        var body: [UInt8]
        var wallNow: Int64
    }

    /// Bodies at least this large are checked off the loop's thread.
    static let offloadBytes = 256 << 10
    /// The most replies kept for a peer that does not read them; past it the peer is disconnected.
    static let maxBacklog = 10_000
    /// The most frames a command from an adapter has (NACK), plus the routing id.
    static let maxFrames = 6
    /// The most body bytes waiting for their check off the loop; past it the broker reads no more until they drain.
    static let maxParkedBytes = 64 << 20

    struct CycleWork {
        var operations: [StoreOperation] = []
        /// Replies to send once the cycle has committed.
        var replies: [([UInt8], HubCommand)] = []
        /// Agencies whose queues changed.
        var touched: Set<String> = []
        var isEmpty: Bool { operations.isEmpty && replies.isEmpty }
    }

    enum StoreOperation {
        case insert(PendingSend)
        case audit(AuditEvent)
        case attempt(recipient: String, sequence: Int64)
        case acknowledge(QueuedDelivery)
        /// With the audit record to write if, and only if, the delivery was still pending.
        case deadLetter(QueuedDelivery, cause: String, reason: String, audit: AuditEvent)
    }

    struct PendingSend {
        var routingID: [UInt8]
        var envelope: Envelope
        var envelopeBytes: [UInt8]
        var body: [UInt8]
        var bodyDigest: String
        /// The recipients the message goes to (named, or decided by the sharing rules).
        var recipients: [String]
        /// Each recipient's minimised view, when the rules made one.
        var views: [String: [UInt8]] = [:]
        /// Each recipient's envelope, when the rules apply (its own `recipients`, no `subject`).
        var envelopeViews: [String: [UInt8]] = [:]
        /// A `cohort.update` to apply with the message, unless the message is a duplicate.
        var cohort: (name: String, operation: String, members: [String])? = nil
        /// Audit records (decisions, a cohort change) written only if the message is new.
        var auditOnInsert: [AuditEvent] = []
        var receivedAt: Int64
        var expiresAt: Int64
        /// When the body may be deleted (the longest retention of the agreements it was shared under).
        var retainUntil: Int64? = nil
        /// Keyed pseudonyms of the children in the body, for the subject index (subject access, legal holds).
        var subjects: [String] = []
        var result: (sequence: Int64, duplicate: Bool)? = nil
        /// The audit entry recording the acceptance, once committed.
        var auditEntry: Int64? = nil
        /// Per recipient, the audit entry a delivery names: its decision, or the acceptance.
        var recipientEntries: [String: Int64] = [:]
    }

    // MARK: Start-up

    /// The thread's entry point: sets up, loops until asked to stop, shuts down.
    static func run(configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger) {
        defer { control.finished() }
        let loop: BrokerLoop
        do {
            loop = try BrokerLoop(configuration: configuration, agencies: agencies, control: control, logger: logger)
        } catch {
            logger.error("The broker could not start: \(error)")
            control.started(.failure(error))
            return
        }
        control.started(.success(loop.router.lastEndpoint))
        loop.logger.info("Broker running", metadata: ["endpoint": "\(loop.router.lastEndpoint)", "agencies": "\(agencies.agencies.count)"])
        loop.loop()
        loop.shutdown()
    }

    init(configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger) throws {
        self.configuration = configuration
        self.agencies = agencies
        self.control = control
        self.logger = logger
        self.zapHandler = ZAPHandler(agencies: agencies, today: BrokerLoop.today())
        self.window = max(256, min(configuration.maxCredit * 2, 4096))
        self.limits = PeerSession.Limits(
            hubName: BrokerLoop.hubName, heartbeatMilliseconds: configuration.heartbeatMilliseconds,
            maxBodyBytes: configuration.maxBodyBytes, maxEnvelopeBytes: configuration.maxEnvelopeBytes,
            maxCredit: configuration.maxCredit, maxAttempts: configuration.maxAttempts)
        if let directory = configuration.schemasDirectory {
            do { schemas = try MessageSchemas.load(directory: directory) } catch {
                throw BrokerError(.schemas, "A message schema cannot be used: \(error)")
            }
        } else {
            schemas = nil
        }
        checker = BodyChecker(schemas: schemas)
        if let directory = configuration.agreementsDirectory {
            let result = RuleSetLoader.load(directory: directory, agencies: agencies, schemas: schemas, today: BrokerLoop.today())
            // A missed review denies that agreement's flows (each decision says so); it must not stop all sharing.
            let problems = result.problems.filter { $0.code != .reviewDue }
            for problem in result.problems where problem.code == .reviewDue {
                logger.warning("\(problem)")
            }
            guard problems.isEmpty else {
                throw BrokerError(
                    .rules, "The sharing rules have problems (run `liaison rules check`):\n"
                        + problems.map { "  \($0)" }.joined(separator: "\n"))
            }
            ruleSet = result.ruleSet
            do { pseudonymKey = try BrokerLoop.pseudonymKey(path: configuration.pseudonymKeyPath) } catch {
                throw BrokerError(.keys, "Cannot read or create the pseudonym key \(configuration.pseudonymKeyPath): \(error)")
            }
        } else {
            ruleSet = nil
            pseudonymKey = []
        }
        pseudonyms = PseudonymKey(pseudonymKey)
        do {
            checkpointKey = try Checkpoint.loadOrCreateKey(
                path: configuration.checkpointKeyPath, publicPath: configuration.checkpointPublicKeyPath)
        } catch {
            throw BrokerError(.keys, "Cannot read or create the checkpoint key \(configuration.checkpointKeyPath): \(error)")
        }
        guard ZeroMQContext.hasCurve else {
            throw BrokerError(.noCurve, "This libzmq has no CURVE support: install Debian's libzmq5 (libzmq3-dev).")
        }
        let keyPair: CurveKeyPair
        do { keyPair = try KeyFiles.readKeyPair(secretPath: configuration.hubSecretKeyPath) } catch {
            throw BrokerError(.keys, "\(error). Generate the hub's keys with `liaison keys generate --agency hub --out \(configuration.keysDirectory)`.")
        }
        try? FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        instanceLock = try InstanceLock(path: "\(configuration.dataDirectory)/broker.lock")
        if InstanceLock.isListening(ipcEndpoint: configuration.endpoint) {
            throw BrokerError(
                .alreadyRunning, "Another process is listening on \(configuration.endpoint): stop the other broker, or give this one its own endpoint.")
        }
        do {
            store = try HubStore(path: configuration.databasePath, buildsTree: configuration.buildsAuditTree)
            if let limit = configuration.maxStoreBytes { try store.limitSize(to: limit) }
            for (owner, named) in try store.cohorts() {
                if let agency = AgencyID(owner) { cohorts[agency] = named }
            }
        } catch {
            throw BrokerError(.store, error.description)
        }
        context = ZeroMQContext(ioThreads: 1)
        // The ZAP handler first: a CURVE server with no handler bound accepts any key (libzmq 4.3.4).
        // Every socket made here is closed before a throw: the context's deinit waits for its sockets, so an
        // open one would hang the failed start-up for ever (a second broker on a busy endpoint used to).
        let zapSocket: ZeroMQSocket
        do {
            zapSocket = try ZeroMQSocket(context: context, type: .rep)
        } catch {
            throw BrokerError(.zapBindFailed, "Cannot create the ZAP handler's socket (\(error)); refusing to run without authentication.")
        }
        do {
            try zapSocket.setOption(ZMQ_LINGER, 0)
            try zapSocket.bind(ZAPHandler.endpoint)
        } catch {
            zapSocket.close()
            throw BrokerError(.zapBindFailed, "Cannot bind the ZAP handler (\(error)); refusing to run without authentication.")
        }
        zap = zapSocket
        let routerSocket: ZeroMQSocket
        do {
            routerSocket = try ZeroMQSocket(context: context, type: .router)
        } catch {
            zapSocket.close()
            throw BrokerError(.bindFailed, "Cannot create the broker's socket: \(error).")
        }
        router = routerSocket
        do {
            try router.setOption(ZMQ_ROUTER_MANDATORY, 1)
            try router.setOption(ZMQ_LINGER, 1000)
            // Per peer: a well-behaved adapter reads its replies at once; past this the broker keeps a backlog of
            // at most `maxBacklog` and then disconnects the peer (docs/protocol.md §3, floods).
            try router.setOption(ZMQ_SNDHWM, 10_000)
            // Small: what a peer has sent and the broker has not read waits in the peer's own send queue, not here.
            try router.setOption(ZMQ_RCVHWM, 1000)
            // No frame larger than the largest the protocol allows is read at all (libzmq drops the connection).
            try router.setOption(ZMQ_MAXMSGSIZE, int64: Int64(max(configuration.maxBodyBytes, configuration.maxEnvelopeBytes)))
            try router.setOption(ZMQ_ZAP_DOMAIN, string: ZAPHandler.domain)
            try router.makeCurveServer(secretKey: keyPair.secretKey)
            try router.bind(configuration.endpoint)
        } catch {
            routerSocket.close()
            zapSocket.close()
            throw BrokerError(
                error.number == EADDRINUSE ? .alreadyRunning : .bindFailed,
                "Cannot listen on \(configuration.endpoint): \(error). Is another broker running there?")
        }
        let now = BrokerLoop.wallClock()
        pending.operations.append(.audit(AuditEvent(
            .configurationLoaded, at: now,
            detail: "\(configuration.source); agencies \(agencies.agencies.map(\.id.rawValue).joined(separator: ","))"
                + "; schemas \(schemas.map { $0.entries.values.map(\.id).sorted().joined(separator: ",") } ?? "none")")))
        for agency in agencies.agencies {
            queues[agency.id.rawValue] = AgencyQueue(window: window)
        }
        commitCycle()
    }

    // MARK: The loop

    func loop() {
        var poller = Poller([
            .socket(router), .socket(zap), .fileDescriptor(control.waker.readDescriptor), .fileDescriptor(checker.waker.readDescriptor),
        ])
        let tickInterval = Int64(max(10, configuration.heartbeatMilliseconds / 4))
        while !control.isStopRequested {
            let timeout = backlogs.isEmpty && retryDispatch.isEmpty ? Int(tickInterval) : 1
            let readiness: [Poller.Readiness]
            do { readiness = try poller.poll(timeoutMilliseconds: timeout) } catch {
                logger.error("zmq_poll failed: \(error)")
                break
            }
            if readiness[2].readable { control.waker.drain() }
            if control.takeReloadRequest() { reload() }
            if readiness[1].readable { serveZAP() }
            if readiness[3].readable { takeCheckedBodies() }
            // Whether everything waiting was read: only then may a peer be judged silent, since its heartbeat may be
            // waiting behind a large body (a session is expired for what it did not send, never for what the broker
            // did not read).
            var caughtUp = true
            if readiness[0].readable {
                // Bounded: a peer streaming large bodies faster than they are checked waits in its own socket.
                caughtUp = parkedBytes < BrokerLoop.maxParkedBytes ? readBatch() : false
            }
            let now = BrokerLoop.monotonic()
            if caughtUp { lastCaughtUp = now }
            if now - lastTick >= tickInterval {
                lastTick = now
                tick(now: now, readUpTo: lastCaughtUp)
            }
            if !pending.isEmpty { commitCycle() }
            pending.touched.formUnion(retryDispatch)
            retryDispatch = []
            dispatchTouched()
            closeLostPeers()
            if !pending.isEmpty { commitCycle() }
            flushBacklogs()
            checkpointIfDue(force: false)
            deleteExpiredBodiesIfDue()
        }
    }

    func shutdown() {
        let now = BrokerLoop.wallClock()
        for (routingID, session) in sessions where session.state == .ready {
            send(.goodbye, to: routingID)
        }
        for event in refusals.closedMinutes(now: nil) { pending.operations.append(.audit(event)) }
        pending.operations.append(.audit(AuditEvent(.brokerStopped, at: now, detail: "\(sessions.count) sessions closed")))
        commitCycle()
        checkpointIfDue(force: true)
        flushBacklogs()
        router.close(lingerMilliseconds: 500)
        zap.close()
        context.terminate()
        logger.info("Broker stopped")
    }

    // MARK: Reading

    /// Reads what is waiting, up to one batch, and runs each message through its session.
    ///
    /// - Returns: true when nothing more was waiting.
    @discardableResult
    func readBatch() -> Bool {
        let now = BrokerLoop.monotonic()
        var count = 0
        var bytes = 0
        // A cycle ends at batch_size messages, or sooner once it has read 8 MiB or worked 50 ms: a few large
        // returns must not hold the loop (heartbeats, replies, deliveries) for seconds.
        while count < configuration.batchSize, bytes < BrokerLoop.cycleBytes, BrokerLoop.monotonic() - now < BrokerLoop.cycleMilliseconds {
            let message: ReceivedMessage?
            do { message = try router.receive(dontWait: true, maxFrames: BrokerLoop.maxFrames) } catch {
                logger.warning("Receive failed: \(error)")
                return true
            }
            guard let message else { return true }
            count += 1
            bytes += message.frames.reduce(0) { $0 + $1.count }
            handle(message, now: now)
        }
        return false
    }

    static let cycleBytes = 8 << 20
    static let cycleMilliseconds: Int64 = 50

    func handle(_ message: ReceivedMessage, now: Int64) {
        guard message.frames.count >= 1 else { return }
        let routingID = message.frames[0]
        guard !silenced.contains(routingID) else { return }
        let identity = ZAPHandler.identity(ofUserID: message.userID ?? "")
        let agencyText = identity.agency
        guard let agencyID = AgencyID(agencyText), agencies.contains(agencyID) else {
            // Cannot happen while the ZAP handler is bound: every connection carries its agency.
            logger.error("Dropped a message from a connection with no agency")
            return
        }
        if sessions[routingID] == nil {
            // A connection made before its key was removed (or before the key's last day passed) opens no new
            // session: the handshake was checked then, the key is checked now.
            guard keyIsValid(agency: agencyID, fingerprint: identity.key, on: BrokerLoop.today()) else {
                silenced.insert(routingID)
                logger.notice("Ignored a connection whose key is no longer listed", metadata: ["agency": "\(agencyText)"])
                return
            }
            sessions[routingID] = PeerSession(agency: agencyID, limits: limits, now: now)
            sessionKeys[routingID] = identity.key
            sessionsByAgency[agencyText, default: []].append(routingID)
        }
        let decoded = Result { () throws(ProtocolError) in
            guard message.droppedFrames == 0 else {
                throw ProtocolError(
                    .malformedCommand,
                    "The message has \(message.frames.count - 1 + message.droppedFrames) frames; no command has more than \(BrokerLoop.maxFrames - 1).")
            }
            return try WireCodec.decodeAdapterCommand(message.frames[1...])
        }
        let action = sessions[routingID]!.receive(decoded, now: now)
        perform(action, routingID: routingID, agency: agencyText, peer: message.peerAddress, now: now)
    }

    func perform(_ action: PeerSession.Action, routingID: [UInt8], agency: String, peer: String?, now: Int64) {
        let wallNow = BrokerLoop.wallClock()
        switch action {
        case .none:
            break
        case .reply(let command):
            if case .rejected(let reference, let code, let reason) = command {
                let tallied = refusals.record(.init(kind: .rejected, who: agency, code: code.number), at: wallNow, peer: peer)
                if let closed = tallied.closed { pending.operations.append(.audit(closed)) }
                if tallied.first {
                    pending.operations.append(.audit(AuditEvent(
                        .rejected, at: wallNow, agency: agency, peer: peer, messageID: reference.isEmpty ? nil : reference,
                        code: code.number, detail: code.name)))
                }
                // The reason can echo what the sender wrote, so it is logged only at debug level.
                logger.notice("Rejected a command", metadata: ["agency": "\(agency)", "code": "\(code)"])
                logger.debug("Rejection reason", metadata: ["reason": "\(reason)"])
            }
            pending.replies.append((routingID, command))
        case .welcome(let welcome, let firstTime):
            pending.replies.append((routingID, .welcome(welcome)))
            if firstTime {
                let hello = sessions[routingID]?.hello
                pending.operations.append(.audit(AuditEvent(
                    .adapterConnected, at: wallNow, agency: agency, peer: peer,
                    detail: "\(hello?.adapter ?? "?") \(hello?.version ?? "?"), credit \(welcome.credit)")))
                logger.info("Adapter connected", metadata: ["agency": "\(agency)", "adapter": "\(hello?.adapter ?? "?")"])
            }
            pending.touched.insert(agency)
        case .process(let envelopeBytes, let body):
            process(envelopeBytes: envelopeBytes, body: body, routingID: routingID, agency: agency, peer: peer, wallNow: wallNow)
        case .settle(let tag, let outcome):
            settle(tag: tag, outcome: outcome, agency: agency, wallNow: wallNow, now: now)
        case .close(let unsettled, let reason):
            close(routingID: routingID, agency: agency, unsettled: unsettled, reason: reason, wallNow: wallNow)
        }
    }

    /// Checks a SEND's envelope against the connection and the directory, and queues it for the commit.
    func process(envelopeBytes: [UInt8], body: [UInt8], routingID: [UInt8], agency: String, peer: String?, wallNow: Int64) {
        func reject(_ error: ProtocolError) { rejectSend(error, routingID: routingID, agency: agency, peer: peer) }
        let envelope: Envelope
        do { envelope = try Envelope.decode(envelopeBytes) } catch {
            return reject(error)
        }
        guard envelope.source.rawValue == agency else {
            return reject(ProtocolError(
                .spoofedSource,
                "'source' is '\(envelope.source)' but this connection is authenticated as '\(agency)': an agency can only send as itself.",
                reference: envelope.id))
        }
        if let unknown = envelope.recipients.first(where: { !agencies.contains($0) }) {
            return reject(ProtocolError(
                .unknownRecipient, "'\(unknown)' is not an agency this hub knows; known: \(agencies.agencies.map(\.id.rawValue).joined(separator: ", ")).",
                reference: envelope.id))
        }
        guard ruleSet != nil || !envelope.recipients.isEmpty else {
            return reject(ProtocolError(.noRecipients, "'recipients' names no agency: say who the message is for.", reference: envelope.id))
        }
        if schemas != nil || ruleSet != nil, body.count >= BrokerLoop.offloadBytes || !parked.isEmpty {
            // A large body is checked off this thread; anything after it waits its turn, so order is kept.
            parked.append(ParkedSend(
                ticket: nextTicket, routingID: routingID, agency: agency, peer: peer, envelope: envelope, body: body, wallNow: wallNow))
            parkedBytes += body.count
            checker.submit(.init(ticket: nextTicket, body: body, type: envelope.type, reference: envelope.id))
            nextTicket += 1
            return
        }
        var json: JSONValue?
        if let schemas {
            do { json = try schemas.check(body: body, type: envelope.type, reference: envelope.id) } catch {
                return reject(error)
            }
        }
        admit(envelope, body: body, json: json, routingID: routingID, agency: agency, peer: peer, wallNow: wallNow)
    }

    /// Answers a SEND with REJECTED (audited, as every rejection is).
    func rejectSend(_ error: ProtocolError, routingID: [UInt8], agency: String, peer: String?) {
        perform(
            .reply(.rejected(reference: error.reference, code: error.code, reason: error.message)), routingID: routingID,
            agency: agency, peer: peer, now: 0)
    }

    /// Takes the body checks that have finished and admits the parked SENDs at the head whose turn has come.
    func takeCheckedBodies() {
        for (ticket, result) in checker.takeResults() { checkedBodies[ticket] = result }
        while let head = parked.first, let result = checkedBodies.removeValue(forKey: head.ticket) {
            parked.removeFirst()
            parkedBytes -= head.body.count
            // A SEND from a connection the broker has since cut off is dropped unanswered, as everything it sends is.
            if silenced.contains(head.routingID) { continue }
            switch result {
            case .failure(let error):
                rejectSend(error, routingID: head.routingID, agency: head.agency, peer: head.peer)
            case .success(let json):
                admit(head.envelope, body: head.body, json: json, routingID: head.routingID, agency: head.agency, peer: head.peer, wallNow: head.wallNow)
            }
        }
    }

    /// Decides a checked SEND under the sharing rules (when the hub has them) and queues it for the commit.
    ///
    /// Whatever is stored and forwarded is rebuilt from the parsed envelope, never the sender's bytes: a
    /// recipient's parser must see exactly the attributes the hub checked.
    func admit(_ envelope: Envelope, body: [UInt8], json: JSONValue?, routingID: [UInt8], agency: String, peer: String?, wallNow: Int64) {
        func reject(_ error: ProtocolError) { rejectSend(error, routingID: routingID, agency: agency, peer: peer) }
        var send = PendingSend(
            routingID: routingID, envelope: envelope, envelopeBytes: envelope.encoded(), body: body,
            bodyDigest: Digest.sha256Hex(body), recipients: envelope.recipients.map(\.rawValue), receivedAt: wallNow,
            expiresAt: wallNow + configuration.ttl(for: envelope.type))
        if let ruleSet {
            guard let value = json ?? (try? JSONValue.parse(body)) else {
                return reject(ProtocolError(.bodyNotJSON, "The sharing rules read the body, so it must be JSON.", reference: envelope.id))
            }
            if envelope.type.rawValue == "cohort.update" {
                if let error = updateCohort(send, body: value, wallNow: wallNow) { reject(error) }
                return
            }
            let decisions = ruleSet.decide(
                from: envelope.source, type: envelope.type, recipients: envelope.recipients, body: value,
                context: RuleSet.Context(date: BrokerLoop.today(), cohorts: cohorts, pseudonymKey: pseudonymKey))
            let denied = decisions.filter { !$0.permitted }
            let rejected = decisions.isEmpty || denied.count == decisions.count || (!envelope.recipients.isEmpty && !denied.isEmpty)
            let pseudonymOf = pseudonymMap(of: value)
            let events = decisions.map { decision in
                AuditEvent(
                    .decision, at: wallNow, agency: agency, messageID: envelope.id, type: envelope.type.rawValue,
                    recipient: decision.recipient.rawValue, bodyDigest: send.bodyDigest,
                    code: decision.permitted ? 0 : ProtocolError.Code.denied.number,
                    detail: decisionRecord(decision, sent: decision.permitted && !rejected, pseudonymOf: pseudonymOf))
            }
            if rejected {
                // A resend of a message already accepted (the rules may have changed since) is answered
                // with its first receipt, not refused. A permitted resend needs no look-up: the insert finds
                // it, and its decisions are then not audited again.
                if let held = try? store.heldSequence(source: envelope.source.rawValue, messageID: envelope.id) {
                    pending.replies.append((routingID, .accepted(
                        messageID: envelope.id, receipt: Receipt(sequence: held.sequence, recipients: held.recipients, duplicate: true))))
                    return
                }
                for event in events { pending.operations.append(.audit(event)) }
                let reasons = decisions.isEmpty
                    ? ["no agreement has a flow from \(agency) for '\(envelope.type)'"]
                    : denied.map { "to \($0.recipient): \($0.reasons.joined(separator: "; "))" }
                return reject(ProtocolError(.denied, "Denied by the sharing rules: " + reasons.joined(separator: " | "), reference: envelope.id))
            }
            // Only permitted recipients, each with its own view: a denied agency must never fall back to the body.
            let permitted = decisions.filter { $0.permitted && $0.view != nil }
            send.recipients = permitted.map(\.recipient.rawValue)
            send.auditOnInsert = events
            send.subjects = Array(Set(pseudonymOf.values)).sorted()
            send.retainUntil = retainUntil(receivedAt: wallNow, under: permitted)
            for decision in permitted {
                // A view that is the whole body is not stored again: the recipient gets the body's own bytes.
                if !decision.viewIsWholeBody { send.views[decision.recipient.rawValue] = decision.view?.encoded() }
                // The envelope is minimised too: the recipient learns of no other recipient, and free text the
                // sender wrote (which could carry a name or a UPN) passes only where the flow allows.
                send.envelopeViews[decision.recipient.rawValue] = decision.envelope(for: envelope).encoded()
            }
        }
        pending.operations.append(.insert(send))
    }

    // MARK: Settling and closing

    func settle(tag: Int64, outcome: PeerSession.Settlement, agency: String, wallNow: Int64, now: Int64) {
        guard let entry = queues[agency]?.inFlight.removeValue(forKey: tag) else { return }
        let delivery = entry.delivery
        pending.touched.insert(agency)
        switch outcome {
        case .ack:
            pending.operations.append(.acknowledge(delivery))
            pending.operations.append(.audit(AuditEvent(
                .acknowledged, at: wallNow, agency: agency, messageID: delivery.messageID, sequence: tag, type: delivery.type,
                recipient: agency)))
        case .nack(.reject, let reason):
            deadLetter(delivery, cause: "rejected", reason: reason, wallNow: wallNow)
        case .nack(.retry, _):
            var retried = delivery
            retried.attempts += 1
            if retried.attempts >= configuration.maxAttempts {
                deadLetter(retried, cause: "attempts", reason: "Refused \(retried.attempts) times with NACK retry", wallNow: wallNow)
            } else {
                pending.operations.append(.attempt(recipient: agency, sequence: tag))
                pending.operations.append(.audit(AuditEvent(
                    .nackRetry, at: wallNow, agency: agency, messageID: delivery.messageID, sequence: tag,
                    type: delivery.type, recipient: agency, detail: "attempt \(retried.attempts)")))
                let notBefore = now + configuration.retryBackoffMilliseconds * Int64(retried.attempts)
                queues[agency]?.delayed.append((notBefore, retried))
            }
        }
    }

    func deadLetter(_ delivery: QueuedDelivery, cause: String, reason: String, wallNow: Int64) {
        pending.operations.append(.deadLetter(
            delivery, cause: cause, reason: reason,
            audit: AuditEvent(
                cause == "expired" ? .expired : .deadLettered, at: wallNow, agency: delivery.recipient,
                messageID: delivery.messageID, sequence: delivery.sequence, type: delivery.type, recipient: delivery.recipient,
                detail: cause)))
    }

    func close(routingID: [UInt8], agency: String, unsettled: [Int64], reason: PeerSession.CloseReason, wallNow: Int64) {
        let session = sessions.removeValue(forKey: routingID)
        sessionKeys[routingID] = nil
        sessionsByAgency[agency]?.removeAll { $0 == routingID }
        backlogs[routingID] = nil
        var returned: [QueuedDelivery] = []
        for tag in unsettled {
            if let entry = queues[agency]?.inFlight.removeValue(forKey: tag) { returned.append(entry.delivery) }
        }
        queues[agency]?.requeueAtFront(returned)
        pending.touched.insert(agency)
        pending.operations.append(.audit(AuditEvent(
            .adapterGone, at: wallNow, agency: agency,
            detail: "\(session?.hello?.adapter ?? "unnamed"): \(reason.rawValue), \(returned.count) deliveries requeued")))
        logger.info("Adapter gone", metadata: ["agency": "\(agency)", "reason": "\(reason.rawValue)"])
    }

    // MARK: Time

    /// Heartbeats, silent peers (only when `expireSilent`: see the loop), delayed retries, expiry, and the
    /// aggregates of refusals whose minute has ended.
    func tick(now: Int64, readUpTo: Int64? = nil) {
        let today = BrokerLoop.today()
        if today != keysCheckedOn {
            // A new UTC day: a key may have passed its `current_until`.
            if !keysCheckedOn.isEmpty { endSessionsOfInvalidKeys(on: today) }
            keysCheckedOn = today
        }
        for routingID in Array(sessions.keys) {
            guard let agency = sessions[routingID]?.agency.rawValue else { continue }
            let action = sessions[routingID]!.tick(now: now, readUpTo: readUpTo)
            if case .none = action { continue }
            perform(action, routingID: routingID, agency: agency, peer: nil, now: now)
        }
        for agency in Array(queues.keys) {
            let before = queues[agency]!.ready.count
            queues[agency]!.releaseDelayed(now: now)
            if queues[agency]!.ready.count != before { pending.touched.insert(agency) }
        }
        let wallNow = BrokerLoop.wallClock()
        for event in refusals.closedMinutes(now: wallNow) { pending.operations.append(.audit(event)) }
        if wallNow - lastExpirySweep >= 1000 {
            lastExpirySweep = wallNow
            sweepExpired(wallNow: wallNow)
        }
    }

    /// Dead-letters pending deliveries whose time to live has run out, in flight or not.
    func sweepExpired(wallNow: Int64) {
        let expired: [QueuedDelivery]
        do { expired = try store.expiredDeliveries(now: wallNow) } catch {
            logger.error("Expiry sweep failed: \(error)")
            return
        }
        var byAgency: [String: Set<Int64>] = [:]
        for delivery in expired {
            byAgency[delivery.recipient, default: []].insert(delivery.sequence)
            // One in flight too: a recipient that never settles it must not pin the body past retention.
            // Its late ACK or NACK then finds no in-flight entry and is ignored (`settle`); the store's
            // delivery is already dead, so nothing changes there either.
            queues[delivery.recipient]?.inFlight.removeValue(forKey: delivery.sequence)
            deadLetter(delivery, cause: "expired", reason: "Not acknowledged within its time to live", wallNow: wallNow)
        }
        for (agency, sequences) in byAgency {
            queues[agency]?.remove(sequences)
            pending.touched.insert(agency)
        }
    }

    /// The audit record of a decision: which agreement, version, flow and rule set; what was released and
    /// withheld; and keyed pseudonyms of the children whose data was released (never their UPNs).
    func decisionRecord(_ decision: Decision, sent: Bool, pseudonymOf: [String: String]) -> String {
        // Written straight to JSON text: this runs once per recipient of every message.
        var json = JSONText()
        json.string("agreement", decision.agreement?.id)
        json.string("version", decision.agreement?.version)
        json.string("lawful_basis", decision.agreement?.lawfulBasis)
        json.string("flow", decision.flow?.id)
        json.boolean("permitted", decision.permitted)
        json.boolean("sent", sent)
        json.string("ruleset", decision.ruleSetHash)
        json.integer("released", Int64(decision.recordsReleased))
        json.integer("withheld", Int64(decision.recordsWithheld))
        json.strings("fields", decision.flow?.fields.map(\.description) ?? [])
        json.strings("fields_withheld", decision.fieldsWithheld.map(\.description))
        // Only children whose data actually left: a subject access answer must not overstate.
        json.strings("children", sent ? decision.subjects.map { pseudonymOf[$0] ?? pseudonyms.pseudonym(of: $0) } : [])
        if !decision.permitted { json.strings("reasons", decision.reasons) }
        return String(decoding: json.finish(), as: UTF8.self)
    }

    /// A `cohort.update`: the sending agency's cohort changes, durably and audited; nothing is delivered.
    func updateCohort(_ send: PendingSend, body: JSONValue, wallNow: Int64) -> ProtocolError? {
        var send = send
        guard let name = body["cohort"]?.stringValue, let operation = body["operation"]?.stringValue,
            ["replace", "add", "remove"].contains(operation)
        else {
            return ProtocolError(
                .schemaViolation, "A cohort.update needs \"cohort\" and an \"operation\" of replace, add or remove.",
                reference: send.envelope.id)
        }
        let members = RuleSet.upns(in: body["members"] ?? .array([]))
        send.recipients = []
        send.subjects = Array(Set(pseudonymMap(of: body).values)).sorted()
        send.cohort = (name, operation, members)
        // The names and dates of birth a partner may add for matching are not kept past the update: the hub keeps
        // the cohort's UPNs only (docs/rules.md). The stored body is rebuilt from them; the digest stays the
        // sender's, so the audit still names exactly what was sent.
        var kept: [String: JSONValue] = [
            "cohort": .string(name), "operation": .string(operation),
            "members": .array(members.map { .object(["upn": .string($0)]) }),
        ]
        if let effective = body["effective_date"] { kept["effective_date"] = effective }
        send.body = JSONValue.object(kept).encoded()
        // Applied, and audited, in the commit only if the message is not a resend of one already applied.
        send.auditOnInsert = [AuditEvent(
            .cohortUpdated, at: wallNow, agency: send.envelope.source.rawValue, messageID: send.envelope.id,
            type: send.envelope.type.rawValue, detail: "\(name): \(operation) \(members.count)")]
        pending.operations.append(.insert(send))
        return nil
    }

    /// The keyed pseudonym of every child (every `upn`) in a body, made once per child: the decisions' audit
    /// records and the subject index share them.
    func pseudonymMap(of body: JSONValue) -> [String: String] {
        var map: [String: String] = [:]
        for upn in RuleSet.upns(in: body) where map[upn] == nil { map[upn] = pseudonyms.pseudonym(of: upn) }
        return map
    }

    /// The end of the longest body retention among the agreements a message is shared under; nil (keep) if
    /// any of them sets none.
    func retainUntil(receivedAt: Int64, under decisions: [Decision]) -> Int64? {
        var latest: Int64?
        for decision in decisions {
            guard let period = decision.agreement?.bodyRetention else { return nil }
            latest = max(latest ?? .min, period.end(from: receivedAt))
        }
        return latest
    }

    /// Deletes the bodies whose retention has ended (not those under a legal hold or still to be
    /// delivered), a batch at a time, audited; runs every `retention sweep` interval.
    func deleteExpiredBodiesIfDue() {
        let now = BrokerLoop.wallClock()
        guard now - lastRetentionSweepAt >= configuration.retentionSweepMilliseconds else { return }
        lastRetentionSweepAt = now
        do {
            let deleted = try store.transaction { tx in
                let sequences = try tx.deleteExpiredBodies(now: now, limit: 1000)
                if !sequences.isEmpty {
                    var json = JSONText()
                    json.string("reason", "retention")
                    json.integer("count", Int64(sequences.count))
                    json.integers("sequences", sequences)
                    try tx.append(AuditEvent(.bodiesDeleted, at: now, detail: String(decoding: json.finish(), as: UTF8.self)))
                }
                return sequences.count
            }
            if deleted > 0 {
                // secure_delete zeroes the pages in the database file, but their old images stay in the WAL until
                // it is reused: checkpoint and truncate it so the deleted bodies leave the disk now.
                store.truncateWriteAheadLog()
                logger.info("Deleted message bodies at the end of their retention", metadata: ["count": "\(deleted)"])
                // More may be due: look again on the next turn rather than after a whole interval.
                if deleted == 1000 { lastRetentionSweepAt = 0 }
            }
        } catch {
            logger.error("Could not delete expired message bodies: \(error)")
        }
    }

    /// Signs a checkpoint when enough entries or time have passed since the last (and at shutdown).
    func checkpointIfDue(force: Bool) {
        let size = store.frontier.size
        guard size > lastCheckpointSize else { return }
        let now = BrokerLoop.wallClock()
        guard force || size - lastCheckpointSize >= configuration.checkpointEntries
            || now - lastCheckpointAt >= configuration.checkpointIntervalMilliseconds
        else { return }
        do {
            try store.writeCheckpoint(origin: configuration.checkpointOrigin, key: checkpointKey, at: now)
            lastCheckpointSize = size
            lastCheckpointAt = now
        } catch {
            logger.error("Could not sign a checkpoint: \(error)")
        }
    }

    /// Today's date in UTC, `YYYY-MM-DD`: the date decisions are made on.
    static func today() -> String { String(Date().ISO8601Format().prefix(10)) }

    /// Reads the hub's pseudonym key, creating a random one (mode 0600) on first start.
    static func pseudonymKey(path: String) throws -> [UInt8] {
        // Never replaces an existing key, even one it cannot read: the audit's pseudonyms would no longer
        // link old and new. Created 0600 from the first byte; refused when group or others may read it.
        try PseudonymKeyFile.loadOrCreate(path: path)
    }

    static func monotonic() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
    static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension BrokerLoop {
    /// Answers every waiting ZAP request; refusals are audited with the key's fingerprint and address.
    func serveZAP() {
        while true {
            let message: ReceivedMessage?
            do { message = try zap.receive(dontWait: true) } catch { return }
            guard let message else { return }
            let request = ZAPHandler.parse(message.frames)
            zapHandler.today = BrokerLoop.today()
            let decision = request.map(zapHandler.decide) ?? ZAPHandler.Decision(
                accepted: false, userID: "", statusText: "Malformed ZAP request", keyFingerprint: nil)
            try? zap.send(ZAPHandler.reply(to: request, decision))
            if !decision.accepted {
                let wallNow = BrokerLoop.wallClock()
                let who = refusals.tallyName(forKey: decision.keyFingerprint ?? "-", at: wallNow)
                let tallied = refusals.record(.init(kind: .handshakeRefused, who: who, code: 400), at: wallNow, peer: request?.address)
                if let closed = tallied.closed { pending.operations.append(.audit(closed)) }
                // A refused key retrying in a loop is audited once a minute in full, and the rest as one count.
                guard tallied.first else { continue }
                pending.operations.append(.audit(AuditEvent(
                    .handshakeRefused, at: wallNow, peer: request?.address,
                    detail: decision.keyFingerprint.map { "key \($0): \(decision.statusText)" } ?? decision.statusText)))
                logger.notice(
                    "Refused a handshake", metadata: ["peer": "\(request?.address ?? "?")", "key": "\(decision.keyFingerprint ?? "-")"])
            }
        }
    }
}
