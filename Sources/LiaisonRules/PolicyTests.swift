import Foundation
import StrictJSON
import LiaisonConfig
import LiaisonProtocol

/// Policy tests (`config/tests/*.yaml`), in the manner of `opa test`: a message, its context, and the
/// decision expected for each recipient.
///
/// ```yaml
/// name: The YOT sees only children on its caseload
/// date: 2026-11-29
/// message:
///   from: npas
///   type: yot.attendance-summary
///   to: [yot]                       # optional: none means every agency a flow permits
///   body: { ... }                   # or body_file: path relative to this file
/// cohorts:
///   yot: { yot-caseload: [Q926200024001] }
/// expect:
///   - recipient: yot
///     decision: permit              # or deny
///     released: 1                   # optional
///     withheld: 0                   # optional
///     fields_withheld: [/dob]       # optional
///     reason_contains: past its review date   # optional, for denials
///     view: { ... }                 # optional: the exact view
/// outcome: shared                   # optional: what happens to the whole message, shared or refused
/// ```
///
/// A test runs through `SharingPolicy`, the code the broker decides with, so a test passes only for what the
/// broker would enforce (including the whole-message rule: a message is refused when a named recipient is denied).
public struct PolicyTest: Sendable {
    public struct Expectation: Sendable {
        public var recipient: AgencyID
        public var permit: Bool
        public var released: Int?
        public var withheld: Int?
        public var fieldsWithheld: [String]?
        public var reasonContains: String?
        public var view: JSONValue?
    }

    public var name: String
    public var file: String
    public var date: String
    public var from: AgencyID
    public var type: MessageType
    public var to: [AgencyID]
    public var body: JSONValue
    public var cohorts: [AgencyID: [String: Set<String>]]
    public var expectations: [Expectation]
    /// Whether the whole message is expected to be shared (true) or refused (false); nil leaves it unchecked.
    public var shared: Bool? = nil

    /// Runs the test; returns the differences between what was expected and what the rules decided.
    public func run(_ ruleSet: RuleSet, pseudonymKey: [UInt8] = Array("policy-tests".utf8)) -> [String] {
        let admission = SharingPolicy(ruleSet: ruleSet, pseudonymKey: pseudonymKey).admit(
            Envelope(id: "policy-test", source: from, type: type, recipients: to), body: body, receivedAt: 0, date: date, cohorts: cohorts)
        let decisions = admission.decisions
        var differences: [String] = []
        if let shared {
            let refusal: String? = if case .refuse(let error) = admission.verdict { error.message } else { nil }
            if shared != (refusal == nil) {
                differences.append("message:\n      - expected \(shared ? "shared" : "refused")\n      + got      \(refusal.map { "refused (\($0))" } ?? "shared")")
            }
        }
        for expectation in expectations {
            guard let decision = decisions.first(where: { $0.recipient == expectation.recipient }) else {
                differences.append("\(expectation.recipient): expected a decision, got none (recipients decided: \(decisions.map(\.recipient.rawValue)))")
                continue
            }
            func differ(_ what: String, _ expected: String, _ actual: String) {
                differences.append("\(expectation.recipient) \(what):\n      - expected \(expected)\n      + got      \(actual)")
            }
            if decision.permitted != expectation.permit {
                differ("decision", expectation.permit ? "permit" : "deny", (decision.permitted ? "permit" : "deny") + " (\(decision.reasons.joined(separator: "; ")))")
            }
            if let released = expectation.released, released != decision.recordsReleased {
                differ("records released", "\(released)", "\(decision.recordsReleased)")
            }
            if let withheld = expectation.withheld, withheld != decision.recordsWithheld {
                differ("records withheld", "\(withheld)", "\(decision.recordsWithheld)")
            }
            if let fields = expectation.fieldsWithheld, fields.sorted() != decision.fieldsWithheld.map(\.description) {
                differ("fields withheld", "\(fields.sorted())", "\(decision.fieldsWithheld.map(\.description))")
            }
            if let text = expectation.reasonContains, !decision.reasons.joined(separator: "; ").contains(text) {
                differ("reasons", "to contain '\(text)'", decision.reasons.joined(separator: "; "))
            }
            if let view = expectation.view, view != decision.view {
                differ(
                    "view", String(decoding: view.encoded(), as: UTF8.self),
                    decision.view.map { String(decoding: $0.encoded(), as: UTF8.self) } ?? "(nothing)")
            }
        }
        for decision in decisions where !expectations.contains(where: { $0.recipient == decision.recipient }) && decision.permitted {
            differences.append("\(decision.recipient): not expected to receive anything, but the rules permit it (\(decision.reasons.joined(separator: "; ")))")
        }
        return differences
    }

