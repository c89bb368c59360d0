import LiaisonProtocol

/// Why an adapter operation failed, with what to do about it.
public struct AdapterError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// No WELCOME arrived in time: the hub is down or unreachable, or the hub public key this adapter has is wrong.
        public static let noAnswer = Code(name: "no-answer")
        /// The hub rejected the message (see `protocolError`).
        public static let rejected = Code(name: "rejected")
        /// The hub refused this agency's key in the CURVE handshake: its agencies.yaml does not list it (or not today).
        public static let keyRefused = Code(name: "key-refused")
        /// The client was closed before the operation finished.
        public static let closed = Code(name: "closed")
        /// The hub did not accept the message in time (it may still do so later).
        public static let timedOut = Code(name: "timed-out")
        public static let badKeys = Code(name: "bad-keys")
        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// For `rejected`: the hub's code and reason.
    public var protocolError: ProtocolError?

    public init(_ code: Code, _ message: String, protocolError: ProtocolError? = nil) {
        self.code = code
        self.message = message
        self.protocolError = protocolError
    }

    public var description: String { message }
}
