import LiaisonProtocol

/// A message the hub has admitted, as the store is to keep it: immutable once planned.
package struct MessagePlan: Sendable {
    package var envelope: Envelope
    /// The envelope as stored and forwarded: rebuilt from what the hub read, never the sender's bytes.
    package var envelopeBytes: [UInt8]
    package var body: [UInt8]
    package var bodyDigest: String
    /// The recipients the message goes to (named, or decided by the sharing rules); none for a cohort update.
    package var recipients: [AgencyID]
    /// Each recipient's minimised body, where the rules made one smaller than the whole body.
    package var views: [AgencyID: [UInt8]]
    /// Each recipient's envelope, where the rules apply (its own `recipients`, no free text the flow does not allow).
    package var envelopeViews: [AgencyID: [UInt8]]
    /// Audit records (decisions, a cohort change) written only if the message is new, in order.
    package var auditOnInsert: [AuditEvent]
    /// A cohort change applied with the message, unless the message is a resend.
    package var cohort: CohortChange?
    /// Keyed pseudonyms of the children in the body, for the subject index.
    package var subjects: [String]
    package var receivedAt: Int64
    package var expiresAt: Int64
    /// When the body may be deleted; nil keeps it until someone decides.
    package var retainUntil: Int64?

    package init(
        envelope: Envelope, envelopeBytes: [UInt8], body: [UInt8], bodyDigest: String, recipients: [AgencyID],
        views: [AgencyID: [UInt8]] = [:], envelopeViews: [AgencyID: [UInt8]] = [:], auditOnInsert: [AuditEvent] = [],
        cohort: CohortChange? = nil, subjects: [String] = [], receivedAt: Int64, expiresAt: Int64, retainUntil: Int64? = nil
    ) {
        self.envelope = envelope
        self.envelopeBytes = envelopeBytes
        self.body = body
        self.bodyDigest = bodyDigest
        self.recipients = recipients
        self.views = views
        self.envelopeViews = envelopeViews
        self.auditOnInsert = auditOnInsert
        self.cohort = cohort
        self.subjects = subjects
        self.receivedAt = receivedAt
        self.expiresAt = expiresAt
        self.retainUntil = retainUntil
    }
}

/// A change to one of an agency's cohorts.
package struct CohortChange: Sendable, Equatable {
    package var owner: AgencyID
    package var name: String
    package var operation: CohortOperation
    package var members: [String]

    package init(owner: AgencyID, name: String, operation: CohortOperation, members: [String]) {
        self.owner = owner
        self.name = name
        self.operation = operation
        self.members = members
    }
}

/// One operation of a group commit.
package enum StoreOperation: Sendable {
    case insert(MessagePlan)
    case audit(AuditEvent)
    case attempt(recipient: AgencyID, sequence: Int64)
    case acknowledge(QueuedDelivery)
    /// With the audit record to write if, and only if, the delivery was still pending.
    case deadLetter(QueuedDelivery, cause: DeadLetterCause, reason: String, audit: AuditEvent)
    /// An operator's replay: the dead letter's row goes, its delivery is pending again (attempts from zero); the
    /// audit record is written if, and only if, the dead letter was there (and not discarded).
    case replayDeadLetter(recipient: AgencyID, sequence: Int64, audit: AuditEvent)
    /// An operator's discard: the dead letter is marked discarded (kept, no longer listed), audited the same way.
    case discardDeadLetter(recipient: AgencyID, sequence: Int64, audit: AuditEvent)
}

/// What one group commit did with each message it was given.
package struct CommitResult: Sendable, Equatable {
    /// What happened to one `insert`.
    package struct Stored: Sendable, Equatable {
        package var sequence: Int64
        /// The message (source, id) was already held: nothing was stored, and `sequence` is the first's.
        package var duplicate: Bool
        /// The audit entry recording the acceptance (nil for a duplicate).
        package var auditEntry: Int64?
        /// Per recipient, the audit entry its delivery names: its decision, or the acceptance.
        package var recipientEntries: [AgencyID: Int64]

        package init(sequence: Int64, duplicate: Bool, auditEntry: Int64?, recipientEntries: [AgencyID: Int64]) {
            self.sequence = sequence
            self.duplicate = duplicate
            self.auditEntry = auditEntry
            self.recipientEntries = recipientEntries
        }
    }

    /// By the index of the `insert` in the batch.
    package var stored: [Int: Stored] = [:]
    /// The indices of the `replayDeadLetter` / `discardDeadLetter` operations that found their dead letter.
    package var found: Set<Int> = []

    package init(stored: [Int: Stored] = [:], found: Set<Int> = []) {
        self.stored = stored
        self.found = found
    }
}

/// What the hub's core needs from a store: one transaction per batch, and the reads that page deliveries in.
///
/// `HubStore` (SQLite) is the store the broker runs on; the core's tests use one in memory.
package protocol HubLedger: AnyObject {
    /// Commits every operation in one transaction, or none of them.
    func commit(_ operations: [StoreOperation], at wallNow: Int64) throws(StoreError) -> CommitResult
    /// The next pending deliveries for `recipient` after `sequence`, oldest first.
    func pendingDeliveries(recipient: AgencyID, after sequence: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery]
    /// Pending deliveries whose message expired at or before `now`.
    func expiredDeliveries(now: Int64, limit: Int) throws(StoreError) -> [QueuedDelivery]
    /// The sequence and recipients of a message already held, for answering a resend.
    func heldSequence(source: AgencyID, messageID: String) throws(StoreError) -> (sequence: Int64, recipients: [AgencyID])?
}