    /// Loads every `*.yaml` test in `directory`.
    public static func load(directory: String) throws(ConfigurationError) -> [PolicyTest] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        var tests: [PolicyTest] = []
        for name in names { tests.append(try load(path: "\(directory)/\(name)")) }
        return tests
    }

    static func load(path: String) throws(ConfigurationError) -> PolicyTest {
        let root = try ConfigNode.load(path: path)
        let top = try root.mapping()
        let message = try top.required("message").mapping()
        func agency(_ node: ConfigNode) throws(ConfigurationError) -> AgencyID {
            guard let id = AgencyID(try node.string()) else { throw node.error(.invalidValue, "Expected an agency id.") }
            return id
        }
        let typeNode = try message.required("type")
        guard let type = MessageType(try typeNode.string()) else { throw typeNode.error(.invalidValue, "Expected a message type.") }
        var to: [AgencyID] = []
        for node in try message.optional("to")?.sequence() ?? [] { to.append(try agency(node)) }
        let body: JSONValue
        if let inline = message.optional("body") {
            body = YAMLJSON.value(inline.node)
        } else {
            let fileNode = try message.required("body_file")
            let relative = try fileNode.string()
            let resolved = relative.hasPrefix("/") ? relative : "\((path as NSString).deletingLastPathComponent)/\(relative)"
            guard let data = FileManager.default.contents(atPath: resolved), let value = try? JSONValue.parse(Array(data)) else {
                throw fileNode.error(.unreadable, "Cannot read JSON from \(resolved).")
            }
            body = value
        }
        let from = try agency(try message.required("from"))
        try message.finish()
        var cohorts: [AgencyID: [String: Set<String>]] = [:]
        for (owner, node) in try top.optional("cohorts")?.entries() ?? [] {
            guard let id = AgencyID(owner) else { throw node.error(.invalidValue, "Expected an agency id.") }
            for (name, members) in try node.entries() {
                cohorts[id, default: [:]][name] = Set(try members.sequence().map { (member: ConfigNode) throws(ConfigurationError) -> String in try member.string() })
            }
        }
        var expectations: [Expectation] = []
        for node in try top.required("expect").sequence() {
            let fields = try node.mapping()
            let decisionNode = try fields.required("decision")
            let decision = try decisionNode.string()
            guard decision == "permit" || decision == "deny" else { throw decisionNode.error(.invalidValue, "Expected permit or deny.") }
            expectations.append(Expectation(
                recipient: try agency(try fields.required("recipient")), permit: decision == "permit",
                released: try fields.optional("released")?.int(in: 0...1_000_000),
                withheld: try fields.optional("withheld")?.int(in: 0...1_000_000),
                fieldsWithheld: try fields.optional("fields_withheld")?.sequence().map { (value: ConfigNode) throws(ConfigurationError) -> String in try value.string() },
                reasonContains: try fields.optional("reason_contains")?.string(),
                view: fields.optional("view").map { YAMLJSON.value($0.node) }))
            try fields.finish()
        }
        var test = PolicyTest(
            name: try top.required("name").string(), file: path, date: try top.required("date").string(), from: from, type: type,
            to: to, body: body, cohorts: cohorts, expectations: expectations)
        if let outcome = top.optional("outcome") {
            let text = try outcome.string()
            guard text == "shared" || text == "refused" else { throw outcome.error(.invalidValue, "Expected shared or refused.") }
            test.shared = text == "shared"
        }
        try top.finish()
        return test
    }
}
