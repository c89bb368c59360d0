import LiaisonStore
import LiaisonConfig
import LiaisonProtocol
import LiaisonRules

extension BrokerLoop {
    /// Reloads `agencies.yaml` and the agreements (on SIGHUP) without dropping a session: new agencies and keys
    /// are admitted from the next handshake, and the sessions of a key that is no longer listed (or no longer
    /// valid today) end at once. A configuration with a problem is refused whole, and the running one stays.
    func reload() {
        let wallNow = BrokerLoop.wallClock()
        let today = BrokerLoop.today()
        func refuse(_ reason: String) {
            logger.error("Reload refused; the running configuration stays", metadata: ["reason": "\(reason)"])
            pending.operations.append(.audit(AuditEvent(
                .configurationLoaded, at: wallNow, detail: "reload refused (the running configuration stays): \(reason.prefix(500))")))
        }
        let reloaded: AgencyDirectory
        do { reloaded = try AgencyDirectory.load(path: configuration.agenciesFile) } catch {
            return refuse("\(error)")
        }
        var rules = ruleSet
        if let directory = configuration.agreementsDirectory {
            let result = RuleSetLoader.load(directory: directory, agencies: reloaded, schemas: schemas, today: today)
            let problems = result.problems.filter { $0.code != .reviewDue }
            guard problems.isEmpty else {
                return refuse("the sharing rules have problems (run `liaison rules check`): " + problems.map(\.description).joined(separator: "; "))
            }
            rules = result.ruleSet
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
        agencies = reloaded
        zapHandler = ZAPHandler(agencies: reloaded, today: today)
        ruleSet = rules
        for agency in reloaded.agencies where queues[agency.id.rawValue] == nil {
            queues[agency.id.rawValue] = AgencyQueue(window: window)
        }
        let ended = endSessionsOfInvalidKeys(on: today)
        pending.operations.append(.audit(AuditEvent(
            .configurationLoaded, at: wallNow,
            detail: "reloaded: agencies \(reloaded.agencies.map { "\($0.id.rawValue)(\($0.keys.count) keys)" }.joined(separator: ","))"
                + "; store limit \(storeLimit); \(ended) sessions of removed keys ended")))
        logger.info("Configuration reloaded", metadata: ["sessionsEnded": "\(ended)"])
    }

    /// Whether the key with this fingerprint is one of the agency's, valid on `date`.
    func keyIsValid(agency: AgencyID, fingerprint: String, on date: String) -> Bool {
        agencies.agency(agency)?.keys.contains { $0.isValid(on: date) && Digest.fingerprint(ofKey: $0.publicKey) == fingerprint } ?? false
    }

    /// Ends at once every session whose key is no longer listed or no longer valid on `date`; returns how many.
    @discardableResult
    func endSessionsOfInvalidKeys(on date: String) -> Int {
        var ended = 0
        for (routingID, session) in sessions where !keyIsValid(agency: session.agency, fingerprint: sessionKeys[routingID] ?? "", on: date) {
            disconnect(routingID, because: "its key \(sessionKeys[routingID] ?? "?") is no longer valid for \(session.agency)")
            ended += 1
        }
        closeLostPeers()
        return ended
    }
}
