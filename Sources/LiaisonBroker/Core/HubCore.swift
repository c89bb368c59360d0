import DequeModule
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules
import LiaisonStore
import Logging
import StrictJSON

/// The hub's decisions, free of I/O: what the broker does with every command, tick and commit.
///
/// The broker's loop (`BrokerLoop`) owns the sockets, polls them and runs what this core asks for; the core
/// owns everything else: each connection's `PeerSession`; admission (envelope, source, schema, sharing rules)
/// that turns a SEND into a `MessagePlan` or a refusal; the batch a group commit stores; and the
/// `DeliveryScheduler` (queues, credit, round-robin, in-flight, expiry). It reads no clock (`HubTime` comes in)
/// and touches no socket; the store is a `HubLedger`, so its tests run against one in memory, in milliseconds.
///
/// The rule it serves: ACCEPTED goes out only in the actions `committed(_:_:time:)` returns, after the batch that
/// holds the message was stored.
struct HubCore {
    let configuration: HubConfiguration
    let limits: PeerSession.Limits
    /// The agencies and their keys; replaced on reload.
    var agencies: AgencyDirectory
    let schemas: MessageSchemas?
    /// The sharing rules, when the hub has them; then they decide every recipient. Replaced on reload.
    var policy: SharingPolicy?
    let ledger: any HubLedger
    var logger: Logger

    /// Every agency's cohorts (e.g. yot → yot-caseload → UPNs), as committed.
    var cohorts: [AgencyID: [String: Set<String>]]
    /// Sessions by routing id.
    var sessions: [RoutingID: PeerSession] = [:]
    /// Connections whose WELCOME waits for a commit: nothing is delivered to them before it has gone out.
    var awaitingWelcome: Set<RoutingID> = []
    /// The fingerprint of the key each connection authenticated with.
    var sessionKeys: [RoutingID: String] = [:]
    /// Queues, in-flight deliveries and which session gets the next one.
    var scheduler: DeliveryScheduler
    /// What the next commit must store, and the replies that wait for it.
    var pending = HubBatch()
    /// What the loop is to do, in order.
    var outbox: [HubAction] = []

    /// SENDs waiting for their body's check off the loop, by connection in arrival order: each is decided only when it
    /// and every SEND before it on the same connection are checked, so a connection's messages are stored in the order
    /// it sent them, and one connection's large bodies (a school's return) do not hold up another's small ones.
    var parked: [RoutingID: Deque<ParkedSend>] = [:]
    /// The connection each parked ticket came on.
    var parkedConnections: [Int64: RoutingID] = [:]
    /// Checks that came back ahead of an earlier SEND's on the same connection.
    var checkedBodies: [Int64: Result<BodyChecker.Checked, ProtocolError>] = [:]
    var nextTicket: Int64 = 0
    /// The bytes of the parked SENDs' bodies: past `maxParkedBytes` the loop stops reading until checks catch up.
    var parkedBytes = 0
    /// Connections the hub has cut off: whatever they send is dropped unread, and nothing more goes to them.
    var silenced: Set<RoutingID> = []
    /// Sessions ended by the hub, closed at the end of the current step.
    var disconnectedPeers: Set<RoutingID> = []
    /// Refused handshakes and rejections, audited as aggregates per key and minute.
    var refusals = RefusalTally()
    var lastExpirySweep: Int64 = 0
    /// The UTC date keys were last checked against (their `current_until` / `next_from`).
    var keysCheckedOn = ""
    /// The broker's metrics, when it has a registry (the core's tests mostly run without).
    var metrics: HubMetrics?
    /// What happened since the last commit, published to `metrics` once per commit.
    var tally = HubTally()
    /// Each agency's pending deliveries (committed, not yet settled, in flight or not): the store's count at start, then kept by
    /// each commit; `HubMetrics` shows it as waiting (`liaison_queue_depth`) and in flight (`liaison_unacknowledged`).
    var backlog: [AgencyID: Int] = [:]
    /// When each connection's session began (wall clock ms), for the admin interface's `status`.
    var connectedAt: [RoutingID: Int64] = [:]
    /// The answer to the admin request whose batch has committed, until the loop takes it.
    var adminAnswer: [UInt8]?

    /// Whether the loop is reading a run of messages rather than one (it sets this per message it reads). Then, when
    /// the hub has schemas or rules, every body is parsed, schema-checked and decided off the loop's thread, whatever
    /// its size: on the body checker's thread, beside the loop and the commit, on the other core. One message alone
    /// is checked at once, which adds no hand-off to a quiet hub's latency.
    var checksBodiesOffLoop = false

