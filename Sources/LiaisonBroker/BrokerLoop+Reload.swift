import LiaisonStore
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules

extension BrokerLoop {
    /// Reloads `agencies.yaml` and the agreements (on SIGHUP) without dropping a session: new agencies and keys
    /// are admitted from the next handshake, and the sessions of a key that is no longer listed (or no longer
    /// valid today) end at once. A configuration with a problem is refused whole, and the running one stays.
    func reload() {
        let time = HubTime.now()
        let today = time.today
        func refuse(_ reason: String) {
            logger.error("Reload refused; the running configuration stays", metadata: ["reason": "\(reason)"])
            core.audit(AuditEvent(
                .configurationLoaded, at: time.wall, detail: "reload refused (the running configuration stays): \(reason.prefix(500))"))
        }
        let reloaded: AgencyDirectory
        do { reloaded = try AgencyDirectory.load(path: configuration.agenciesFile) } catch {
            return refuse("\(error)")
        }
        var policy = core.policy
        if let directory = configuration.agreementsDirectory {
            let result = RuleSetLoader.load(directory: directory, agencies: reloaded, schemas: schemas, today: today)
            let problems = result.problems.filter { $0.code != .reviewDue }
            guard problems.isEmpty else {
                return refuse("the sharing rules have problems (run `liaison rules check`): " + problems.map(\.description).joined(separator: "; "))
            }
            policy = SharingPolicy(ruleSet: result.ruleSet, pseudonymKey: pseudonymKey)
        }
        // The store's size limit is the one setting of hub.yaml a reload applies: raising it is how an operator
        // lets a full store take messages again without a restart.
        var storeLimit = "unchanged"
        if let hub = try? HubConfiguration.load(path: configuration.source) {
            do {
                try store.limitSize(to: hub.maxStoreBytes)
                storeLimit = hub.maxStoreBytes.map { "\($0 >> 20) MiB" } ?? "none"
            } catch {
                return refuse("the store's size limit could not be set: \(error)")
            }
        }
        zapHandler = ZAPHandler(agencies: reloaded, today: today)
        let ended = core.reconfigure(agencies: reloaded, policy: policy, time: time)
        core.audit(AuditEvent(
            .configurationLoaded, at: time.wall,
            detail: "reloaded: agencies \(reloaded.agencies.map { "\($0.id.rawValue)(\($0.keys.count) keys)" }.joined(separator: ","))"
                + "; store limit \(storeLimit); \(ended) sessions of removed keys ended"))
        logger.info("Configuration reloaded", metadata: ["sessionsEnded": "\(ended)"])
    }
}
