import Crypto
import Foundation
import StrictJSON
import LiaisonProtocol

/// Every agreement in force, and the decision each message gets under them. I/O-free: the caller
/// supplies the date, the cohorts and the hub's pseudonym key.
public struct RuleSet: Sendable {
    public let agreements: [Agreement]
    /// SHA-256 of the agreement files, in name order: names the exact rules a decision was made under.
    public let hash: String

    public init(agreements: [Agreement], hash: String) {
        self.agreements = agreements
        self.hash = hash
    }

    /// What the decision needs to know besides the message.
    public struct Context: Sendable {
        /// The message's date, `YYYY-MM-DD`.
        public var date: String
        /// Cohort members by owning agency and cohort name (e.g. yot → yot-caseload → UPNs).
        public var cohorts: [AgencyID: [String: Set<String>]]
        /// The hub's secret for keyed pseudonyms.
        public var pseudonymKey: [UInt8]
        /// Every UPN in the body (`RuleSet.upns(in:)`), where the caller has found them already: the walk through a
        /// school's return is most of deciding it, and every recipient's decision would otherwise repeat it.
        public var bodyUPNs: [String]?

        public init(date: String, cohorts: [AgencyID: [String: Set<String>]] = [:], pseudonymKey: [UInt8] = []) {
            self.date = date
            self.cohorts = cohorts
            self.pseudonymKey = pseudonymKey
        }
    }

    /// Decides, for each recipient, whether it may receive the message and exactly what of it.
    ///
    /// Recipients are the envelope's named ones, or, when it names none, every agency a flow permits.
    /// Deny by default: a recipient no flow covers is denied, with every agreement considered and why
    /// it did not apply.
    public func decide(from sender: AgencyID, type: MessageType, recipients named: [AgencyID], body: JSONValue, context: Context) -> [Decision] {
        let recipients: [AgencyID]
        if named.isEmpty {
            var seen: [AgencyID] = []
            for agreement in agreements {
                for flow in agreement.flows where flow.from == sender && flow.types.contains(type) && !seen.contains(flow.to) {
                    seen.append(flow.to)
                }
            }
            recipients = seen
        } else {
            recipients = named
        }
        return recipients.map { decide(from: sender, to: $0, type: type, body: body, context: context) }
    }

    func decide(from sender: AgencyID, to recipient: AgencyID, type: MessageType, body: JSONValue, context: Context) -> Decision {
        var reasons: [String] = []
        for agreement in agreements {
            // No arrays made here: this runs for every recipient of every message.
            guard let flow = agreement.flows.first(where: { $0.from == sender && $0.to == recipient && $0.types.contains(type) }) else {
                if agreement.flows.contains(where: { $0.from == sender && $0.to == recipient }) {
                    reasons.append("\(agreement.id) v\(agreement.version): its flows from \(sender) to \(recipient) do not cover '\(type)'")
                }
                continue
            }
            if context.date < agreement.effective {
                reasons.append("\(agreement.id) v\(agreement.version): not in force until \(agreement.effective)")
                continue
            }
            if context.date > agreement.end {
                reasons.append("\(agreement.id) v\(agreement.version): ended on \(agreement.end)")
                continue
            }
            if context.date > agreement.review {
                reasons.append("\(agreement.id) v\(agreement.version): past its review date \(agreement.review) (the six-monthly review is due)")
                continue
            }
            return apply(flow, of: agreement, to: recipient, body: body, context: context)
        }
        if reasons.isEmpty { reasons.append("no agreement has a flow from \(sender) to \(recipient)") }
        return Decision(recipient: recipient, permitted: false, reasons: reasons, ruleSetHash: hash)
    }

