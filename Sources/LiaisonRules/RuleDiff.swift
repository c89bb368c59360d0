import StrictJSON
import LiaisonProtocol

/// What each agency would gain or lose if a proposed rule set replaced the one in force, judged by
/// replaying real messages. I/O-free: the caller reads the messages.
public enum RuleDiff {
    public struct Message: Sendable {
        public var sequence: Int64
        public var source: AgencyID
        public var type: MessageType
        public var body: JSONValue

        public init(sequence: Int64, source: AgencyID, type: MessageType, body: JSONValue) {
            self.sequence = sequence
            self.source = source
            self.type = type
            self.body = body
        }
    }

    public struct AgencyChange: Sendable, Equatable {
        public var agency: AgencyID
        public var newlyPermitted = 0
        public var newlyDenied = 0
        public var recordsGained = 0
        public var recordsLost = 0
        public var fieldsGained: [String] = []
        public var fieldsLost: [String] = []

        var isEmpty: Bool {
            newlyPermitted == 0 && newlyDenied == 0 && recordsGained == 0 && recordsLost == 0 && fieldsGained.isEmpty && fieldsLost.isEmpty
        }
    }

    /// Per agency, the differences between the two rule sets' decisions over `messages`.
    public static func compare(messages: [Message], current: RuleSet, proposed: RuleSet, context: RuleSet.Context) -> [AgencyChange] {
        var changes: [AgencyID: AgencyChange] = [:]
        var fieldsNow: [AgencyID: Set<String>] = [:]
        var fieldsThen: [AgencyID: Set<String>] = [:]
        for message in messages {
            let before = current.decide(from: message.source, type: message.type, recipients: [], body: message.body, context: context)
            let after = proposed.decide(from: message.source, type: message.type, recipients: [], body: message.body, context: context)
            let agencies = Set(before.map(\.recipient) + after.map(\.recipient))
            for agency in agencies {
                let old = before.first { $0.recipient == agency && $0.permitted }
                let new = after.first { $0.recipient == agency && $0.permitted }
                var change = changes[agency] ?? AgencyChange(agency: agency)
                switch (old, new) {
                case (nil, .some): change.newlyPermitted += 1
                case (.some, nil): change.newlyDenied += 1
                default: break
                }
                let delta = (new?.recordsReleased ?? 0) - (old?.recordsReleased ?? 0)
                if delta > 0 { change.recordsGained += delta } else { change.recordsLost -= delta }
                if let view = old?.view { fieldsNow[agency, default: []].formUnion(leafPaths(view)) }
                if let view = new?.view { fieldsThen[agency, default: []].formUnion(leafPaths(view)) }
                changes[agency] = change
            }
        }
        for (agency, _) in changes {
            let now = fieldsNow[agency] ?? []
            let then = fieldsThen[agency] ?? []
            changes[agency]!.fieldsGained = then.subtracting(now).sorted()
            changes[agency]!.fieldsLost = now.subtracting(then).sorted()
        }
        return changes.values.filter { !$0.isEmpty }.sorted { $0.agency < $1.agency }
    }

    /// Every leaf's path, with array indices as `*`.
    static func leafPaths(_ value: JSONValue, _ prefix: [String] = []) -> Set<String> {
        switch value {
        case .object(let members): return members.reduce(into: Set<String>()) { $0.formUnion(leafPaths($1.value, prefix + [$1.key])) }
        case .array(let items): return items.reduce(into: Set<String>()) { $0.formUnion(leafPaths($1, prefix + ["*"])) }
        default: return [FieldPath.generalised(prefix).description]
        }
    }
}
