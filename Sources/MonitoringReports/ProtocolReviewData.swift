import Foundation

/// What the protocol review paper (``ProtocolReview``) is made from: one agreement as it stands (and, when known, as it
/// was at the last review), and what the hub recorded under it over the period.
///
/// Plain values: the command (`liaison report protocol`) reads them from the agreements folder and the hub's store
/// (read-only) and hands them over here, so this target needs neither, and the paper can be tested on values made by
/// hand. Nothing here names a child: decisions and dead letters are counted, and cohorts by size only.
public struct ProtocolReviewData: Sendable {
    /// An agreement as the paper describes it.
    public struct Agreement: Sendable, Equatable {
        public var id: String
        public var title: String
        public var version: String
        public var parties: [String]
        public var lawfulBasis: String
        public var purpose: String
        public var effective: String
        public var review: String
        public var end: String
        public var retention: String
        public var bodyRetention: String?
        public var contact: String
        public var flows: [Flow]

        public init(
            id: String, title: String, version: String, parties: [String], lawfulBasis: String, purpose: String, effective: String,
            review: String, end: String, retention: String, bodyRetention: String?, contact: String, flows: [Flow]
        ) {
            self.id = id
            self.title = title
            self.version = version
            self.parties = parties
            self.lawfulBasis = lawfulBasis
            self.purpose = purpose
            self.effective = effective
            self.review = review
            self.end = end
            self.retention = retention
            self.bodyRetention = bodyRetention
            self.contact = contact
            self.flows = flows
        }
    }

    /// One flow of an agreement.
    public struct Flow: Sendable, Equatable {
        public var id: String
        public var from: String
        public var to: String
        public var types: [String]
        public var purpose: String
        /// The fields the recipient may see (`/upn`, `/school`, ...).
        public var fields: [String]
        /// Each condition as the rules say it ("/upn is in the recipient's cohort 'yot-caseload'").
        public var conditions: [String]
        /// The recipient's cohorts the conditions name.
        public var cohorts: [String]

        public init(id: String, from: String, to: String, types: [String], purpose: String, fields: [String], conditions: [String], cohorts: [String]) {
            self.id = id
            self.from = from
            self.to = to
            self.types = types
            self.purpose = purpose
            self.fields = fields
            self.conditions = conditions
            self.cohorts = cohorts
        }
    }

    /// One sharing decision (one message, one recipient) under the agreement.
    public struct Decision: Sendable, Equatable {
        /// Milliseconds since 1970, UTC.
        public var at: Int64
        public var permitted: Bool
        /// Permitted with fields or records withheld.
        public var minimised: Bool
        /// The flow that applied; nil for a denial no flow applied to.
        public var flow: String?
        /// The agreement's version the decision was made under, when it says.
        public var version: String?
        /// A denial's reasons that concern this agreement, with the agreement's name taken off the front.
        public var reasons: [String]

        public init(at: Int64, permitted: Bool, minimised: Bool = false, flow: String? = nil, version: String? = nil, reasons: [String] = []) {
            self.at = at
            self.permitted = permitted
            self.minimised = minimised
            self.flow = flow
            self.version = version
            self.reasons = reasons
        }
    }

    /// A delivery under the agreement that ended as a dead letter (refused by its recipient, or expired).
    public struct DeadLetter: Sendable, Equatable {
        public var at: Int64
        public var recipient: String
        public var type: String
        /// The cause as the hub records it (`rejected`, `max-attempts`, `expired`, ...).
        public var cause: String
        /// The sender's message id (opaque: the hub refuses ids that hold a UPN).
        public var messageID: String

        public init(at: Int64, recipient: String, type: String, cause: String, messageID: String) {
            self.at = at
            self.recipient = recipient
            self.type = type
            self.cause = cause
            self.messageID = messageID
        }
    }

    /// A cohort a flow's conditions name: whose it is, and how many children it holds today.
    public struct Cohort: Sendable, Equatable {
        public var owner: String
        public var name: String
        public var size: Int
        public init(owner: String, name: String, size: Int) {
            self.owner = owner
            self.name = name
            self.size = size
        }
    }

