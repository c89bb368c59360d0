/// An error in the Liaison Hub Protocol, with the numbered code sent in REJECTED (docs/protocol.md §6).
///
/// Codes in the 400s are permanent ("fix the command"); codes in the 500s are transient ("send it again").
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A protocol error code: its number on the wire and a stable name.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let number: Int
        public let name: String

        public init(number: Int, name: String) {
            self.number = number
            self.name = name
        }

        public static let badSignature = Code(number: 400, name: "bad-signature")
        public static let unknownCommand = Code(number: 401, name: "unknown-command")
        public static let malformedCommand = Code(number: 402, name: "malformed-command")
        public static let notReady = Code(number: 403, name: "not-ready")
        public static let invalidJSON = Code(number: 410, name: "invalid-json")
        public static let invalidEnvelope = Code(number: 411, name: "invalid-envelope")
        public static let spoofedSource = Code(number: 412, name: "spoofed-source")
        public static let tooLarge = Code(number: 413, name: "too-large")
        public static let unknownRecipient = Code(number: 414, name: "unknown-recipient")
        public static let noRecipients = Code(number: 415, name: "no-recipients")
        public static let unknownType = Code(number: 416, name: "unknown-type")
        public static let bodyNotJSON = Code(number: 417, name: "body-not-json")
        /// An `id`, `correlationid` or `subject` holds a token shaped like a UPN: ids and subjects reach the audit
        /// log, which can never be erased, so they must be opaque.
        public static let personalData = Code(number: 419, name: "personal-data")
        public static let unknownDelivery = Code(number: 420, name: "unknown-delivery")
        public static let schemaViolation = Code(number: 422, name: "schema-violation")
        public static let denied = Code(number: 451, name: "denied")
        public static let storeUnavailable = Code(number: 503, name: "store-unavailable")

        public static let all: [Code] = [
            .badSignature, .unknownCommand, .malformedCommand, .notReady, .invalidJSON, .invalidEnvelope,
            .spoofedSource, .tooLarge, .unknownRecipient, .noRecipients, .unknownType, .bodyNotJSON, .personalData, .unknownDelivery,
            .schemaViolation, .denied, .storeUnavailable,
        ]

        /// The code with this number, or an unnamed one for numbers this version does not know.
        public init(number: Int) {
            self = Code.all.first { $0.number == number } ?? Code(number: number, name: "code-\(number)")
        }

        /// Whether re-sending the same command later may succeed.
        public var isTransient: Bool { number >= 500 }

        public var description: String { "\(number) \(name)" }
    }

    public var code: Code
    /// What went wrong and what to do about it, fit to show a person.
    public var message: String
    /// The message id or delivery tag the error refers to; empty when there is none.
    public var reference: String

    public init(_ code: Code, _ message: String, reference: String = "") {
        self.code = code
        self.message = message
        self.reference = reference
    }

    public var description: String { "\(code): \(message)" }
}
