import Crypto
import Foundation
import GRDB
import HummingbirdBcrypt
import NIOPosix

/// The console's own store, `console.sqlite` in its state folder: its users (name, role, bcrypt hash, disabled), the
/// failed sign-in attempts behind the rate limit, and the view log: every view of a child's record, by whom, when and
/// on which page, with the child as a pseudonym (HMAC-SHA256 of the UPN under `view.key`, never the UPN), so the IG
/// officer can find a child's views by their UPN while the log itself holds none.
///
/// SQLite runs on GRDB's own serial queue (its async API) and bcrypt on NIO's thread pool: neither blocks Swift's
/// cooperative pool. The folder is made 0700, the store and the key 0600, from their first byte.
public final class ConsoleUsers: Sendable {
    /// How a sign-in went.
    public enum SignIn: Sendable, Equatable {
        case signedIn(ConsoleUser)
        /// Unknown name, wrong password or disabled user: one message for all three, so names cannot be probed.
        case refused
        /// Too many failures for the name or the address lately.
        case limited
    }

    /// A user as stored (without the hash).
    public struct User: Sendable, Equatable {
        public let name: String
        public let role: ConsoleRole
        public let disabled: Bool
        public let createdAt: Date
        public let passwordSetAt: Date
    }

    /// One view of a child's record.
    public struct View: Sendable, Equatable {
        public let at: Date
        public let user: String
        /// HMAC-SHA256 of the UPN under the view key, hex.
        public let pseudonym: String
        public let page: String
    }

    /// Failures per user name, and per remote address, within ``window`` that refuse further attempts.
    public static let failureLimit = 5
    /// The rate limit's window.
    public static let window: TimeInterval = 15 * 60
    /// Bcrypt counts only a password's first 72 bytes.
    static let passwordBytes = 12...72

    let queue: DatabaseQueue
    /// The view key's 32 bytes.
    let viewKey: [UInt8]
    let bcryptCost: UInt8
    let now: @Sendable () -> Date

