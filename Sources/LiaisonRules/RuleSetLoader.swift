import Crypto
import Foundation
import StrictJSON
import LiaisonConfig
import LiaisonProtocol

/// Reads `config/agreements/*.yaml` into a `RuleSet`, and reports every problem with file, line and key.
public enum RuleSetLoader {
    /// The rule set and every problem found. A rule set with problems must not be put in force.
    public struct Result: Sendable {
        public var ruleSet: RuleSet
        public var problems: [ConfigurationError]
    }

    /// Loads every `.yaml` file in `directory`. `agencies` and `schemas`, when given, are checked against:
    /// every agency must be known, every type must have a schema, every field path must exist in it.
    public static func load(directory: String, agencies: AgencyDirectory?, schemas: MessageSchemas?, today: String) -> Result {
        var problems: [ConfigurationError] = []
        var agreements: [Agreement] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        if names.isEmpty {
            problems.append(ConfigurationError(.unreadable, file: directory, "No agreement files (*.yaml) here: deny by default means nothing would pass."))
        }
        var digest = SHA256()
        for name in names {
            let path = "\(directory)/\(name)"
            if let data = FileManager.default.contents(atPath: path) {
                digest.update(data: Array(name.utf8) + [0] + Array(data) + [0])
            }
            do {
                let agreement = try readAgreement(path: path, problems: &problems)
                check(agreement, agencies: agencies, schemas: schemas, today: today, problems: &problems)
                agreements.append(agreement)
            } catch {
                problems.append(error)
            }
        }
        checkContradictions(agreements, problems: &problems)
        let hash = Array(digest.finalize()).map { String(format: "%02x", $0) }.joined()
        return Result(ruleSet: RuleSet(agreements: agreements, hash: hash), problems: problems)
    }

