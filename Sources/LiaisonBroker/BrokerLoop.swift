import LiaisonConfig
import LiaisonProtocol
import LiaisonRules
import LiaisonStore
import Logging
import ZeroMQ

/// The broker's thread: owns the ROUTER socket, the ZAP socket and the store, polls them, and runs what the
/// hub's core (`HubCore`) asks for. Every decision is the core's; this is the I/O around it.
///
/// One cycle: poll; answer ZAP requests; read up to `batch_size` messages into the core; tick; commit what the
/// core planned in ONE transaction (group commit); only then send the replies the core gives back (ACCEPTED
/// among them) and hand out deliveries. Nothing here is shared with another thread, so none of it needs a lock.
final class BrokerLoop {
    static let hubName = "liaison 0.1.0"

    let configuration: HubConfiguration
    let control: BrokerControl
    var logger: Logger
    /// The ZAP handler's, the ROUTER and the admin interface's (`admin_endpoint`, if configured).
    let sockets: BrokerSockets
    var zap: ZeroMQSocket { sockets.zap }
    var router: ZeroMQSocket { sockets.router }
    var admin: ZeroMQSocket? { sockets.admin }
    /// Whether an admin request waits for its commit: REP answers one request before it reads the next.
    var adminWaiting = false
    let store: any BrokerStore
    /// Held for the broker's life: no second broker on this SQLite store (on PostgreSQL the store's connection holds
    /// the lease).
    let instanceLock: InstanceLock?
    var zapHandler: ZAPHandler
    /// The message types' schemas, when the hub is configured with them.
    let schemas: MessageSchemas?
    let pseudonymKey: [UInt8]
    var core: HubCore
    /// Commits batches, and keeps the store, on a thread of its own.
    let committer: CommitThread
    /// The batch being committed, if any: the next is handed over only when this one's result is taken.
    var inFlight: HubBatch?
    /// Since when (monotonic ms) the core has had something pending that no commit has taken yet.
    var pendingSince: Int64?
    /// When the store's upkeep (checkpoints, retention) was last asked for.
    var lastUpkeep: Int64 = 0
    /// Gives the allocator's freed memory back to the system once a minute, off this thread.
    let heapRelease: HeapRelease
    /// Checks and decides bodies off this thread: large ones always, every one while the loop reads a run (`BodyChecker`).
    let checker: BodyChecker
    /// Replies for connections whose pipe was full, kept in order per connection.
    var backlogs = ReplyBacklogs()
    var lastTick: Int64 = 0
    /// When the broker last read everything waiting (monotonic ms): silence is judged against it.
    var lastCaughtUp: Int64 = 0
    /// Whether the store lost its connection (PostgreSQL): the loop ends and `run` opens the store again.
    var storeLost = false

    /// A cycle reads at most this many bytes, or works this long, before it commits and answers.
    static let cycleBytes = 8 << 20
    static let cycleMilliseconds: Int64 = 50
    /// While reading a batch, every this many messages the loop looks whether the commit thread is idle or done.
    static let handOverCheck = 8
    /// A batch of at most this many operations (a message or two and their audit records) is committed on the loop's
    /// own thread when nothing is in flight (`commitIfNeeded`).
    static let inlineCommitLimit = 8
    /// How long settlements alone may wait to ride with the next commit (`commitIfNeeded`).
    static let settlementWaitMilliseconds: Int64 = 2

    /// The thread's entry point: sets up, loops until asked to stop, shuts down.
    ///
    /// A store that loses its connection (PostgreSQL: the database's primary lost, or this broker's session ended)
    /// ends the loop; the broker then says GOODBYE, opens the store again as a standby would (waiting for a writable
    /// primary and for the lease, which another broker may have taken meanwhile) and rebuilds its queues, credit and
    /// in-flight deliveries from the store, as at any start. Adapters reconnect and resend what was not answered.
    static func run(configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger) {
        defer { control.finished() }
        var configuration = configuration
        var restarting = false
        while true {
            let loop: BrokerLoop
            do {
                loop = try BrokerLoop(configuration: configuration, agencies: agencies, control: control, logger: logger)
            } catch {
                logger.error("The broker could not start: \(error)")
                // After a lost store, a failure to start again (other than being asked to stop) fails the process.
                if restarting, !control.isStopRequested { control.failedAfterStart(error) }
                control.started(.failure(error))
                return
            }
            control.started(.success(loop.router.lastEndpoint))
            loop.logger.info(
                "Broker running",
                metadata: ["endpoint": "\(loop.router.lastEndpoint)", "agencies": "\(agencies.agencies.count)", "store": "\(loop.store.engine)"])
            loop.loop()
            loop.shutdown()
            guard loop.storeLost, !control.isStopRequested else { return }
            logger.error(
                "Lost the connection to the hub's store: stopped serving; opening it again (waiting for a writable primary and the lease)",
                metadata: ["store": "\(loop.store.displayName)"])
            loop.store.close()
            configuration.waitsForLease = true
            restarting = true
        }
    }

    /// Loads what the hub runs with (`HubResources`: the schemas, the sharing rules, the keys, the store and its
    /// lease), then binds the ZAP handler and the ROUTER socket (`BrokerSockets`); every failure names what to do.
    init(configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger) throws(BrokerError) {
        self.configuration = configuration
        self.control = control
        self.logger = logger
        let resources = try HubResources.load(configuration: configuration, agencies: agencies, control: control, logger: logger)
        zapHandler = ZAPHandler(agencies: agencies, today: resources.today)
        (schemas, pseudonymKey, store, instanceLock) = (resources.schemas, resources.pseudonymKey, resources.store, resources.instanceLock)
        checker = BodyChecker(schemas: schemas)
        if InstanceLock.isListening(ipcEndpoint: configuration.endpoint) {
            store.close()
            throw BrokerError(
                .alreadyRunning, "Another process is listening on \(configuration.endpoint): stop the other broker, or give this one its own endpoint.")
        }
        sockets = try BrokerSockets(configuration: configuration, keyPair: resources.keyPair)
        let metrics = HubMetrics(registry: control.registry)
        heapRelease = HeapRelease(registry: control.registry)
        committer = CommitThread(
            store: store,
            housekeeping: StoreHousekeeping(store: store, configuration: configuration, checkpointKey: resources.checkpointKey, logger: logger),
            commitDuration: metrics.commitDuration)
        core = HubCore(
            configuration: configuration, agencies: agencies, schemas: schemas,
            policy: resources.ruleSet.map { [pseudonymKey] in SharingPolicy(ruleSet: $0, pseudonymKey: pseudonymKey) }, ledger: store,
            cohorts: resources.cohorts, hubName: BrokerLoop.hubName, logger: logger, metrics: metrics, backlog: resources.backlog)
        core.audit(AuditEvent(
            .configurationLoaded, at: HubTime.now().wall,
            detail: "\(configuration.source); agencies \(agencies.agencies.map(\.id.rawValue).joined(separator: ","))"
                + "; schemas \(schemas.map { $0.entries.values.map(\.id).sorted().joined(separator: ",") } ?? "none")"))
        commitAndWait()
    }
}
