import Foundation
import LiaisonProtocol

/// A connection's ROUTER routing id (libzmq's, opaque).
typealias RoutingID = [UInt8]

/// The clocks the hub's core decides by, read once by the loop and passed in, so that the core never reads a
/// clock itself (and its tests choose the time).
struct HubTime: Sendable, Equatable {
    /// Monotonic milliseconds: heartbeats, silence, back-off.
    var monotonic: Int64
    /// Milliseconds since 1970 (UTC): what audit records, expiry and retention use.
    var wall: Int64
    /// Today's date in UTC, `YYYY-MM-DD`: the date decisions and key validity are judged on.
    var today: String

    init(monotonic: Int64, wall: Int64, today: String) {
        self.monotonic = monotonic
        self.wall = wall
        self.today = today
    }

    /// The monotonic clock alone, for loops that only measure how long they have run.
    static func monotonicNow() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }

    /// The clocks now.
    static func now() -> HubTime {
        let wall = Int64(Date().timeIntervalSince1970 * 1000)
        return HubTime(
            monotonic: monotonicNow(), wall: wall,
            today: HubTime.date(ofDay: wall.dividedRoundingDown(by: 86_400_000)))
    }

    /// `YYYY-MM-DD` of the UTC day `day` days after 1970-01-01, by Howard Hinnant's `civil_from_days`
    /// (https://howardhinnant.github.io/date_algorithms.html). By hand because the loop reads the clock several
    /// times a cycle, and Foundation's ISO 8601 formatting cost more than a percent of the broker's time.
    static func date(ofDay day: Int64) -> String {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
    }
}

extension Int64 {
    /// Division that rounds towards minus infinity (days before 1970 are negative).
    func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}

/// What the core asks the loop to do.
enum HubAction: Sendable {
    /// Send a command to a connection: a reply, or a DELIVER (then report it with `HubCore.bounced` if its pipe
    /// was full).
    case send(HubCommand, to: RoutingID)
    /// Check a large body off the loop's thread; its result comes back through `HubCore.bodiesChecked`.
    case checkBody(BodyChecker.Job)
}
