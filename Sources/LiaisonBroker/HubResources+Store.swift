import Foundation
import LiaisonConfig
import LiaisonStore
import LiaisonStorePostgres
import Logging

extension HubResources {
    /// Opens the hub's store (`store:` in hub.yaml) and takes the broker's lease on it, or waits for the lease
    /// (`--standby`): on SQLite the `broker.lock` flock in the data folder, on PostgreSQL a session-level advisory lock
    /// held by the store's own connection (`PostgresHubStore.Lease`).
    ///
    /// - Returns: the store, and the file lock on SQLite (nil on PostgreSQL, whose connection is the lease).
    static func openStore(
        configuration: HubConfiguration, control: BrokerControl, logger: Logger
    ) throws(BrokerError) -> (any BrokerStore, InstanceLock?) {
        try? FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        switch configuration.store {
        case .sqlite:
            let lockPath = "\(configuration.dataDirectory)/broker.lock"
            let lock: InstanceLock
            if configuration.waitsForLease {
                // Everything else is loaded already, so taking over costs only the store's opening and the binds.
                lock = try InstanceLock.waitForLease(path: lockPath, isStopRequested: { control.isStopRequested }) { holder in
                    logger.info(
                        "Standby: another broker holds the store's lease; taking over when it stops",
                        metadata: ["lock": "\(lockPath)", "holder": "\(holder.map(String.init) ?? "unknown")"])
                }
                logger.info("Took over the store's lease", metadata: ["lock": "\(lockPath)"])
            } else {
                lock = try InstanceLock(path: lockPath)
            }
            do {
                let store = try HubStore(path: configuration.databasePath, buildsTree: configuration.buildsAuditTree)
                // No commit a sender waits for copies the log into the database file (the latency's tail).
                try store.checkpointInBackground(observer: StoreMetrics.checkpointObserver(registry: control.registry))
                return (store, lock)
            } catch {
                throw BrokerError(.store, error.description)
            }
        case .postgresql(let urls):
            let lease = PostgresHubStore.Lease(
                waits: configuration.waitsForLease, isStopRequested: { control.isStopRequested },
                onWaiting: { reason in logger.info("Standby: \(reason); taking over when it can") })
            do {
                let store = try PostgresHubStore.open(urls: urls, lease: lease)
                logger.info("Took over the store's lease", metadata: ["store": "\(store.displayName)"])
                return (store, nil)
            } catch where error.code == .leaseHeld {
                throw BrokerError(.alreadyRunning, error.message)
            } catch where error.code == .stopped {
                throw BrokerError(.stopped, "The standby broker stopped before it took over.")
            } catch {
                throw BrokerError(.store, error.description)
            }
        }
    }
}
