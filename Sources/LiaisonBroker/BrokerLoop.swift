import CZeroMQ
import Crypto
import Foundation
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
    let context: ZeroMQContext
    let zap: ZeroMQSocket
    let router: ZeroMQSocket
    /// The admin interface's REP socket (`admin_endpoint`), if configured.
    let admin: ZeroMQSocket?
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
    /// When the store's upkeep (checkpoints, retention) was last asked for.
    var lastUpkeep: Int64 = 0
    /// Checks large bodies off this thread (see `BodyChecker`).
    let checker: BodyChecker
    /// Replies for connections whose pipe was full, kept in order per connection.
    var backlogs: [RoutingID: [[[UInt8]]]] = [:]
    var lastTick: Int64 = 0
    /// When the broker last read everything waiting (monotonic ms): silence is judged against it.
    var lastCaughtUp: Int64 = 0
    /// Whether the store lost its connection (PostgreSQL): the loop ends and `run` opens the store again.
    var storeLost = false

    /// The most replies kept for a connection that does not read them; past it the connection is cut off.
    static let maxBacklog = 10_000
    /// A cycle reads at most this many bytes, or works this long, before it commits and answers.
    static let cycleBytes = 8 << 20
    static let cycleMilliseconds: Int64 = 50
    /// While reading a batch, every this many messages the loop looks whether the commit thread is idle or done.
    static let handOverCheck = 8

    /// The thread's entry point: sets up, loops until asked to stop, shuts down.
    ///
    /// A store that loses its connection (PostgreSQL: the database's primary lost, or this broker's session ended)
    /// ends the loop; the broker then says GOODBYE, opens the store again as a standby would (waiting for a writable
    /// primary and for the lease, which another broker may have taken meanwhile) and rebuilds its queues, credit and
    /// in-flight deliveries from the store, as at any start. Adapters reconnect and resend what was not answered.
    static func run(configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger) {
        defer { control.finished() }
        var configuration = configuration
        while true {
            let loop: BrokerLoop
            do {
                loop = try BrokerLoop(configuration: configuration, agencies: agencies, control: control, logger: logger)
            } catch {
                logger.error("The broker could not start: \(error)")
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
        }
    }

    /// Loads the schemas, the sharing rules and the keys, opens the store and binds the ZAP handler and the
    /// ROUTER socket; every failure names what to do about it.
    init(configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger) throws {
        self.configuration = configuration
        self.control = control
        self.logger = logger
        let today = HubTime.now().today
        self.zapHandler = ZAPHandler(agencies: agencies, today: today)
        if let directory = configuration.schemasDirectory {
            do { schemas = try MessageSchemas.load(directory: directory) } catch {
                throw BrokerError(.schemas, "A message schema cannot be used: \(error)")
            }
        } else {
            schemas = nil
        }
        checker = BodyChecker(schemas: schemas)
        let ruleSet: RuleSet?
        if let directory = configuration.agreementsDirectory {
            let result = RuleSetLoader.load(directory: directory, agencies: agencies, schemas: schemas, today: today)
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
            // Never replaces an existing key, even one it cannot read: the audit's pseudonyms would no longer
            // link old and new. Created 0600 from the first byte; refused when group or others may read it.
            do { pseudonymKey = try PseudonymKeyFile.loadOrCreate(path: configuration.pseudonymKeyPath) } catch {
                throw BrokerError(.keys, "Cannot read or create the pseudonym key \(configuration.pseudonymKeyPath): \(error)")
            }
        } else {
            ruleSet = nil
            pseudonymKey = []
        }
        let checkpointKey: Curve25519.Signing.PrivateKey
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
        let store: any BrokerStore
        (store, instanceLock) = try BrokerLoop.openStore(configuration: configuration, control: control, logger: logger)
        self.store = store
        var cohorts: [AgencyID: [String: Set<String>]] = [:]
        var backlog: [AgencyID: Int] = [:]
        do {
            if let limit = configuration.maxStoreBytes { try store.limitSize(to: limit) }
            for (owner, named) in try store.cohorts() {
                if let agency = AgencyID(owner) { cohorts[agency] = named }
            }
            for (recipient, count) in try store.pendingDeliveryCounts() {
                if let agency = AgencyID(recipient) { backlog[agency] = count }
            }
        } catch {
            store.close()
            throw BrokerError(.store, error.description)
        }
        if InstanceLock.isListening(ipcEndpoint: configuration.endpoint) {
            store.close()
            throw BrokerError(
                .alreadyRunning, "Another process is listening on \(configuration.endpoint): stop the other broker, or give this one its own endpoint.")
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
        if let endpoint = configuration.adminEndpoint {
            do { admin = try BrokerLoop.bindAdmin(context: context, endpoint: endpoint) } catch {
                routerSocket.close()
                zapSocket.close()
                throw error
            }
        } else {
            admin = nil
        }
        let metrics = HubMetrics(registry: control.registry)
        committer = CommitThread(
            store: store,
            housekeeping: StoreHousekeeping(store: store, configuration: configuration, checkpointKey: checkpointKey, logger: logger),
            commitDuration: metrics.commitDuration)
        core = HubCore(
            configuration: configuration, agencies: agencies, schemas: schemas,
            policy: ruleSet.map { [pseudonymKey] in SharingPolicy(ruleSet: $0, pseudonymKey: pseudonymKey) }, ledger: store, cohorts: cohorts,
            hubName: BrokerLoop.hubName, logger: logger, metrics: metrics, backlog: backlog)
        core.audit(AuditEvent(
            .configurationLoaded, at: HubTime.now().wall,
            detail: "\(configuration.source); agencies \(agencies.agencies.map(\.id.rawValue).joined(separator: ","))"
                + "; schemas \(schemas.map { $0.entries.values.map(\.id).sorted().joined(separator: ",") } ?? "none")"))
        commitAndWait()
    }

    /// Binds the admin interface's REP socket: its folder made 0700 and the socket file 0600, so that only the
    /// hub's OS user can reach it; a stale socket file left by a broker that died is replaced (the instance lock
    /// is already held, so no other broker is using it).
    static func bindAdmin(context: ZeroMQContext, endpoint: String) throws -> ZeroMQSocket {
        let path = String(endpoint.dropFirst("ipc://".count))
        let folder = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder)
        } catch {
            throw BrokerError(.bindFailed, "Cannot make the admin interface's folder \(folder) (0700): \(error). Check admin_endpoint.")
        }
        if manager.fileExists(atPath: path) { try? manager.removeItem(atPath: path) }
        let socket: ZeroMQSocket
        do { socket = try ZeroMQSocket(context: context, type: .rep) } catch {
            throw BrokerError(.bindFailed, "Cannot create the admin interface's socket: \(error).")
        }
        do {
            try socket.setOption(ZMQ_LINGER, 0)
            try socket.setOption(ZMQ_MAXMSGSIZE, int64: 64 << 10)
            try socket.bind(endpoint)
            try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            socket.close()
            throw BrokerError(.bindFailed, "Cannot listen for the admin interface on \(endpoint): \(error). Check admin_endpoint.")
        }
        return socket
    }
}
