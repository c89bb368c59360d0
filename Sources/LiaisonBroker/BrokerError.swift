/// Why the broker could not start or run, with what to do about it.
public struct BrokerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let name: String
        public static let noCurve = Code(name: "no-curve")
        public static let zapBindFailed = Code(name: "zap-bind-failed")
        public static let bindFailed = Code(name: "bind-failed")
        /// Another broker already runs on this endpoint or this store.
        public static let alreadyRunning = Code(name: "already-running")
        public static let keys = Code(name: "keys")
        public static let store = Code(name: "store")
        public static let schemas = Code(name: "schemas")
        public static let rules = Code(name: "rules")
        public static let stopped = Code(name: "stopped")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
