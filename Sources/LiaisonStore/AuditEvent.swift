import LiaisonProtocol

/// One record of the append-only audit log. It names ids, agencies, types, codes and the SHA-256 of a body:
/// never a body, and never personal data.
package struct AuditEvent: Sendable, Equatable {
    /// What happened. Raw values are what the log stores.
    package enum Kind: String, Sendable, CaseIterable {
        case configurationLoaded = "configuration-loaded"
        case handshakeRefused = "handshake-refused"
        case adapterConnected = "adapter-connected"
        case adapterGone = "adapter-gone"
        case accepted
        case duplicate
        case rejected
        case delivered
        case acknowledged
        case nackRetry = "nack-retry"
        case deadLettered = "dead-lettered"
        case expired
        case brokerStopped = "broker-stopped"
        /// A sharing-rule decision for one recipient of one message (detail: its JSON record).
        case decision
        case cohortUpdated = "cohort-updated"
        /// Message bodies deleted at the end of their agreement's retention period (detail: the sequences).
        case bodiesDeleted = "bodies-deleted"
        /// A legal hold placed on, or released from, one child's messages (detail: pseudonym and reference).
        case legalHoldPlaced = "legal-hold-placed"
        case legalHoldReleased = "legal-hold-released"
        /// An operator put a dead letter back on its recipient's queue, or discarded it, through the broker's admin
        /// interface (detail: the operator and the dead letter's cause).
        case deadLetterReplayed = "dead-letter-replayed"
        case deadLetterDiscarded = "dead-letter-discarded"
    }

    package var kind: Kind
    /// Milliseconds since 1970 (UTC).
    package var at: Int64
    /// The agency that acted (the sender, the recipient that acked, the agency that connected).
    package var agency: String?
    /// The peer's network address, for connections and refusals.
    package var peer: String?
    package var messageID: String?
    package var sequence: Int64?
    package var type: String?
    package var recipient: String?
    package var bodyDigest: String?
    package var code: Int?
    /// A short, non-personal explanation (an error's name, a key fingerprint, an adapter's name).
    package var detail: String?

    package init(
        _ kind: Kind, at: Int64, agency: String? = nil, peer: String? = nil, messageID: String? = nil,
        sequence: Int64? = nil, type: String? = nil, recipient: String? = nil, bodyDigest: String? = nil,
        code: Int? = nil, detail: String? = nil
    ) {
        self.kind = kind
        self.at = at
        self.agency = agency
        self.peer = peer
        self.messageID = messageID
        self.sequence = sequence
        self.type = type
        self.recipient = recipient
        self.bodyDigest = bodyDigest
        self.code = code
        self.detail = detail
    }
}

/// An audit event as stored, with its position in the log.
package struct AuditRecord: Sendable, Equatable {
    package var entry: Int64
    package var event: AuditEvent

    package init(entry: Int64, event: AuditEvent) {
        self.entry = entry
        self.event = event
    }
}
