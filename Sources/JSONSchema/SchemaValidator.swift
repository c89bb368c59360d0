import StrictJSON
import Foundation

/// One reason an instance does not match its schema.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// Where in the instance: a JSON Pointer such as `/pupils/3/upn`.
    public var instancePath: JSONPointer
    /// The keyword that failed, e.g. `pattern`.
    public var keyword: String
    /// What was expected, in words.
    public var message: String

    public var description: String {
        "\(instancePath.description.isEmpty ? "(the whole body)" : instancePath.description): \(keyword): \(message)"
    }
}

/// A JSON Schema (draft 2020-12) validator for the keywords Liaison's message schemas use.
///
/// Written by hand because no JSON Schema library for Swift is available to this project. It covers:
/// `type`, `enum`, `const`, `properties`, `required`, `additionalProperties`, `patternProperties`,
/// `dependentRequired`, `minProperties`, `maxProperties`, `items`, `prefixItems`, `minItems`,
/// `maxItems`, `uniqueItems`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `multipleOf`, `minLength`, `maxLength`, `pattern`, `propertyNames`, `dependentSchemas`, `format` (date, date-time, email, uuid: asserted),
/// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `$defs` and `$ref` to a JSON Pointer within the
/// same document (`#`, `#/$defs/name`). Remote references, `$anchor`, `$dynamicRef` and the
/// `unevaluated*` keywords are not supported; `SchemaValidator.init` refuses a schema that uses them, so
/// nothing is silently ignored. It is proved on the official JSON-Schema-Test-Suite for these keywords.
public struct SchemaValidator: Sendable {
    public let root: JSONValue
    private let patterns: [String: CachedRegex]
    /// The schema with its keywords read once (`SchemaNode`).
    let compiled: SchemaNode
    /// Every `$ref` in the schema, resolved and compiled once here rather than at each use (a return's schema
    /// refers to `#/$defs/count` for every count of every pupil).
    let references: [SchemaNode]

    /// A schema keyword this validator does not implement.
    public struct UnsupportedKeyword: Error, CustomStringConvertible {
        public var keyword: String
        public var path: JSONPointer
        public var description: String { "The schema uses '\(keyword)' at \(path), which this validator does not support." }
    }

    static let unsupported: Set<String> = [
        "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems",
        "contains", "minContains", "maxContains", "contentSchema",
    ]

