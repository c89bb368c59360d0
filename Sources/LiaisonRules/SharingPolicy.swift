import LiaisonProtocol
import StrictJSON

/// The sharing rules applied to one whole message: the one decision path the broker, `rules explain` and
/// `rules test` share, so that what is explained is what is enforced.
///
/// On top of each recipient's `Decision` (RuleSet.decide) it applies the message-level rules: a message
/// is refused whole when no flow permits it, when every recipient is denied, or when a recipient the sender
/// named is denied (the sender asked for something it may not have); each permitted recipient gets its own
/// minimised body and envelope; every decision gets an audit record that names pseudonyms, never UPNs; and
/// the body's retention is the longest of the agreements it is shared under.
public struct SharingPolicy: Sendable {
    public let ruleSet: RuleSet
    /// The pseudonym key, and the children's pseudonyms made lately under it.
    let pseudonyms: PseudonymMemo
    let pseudonymKey: [UInt8]

    public init(ruleSet: RuleSet, pseudonymKey: [UInt8]) {
        self.ruleSet = ruleSet
        self.pseudonymKey = pseudonymKey
        self.pseudonyms = PseudonymMemo(key: PseudonymKey(pseudonymKey))
    }

    /// The type whose messages change the sender's cohort instead of going anywhere.
    public static let cohortUpdateType = "cohort.update"

    /// Decides a message whose envelope and body the hub has already checked.
    public func admit(
        _ envelope: Envelope, body: JSONValue, receivedAt: Int64, date: String, cohorts: [AgencyID: [String: Set<String>]]
    ) -> Admission {
        if envelope.type.rawValue == SharingPolicy.cohortUpdateType { return cohortUpdate(envelope, body: body) }
        // The body's children are found once, for every recipient's decision and for the pseudonyms.
        let upns = RuleSet.upns(in: body)
        var context = RuleSet.Context(date: date, cohorts: cohorts, pseudonymKey: pseudonymKey)
        context.bodyUPNs = upns
        let decisions = ruleSet.decide(
            from: envelope.source, type: envelope.type, recipients: envelope.recipients, body: body, context: context)
        // Counted, not filtered: a decision carries its agreement and flow, and every copy retains all their parts.
        let deniedCount = decisions.reduce(0) { $0 + ($1.permitted ? 0 : 1) }
        let refused = decisions.isEmpty || deniedCount == decisions.count || (!envelope.recipients.isEmpty && deniedCount > 0)
        let pseudonymOf = pseudonymMap(of: upns)
        let records = decisions.map { decision in
            Admission.Record(
                recipient: decision.recipient, permitted: decision.permitted,
                detail: record(decision, sent: decision.permitted && !refused, pseudonymOf: pseudonymOf))
        }
        if refused {
            let reasons = decisions.isEmpty
                ? ["no agreement has a flow from \(envelope.source) for '\(envelope.type)'"]
                : decisions.lazy.filter { !$0.permitted }.map { "to \($0.recipient): \($0.reasons.joined(separator: "; "))" }
            return Admission(
                verdict: .refuse(ProtocolError(
                    .denied, "Denied by the sharing rules: " + reasons.joined(separator: " | "), reference: envelope.id)),
                decisions: decisions, records: records)
        }
        // Only permitted recipients, each with its own view: a denied agency must never fall back to the body.
        let permitted = decisions.lazy.filter { $0.permitted && $0.viewForm != nil }
        var admission = Admission(verdict: .share, decisions: decisions, records: records)
        admission.recipients = permitted.map(\.recipient)
        admission.subjects = Array(Set(pseudonymOf.values)).sorted()
        admission.retainUntil = SharingPolicy.retainUntil(receivedAt: receivedAt, under: permitted)
        for decision in permitted {
            // A view that is the whole body is not stored again: the recipient gets the body's own bytes.
            if let view = decision.viewJSON { admission.views[decision.recipient] = view }
            // The envelope is minimised too: the recipient learns of no other recipient, and free text the
            // sender wrote (which could carry a name or a UPN) passes only where the flow allows.
            admission.envelopes[decision.recipient] = decision.envelope(for: envelope)
        }
        return admission
    }