    /// Opens (making on the first start) the store and view key in `folder`.
    ///
    /// - Throws: ``ConsoleError`` `state-unusable` naming the file and what to do.
    public init(folder: String, bcryptCost: UInt8 = 12, now: @escaping @Sendable () -> Date = { Date() }) throws(ConsoleError) {
        precondition((4...31).contains(bcryptCost), "bcrypt's cost is 4 to 31")
        self.bcryptCost = bcryptCost
        self.now = now
        try PrivateFiles.folder(folder)
        viewKey = try PrivateFiles.key(at: "\(folder)/view.key")
        let path = "\(folder)/console.sqlite"
        try PrivateFiles.create(path)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw ConsoleError(.stateUnusable, "Cannot open the console's store \(path): \(error).")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    created_at DATETIME NOT NULL,
                    password_set_at DATETIME NOT NULL
                );
                CREATE TABLE views (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at DATETIME NOT NULL,
                    user TEXT NOT NULL,
                    child TEXT NOT NULL,
                    page TEXT NOT NULL
                );
                CREATE INDEX views_child ON views(child, at);
                CREATE INDEX views_user ON views(user, at);
                CREATE TABLE login_failures (
                    at DATETIME NOT NULL,
                    name TEXT NOT NULL,
                    address TEXT
                );
                CREATE INDEX login_failures_name ON login_failures(name, at);
                CREATE INDEX login_failures_address ON login_failures(address, at);
                """)
        }
        return migrator
    }

    // MARK: Users

    /// Adds a user.
    ///
    /// - Throws: ``ConsoleError`` `user-invalid` when the name or password is not acceptable or the name is taken.
    public func add(name: String, role: ConsoleRole, password: String) async throws {
        try Self.check(name: name)
        let hash = try await hash(password)
        let time = now()
        let added = try await queue.write { db -> Bool in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [name]) == nil else { return false }
            try db.execute(
                sql: "INSERT INTO users (name, role, hash, disabled, created_at, password_set_at) VALUES (?, ?, ?, 0, ?, ?)",
                arguments: [name, role.rawValue, hash, time, time])
            return true
        }
        guard added else { throw ConsoleError(.userInvalid, "There is already a user named \(name): use `liaison console user reset` to change their password.") }
    }

    /// Disables a user: they can no longer sign in (their sessions are ended by the caller).
    public func disable(name: String) async throws {
        let changed = try await queue.write { db in
            try db.execute(sql: "UPDATE users SET disabled = 1 WHERE name = ?", arguments: [name])
            return db.changesCount
        }
        guard changed == 1 else { throw Self.unknown(name) }
    }

    /// Sets a new password and enables the user again; their failed attempts are forgotten.
    public func reset(name: String, password: String) async throws {
        let hash = try await hash(password)
        let time = now()
        let changed = try await queue.write { db in
            try db.execute(sql: "UPDATE users SET hash = ?, disabled = 0, password_set_at = ? WHERE name = ?", arguments: [hash, time, name])
            let changed = db.changesCount
            try db.execute(sql: "DELETE FROM login_failures WHERE name = ?", arguments: [name])
            return changed
        }
        guard changed == 1 else { throw Self.unknown(name) }
    }

    /// The user named `name`, if any.
    public func user(named name: String) async throws -> User? {
        try await queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.user)
        }
    }

    /// Every user, by name.
    public func all() async throws -> [User] {
        try await queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user) }
    }

    private static func user(_ row: Row) -> User {
        User(name: row["name"], role: ConsoleRole(rawValue: row["role"]) ?? .esw, disabled: row["disabled"], createdAt: row["created_at"],
             passwordSetAt: row["password_set_at"])
    }

    // MARK: Signing in

    /// Checks a sign-in: refused without trying the password when the name or the address has had
    /// ``failureLimit`` failures within ``window``; a failure is recorded, a success forgets the name's failures.
    public func signIn(name: String, password: String, address: String?) async throws -> SignIn {
        let time = now()
        let since = time.addingTimeInterval(-Self.window)
        let limited = try await queue.read { db in
            let byName = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM login_failures WHERE name = ? AND at > ?", arguments: [name, since]) ?? 0
            let byAddress = try address.map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM login_failures WHERE address = ? AND at > ?", arguments: [$0, since]) ?? 0
            } ?? 0
            return byName >= Self.failureLimit || byAddress >= Self.failureLimit
        }
        if limited { return .limited }
        let stored = try await queue.read { db in
            try Row.fetchOne(db, sql: "SELECT role, hash, disabled FROM users WHERE name = ?", arguments: [name])
                .map { (role: $0["role"] as String, hash: $0["hash"] as String, disabled: $0["disabled"] as Bool) }
        }
        let cost = bcryptCost
        // An unknown name costs a hash, as long as a wrong password's check: timing does not tell which names exist.
        let matches = try await NIOThreadPool.singleton.runIfActive {
            guard let stored, password.utf8.count <= Self.passwordBytes.upperBound else { _ = Bcrypt.hash(password, cost: cost); return false }
            return Bcrypt.verify(password, hash: stored.hash)
        }
        if matches, let stored, !stored.disabled, let role = ConsoleRole(rawValue: stored.role) {
            try await queue.write { db in try db.execute(sql: "DELETE FROM login_failures WHERE name = ?", arguments: [name]) }
            return .signedIn(ConsoleUser(name: name, role: role))
        }
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO login_failures (at, name, address) VALUES (?, ?, ?)", arguments: [time, name, address])
            try db.execute(sql: "DELETE FROM login_failures WHERE at < ?", arguments: [time.addingTimeInterval(-86_400)])
        }
        return .refused
    }

    // MARK: The view log

    /// The child's pseudonym in the view log: HMAC-SHA256 of the UPN (trimmed, in capitals) under the view key, hex.
    public func pseudonym(upn: String) -> String {
        let normalised = upn.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        return HMAC<SHA256>.authenticationCode(for: Data(normalised.utf8), using: SymmetricKey(data: viewKey)).map { String(format: "%02x", $0) }.joined()
    }

    /// Logs that `user` viewed the record of the child `upn` on `page` (such as `case 12` or `/children/...`: never
    /// the UPN or a name). Call it on every page that shows a child's record.
    public func recordView(user: String, upn: String, page: String) async throws {
        let child = pseudonym(upn: upn)
        let time = now()
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO views (at, user, child, page) VALUES (?, ?, ?, ?)", arguments: [time, user, child, page])
        }
    }

    /// The views, newest first, of the child `upn` and/or by `user`, from the start of `from` to the end of `to` (UTC
    /// dates; nil for no bound), at most `limit`.
    public func views(upn: String? = nil, user: String? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 500) async throws -> [View] {
        var conditions: [String] = [], arguments: StatementArguments = []
        if let upn { conditions.append("child = ?"); arguments += [pseudonym(upn: upn)] }
        if let user { conditions.append("user = ?"); arguments += [user] }
        if let from { conditions.append("at >= ?"); arguments += [from] }
        if let to { conditions.append("at < ?"); arguments += [to] }
        let sql = "SELECT at, user, child, page FROM views" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY at DESC, id DESC LIMIT \(max(1, limit))"
        let bound = arguments
        return try await queue.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { View(at: $0["at"], user: $0["user"], pseudonym: $0["child"], page: $0["page"]) }
        }
    }

    // MARK: Checks

    private func hash(_ password: String) async throws -> String {
        guard Self.passwordBytes.contains(password.utf8.count) else {
            throw ConsoleError(.userInvalid, "A password is 12 to 72 bytes long (bcrypt reads no further): choose a longer passphrase.")
        }
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    static func check(name: String) throws(ConsoleError) {
        let allowed = name.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2e || $0 == 0x2d || $0 == 0x5f }
        guard (1...64).contains(name.utf8.count), allowed else {
            throw ConsoleError(.userInvalid, "A user name is 1 to 64 lower-case letters, digits, '.', '-' or '_' (such as esw.smith): '\(name)' is not.")
        }
    }

    static func unknown(_ name: String) -> ConsoleError {
        ConsoleError(.userInvalid, "There is no user named \(name): add them with `liaison console user add`.")
    }
}
