import Crypto
import LiaisonConfig
import LiaisonStore
import Logging

/// The store's upkeep between commits: signed checkpoints of the audit tree, and deleting bodies at the end of
/// their retention. Runs on the commit thread's queue (it writes to the store and reads the tree's edge that
/// commits move), never beside a commit.
final class StoreHousekeeping {
    let store: any BrokerStore
    let configuration: HubConfiguration
    /// Signs the audit tree's checkpoints.
    let checkpointKey: Curve25519.Signing.PrivateKey
    let logger: Logger
    var lastCheckpointSize = 0
    var lastCheckpointAt: Int64 = 0
    /// When bodies past their retention were last looked for (0: at the first turn of the loop).
    var lastRetentionSweepAt: Int64 = 0

    init(store: any BrokerStore, configuration: HubConfiguration, checkpointKey: Curve25519.Signing.PrivateKey, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.checkpointKey = checkpointKey
        self.logger = logger
    }

    /// Signs a checkpoint when enough entries or time have passed since the last (and at shutdown).
    func checkpointIfDue(force: Bool, now: Int64) {
        let size = store.auditTreeSize
        guard size > lastCheckpointSize else { return }
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

    /// Deletes the bodies whose retention has ended (not those under a legal hold or still to be delivered), a
    /// batch at a time, audited; runs every `retention sweep` interval.
    func deleteExpiredBodiesIfDue(now: Int64) {
        guard now - lastRetentionSweepAt >= configuration.retentionSweepMilliseconds else { return }
        lastRetentionSweepAt = now
        do {
            let deleted = try store.deleteExpiredBodies(now: now, limit: 1000)
            if deleted > 0 {
                logger.info("Deleted message bodies at the end of their retention", metadata: ["count": "\(deleted)"])
                // More may be due: look again on the next turn rather than after a whole interval.
                if deleted == 1000 { lastRetentionSweepAt = 0 }
            }
        } catch {
            logger.error("Could not delete expired message bodies: \(error)")
        }
    }
}