    /// A `cohort.update`: the sender's cohort changes; nothing is delivered. The names and dates of birth a
    /// partner may add for matching are not kept: the hub keeps the cohort's UPNs only (docs/rules.md).
    func cohortUpdate(_ envelope: Envelope, body: JSONValue) -> Admission {
        guard let name = body["cohort"]?.stringValue, let operation = body["operation"]?.stringValue.flatMap(CohortOperation.init)
        else {
            return Admission(
                verdict: .refuse(ProtocolError(
                    .schemaViolation, "A cohort.update needs \"cohort\" and an \"operation\" of replace, add or remove.",
                    reference: envelope.id)),
                decisions: [], records: [])
        }
        let members = RuleSet.upns(in: body["members"] ?? .array([]))
        var kept: [String: JSONValue] = [
            "cohort": .string(name), "operation": .string(operation.rawValue),
            "members": .array(members.map { .object(["upn": .string($0)]) }),
        ]
        if let effective = body["effective_date"] { kept["effective_date"] = effective }
        var admission = Admission(
            verdict: .updateCohort(name: name, operation: operation, members: members, keptBody: JSONValue.object(kept).encoded()),
            decisions: [], records: [])
        admission.subjects = Array(Set(pseudonymMap(of: body).values)).sorted()
        return admission
    }

    /// The audit record of a decision: which agreement, version, flow and rule set; what was released and
    /// withheld; and keyed pseudonyms of the children whose data was released (never their UPNs).
    func record(_ decision: Decision, sent: Bool, pseudonymOf: [String: String]) -> String {
        // Written straight to JSON text: this runs once per recipient of every message.
        var json = JSONText()
        json.string("agreement", decision.agreement?.id)
        json.string("version", decision.agreement?.version)
        json.string("lawful_basis", decision.agreement?.lawfulBasis)
        json.string("flow", decision.flow?.id)
        json.boolean("permitted", decision.permitted)
        json.boolean("sent", sent)
        json.string("ruleset", decision.ruleSetHash)
        json.integer("released", Int64(decision.recordsReleased))
        json.integer("withheld", Int64(decision.recordsWithheld))
        json.strings("fields", decision.flow?.fields.map(\.description) ?? [])
        json.strings("fields_withheld", decision.fieldsWithheld.map(\.description))
        // Only children whose data actually left: a subject access answer must not overstate.
        json.strings("children", sent ? decision.subjects.map { pseudonymOf[$0] ?? pseudonyms.pseudonym(of: $0) } : [])
        if !decision.permitted { json.strings("reasons", decision.reasons) }
        return String(decoding: json.finish(), as: UTF8.self)
    }

    /// The keyed pseudonym of every child (every `upn`) in a body, made once per child.
    func pseudonymMap(of body: JSONValue) -> [String: String] {
        pseudonymMap(of: RuleSet.upns(in: body))
    }

    /// The keyed pseudonym of each of these UPNs, made once per child.
    func pseudonymMap(of upns: [String]) -> [String: String] {
        var map: [String: String] = [:]
        map.reserveCapacity(upns.count)
        for upn in upns where map[upn] == nil { map[upn] = pseudonyms.pseudonym(of: upn) }
        return map
    }

    /// The end of the longest body retention among the agreements a message is shared under; nil (keep) if
    /// any of them sets none.
    static func retainUntil(receivedAt: Int64, under decisions: some Sequence<Decision>) -> Int64? {
        var latest: Int64?
        for decision in decisions {
            guard let period = decision.agreement?.bodyRetention else { return nil }
            latest = max(latest ?? .min, period.end(from: receivedAt))
        }
        return latest
    }
}

/// What the sharing rules made of one message (see `SharingPolicy`).
public struct Admission: Sendable {
    public enum Verdict: Sendable {
        /// Share it with `recipients`, each with its own view and envelope.
        case share
        /// Refuse the whole message with this error (the decisions are still audited).
        case refuse(ProtocolError)
        /// A `cohort.update`: change the sender's cohort, keep only `keptBody`, deliver nothing.
        case updateCohort(name: String, operation: CohortOperation, members: [String], keptBody: [UInt8])
    }

    /// A decision's audit record.
    public struct Record: Sendable {
        public var recipient: AgencyID
        public var permitted: Bool
        /// The record's JSON (see `SharingPolicy.record`).
        public var detail: String
    }

    public var verdict: Verdict
    /// Each recipient's decision, in the order the rules considered them.
    public var decisions: [Decision]
    public var records: [Record]
    /// The recipients the message goes to.
    public var recipients: [AgencyID] = []
    /// Minimised bodies, for recipients whose view is not the whole body.
    public var views: [AgencyID: [UInt8]] = [:]
    /// Each recipient's own envelope.
    public var envelopes: [AgencyID: Envelope] = [:]
    /// Keyed pseudonyms of the children in the body (the subject index).
    public var subjects: [String] = []
    /// When the body may be deleted.
    public var retainUntil: Int64?
}
