import Foundation
import LiaisonStore

/// Counts refused handshakes and rejected commands so that a flood cannot fill the audit log.
///
/// The first refusal of each (kind, key or agency, code) in a minute is audited in full, as before; the rest of
/// that minute are counted and written as one aggregate entry when the minute is over. 300 refused handshakes
/// from one unlisted key in a minute were 300 entries (3.7 MB); they are now two. I/O-free: the broker asks
/// it what to write.
struct RefusalTally {
    struct Key: Hashable {
        /// `.handshakeRefused` or `.rejected`.
        var kind: AuditEvent.Kind
        /// A key fingerprint (handshakes) or the agency (rejections).
        var who: String
        var code: Int
    }

    private struct Minute {
        var minute: Int64
        var more: Int
        var peer: String?
    }

    private var minutes: [Key: Minute] = [:]
    /// The distinct refused keys of the current minute: an attacker with a fresh key for every attempt would
    /// otherwise get one full entry each.
    private var keysThisMinute: (minute: Int64, keys: Set<String>) = (0, [])
    /// How many distinct refused keys a minute are audited in full; the rest are counted together.
    static let distinctKeysPerMinute = 20

    /// The name a refused key is tallied under: itself, or `many-keys` once a minute has seen
    /// `distinctKeysPerMinute` others.
    mutating func tallyName(forKey fingerprint: String, at: Int64) -> String {
        let minute = at / Self.minuteMilliseconds
        if keysThisMinute.minute != minute { keysThisMinute = (minute, []) }
        if keysThisMinute.keys.contains(fingerprint) { return fingerprint }
        guard keysThisMinute.keys.count < Self.distinctKeysPerMinute else { return "many-keys" }
        keysThisMinute.keys.insert(fingerprint)
        return fingerprint
    }

    static let minuteMilliseconds: Int64 = 60_000

    /// Records one refusal at `at` (milliseconds since 1970).
    ///
    /// - Returns: whether it is the first of its key this minute (audit it in full), and the aggregate of the
    ///   key's previous minute if that has just closed (audit it first).
    mutating func record(_ key: Key, at: Int64, peer: String?) -> (first: Bool, closed: AuditEvent?) {
        let minute = at / Self.minuteMilliseconds
        if var current = minutes[key] {
            if current.minute == minute {
                current.more += 1
                minutes[key] = current
                return (false, nil)
            }
            let closed = aggregate(key, current)
            minutes[key] = Minute(minute: minute, more: 0, peer: peer)
            return (true, closed)
        }
        minutes[key] = Minute(minute: minute, more: 0, peer: peer)
        return (true, nil)
    }

    /// The aggregates of every minute that ended before `now`; of every minute when `now` is nil (shutdown).
    mutating func closedMinutes(now: Int64?) -> [AuditEvent] {
        let current = now.map { $0 / Self.minuteMilliseconds }
        var events: [AuditEvent] = []
        for (key, minute) in minutes where current == nil || minute.minute < current! {
            minutes[key] = nil
            if let event = aggregate(key, minute) { events.append(event) }
        }
        return events.sorted { ($0.at, $0.detail ?? "") < ($1.at, $1.detail ?? "") }
    }

    /// Whether any minute is still open.
    var isEmpty: Bool { minutes.isEmpty }

    private func aggregate(_ key: Key, _ minute: Minute) -> AuditEvent? {
        guard minute.more > 0 else { return nil }
        let start = Date(timeIntervalSince1970: Double(minute.minute * Self.minuteMilliseconds) / 1000)
        let label = String(start.ISO8601Format().prefix(16)) + "Z"
        let end = (minute.minute + 1) * Self.minuteMilliseconds - 1
        switch key.kind {
        case .handshakeRefused:
            return AuditEvent(
                .handshakeRefused, at: end, peer: minute.peer,
                detail: "key \(key.who): \(minute.more) more refused in the minute from \(label)")
        default:
            return AuditEvent(
                key.kind, at: end, agency: key.who, peer: minute.peer, code: key.code,
                detail: "\(minute.more) more in the minute from \(label)")
        }
    }
}