    static func readAgreement(path: String, problems: inout [ConfigurationError]) throws(ConfigurationError) -> Agreement {
        let root = try ConfigNode.load(path: path)
        let top = try root.mapping()
        func text(_ key: String) throws(ConfigurationError) -> String {
            let node = try top.required(key)
            let value = try node.string()
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw node.error(.invalidValue, "This must not be empty.") }
            return value
        }
        func date(_ key: String) throws(ConfigurationError) -> String {
            let node = try top.required(key)
            let value = try node.string()
            guard value.count == 10, value.split(separator: "-").count == 3 else { throw node.error(.invalidValue, "Expected a date such as 2027-03-31.") }
            return value
        }
        var parties: [AgencyID] = []
        for node in try top.required("parties").sequence() {
            guard let id = AgencyID(try node.string()) else { throw node.error(.invalidValue, "Expected an agency id.") }
            parties.append(id)
        }
        var agreement = Agreement(
            id: try text("id"), title: try text("title"), version: try text("version"), parties: parties,
            lawfulBasis: try text("lawful_basis"), purpose: try text("purpose"), effective: try date("effective"),
            review: try date("review"), end: try date("end"), retention: try text("retention"), bodyRetention: nil,
            contact: try text("contact"), flows: [], file: path)
        if let node = top.optional("body_retention") {
            guard let period = RetentionPeriod(try node.string()) else {
                throw node.error(.invalidValue, "Expected an ISO 8601 period of years, months, weeks or days, such as P6Y, P18M or P90D.")
            }
            agreement.bodyRetention = period
        }
        for node in try top.required("flows").sequence() {
            do { agreement.flows.append(try readFlow(node)) } catch { problems.append(error) }
        }
        try top.finish()
        return agreement
    }

    static func readFlow(_ node: ConfigNode) throws(ConfigurationError) -> Flow {
        let fields = try node.mapping()
        func agency(_ key: String) throws(ConfigurationError) -> AgencyID {
            let value = try fields.required(key)
            guard let id = AgencyID(try value.string()) else { throw value.error(.invalidValue, "Expected an agency id.") }
            return id
        }
        func path(_ value: ConfigNode) throws(ConfigurationError) -> FieldPath {
            guard let path = FieldPath(try value.string()) else { throw value.error(.invalidValue, "Expected a path such as /pupils/*/upn.") }
            return path
        }
        var types: [MessageType] = []
        for value in try fields.required("types").sequence() {
            guard let type = MessageType(try value.string()) else { throw value.error(.invalidValue, "Expected a message type.") }
            types.append(type)
        }
        let purposeNode = try fields.required("purpose")
        guard !(try purposeNode.string()).isEmpty else { throw purposeNode.error(.invalidValue, "A flow must state its purpose.") }
        var flow = Flow(
            id: try fields.required("id").string(), from: try agency("from"), to: try agency("to"), types: types,
            purpose: try purposeNode.string(), records: try fields.optional("records").map(path), conditions: [], allowList: AllowList([]),
            obligations: [], line: node.line)
        for condition in try fields.optional("where")?.sequence() ?? [] {
            let reader = try condition.mapping()
            if let name = reader.optional("in_cohort") {
                flow.conditions.append(.inCohort(try name.string(), key: try path(try reader.required("key"))))
            } else if let name = reader.optional("not_in_cohort") {
                flow.conditions.append(.notInCohort(try name.string(), key: try path(try reader.required("key"))))
            } else if let age = reader.optional("age") {
                let range = try age.mapping()
                let minimum = try range.required("min").int(in: 0...120)
                let maximumNode = try range.required("max")
                let maximum = try maximumNode.int(in: 0...120)
                guard minimum <= maximum else { throw maximumNode.error(.invalidValue, "max must not be below min (\(minimum)).") }
                flow.conditions.append(.age(dateOfBirth: try path(try range.required("dob")), minimum: minimum, maximum: maximum))
                try range.finish()
            } else if let equals = reader.optional("equals") {
                let pair = try equals.mapping()
                // YAML's own typing: `true` is a boolean, `7` a number, `"9262001"` a string.
                let value = YAMLJSON.value(try pair.required("value").node)
                flow.conditions.append(.equals(try path(try pair.required("path")), value))
                try pair.finish()
            } else {
                throw condition.error(.invalidValue, "Expected one of in_cohort, not_in_cohort, age, equals.")
            }
            try reader.finish()
        }
        let fieldList = try fields.required("fields").sequence()
        guard !fieldList.isEmpty else { throw node.error(.invalidValue, "A flow must list the fields it allows.") }
        flow.fields = try fieldList.map { (value: ConfigNode) throws(ConfigurationError) -> FieldPath in try path(value) }
        for value in try fields.optional("envelope")?.sequence() ?? [] {
            guard let attribute = EnvelopeAttribute(rawValue: try value.string()) else {
                throw value.error(
                    .invalidValue,
                    "Expected an envelope attribute a flow may pass on: \(EnvelopeAttribute.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            flow.envelopeAttributes.insert(attribute)
        }
        for obligation in try fields.optional("obligations")?.sequence() ?? [] {
            let reader = try obligation.mapping()
            flow.obligations.append(.pseudonymise(try path(try reader.required("pseudonymise"))))
            try reader.finish()
        }
        try fields.finish()
        return flow
    }

    static func check(
        _ agreement: Agreement, agencies: AgencyDirectory?, schemas: MessageSchemas?, today: String, problems: inout [ConfigurationError]
    ) {
        let file = agreement.file
        if !(agreement.effective < agreement.review && agreement.review <= agreement.end) {
            problems.append(ConfigurationError(.invalidValue, file: file, key: "review", "Dates out of order: expected effective < review <= end."))
        }
        if agreement.review < today {
            problems.append(ConfigurationError(
                .reviewDue, file: file, key: "review", "The review date \(agreement.review) has passed: review the agreement and set the next date."))
        }
        for party in agreement.parties where agencies.map({ !$0.contains(party) }) ?? false {
            problems.append(ConfigurationError(.invalidValue, file: file, key: "parties", "'\(party)' is not an agency of this hub."))
        }
        for flow in agreement.flows {
            let key = "flows.\(flow.id)"
            for agency in [flow.from, flow.to] where !agreement.parties.contains(agency) {
                problems.append(ConfigurationError(.invalidValue, file: file, line: flow.line, key: key, "'\(agency)' is not a party to this agreement."))
            }
            for type in flow.types {
                guard let schemas else { continue }
                guard let entry = schemas.schema(for: type) else {
                    problems.append(ConfigurationError(.invalidValue, file: file, line: flow.line, key: key, "'\(type)' has no schema in \(schemas.directory)."))
                    continue
                }
                var paths = flow.fields
                if let records = flow.records { paths.append(records) }
                for condition in flow.conditions {
                    switch condition {
                    case .inCohort(_, let path), .notInCohort(_, let path), .age(let path, _, _), .equals(let path, _):
                        // Conditions are written relative to a record: check them under the records' array.
                        let prefix = flow.records.map { $0.tokens + ["*"] } ?? []
                        paths.append(FieldPath(tokens: prefix + path.tokens))
                    }
                }
                for obligation in flow.obligations { if case .pseudonymise(let path) = obligation { paths.append(path) } }
                for path in paths where !SchemaPaths.exists(path.tokens, in: entry.validator.root) {
                    problems.append(ConfigurationError(
                        .invalidValue, file: file, line: flow.line, key: key, "\(path) is not a field of '\(type)' (\(entry.id))."))
                }
            }
        }
    }

    /// Two agreements permitting the same sender, recipient and type: which one applies would depend on
    /// file order, so the rule set is ambiguous.
    static func checkContradictions(_ agreements: [Agreement], problems: inout [ConfigurationError]) {
        var seen: [String: String] = [:]
        for agreement in agreements {
            for flow in agreement.flows {
                for type in flow.types {
                    let key = "\(flow.from)->\(flow.to):\(type)"
                    if let other = seen[key] {
                        problems.append(ConfigurationError(
                            .invalidValue, file: agreement.file, line: flow.line, key: "flows.\(flow.id)",
                            "Contradicts \(other): both permit '\(type)' from \(flow.from) to \(flow.to), and only the first would apply. One must go."))
                    }
                    seen[key] = "agreement '\(agreement.id)' flow '\(flow.id)'"
                }
            }
        }
    }
}

/// Whether a path names something a schema allows.
enum SchemaPaths {
    static func exists(_ tokens: [String], in root: JSONValue) -> Bool {
        func walk(_ schema: JSONValue, _ rest: ArraySlice<String>, depth: Int) -> Bool {
            guard depth < 32 else { return false }
            guard let token = rest.first else { return true }
            guard let keywords = schema.objectValue else { return schema == .bool(true) }
            if let reference = keywords["$ref"]?.stringValue, reference.hasPrefix("#"),
                let pointer = JSONPointer(parsing: String(reference.dropFirst())), let target = pointer.resolve(in: root),
                walk(target, rest, depth: depth + 1)
            {
                return true
            }
            for combinator in ["allOf", "anyOf", "oneOf"] {
                for option in keywords[combinator]?.arrayValue ?? [] where walk(option, rest, depth: depth + 1) { return true }
            }
            if let property = keywords["properties"]?[token], walk(property, rest.dropFirst(), depth: depth + 1) { return true }
            if token == "*" || Int(token) != nil {
                if let items = keywords["items"], walk(items, rest.dropFirst(), depth: depth + 1) { return true }
            }
            if let patterns = keywords["patternProperties"]?.objectValue {
                for (pattern, schema) in patterns where token.range(of: pattern, options: .regularExpression) != nil {
                    if walk(schema, rest.dropFirst(), depth: depth + 1) { return true }
                }
            }
            return false
        }
        return walk(root, tokens[...], depth: 0)
    }
}