    func apply(_ flow: Flow, of agreement: Agreement, to recipient: AgencyID, body: JSONValue, context: Context) -> Decision {
        var view = body
        var released = 1
        var withheld = 0
        var subjects: [String] = []
        if let recordsPath = flow.records {
            guard let records = JSONPointer(recordsPath.tokens).resolve(in: body)?.arrayValue else {
                return Decision(
                    recipient: recipient, permitted: false, agreement: agreement, flow: flow,
                    reasons: ["\(agreement.id)/\(flow.id): the body has no array at \(recordsPath)"], ruleSetHash: hash)
            }
            let kept = records.filter { record in flow.conditions.allSatisfy { holds($0, on: record, recipient: recipient, context: context) } }
            subjects = kept.flatMap(Self.upns)
            released = kept.count
            withheld = records.count - kept.count
            view = replacing(body, at: recordsPath.tokens, with: .array(kept))
        } else if !flow.conditions.allSatisfy({ holds($0, on: body, recipient: recipient, context: context) }) {
            released = 0
            withheld = 1
        } else {
            subjects = context.bodyUPNs ?? Self.upns(in: body)
        }
        guard released > 0 else {
            return Decision(
                recipient: recipient, permitted: false, agreement: agreement, flow: flow, recordsReleased: 0, recordsWithheld: withheld,
                reasons: ["\(agreement.id)/\(flow.id): no record meets \(flow.conditions.map(\.description).joined(separator: " and "))"],
                ruleSetHash: hash)
        }
        let viewForm: Decision.ViewForm
        let fieldsWithheld: [FieldPath]
        if flow.obligations.isEmpty {
            var writer = MinimisingWriter(allowed: flow.allowList)
            if withheld == 0, writer.keepsEverything(of: view) {
                // The whole body: the recipient gets the body's own bytes, so nothing is written.
                viewForm = .wholeBody(view)
                fieldsWithheld = []
            } else {
                // Written straight to text: the broker needs only the bytes (`view` parses them for those who read it).
                viewForm = .text(writer.write(view))
                fieldsWithheld = writer.withheld.sorted()
            }
        } else {
            var minimiser = Minimiser(allowed: flow.allowList)
            view = minimiser.minimise(view) ?? .object([:])
            for obligation in flow.obligations {
                if case .pseudonymise(let path) = obligation {
                    // Fail closed: every scalar under the path is replaced, whatever its type, so a number or
                    // an array where a string was expected cannot carry the clear value through.
                    let key = PseudonymKey(context.pseudonymKey)
                    view = transform(view, at: path.tokens) { value in Self.pseudonymised(value, key: key) }
                }
            }
            viewForm = .text(view.encoded())
            fieldsWithheld = minimiser.withheld.sorted()
        }
        var decision = Decision(
            recipient: recipient, permitted: true, agreement: agreement, flow: flow, recordsReleased: released,
            recordsWithheld: withheld, fieldsWithheld: fieldsWithheld, subjects: subjects,
            reasons: ["\(agreement.id) v\(agreement.version), flow \(flow.id): \(flow.purpose)"], ruleSetHash: hash)
        decision.viewForm = viewForm
        decision.viewIsWholeBody = withheld == 0 && fieldsWithheld.isEmpty && flow.obligations.isEmpty
        return decision
    }

    func holds(_ condition: Condition, on record: JSONValue, recipient: AgencyID, context: Context) -> Bool {
        switch condition {
        case .inCohort(let name, let key):
            guard let value = key.firstValue(in: record)?.stringValue else { return false }
            return context.cohorts[recipient]?[name]?.contains(value) ?? false
        case .notInCohort(let name, let key):
            guard let value = key.firstValue(in: record)?.stringValue else { return false }
            return !(context.cohorts[recipient]?[name]?.contains(value) ?? false)
        case .age(let path, let minimum, let maximum):
            guard let dob = path.firstValue(in: record)?.stringValue, let age = Self.age(dateOfBirth: dob, on: context.date) else { return false }
            return (minimum...maximum).contains(age)
        case .equals(let path, let expected):
            return path.firstValue(in: record) == expected
        }
    }

    static func pseudonymised(_ value: JSONValue, key: PseudonymKey) -> JSONValue {
        switch value {
        case .null: return .null
        case .string(let text): return .string(key.pseudonym(of: text))
        case .number, .bool: return .string(key.pseudonym(of: String(decoding: value.encoded(), as: UTF8.self)))
        case .array(let items): return .array(items.map { pseudonymised($0, key: key) })
        case .object(let members): return .object(members.mapValues { pseudonymised($0, key: key) })
        }
    }

