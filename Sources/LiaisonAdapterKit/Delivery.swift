import LiaisonProtocol

/// A message the hub delivered to this adapter. Settle each one with `ack` or `nack`.
public struct Delivery: Sendable {
    /// The hub's delivery tag (its sequence number for the message).
    public let tag: Int64
    public let envelope: Envelope
    public let body: [UInt8]
    /// The hub's audit entry recording this exchange (its decision for this agency, or the acceptance):
    /// `liaison audit receipt --entry N` proves it. Nil from a hub that does not send it.
    public let auditEntry: Int64?
    /// The connection it arrived on: a settlement for an older connection is dropped (the hub requeued it).
    let generation: Int

    public init(tag: Int64, envelope: Envelope, body: [UInt8], auditEntry: Int64? = nil, generation: Int) {
        self.tag = tag
        self.auditEntry = auditEntry
        self.envelope = envelope
        self.body = body
        self.generation = generation
    }
}
