import LiaisonProtocol

/// A message the hub delivered to this adapter. Settle each one with `ack` or `nack`.
public struct Delivery: Sendable {
    /// The hub's delivery tag (its sequence number for the message).
    public let tag: Int64
    public let envelope: Envelope
    public let body: [UInt8]
    /// The connection it arrived on: a settlement for an older connection is dropped (the hub requeued it).
    let generation: Int

    public init(tag: Int64, envelope: Envelope, body: [UInt8], generation: Int) {
        self.tag = tag
        self.envelope = envelope
        self.body = body
        self.generation = generation
    }
}