    /// Every UPN in a released record (any member named `upn`): the children whose data is shared.
    public static func upns(in value: JSONValue) -> [String] {
        var found: [String] = []
        collectUPNs(in: value, into: &found)
        return found
    }

    /// One walk appending to one array (a walk that made an array at every level was a third of deciding a return).
    static func collectUPNs(in value: JSONValue, into found: inout [String]) {
        switch value {
        case .object(let members):
            // Scalars are not walked into, and only a string's name is compared (a return's marks are thousands of
            // members named by dates).
            for (key, member) in members {
                switch member {
                case .string(let upn): if key.utf8.count == 3, key == "upn" { found.append(upn) }
                case .object, .array: if key != "upn" { collectUPNs(in: member, into: &found) }
                default: break
                }
            }
        case .array(let items):
            for item in items { collectUPNs(in: item, into: &found) }
        default:
            break
        }
    }

    /// Whole years from `dateOfBirth` to `date` (both `YYYY-MM-DD`).
    static func age(dateOfBirth: String, on date: String) -> Int? {
        let birth = dateOfBirth.split(separator: "-").compactMap { Int($0) }
        let now = date.split(separator: "-").compactMap { Int($0) }
        guard birth.count == 3, now.count == 3 else { return nil }
        var years = now[0] - birth[0]
        if (now[1], now[2]) < (birth[1], birth[2]) { years -= 1 }
        return years
    }

    /// A keyed pseudonym: the first 16 hex digits of HMAC-SHA-256(key, value).
    public static func pseudonym(of value: String, key: [UInt8]) -> String {
        PseudonymKey(key).pseudonym(of: value)
    }
}

/// The hub's pseudonym key, with its HMAC state prepared once (the broker makes one pseudonym per child
/// per decision, so the key schedule is not repeated for each).
///
/// `@unchecked Sendable`: the prepared HMAC is never changed in place. Each use copies it, and swift-crypto's digest
/// copies its context before the first update of a shared copy (copy-on-write), so threads may share one key (the
/// broker decides on its loop and on its body checker's thread).
public struct PseudonymKey: @unchecked Sendable {
    private let prepared: HMAC<SHA256>

    public init(_ key: [UInt8]) {
        prepared = HMAC<SHA256>(key: SymmetricKey(data: key))
    }

    /// `psn-` and the first 16 hex digits of HMAC-SHA-256(key, value).
    public func pseudonym(of value: String) -> String {
        Self.text(of: code(of: value))
    }

    /// The first 8 bytes of HMAC-SHA-256(key, value), big-endian: what a pseudonym's 16 hex digits write.
    func code(of value: String) -> UInt64 {
        var hmac = prepared
        var value = value
        value.withUTF8 { hmac.update(data: UnsafeRawBufferPointer($0)) }
        return hmac.finalize().withUnsafeBytes { code in
            var result: UInt64 = 0
            for index in 0..<8 { result = result << 8 | UInt64(code[index]) }
            return result
        }
    }

    /// `psn-` and a code's 16 hex digits, written in place (the broker writes one for every child in every message).
    static func text(of code: UInt64) -> String {
        String(unsafeUninitializedCapacity: 20) { text in
            let digits: StaticString = "0123456789abcdef"
            text[0] = UInt8(ascii: "p")
            text[1] = UInt8(ascii: "s")
            text[2] = UInt8(ascii: "n")
            text[3] = UInt8(ascii: "-")
            for index in 0..<16 {
                text[4 + index] = digits.utf8Start[Int(code >> (60 - 4 * UInt64(index)) & 0x0F)]
            }
            return 20
        }
    }
}

extension RuleSet {
    func replacing(_ value: JSONValue, at tokens: [String], with replacement: JSONValue) -> JSONValue {
        guard let first = tokens.first else { return replacement }
        switch value {
        case .object(var members):
            if let member = members[first] { members[first] = replacing(member, at: Array(tokens.dropFirst()), with: replacement) }
            return .object(members)
        case .array(var items):
            if let index = Int(first), items.indices.contains(index) {
                items[index] = replacing(items[index], at: Array(tokens.dropFirst()), with: replacement)
            }
            return .array(items)
        default:
            return value
        }
    }

