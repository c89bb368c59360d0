import StrictJSON

/// The JSON of HELLO (docs/protocol.md §2.2).
public struct Hello: Codable, Sendable, Equatable {
    public var adapter: String
    public var version: String
    /// Message types the adapter accepts; empty or `["*"]` for every type.
    public var consumes: [String]
    /// The adapter's window: the most unacknowledged deliveries it can hold.
    public var credit: Int

    public init(adapter: String, version: String, consumes: [String] = ["*"], credit: Int) {
        self.adapter = adapter
        self.version = version
        self.consumes = consumes
        self.credit = credit
    }

    /// Whether this adapter takes messages of `type`.
    public func consumes(_ type: MessageType) -> Bool {
        consumes.isEmpty || consumes.contains("*") || consumes.contains(type.rawValue)
    }
}

/// The JSON of WELCOME.
public struct Welcome: Codable, Sendable, Equatable {
    public var agency: String
    public var hub: String
    public var heartbeatMilliseconds: Int
    public var maxBodyBytes: Int
    public var maxEnvelopeBytes: Int
    public var credit: Int
    /// How many times a delivery is tried (NACK retry) before it becomes a dead letter.
    public var maxAttempts: Int?

    public init(
        agency: String, hub: String, heartbeatMilliseconds: Int, maxBodyBytes: Int, maxEnvelopeBytes: Int, credit: Int,
        maxAttempts: Int? = nil
    ) {
        self.maxAttempts = maxAttempts
        self.agency = agency
        self.hub = hub
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.maxBodyBytes = maxBodyBytes
        self.maxEnvelopeBytes = maxEnvelopeBytes
        self.credit = credit
    }

    enum CodingKeys: String, CodingKey {
        case agency, hub, credit
        case heartbeatMilliseconds = "heartbeat_ms"
        case maxBodyBytes = "max_body_bytes"
        case maxEnvelopeBytes = "max_envelope_bytes"
        case maxAttempts = "max_attempts"
    }
}

/// The JSON receipt of ACCEPTED.
public struct Receipt: Codable, Sendable, Equatable {
    /// The hub's sequence number for the message.
    public var sequence: Int64
    public var recipients: [String]
    /// True when the hub already held this (source, id): nothing new was stored.
    public var duplicate: Bool
    /// The audit entry that records the acceptance: fetch its receipt (inclusion proof and signed
    /// checkpoint) with `liaison audit receipt --entry N`. Absent for a duplicate.
    public var auditEntry: Int64?

    public init(sequence: Int64, recipients: [String], duplicate: Bool, auditEntry: Int64? = nil) {
        self.sequence = sequence
        self.recipients = recipients
        self.duplicate = duplicate
        self.auditEntry = auditEntry
    }

    enum CodingKeys: String, CodingKey {
        case sequence, recipients, duplicate
        case auditEntry = "audit_entry"
    }

    /// The receipt's JSON (sent with every ACCEPTED, so written without Foundation's encoder).
    func encoded() -> [UInt8] {
        var json = JSONText(capacity: 64)
        json.integer("sequence", sequence)
        json.strings("recipients", recipients)
        json.boolean("duplicate", duplicate)
        if let auditEntry { json.integer("audit_entry", auditEntry) }
        return json.finish()
    }
}

/// What an adapter asks of a refused delivery.
public enum NackDisposition: String, Sendable, Equatable {
    case retry
    case reject
}

/// Commands an adapter sends to the broker.
public enum AdapterCommand: Sendable, Equatable {
    case hello(Hello)
    /// The envelope stays as raw bytes here: the broker checks it separately, after the frames.
    case send(envelope: [UInt8], body: [UInt8])
    case ack(tag: Int64)
    case nack(tag: Int64, disposition: NackDisposition, reason: String)
    case heartbeat
    case goodbye
}

/// Commands the broker sends to an adapter.
public enum HubCommand: Sendable, Equatable {
    case welcome(Welcome)
    case accepted(messageID: String, receipt: Receipt)
    case rejected(reference: String, code: ProtocolError.Code, reason: String)
    /// `auditEntry`: the hub's audit entry that records this exchange (the recipient's decision, or the acceptance).
    case deliver(tag: Int64, envelope: [UInt8], body: [UInt8], auditEntry: Int64?)
    case heartbeat
    case goodbye
}
