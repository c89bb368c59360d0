import LiaisonProtocol

/// The writes of one group commit, whatever the engine: `HubTransaction` (SQLite) and the PostgreSQL store's
/// transaction (LiaisonStorePostgres) both conform, and `apply(_:at:)` (HubStore+Commit.swift) is the one place that
/// decides what a batch does with them, so both engines give the same sequences, audit entries and tree.
package protocol LedgerTransaction {
    /// Called once with a batch's operations before any of them is applied, so that an engine may read ahead what the
    /// batch needs in one go (the PostgreSQL store: which of its messages are held already). Does nothing by default.
    func prepare(_ operations: [StoreOperation]) throws
    /// Stores a message, or finds it held already: then nothing is stored and the first message's sequence is returned.
    func insertMessage(
        source: String, messageID: String, type: String, envelope: [UInt8], body: [UInt8], bodyDigest: String,
        receivedAt: Int64, expiresAt: Int64, retainUntil: Int64?
    ) throws -> (sequence: Int64, duplicate: Bool)
    /// One pending delivery for each recipient, with its view, envelope view and audit entry.
    func insertDeliveries(
        sequence: Int64, recipients: [AgencyID], views: [AgencyID: [UInt8]], envelopeViews: [AgencyID: [UInt8]],
        auditEntries: [AgencyID: Int64]
    ) throws
    /// Indexes a message under its subjects' keyed pseudonyms with the audit entries that record it.
    func indexSubjects(_ pseudonyms: [String], sequence: Int64, entries: ClosedRange<Int64>) throws
    /// Appends one audit record (and its leaf to the tree); returns its entry.
    @discardableResult
    func append(_ event: AuditEvent) throws -> Int64
    func recordAttempt(recipient: AgencyID, sequence: Int64) throws
    func acknowledge(recipient: AgencyID, sequence: Int64, at: Int64) throws
    func updateCohort(owner: AgencyID, name: String, operation: CohortOperation, members: [String]) throws
    /// False when the delivery was no longer pending: then nothing is recorded.
    @discardableResult
    func deadLetter(recipient: AgencyID, sequence: Int64, cause: DeadLetterCause, reason: String, at: Int64) throws -> Bool
    /// False when there is no such dead letter (or it was discarded).
    func replayDeadLetter(recipient: AgencyID, sequence: Int64) throws -> Bool
    /// Deletes the bodies and envelopes of messages whose retention has ended (not those still to be delivered or under
    /// a legal hold); returns their sequences, oldest first. Audited by `sweepExpiredBodies`.
    func deleteExpiredBodies(now: Int64, limit: Int) throws -> [Int64]
    /// False when there is no such dead letter (or it was already discarded).
    func discardDeadLetter(recipient: AgencyID, sequence: Int64, at: Int64) throws -> Bool
}

extension LedgerTransaction {
    package func prepare(_ operations: [StoreOperation]) throws {}
}

extension HubTransaction: LedgerTransaction {}
