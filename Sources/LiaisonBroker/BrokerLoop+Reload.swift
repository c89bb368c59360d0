import LiaisonStore

extension BrokerLoop {
    /// Reloads `agencies.yaml` and the agreements (on SIGHUP) without dropping a session: new agencies and keys
    /// are admitted from the next handshake, and the sessions of a key that is no longer listed (or no longer
    /// valid today) end at once. A configuration with a problem is refused whole, and the running one stays.
    func reload() {
        let time = HubTime.now()
        let reload: ConfigurationReload
        do {
            reload = try ConfigurationReload(
                configuration: configuration, schemas: schemas, pseudonymKey: pseudonymKey, policy: core.policy, store: store,
                today: time.today)
        } catch {
            logger.error("Reload refused; the running configuration stays", metadata: ["reason": "\(error.reason)"])
            core.audit(AuditEvent(
                .configurationLoaded, at: time.wall, detail: "reload refused (the running configuration stays): \(error.reason.prefix(500))"))
            return
        }
        zapHandler = ZAPHandler(agencies: reload.agencies, today: time.today)
        let ended = core.reconfigure(agencies: reload.agencies, policy: reload.policy, time: time)
        core.audit(AuditEvent(
            .configurationLoaded, at: time.wall,
            detail: "reloaded: agencies \(reload.agencies.agencies.map { "\($0.id.rawValue)(\($0.keys.count) keys)" }.joined(separator: ","))"
                + "; store limit \(reload.storeLimit); \(ended) sessions of removed keys ended"))
        logger.info("Configuration reloaded", metadata: ["sessionsEnded": "\(ended)"])
    }
}
