/// Why the console cannot start or a user command cannot be done; the message says what to do.
public struct ConsoleError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `console.yaml` is wrong (the message names the file and line).
        case configInvalid = "config-invalid"
        /// A page template does not parse (a programming error, caught at startup).
        case templateInvalid = "template-invalid"
        /// A user command's name, role or password is not acceptable, or the user is unknown or already there.
        case userInvalid = "user-invalid"
        /// The console's state folder, store or view key cannot be made or used.
        case stateUnusable = "state-unusable"
        /// The TLS certificate or key cannot be read.
        case tlsUnusable = "tls-unusable"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
