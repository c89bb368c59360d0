import LiaisonConfig
import LiaisonRules
import LiaisonStore

/// What a reload (SIGHUP) puts in force: `agencies.yaml` and the agreements read again, and the store's size limit
/// from hub.yaml applied. A configuration with a problem is refused whole (`Refused`), and the running one stays.
struct ConfigurationReload {
    /// Why a reload was refused, for the log and the audit.
    struct Refused: Error {
        let reason: String
    }

    let agencies: AgencyDirectory
    /// The sharing policy from the agreements read again (the running one without agreements).
    let policy: SharingPolicy?
    /// The store's size limit now in force, for the audit ("unchanged" when hub.yaml could not be read).
    let storeLimit: String

    /// Reads the configuration again; `policy` is the running one, kept when the hub has no agreements.
    init(
        configuration: HubConfiguration, schemas: MessageSchemas?, pseudonymKey: [UInt8], policy: SharingPolicy?,
        store: any BrokerStore, today: String
    ) throws(Refused) {
        do { agencies = try AgencyDirectory.load(path: configuration.agenciesFile) } catch {
            throw Refused(reason: "\(error)")
        }
        var policy = policy
        if let directory = configuration.agreementsDirectory {
            let rules = HubResources.loadRules(directory: directory, agencies: agencies, schemas: schemas, today: today)
            guard rules.problems.isEmpty else {
                throw Refused(
                    reason: "the sharing rules have problems (run `liaison rules check`): "
                        + rules.problems.map(\.description).joined(separator: "; "))
            }
            policy = SharingPolicy(ruleSet: rules.ruleSet, pseudonymKey: pseudonymKey)
        }
        self.policy = policy
        // The store's size limit is the one setting of hub.yaml a reload applies: raising it is how an operator
        // lets a full store take messages again without a restart.
        var storeLimit = "unchanged"
        if let hub = try? HubConfiguration.load(path: configuration.source) {
            do {
                try store.limitSize(to: hub.maxStoreBytes)
                storeLimit = hub.maxStoreBytes.map { "\($0 >> 20) MiB" } ?? "none"
            } catch {
                throw Refused(reason: "the store's size limit could not be set: \(error)")
            }
        }
        self.storeLimit = storeLimit
    }
}