    /// What replaying the messages the hub holds under the agreement as last reviewed, and as it is now, changes for
    /// one agency (`liaison rules diff`'s figures).
    public struct Replay: Sendable, Equatable {
        public var agency: String
        public var newlyPermitted: Int
        public var newlyDenied: Int
        public var recordsGained: Int
        public var recordsLost: Int
        public var fieldsGained: [String]
        public var fieldsLost: [String]
        public init(
            agency: String, newlyPermitted: Int, newlyDenied: Int, recordsGained: Int, recordsLost: Int, fieldsGained: [String], fieldsLost: [String]
        ) {
            self.agency = agency
            self.newlyPermitted = newlyPermitted
            self.newlyDenied = newlyDenied
            self.recordsGained = recordsGained
            self.recordsLost = recordsLost
            self.fieldsGained = fieldsGained
            self.fieldsLost = fieldsLost
        }
    }

    public var agreement: Agreement
    /// The agreement as it was at the last review (`--since FILE`); nil when not given.
    public var previous: Agreement?
    /// The replay of the held messages under `previous` and `agreement`; nil when `previous` is.
    public var replay: [Replay]?
    /// How many held messages the replay went over.
    public var replayedMessages: Int
    /// The period, YYYY-MM-DD, both days included.
    public var from: String
    public var to: String
    public var decisions: [Decision]
    public var deadLetters: [DeadLetter]
    public var cohorts: [Cohort]

    public init(
        agreement: Agreement, previous: Agreement? = nil, replay: [Replay]? = nil, replayedMessages: Int = 0, from: String, to: String,
        decisions: [Decision], deadLetters: [DeadLetter], cohorts: [Cohort]
    ) {
        self.agreement = agreement
        self.previous = previous
        self.replay = replay
        self.replayedMessages = replayedMessages
        self.from = from
        self.to = to
        self.decisions = decisions
        self.deadLetters = deadLetters
        self.cohorts = cohorts
    }

    // MARK: Figures

    /// One month's decisions.
    public struct Month: Sendable, Equatable {
        /// YYYY-MM.
        public var month: String
        public var permitted: Int
        /// Of the permitted, those with fields or records withheld.
        public var minimised: Int
        public var denied: Int
        public var total: Int { permitted + denied }
    }