    public init(schema: JSONValue) throws(UnsupportedKeyword) {
        root = schema
        var patterns: [String: CachedRegex] = [:]
        var references: Set<String> = []
        try SchemaValidator.scan(schema, path: JSONPointer(), patterns: &patterns, references: &references)
        self.patterns = patterns
        var targets: [(reference: String, target: JSONValue)] = []
        for reference in references.sorted() {
            if let target = SchemaValidator.resolve(reference, in: schema) { targets.append((reference, target)) }
        }
        let context = SchemaNode.Context(
            patterns: patterns,
            referenceIndices: Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($0.element.reference, $0.offset) }))
        self.references = targets.map { SchemaNode($0.target, context: context) }
        self.compiled = SchemaNode(schema, context: context)
    }

    private static func scan(
        _ schema: JSONValue, path: JSONPointer, patterns: inout [String: CachedRegex], references: inout Set<String>
    ) throws(UnsupportedKeyword) {
        switch schema {
        case .object(let members):
            for (key, value) in members {
                if unsupported.contains(key) { throw UnsupportedKeyword(keyword: key, path: path) }
                if key == "$ref", let reference = value.stringValue {
                    guard reference.hasPrefix("#") else { throw UnsupportedKeyword(keyword: "$ref \(reference)", path: path) }
                    references.insert(reference)
                }
                if key == "pattern", let text = value.stringValue { patterns[text] = CachedRegex(text) }
                if key == "patternProperties", let object = value.objectValue {
                    for text in object.keys { patterns[text] = CachedRegex(text) }
                }
                switch key {
                case "enum", "const", "examples", "dependentRequired", "required":
                    continue  // data, not schemas
                case "properties", "patternProperties", "$defs", "dependentSchemas":
                    // The keys here are names chosen by the schema's author, not keywords.
                    for (name, subschema) in value.objectValue ?? [:] {
                        try scan(subschema, path: path.appending(key).appending(name), patterns: &patterns, references: &references)
                    }
                default:
                    try scan(value, path: path.appending(key), patterns: &patterns, references: &references)
                }
            }
        case .array(let items):
            for (index, item) in items.enumerated() { try scan(item, path: path.appending(index), patterns: &patterns, references: &references) }
        default:
            break
        }
    }

    /// Every way `instance` fails the schema (empty when it is valid).
    ///
    /// A valid instance is walked once, by ``isValid(_:)``; only an invalid one is walked again to collect its errors.
    public func validate(_ instance: JSONValue) -> [ValidationError] {
        if isValid(instance) { return [] }
        return errors(of: instance)
    }

    /// Whether `instance` matches the schema: the verdict of ``validate(_:)`` without its errors, stopping at the
    /// first keyword that fails (``conforms(_:to:depth:)``).
    public func isValid(_ instance: JSONValue) -> Bool { conforms(instance, to: compiled, depth: 0) }

    /// Every way `instance` fails the schema, by the walk that keeps each failing value's path; for a valid instance
    /// it finds none, at more cost than ``isValid(_:)`` (tests hold the two to the same verdict).
    func errors(of instance: JSONValue) -> [ValidationError] {
        var errors: [ValidationError] = []
        var path: [String] = []
        validate(instance, against: compiled, at: &path, errors: &errors, depth: 0)
        return errors
    }

    private func valid(_ instance: JSONValue, _ schema: SchemaNode, depth: Int) -> Bool {
        conforms(instance, to: schema, depth: depth)
    }

    /// Validates `instance` at `path` (a stack of tokens, turned into a pointer only for an error).
    private func validate(_ instance: JSONValue, against schema: SchemaNode, at path: inout [String], errors: inout [ValidationError], depth: Int) {
        func fail(_ keyword: String, _ message: String) {
            errors.append(ValidationError(instancePath: JSONPointer(path), keyword: keyword, message: message))
        }
        guard depth < 64 else { return fail("$ref", "the schema recurses too deeply") }
        if let boolean = schema.boolean {
            if !boolean { fail("false", "no value is allowed here") }
            return
        }
        if let reference = schema.reference {
            if let index = schema.referenceIndex {
                validate(instance, against: references[index], at: &path, errors: &errors, depth: depth + 1)
            } else {
                fail("$ref", "the schema's reference \(reference) does not resolve")
            }
        }
        if let allowed = schema.types, schema.typeMask & SchemaNode.typeBit(of: instance) == 0 {
            fail("type", "expected \(allowed.joined(separator: " or ")), found \(instance.typeName)")
        }
        if let options = schema.enumeration, !schema.enumerationContains(instance) {
            fail("enum", "expected one of \(options.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined(separator: ", "))")
        }
        if let constant = schema.constant, constant != instance {
            fail("const", "expected \(String(decoding: constant.encoded(), as: UTF8.self))")
        }
        switch instance {
        case .number(let value): validateNumber(value, schema, path: path, errors: &errors)
        case .string(let value): validateString(value, schema, path: path, errors: &errors)
        case .array(let items): validateArray(items, schema, path: &path, errors: &errors, depth: depth)
        case .object(let members): if schema.hasObjectKeywords { validateObject(members, schema, path: &path, errors: &errors, depth: depth) }
        default: break
        }
        if let all = schema.allOf {
            for subschema in all { validate(instance, against: subschema, at: &path, errors: &errors, depth: depth + 1) }
        }
        if let any = schema.anyOf, !any.contains(where: { valid(instance, $0, depth: depth + 1) }) {
            fail("anyOf", "expected a value matching at least one of \(any.count) alternatives")
        }
        if let one = schema.oneOf {
            let matches = one.filter { valid(instance, $0, depth: depth + 1) }.count
            if matches != 1 { fail("oneOf", "expected a value matching exactly one of \(one.count) alternatives, matched \(matches)") }
        }
        if let not = schema.not, valid(instance, not, depth: depth + 1) {
            fail("not", "the value matches a schema it must not match")
        }
        if let condition = schema.condition {
            if valid(instance, condition, depth: depth + 1) {
                if let then = schema.then { validate(instance, against: then, at: &path, errors: &errors, depth: depth + 1) }
            } else if let otherwise = schema.otherwise {
                validate(instance, against: otherwise, at: &path, errors: &errors, depth: depth + 1)
            }
        }
    }

    private static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        let fragment = String(reference.dropFirst()).removingPercentEncoding ?? String(reference.dropFirst())
        guard let pointer = JSONPointer(parsing: fragment) else { return nil }
        return pointer.resolve(in: root)
    }

    private func validateNumber(_ value: Double, _ schema: SchemaNode, path: [String], errors: inout [ValidationError]) {
        func fail(_ keyword: String, _ message: String) {
            errors.append(ValidationError(instancePath: JSONPointer(path), keyword: keyword, message: message))
        }
        if let limit = schema.minimum, value < limit { fail("minimum", "expected at least \(format(limit))") }
        if let limit = schema.maximum, value > limit { fail("maximum", "expected at most \(format(limit))") }
        if let limit = schema.exclusiveMinimum, value <= limit {
            fail("exclusiveMinimum", "expected more than \(format(limit))")
        }
        if let limit = schema.exclusiveMaximum, value >= limit {
            fail("exclusiveMaximum", "expected less than \(format(limit))")
        }
        if let divisor = schema.multipleOf, divisor > 0, !SchemaValidator.isMultiple(value, of: divisor) {
            fail("multipleOf", "expected a multiple of \(format(divisor))")
        }
    }

    static func isMultiple(_ value: Double, of divisor: Double) -> Bool {
        let quotient = value / divisor
        // An overflowing quotient is no proof of divisibility: such a value is refused.
        return quotient.isFinite ? abs(quotient - quotient.rounded()) < 1e-9 * max(1, abs(quotient)) : false
    }

    private func validateString(_ value: String, _ schema: SchemaNode, path: [String], errors: inout [ValidationError]) {
        func fail(_ keyword: String, _ message: String) {
            errors.append(ValidationError(instancePath: JSONPointer(path), keyword: keyword, message: message))
        }
        if schema.minLength != nil || schema.maxLength != nil {
            let length = value.unicodeScalars.count
            if let limit = schema.minLength, Double(length) < limit {
                fail("minLength", "expected at least \(format(limit)) characters")
            }
            if let limit = schema.maxLength, Double(length) > limit {
                fail("maxLength", "expected at most \(format(limit)) characters")
                // The string is invalid already: a pattern or format over a long string is work an attacker
                // chooses, so neither runs (the instance's validity is the same).
                return
            }
        }
        if let pattern = schema.pattern, !pattern.regex.matches(value) {
            fail("pattern", "expected a string matching \(pattern.text)")
        }
        if let format = schema.format, !format.check(value) {
            fail("format", "expected a valid \(format.name)")
        }
    }

    private func validateArray(
        _ items: [JSONValue], _ schema: SchemaNode, path: inout [String], errors: inout [ValidationError], depth: Int
    ) {
        func fail(_ keyword: String, _ message: String) {
            errors.append(ValidationError(instancePath: JSONPointer(path), keyword: keyword, message: message))
        }
        if let limit = schema.minItems, Double(items.count) < limit { fail("minItems", "expected at least \(format(limit)) items") }
        if let limit = schema.maxItems, Double(items.count) > limit { fail("maxItems", "expected at most \(format(limit)) items") }
        if schema.uniqueItems {
            outer: for first in items.indices {
                for second in items.indices where second > first && items[first] == items[second] {
                    fail("uniqueItems", "items \(first) and \(second) are equal; expected unique items")
                    break outer
                }
            }
        }
        for (index, item) in items.enumerated() {
            let subschema = index < schema.prefixItems.count ? schema.prefixItems[index] : schema.items
            guard let subschema else { continue }
            path.append(String(index))
            validate(item, against: subschema, at: &path, errors: &errors, depth: depth + 1)
            path.removeLast()
        }
    }

    private func validateObject(
        _ members: [String: JSONValue], _ schema: SchemaNode, path: inout [String], errors: inout [ValidationError],
        depth: Int
    ) {
        func fail(_ keyword: String, _ message: String, _ token: String? = nil) {
            errors.append(ValidationError(instancePath: JSONPointer(token.map { path + [$0] } ?? path), keyword: keyword, message: message))
        }
        if let required = schema.required {
            for name in required where !members.hasExactName(name) {
                fail("required", "'\(name)' is required", name)
            }
        }
        if let limit = schema.minProperties, Double(members.count) < limit {
            fail("minProperties", "expected at least \(format(limit)) members")
        }
        if let limit = schema.maxProperties, Double(members.count) > limit {
            fail("maxProperties", "expected at most \(format(limit)) members")
        }
        if let names = schema.propertyNames {
            for name in members.keys.sorted() {
                path.append(name)
                validate(.string(name), against: names, at: &path, errors: &errors, depth: depth + 1)
                path.removeLast()
            }
        }
        for (name, dependent) in schema.dependentSchemas where members.hasExactName(name) {
            validate(.object(members), against: dependent, at: &path, errors: &errors, depth: depth + 1)
        }
        for (name, needed) in schema.dependentRequired where members.hasExactName(name) {
            for other in needed where !members.hasExactName(other) {
                fail("dependentRequired", "'\(other)' is required when '\(name)' is present", other)
            }
        }
        guard schema.checksEachMember else { return }
        // Members in the dictionary's own order (sorting every object's names was a tenth of validating a return);
        // errors are put back in name order afterwards, so that messages come out as they always did.
        let firstError = errors.count
        var erring: [(name: String, errors: Range<Int>)] = []
        for (name, value) in members {
            let before = errors.count
            defer { if errors.count > before { erring.append((name, before..<errors.count)) } }
            var matched = false
            path.append(name)
            if let subschema = schema.property(named: name) {
                matched = true
                validate(value, against: subschema, at: &path, errors: &errors, depth: depth + 1)
            }
            if !schema.patternProperties.isEmpty {
                let bits = schema.patternBits(name)
                for (index, entry) in schema.patternProperties.enumerated() where bits & (1 << UInt64(index)) != 0 {
                    matched = true
                    validate(value, against: entry.schema, at: &path, errors: &errors, depth: depth + 1)
                }
            }
            if !matched, let additional = schema.additionalProperties {
                if additional.boolean == false {
                    errors.append(ValidationError(
                        instancePath: JSONPointer(path), keyword: "additionalProperties", message: "'\(name)' is not allowed here"))
                } else {
                    validate(value, against: additional, at: &path, errors: &errors, depth: depth + 1)
                }
            }
            path.removeLast()
        }
        if erring.count > 1 {
            let ordered = erring.sorted { $0.name < $1.name }.flatMap { errors[$0.errors] }
            errors.replaceSubrange(firstError..., with: ordered)
        }
    }

    private func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

/// A compiled `pattern` (ECMA-262 patterns are compiled with Foundation's ICU regular expressions).
///
/// Results are remembered (``StringMemo``): a half-termly return names the same few dozen dates and codes for every
/// pupil, and ICU matching on Linux costs microseconds a time.
final class CachedRegex: Sendable {
    let expression: NSRegularExpression?
    private let memo = StringMemo<Bool>()

    init(_ pattern: String) {
        expression = try? NSRegularExpression(pattern: pattern)
    }

    /// How many strings are remembered (for tests).
    var rememberedCount: Int { memo.count }

    func matches(_ text: String) -> Bool {
        if let known = memo[text] { return known }
        guard let expression else { return false }
        let result = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        memo[text] = result
        return result
    }
}
