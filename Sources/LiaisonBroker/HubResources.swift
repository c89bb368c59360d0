import Crypto
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules
import LiaisonStore
import Logging
import ZeroMQ

/// What the hub runs with, loaded before any socket is bound: the message types' schemas, the sharing rules, the
/// pseudonym and checkpoint keys, the hub's CURVE key pair, and the store (with the broker's lease on it) and what
/// the core rebuilds from it. Every failure is a `BrokerError` that names what to do about it.
struct HubResources {
    /// The day the hub started on (`HubTime.today`): the rules' review dates are judged against it.
    let today: String
    /// The message types' schemas, when the hub is configured with them.
    let schemas: MessageSchemas?
    /// The sharing rules, when the hub is configured with agreements.
    let ruleSet: RuleSet?
    /// The key the audit's pseudonyms are made with (empty without agreements).
    let pseudonymKey: [UInt8]
    /// Signs the audit's checkpoints.
    let checkpointKey: Curve25519.Signing.PrivateKey
    /// The hub's CURVE key pair: the ROUTER is a CURVE server with its secret key.
    let keyPair: CurveKeyPair
    let store: any BrokerStore
    /// The broker's lease on a SQLite store (nil on PostgreSQL, whose connection holds the lease).
    let instanceLock: InstanceLock?
    /// The cohorts in the store, by owner, and the deliveries waiting in it, by recipient.
    let cohorts: [AgencyID: [String: Set<String>]]
    let backlog: [AgencyID: Int]

    /// Loads the schemas, the sharing rules and the keys, then opens the store (waiting for the lease on a
    /// standby); every failure names what to do about it.
    static func load(
        configuration: HubConfiguration, agencies: AgencyDirectory, control: BrokerControl, logger: Logger
    ) throws(BrokerError) -> HubResources {
        let today = HubTime.now().today
        let schemas: MessageSchemas?
        if let directory = configuration.schemasDirectory {
            do { schemas = try MessageSchemas.load(directory: directory) } catch {
                throw BrokerError(.schemas, "A message schema cannot be used: \(error)")
            }
        } else {
            schemas = nil
        }
        let ruleSet: RuleSet?
        let pseudonymKey: [UInt8]
        if let directory = configuration.agreementsDirectory {
            let rules = loadRules(directory: directory, agencies: agencies, schemas: schemas, today: today)
            for problem in rules.reviewDue {
                logger.warning("\(problem)")
            }
            guard rules.problems.isEmpty else {
                throw BrokerError(
                    .rules, "The sharing rules have problems (run `liaison rules check`):\n"
                        + rules.problems.map { "  \($0)" }.joined(separator: "\n"))
            }
            ruleSet = rules.ruleSet
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
        let (store, instanceLock) = try openStore(configuration: configuration, control: control, logger: logger)
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
        return HubResources(
            today: today, schemas: schemas, ruleSet: ruleSet, pseudonymKey: pseudonymKey, checkpointKey: checkpointKey,
            keyPair: keyPair, store: store, instanceLock: instanceLock, cohorts: cohorts, backlog: backlog)
    }

    /// Loads the agreements in `directory` (at start-up and on a reload): the rule set, the problems that stop it
    /// being put in force, and apart from them the agreements whose review is due. A missed review denies that
    /// agreement's flows (each decision says so); it must not stop all sharing.
    static func loadRules(
        directory: String, agencies: AgencyDirectory, schemas: MessageSchemas?, today: String
    ) -> (ruleSet: RuleSet, problems: [ConfigurationError], reviewDue: [ConfigurationError]) {
        let result = RuleSetLoader.load(directory: directory, agencies: agencies, schemas: schemas, today: today)
        return (
            result.ruleSet, result.problems.filter { $0.code != .reviewDue },
            result.problems.filter { $0.code == .reviewDue }
        )
    }
}
