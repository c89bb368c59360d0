import Crypto
import StrictJSON

/// What the broker needs of its store, whatever the engine: the group commit and queue reads of `HubLedger`, and the
/// upkeep between commits (checkpoints, the retention sweep) and what it reads at start. `HubStore` (SQLite) and
/// `PostgresHubStore` (LiaisonStorePostgres) conform; the broker holds one as `any BrokerStore` and never asks which.
package protocol BrokerStore: HubLedger {
    /// The engine, for logs and `status` ("sqlite", "postgresql").
    var engine: String { get }
    /// Where the store is, for messages (a path or a URL without its password).
    var displayName: String { get }
    /// The number of entries in the audit log, as committed by this store.
    var auditTreeSize: Int { get }
    /// Whether the store has lost its connection and must be opened again (never true for SQLite): the broker then
    /// stops serving, reopens the store (waiting for it and its lease) and rebuilds its state from it.
    var isLost: Bool { get }
    /// Signs and stores a checkpoint of the tree as committed, if it has grown since the last one.
    @discardableResult
    func writeCheckpoint(origin: String, key: Curve25519.Signing.PrivateKey, at: Int64) throws(StoreError) -> String?
    /// Deletes at most `limit` bodies whose retention has ended, audited in the same transaction
    /// (`LedgerTransaction.sweepExpiredBodies`). Returns how many it deleted.
    func deleteExpiredBodies(now: Int64, limit: Int) throws(StoreError) -> Int
    /// Every cohort: owner agency, then cohort name, then members (what the broker loads at start).
    func cohorts() throws(StoreError) -> [String: [String: Set<String>]]
    /// How many deliveries each recipient has pending (the broker's queue gauges start from here).
    func pendingDeliveryCounts() throws(StoreError) -> [String: Int]
    /// Caps the store's size (`limits.max_store_mib`), or lifts the cap (nil). SQLite only: the configuration
    /// refuses the limit for a PostgreSQL store, whose size is the database administrator's.
    func limitSize(to bytes: Int?) throws(StoreError)
    /// Closes the store (and, on PostgreSQL, gives up the broker's lease).
    func close()
}

extension LedgerTransaction {
    /// Deletes the bodies whose retention has ended (`deleteExpiredBodies(now:limit:)`) and, if there were any,
    /// records that in the audit log in the same transaction, with their sequences (never their content).
    ///
    /// - Returns: the sequences whose bodies were deleted.
    package func sweepExpiredBodies(now: Int64, limit: Int) throws -> [Int64] {
        let sequences = try deleteExpiredBodies(now: now, limit: limit)
        if !sequences.isEmpty {
            var json = JSONText()
            json.string("reason", "retention")
            json.integer("count", Int64(sequences.count))
            json.integers("sequences", sequences)
            try append(AuditEvent(.bodiesDeleted, at: now, detail: String(decoding: json.finish(), as: UTF8.self)))
        }
        return sequences
    }
}

extension HubStore: BrokerStore {
    package var engine: String { "sqlite" }
    package var displayName: String { path }
    package var auditTreeSize: Int { frontier.size }
    package var isLost: Bool { false }

    package func deleteExpiredBodies(now: Int64, limit: Int) throws(StoreError) -> Int {
        let deleted = try transaction { tx in try tx.sweepExpiredBodies(now: now, limit: limit).count }
        if deleted > 0 {
            // secure_delete zeroes the pages in the database file, but their old images stay in the WAL until it is
            // reused: checkpoint and truncate it so the deleted bodies leave the disk now.
            truncateWriteAheadLog()
        }
        return deleted
    }

    /// Nothing to do: the SQLite file closes when the broker lets the store go (the broker's file lock is its lease).
    package func close() {}
}
