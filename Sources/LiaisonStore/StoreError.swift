/// A failure of the hub's store, with what to do about it.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable {
        package let name: String
        package static let cannotOpen = Code(name: "cannot-open")
        package static let commitFailed = Code(name: "commit-failed")
        package static let readFailed = Code(name: "read-failed")
        /// A store file or secret key that group or others may read (the message names the `chmod` to run).
        package static let notPrivate = Code(name: "not-private")
        /// A secret key that exists but cannot be read, or is not a key: start-up stops rather than replace it.
        package static let badKey = Code(name: "bad-key")
        /// The database is a standby in recovery (read-only): the store must be on the primary.
        package static let standbyDatabase = Code(name: "standby-database")
        /// Another broker holds the store's lease (PostgreSQL; on SQLite the broker's file lock says so).
        package static let leaseHeld = Code(name: "lease-held")
        /// A stop was asked for while waiting for the store or its lease.
        package static let stopped = Code(name: "stopped")
    }

    package var code: Code
    package var message: String
    package var cause: (any Error)?

    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    package var description: String {
        cause.map { "\(message) (\($0))" } ?? message
    }
}
