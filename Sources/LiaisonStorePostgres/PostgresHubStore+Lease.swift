import Crypto
import Foundation
import LiaisonStore
import PostgresNIO

/// The broker's lease on a PostgreSQL store: two brokers run against one database, and the one whose connection holds
/// the session-level advisory lock `leaseLock` is the active one (issue 16). Advisory locks belong to the database, not
/// the schema, so the lock is named by the store's schema: hubs in two schemas of one database have a lease each.
///
/// The lock lives exactly as long as the session: a broker that stops closes it; one killed (kill -9) has its socket
/// closed by the kernel and the server ends the session at once; one whose host vanishes is ended by TCP keepalive
/// (set for the session, about 11 s). The waiting broker then gets the lock. The lease also fences: every write goes
/// through the same connection that holds it, so a broker that has lost its session can write nothing more until it
/// has opened the store, and taken the lease, again.
extension PostgresHubStore {
    /// How a broker takes the lease when it opens the store.
    package struct Lease: Sendable {
        /// Wait for the lease while another broker holds it (`liaison broker --standby`), rather than fail.
        package var waits: Bool
        /// Polled while waiting: a stop ends the wait with `StoreError` `.stopped`.
        package var isStopRequested: @Sendable () -> Bool
        /// Told once, when this broker starts to wait, and why.
        package var onWaiting: @Sendable (String) -> Void

        package init(
            waits: Bool, isStopRequested: @escaping @Sendable () -> Bool = { false }, onWaiting: @escaping @Sendable (String) -> Void = { _ in }
        ) {
            self.waits = waits
            self.isStopRequested = isStopRequested
            self.onWaiting = onWaiting
        }
    }

    /// The lease's advisory lock, in PostgreSQL's two-key form (`pg_locks.classid`, `objid`, `objsubid = 2`): "LIAI" in
    /// ASCII, and the FNV-1a hash of the store's schema name (31 bits, so `objid` reads the same as an oid).
    package var leaseLock: (classID: Int32, objectID: Int32) {
        var hash: UInt32 = 2_166_136_261
        for byte in configuration.schema.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return (0x4C49_4149, Int32(bitPattern: hash & 0x7FFF_FFFF))
    }

    /// Takes the lease on this connection, or waits for it.
    func takeLease(_ lease: Lease) throws {
        var told = false
        let (classID, objectID) = leaseLock
        while true {
            if try run("SELECT pg_try_advisory_lock(\(classID), \(objectID))").rows.first?.decode(Bool.self) == true { return }
            guard lease.waits else {
                throw StoreError(
                    .leaseHeld,
                    "Another broker is running on this store (it holds the lease at \(configuration.displayName)): stop it, "
                        + "or start this one with --standby to take over when it stops.")
            }
            if !told {
                lease.onWaiting("another broker holds the store's lease at \(configuration.displayName)")
                told = true
            }
            guard !lease.isStopRequested() else { throw StoreError(.stopped, "Stopped while waiting for the store's lease.") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Opens the store at the first of `urls` that is a writable primary, taking the lease. A list names the primary
    /// and its standbys, as libpq's `target_session_attrs=read-write` would: after a promotion the brokers find the new
    /// primary without a change to hub.yaml. With `lease.waits`, waits for a primary (looking again every 0.2 s) and for
    /// the lease.
    ///
    /// - Throws: `StoreError`: `.leaseHeld` (not waiting), `.stopped`, or `.cannotOpen` naming what each URL said.
    package static func open(
        urls: [String], environment: [String: String] = ProcessInfo.processInfo.environment, lease: Lease?
    ) throws(StoreError) -> PostgresHubStore {
        let configurations = try urls.map { (url) throws(StoreError) in try PostgresStoreConfiguration(url: url, environment: environment) }
        var toldNoPrimary = false
        while true {
            var failures: [String] = []
            for configuration in configurations {
                do {
                    return try PostgresHubStore(configuration: configuration, lease: lease)
                } catch where error.code == .leaseHeld || error.code == .stopped {
                    throw error
                } catch {
                    failures.append(error.message)
                }
            }
            guard let lease, lease.waits else {
                throw StoreError(.cannotOpen, failures.joined(separator: " "))
            }
            if !toldNoPrimary {
                lease.onWaiting("no writable primary yet: \(failures.joined(separator: " "))")
                toldNoPrimary = true
            }
            let until = ContinuousClock.now + .milliseconds(200)
            while ContinuousClock.now < until {
                guard !lease.isStopRequested() else { throw StoreError(.stopped, "Stopped while waiting for the store.") }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }
}

extension PostgresHubStore: BrokerStore {
    package var engine: String { "postgresql" }
    package var displayName: String { configuration.displayName }
    package var auditTreeSize: Int { frontier.size }
    package var isLost: Bool { connection.isClosed }

    package func deleteExpiredBodies(now: Int64, limit: Int) throws(StoreError) -> Int {
        try transaction { tx in try tx.sweepExpiredBodies(now: now, limit: limit).count }
    }

    /// A PostgreSQL store's size is the database administrator's to limit; the configuration refuses
    /// `max_store_mib` for it, so this is only ever asked to lift a limit.
    package func limitSize(to bytes: Int?) throws(StoreError) {}
}