    /// Changes whenever what the sharing rules read besides the message changes (a committed cohort change, a reload):
    /// a decision made off the loop under an older generation is made again.
    var decisionGeneration = 0

    /// Bodies at least this large are checked off the loop's thread.
    static let offloadBytes = 256 << 10
    /// The most body bytes waiting for their check off the loop.
    static let maxParkedBytes = 64 << 20
    /// The most frames a command from an adapter has (NACK), plus the routing id.
    static let maxFrames = 6

    /// A SEND whose envelope passed and whose body is being checked off the loop.
    struct ParkedSend {
        var ticket: Int64
        var routingID: RoutingID
        var agency: AgencyID
        var peer: String?
        var envelope: Envelope
        var body: [UInt8]
        var wallNow: Int64
    }

    init(
        configuration: HubConfiguration, agencies: AgencyDirectory, schemas: MessageSchemas?, policy: SharingPolicy?,
        ledger: any HubLedger, cohorts: [AgencyID: [String: Set<String>]], hubName: String, logger: Logger,
        metrics: HubMetrics? = nil, backlog: [AgencyID: Int] = [:]
    ) {
        self.configuration = configuration
        self.agencies = agencies
        self.schemas = schemas
        self.policy = policy
        self.ledger = ledger
        self.cohorts = cohorts
        self.logger = logger
        self.limits = PeerSession.Limits(
            hubName: hubName, heartbeatMilliseconds: configuration.heartbeatMilliseconds,
            maxBodyBytes: configuration.maxBodyBytes, maxEnvelopeBytes: configuration.maxEnvelopeBytes,
            maxCredit: configuration.maxCredit, maxAttempts: configuration.maxAttempts)
        scheduler = DeliveryScheduler(
            agencies: agencies.agencies.map(\.id), window: max(256, min(configuration.maxCredit * 2, 4096)))
        self.backlog = backlog
        self.metrics = metrics
        self.metrics?.register(agencies: agencies.agencies.map(\.id))
        publishMetrics()
    }

    /// Publishes the tally and the agencies' gauges (once per commit).
    mutating func publishMetrics() {
        guard metrics != nil else { return }
        var inFlight: [AgencyID: Int] = [:]
        for (agency, queue) in scheduler.queues { inFlight[agency] = queue.inFlight.count }
        metrics!.publish(&tally, backlog: backlog, inFlight: inFlight)
    }

    // MARK: The loop's side

    /// What the loop is to do now, in order; the core forgets them.
    mutating func takeActions() -> [HubAction] {
        defer { outbox = [] }
        return outbox
    }

    /// Whether a commit is due (something to store, or replies waiting for one).
    var hasPendingWork: Bool { !pending.isEmpty }

    /// Whether everything pending is bookkeeping nobody waits for (`HubBatch.isSettlementsOnly`): the loop may let it
    /// ride with the next commit for a moment instead of paying an fsync of its own.
    var pendingCanWait: Bool { pending.isSettlementsOnly }

    /// Whether deliveries stopped at a full pipe and should be tried again soon.
    var wantsSoonRetry: Bool { !scheduler.retry.isEmpty }

    /// Whether anything is parked for its body's check (the loop may read no more past `maxParkedBytes`).
    var hasRoomToRead: Bool { parkedBytes < HubCore.maxParkedBytes }

    /// Whether the connection has been cut off (the loop drops what it sends unread).
    func isSilenced(_ routingID: RoutingID) -> Bool { silenced.contains(routingID) }

    /// Records an audit event with the next commit.
    mutating func audit(_ event: AuditEvent) {
        pending.operations.append(.audit(event))
    }

    /// Replaces the agencies and the sharing rules (a reload): new agencies get queues, and the sessions of a key
    /// that is no longer listed, or no longer valid today, end at once. Returns how many sessions ended.
    @discardableResult
    mutating func reconfigure(agencies: AgencyDirectory, policy: SharingPolicy?, time: HubTime) -> Int {
        self.agencies = agencies
        self.policy = policy
        decisionGeneration += 1
        for agency in agencies.agencies { scheduler.addAgency(agency.id) }
        metrics?.register(agencies: agencies.agencies.map(\.id).filter { backlog[$0] == nil })
        return endSessionsOfInvalidKeys(on: time.today, time: time)
    }

