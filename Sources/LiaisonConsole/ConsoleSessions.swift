import Foundation
import Hummingbird

/// The console's sessions, in memory (a restart signs everyone out): a random token, in the `liaison_console` cookie,
/// to the user (nil before sign-in: the sign-in form's own session, for its CSRF token), the session's CSRF token and
/// when it was last used. A session unused for the idle time is gone; signing in always makes a new token (no
/// fixation) and drops the one used to reach the form.
public actor ConsoleSessions {
    /// One session.
    public struct Session: Sendable {
        public let user: ConsoleUser?
        public let csrf: String
        /// When it started (a password set since ends it).
        public let started: Date
        var lastSeen: Date
    }

    /// The session cookie's name.
    public static let cookieName = "liaison_console"
    /// The most sessions held; past it the idle ones go first, then the oldest (a flood of sign-in forms cannot grow
    /// memory without bound).
    static let limit = 10_000

    private var sessions: [String: Session] = [:]
    /// Seconds of inactivity that end a session.
    public nonisolated let idleSeconds: Int
    /// Whether the cookie is `Secure` (the console serves TLS).
    public nonisolated let secure: Bool
    private nonisolated let now: @Sendable () -> Date

    public init(idleSeconds: Int, secure: Bool, now: @escaping @Sendable () -> Date = { Date() }) {
        self.idleSeconds = idleSeconds
        self.secure = secure
        self.now = now
    }

    /// Starts a session for `user` (nil: the sign-in form's) and returns its token.
    public func start(user: ConsoleUser?) -> String {
        if sessions.count >= Self.limit { prune() }
        let token = Self.randomHex()
        let time = now()
        sessions[token] = Session(user: user, csrf: Self.randomHex(), started: time, lastSeen: time)
        return token
    }

    /// The session for `token` when it has been used within the idle time, marked as used now; an idle one is ended.
    public func use(_ token: String) -> Session? {
        guard let session = sessions[token] else { return nil }
        let time = now()
        guard time.timeIntervalSince(session.lastSeen) < Double(idleSeconds) else {
            sessions[token] = nil
            return nil
        }
        sessions[token]?.lastSeen = time
        return sessions[token]
    }

    /// Ends the session.
    public func end(_ token: String) { sessions[token] = nil }

    /// Ends every session of `name` (the user was disabled or their password reset).
    public func end(user name: String) { sessions = sessions.filter { $0.value.user?.name != name } }

    /// How many sessions are held.
    public var count: Int { sessions.count }

    private func prune() {
        let time = now()
        sessions = sessions.filter { time.timeIntervalSince($0.value.lastSeen) < Double(idleSeconds) }
        if sessions.count >= Self.limit {
            for (token, _) in sessions.sorted(by: { $0.value.lastSeen < $1.value.lastSeen }).prefix(sessions.count - Self.limit + 1) {
                sessions[token] = nil
            }
        }
    }

    /// The cookie that carries `token`: HttpOnly, SameSite=Strict, Path=/, Max-Age the idle time, Secure under TLS.
    public nonisolated func cookie(_ token: String) -> Cookie {
        Cookie(name: Self.cookieName, value: token, maxAge: idleSeconds, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The cookie that clears the session's.
    public nonisolated func clearingCookie() -> Cookie {
        Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// 32 random bytes from the system's generator, in hex.
    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