    func transform(_ value: JSONValue, at tokens: [String], _ change: (JSONValue) -> JSONValue) -> JSONValue {
        guard let first = tokens.first else { return change(value) }
        let rest = Array(tokens.dropFirst())
        switch value {
        case .object(var members):
            if let member = members[first] { members[first] = transform(member, at: rest, change) }
            return .object(members)
        case .array(let items):
            if first == "*" { return .array(items.map { transform($0, at: rest, change) }) }
            if let index = Int(first), items.indices.contains(index) {
                var copy = items
                copy[index] = transform(items[index], at: rest, change)
                return .array(copy)
            }
            return value
        default:
            return value
        }
    }
}

/// The decision for one recipient of one message, and why.
public struct Decision: Sendable {
    public var recipient: AgencyID
    public var permitted: Bool
    public var agreement: Agreement?
    public var flow: Flow?
    /// What a permitted recipient receives: the body itself, or the minimised view as the JSON text it receives.
    enum ViewForm: Sendable {
        case wholeBody(JSONValue)
        case text([UInt8])
    }

    /// The recipient's view; nil for a denial.
    var viewForm: ViewForm?
    /// What the recipient receives: the body with only the released records and allowed fields (parsed from
    /// `viewJSON` where the view is not the whole body: for `rules explain`, `rules test` and reviews; the broker uses
    /// the text).
    public var view: JSONValue? {
        switch viewForm {
        case .wholeBody(let body): body
        case .text(let text): try? JSONValue.parse(text)
        case nil: nil
        }
    }
    /// The view as the JSON text the recipient receives (keys in code-point order), where it is not the whole body;
    /// nil where it is (`viewIsWholeBody`: the recipient gets the body's own bytes) and for a denial.
    public var viewJSON: [UInt8]? {
        if case .text(let text) = viewForm { text } else { nil }
    }
    /// True when the view is the whole body (no record or field withheld, nothing pseudonymised): the recipient
    /// can be given the body's own bytes.
    public var viewIsWholeBody = false
    public var recordsReleased = 0
    public var recordsWithheld = 0
    public var fieldsWithheld: [FieldPath] = []
    /// The UPNs of the children in the released records (the audit keeps only their keyed pseudonyms).
    public var subjects: [String] = []
    /// For a permit, the agreement and flow; for a denial, every agreement considered and why it did not apply.
    public var reasons: [String]
    public var ruleSetHash: String

    public init(
        recipient: AgencyID, permitted: Bool, agreement: Agreement? = nil, flow: Flow? = nil,
        recordsReleased: Int = 0, recordsWithheld: Int = 0, fieldsWithheld: [FieldPath] = [], subjects: [String] = [],
        reasons: [String], ruleSetHash: String
    ) {
        self.subjects = subjects
        self.recipient = recipient
        self.permitted = permitted
        self.agreement = agreement
        self.flow = flow
        self.recordsReleased = recordsReleased
        self.recordsWithheld = recordsWithheld
        self.fieldsWithheld = fieldsWithheld
        self.reasons = reasons
        self.ruleSetHash = ruleSetHash
    }
}

extension Decision {
    /// The envelope this decision's recipient receives: rebuilt from the parsed `original`, naming only the
    /// recipient itself, with no `subject`, and with the sender's free text (`correlationid`, `dataschema`,
    /// `purpose`) only where the flow passes it on. The broker stores exactly this; `rules explain` shows it.
    public func envelope(for original: Envelope) -> Envelope {
        var own = original
        own.recipients = [recipient]
        own.subject = nil
        let passes = flow?.envelopeAttributes ?? []
        if !passes.contains(.correlationid) { own.correlationID = nil }
        if !passes.contains(.dataschema) { own.dataSchema = nil }
        if !passes.contains(.purpose) { own.purpose = nil }
        return own
    }
}