    /// The months of the period, YYYY-MM, first to last.
    public var months: [String] {
        guard let first = Self.month(of: from), let last = Self.month(of: to), first <= last else { return [] }
        var result: [String] = []
        var (year, month) = (Int(first.prefix(4))!, Int(first.suffix(2))!)
        while true {
            let text = String(format: "%04d-%02d", year, month)
            guard text <= last else { break }
            result.append(text)
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return result
    }

    /// The decisions made on the period's days (UTC); any others handed in are left out of every figure.
    public var periodDecisions: [Decision] {
        decisions.filter { (from...to).contains(Self.dayText($0.at)) }
    }

    /// Decisions per month of the period (UTC), every month listed, empty ones as 0.
    public var monthly: [Month] {
        var byMonth: [String: Month] = [:]
        for month in months { byMonth[month] = Month(month: month, permitted: 0, minimised: 0, denied: 0) }
        for decision in periodDecisions {
            let month = Self.monthText(decision.at)
            guard byMonth[month] != nil else { continue }
            if decision.permitted {
                byMonth[month]!.permitted += 1
                if decision.minimised { byMonth[month]!.minimised += 1 }
            } else {
                byMonth[month]!.denied += 1
            }
        }
        return months.compactMap { byMonth[$0] }
    }

    /// Each denial reason and how often it was given, most often first (a denial with several reasons counts under
    /// each).
    public var denialReasons: [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        for decision in periodDecisions where !decision.permitted {
            for reason in decision.reasons.isEmpty ? ["(no reason recorded)"] : decision.reasons { counts[reason, default: 0] += 1 }
        }
        return counts.map { (reason: $0.key, count: $0.value) }.sorted { ($1.count, $0.reason) < ($0.count, $1.reason) }
    }

    /// Per flow of the agreement: decisions permitted, minimised and denied over the period.
    public var perFlow: [(flow: String, permitted: Int, minimised: Int, denied: Int)] {
        agreement.flows.map { flow in
            let mine = periodDecisions.filter { $0.flow == flow.id }
            return (
                flow.id, mine.filter(\.permitted).count, mine.filter { $0.permitted && $0.minimised }.count,
                mine.filter { !$0.permitted }.count
            )
        }
    }

    /// The versions of the agreement the period's decisions were made under, in the order first seen, with the first
    /// and last day each was seen.
    public var versionsSeen: [(version: String, first: String, last: String)] {
        var order: [String] = []
        var seen: [String: (first: Int64, last: Int64)] = [:]
        for decision in periodDecisions.sorted(by: { $0.at < $1.at }) {
            guard let version = decision.version else { continue }
            if let held = seen[version] {
                seen[version] = (held.first, decision.at)
            } else {
                order.append(version)
                seen[version] = (decision.at, decision.at)
            }
        }
        return order.map { (version: $0, first: Self.dayText(seen[$0]!.first), last: Self.dayText(seen[$0]!.last)) }
    }

    /// What differs between the agreement as last reviewed and as it is, said line by line; empty when nothing does.
    public static func changes(from old: Agreement, to new: Agreement) -> [String] {
        var lines: [String] = []
        func compare(_ name: String, _ before: String?, _ after: String?) {
            if before != after { lines.append("\(name): \(before ?? "(none)") → \(after ?? "(none)")") }
        }
        compare("Version", old.version, new.version)
        compare("Title", old.title, new.title)
        compare("Parties", old.parties.joined(separator: ", "), new.parties.joined(separator: ", "))
        compare("Lawful basis", old.lawfulBasis, new.lawfulBasis)
        compare("Purpose", old.purpose, new.purpose)
        compare("In force from", old.effective, new.effective)
        compare("Review date", old.review, new.review)
        compare("End date", old.end, new.end)
        compare("Retention", old.retention, new.retention)
        compare("The hub keeps bodies for", old.bodyRetention, new.bodyRetention)
        compare("Contact", old.contact, new.contact)
        let before = Dictionary(old.flows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.flows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for flow in new.flows where before[flow.id] == nil {
            lines.append("Flow \(flow.id) added: \(flow.types.joined(separator: ", ")) from \(flow.from) to \(flow.to)")
        }
        for flow in old.flows where after[flow.id] == nil {
            lines.append("Flow \(flow.id) removed: \(flow.types.joined(separator: ", ")) from \(flow.from) to \(flow.to)")
        }
        for flow in new.flows {
            guard let was = before[flow.id] else { continue }
            func listed(_ name: String, _ old: [String], _ new: [String]) {
                let added = new.filter { !old.contains($0) }, removed = old.filter { !new.contains($0) }
                if !added.isEmpty { lines.append("Flow \(flow.id): \(name) added: \(added.joined(separator: ", "))") }
                if !removed.isEmpty { lines.append("Flow \(flow.id): \(name) removed: \(removed.joined(separator: ", "))") }
            }
            if was.from != flow.from || was.to != flow.to {
                lines.append("Flow \(flow.id): now from \(flow.from) to \(flow.to) (was from \(was.from) to \(was.to))")
            }
            listed("types", was.types, flow.types)
            listed("fields", was.fields, flow.fields)
            listed("conditions", was.conditions, flow.conditions)
            if was.purpose != flow.purpose { lines.append("Flow \(flow.id): purpose now \"\(flow.purpose)\" (was \"\(was.purpose)\")") }
        }
        return lines
    }

    // MARK: Dates

    static func month(of day: String) -> String? {
        guard day.count == 10, day.split(separator: "-").count == 3 else { return nil }
        return String(day.prefix(7))
    }

    /// The UTC month of a time, YYYY-MM.
    static func monthText(_ milliseconds: Int64) -> String { String(dayText(milliseconds).prefix(7)) }

    /// The UTC day of a time, YYYY-MM-DD.
    static func dayText(_ milliseconds: Int64) -> String {
        String(Date(timeIntervalSince1970: Double(milliseconds) / 1000).ISO8601Format().prefix(10))
    }

    /// Whole days from `from` to `to` (YYYY-MM-DD), negative when `to` is earlier; nil if either is not a date.
    public static func days(from: String, to: String) -> Int? {
        func date(_ text: String) -> Date? { try? Date(text + "T00:00:00Z", strategy: .iso8601) }
        guard let start = date(from), let end = date(to) else { return nil }
        return Int((end.timeIntervalSince(start) / 86_400).rounded())
    }
}