    /// Whether the key with this fingerprint is one of the agency's, valid on `date`.
    func keyIsValid(agency: AgencyID, fingerprint: String, on date: String) -> Bool {
        agencies.agency(agency)?.keys.contains { $0.isValid(on: date) && Digest.fingerprint(ofKey: $0.publicKey) == fingerprint } ?? false
    }

    /// Ends at once every session whose key is no longer listed or no longer valid on `date`.
    mutating func endSessionsOfInvalidKeys(on date: String, time: HubTime) -> Int {
        var ended = 0
        for (routingID, session) in sessions where !keyIsValid(agency: session.agency, fingerprint: sessionKeys[routingID] ?? "", on: date) {
            disconnect(routingID, because: "its key \(sessionKeys[routingID] ?? "?") is no longer valid for \(session.agency)")
            ended += 1
        }
        closeDisconnected(time: time)
        return ended
    }

    /// Ends a connection's session and ignores its routing id from now on: libzmq cannot close one ROUTER peer's
    /// connection, so the peer hears nothing more, falls silent by its own heartbeat rule and reconnects as a new
    /// connection. Its unacknowledged deliveries go back to the queue (at the end of this step).
    mutating func disconnect(_ routingID: RoutingID, because reason: String) {
        guard !silenced.contains(routingID) else { return }
        silenced.insert(routingID)
        disconnectedPeers.insert(routingID)
        logger.warning("Disconnected a peer", metadata: [
            "agency": "\(sessions[routingID]?.agency.rawValue ?? "?")", "reason": "\(reason)",
        ])
    }

    /// Closes the sessions the hub cut off during this step.
    mutating func closeDisconnected(time: HubTime) {
        let ended = disconnectedPeers
        disconnectedPeers = []
        for routingID in ended {
            guard sessions[routingID] != nil else { continue }
            let action = sessions[routingID]!.disconnect()
            perform(action, routingID: routingID, peer: nil, time: time)
        }
    }

    /// libzmq reported the connection unreachable: its session ends and its deliveries go back to the queue.
    mutating func lost(_ routingID: RoutingID, time: HubTime) {
        guard sessions[routingID] != nil else { return }
        let action = sessions[routingID]!.lost()
        perform(action, routingID: routingID, peer: nil, time: time)
    }

    /// Ends every ready session with GOODBYE and audits the stop (the loop commits once more, then closes).
    mutating func shutdown(time: HubTime) {
        for (routingID, session) in sessions where session.state == .ready {
            outbox.append(.send(.goodbye, to: routingID))
        }
        for event in refusals.closedMinutes(now: nil) { audit(event) }
        audit(AuditEvent(.brokerStopped, at: time.wall, detail: "\(sessions.count) sessions closed"))
    }
}

/// What one group commit stores, and the replies that wait for it.
struct HubBatch: Sendable {
    var operations: [StoreOperation] = []
    /// Who sent each `insert`, by its index in `operations`: they are answered once the batch commits.
    var senders: [Int: RoutingID] = [:]
    /// Replies to send once the batch has committed (or failed).
    var replies: [(RoutingID, HubCommand)] = []
    /// Agencies whose queues or sessions changed.
    var touched: Set<AgencyID> = []
    /// The index of the admin request's operation (replay or discard), answered once the batch commits.
    var adminOperation: Int?
    var isEmpty: Bool { operations.isEmpty && replies.isEmpty }

    /// Whether the batch holds only settlements: deliveries audited as delivered, ACKs, NACK retries. No sender,
    /// reply or operator waits for these; the DELIVER has gone and the ACK's credit is free already. Kept in memory a
    /// moment longer, they lose nothing a crash would not: a delivery whose ACK was not yet stored is delivered
    /// again, and audited again, after a restart, exactly as if the crash had come a moment earlier.
    var isSettlementsOnly: Bool {
        guard !operations.isEmpty, replies.isEmpty, senders.isEmpty, adminOperation == nil else { return false }
        return operations.allSatisfy {
            switch $0 {
            case .acknowledge, .attempt: return true
            case .audit(let event): return event.kind == .delivered || event.kind == .acknowledged || event.kind == .nackRetry
            default: return false
            }
        }
    }

    mutating func insert(_ plan: MessagePlan, from routingID: RoutingID) {
        senders[operations.count] = routingID
        operations.append(.insert(plan))
    }
}
