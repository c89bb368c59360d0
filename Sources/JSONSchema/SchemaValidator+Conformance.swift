import StrictJSON

extension SchemaValidator {
    /// Whether `instance` matches `schema`: the same judgement as the error-collecting walk, keyword for keyword,
    /// but without a path, without messages, and stopping at the first keyword that fails.
    ///
    /// Nearly every body the hub checks is valid, so this is the walk it pays for; the error-collecting walk runs only
    /// for a body this one refuses, to say why. `TestSuiteTests` hold the two to the same verdict on every case of the
    /// JSON-Schema-Test-Suite, and `SchemaConformanceTests` (with Python's `jsonschema`) on damaged examples of the
    /// project's own schemas.
    func conforms(_ instance: JSONValue, to schema: SchemaNode, depth: Int) -> Bool {
        guard depth < 64 else { return false }
        if let boolean = schema.boolean { return boolean }
        if schema.reference != nil {
            guard let index = schema.referenceIndex, conforms(instance, to: references[index], depth: depth + 1) else { return false }
        }
        if schema.types != nil, schema.typeMask & SchemaNode.typeBit(of: instance) == 0 { return false }
        if schema.enumeration != nil, !schema.enumerationContains(instance) { return false }
        if let constant = schema.constant, constant != instance { return false }
        switch instance {
        case .number(let value):
            guard numberConforms(value, schema) else { return false }
        case .string(let value):
            guard stringConforms(value, schema) else { return false }
        case .array(let items):
            guard arrayConforms(items, schema, depth: depth) else { return false }
        case .object(let members):
            guard !schema.hasObjectKeywords || objectConforms(members, schema, depth: depth) else { return false }
        default:
            break
        }
        if let all = schema.allOf {
            for subschema in all where !conforms(instance, to: subschema, depth: depth + 1) { return false }
        }
        if let any = schema.anyOf, !any.contains(where: { conforms(instance, to: $0, depth: depth + 1) }) { return false }
        if let one = schema.oneOf {
            var matches = 0
            for subschema in one where conforms(instance, to: subschema, depth: depth + 1) {
                matches += 1
                if matches > 1 { return false }
            }
            if matches != 1 { return false }
        }
        if let not = schema.not, conforms(instance, to: not, depth: depth + 1) { return false }
        if let condition = schema.condition {
            if conforms(instance, to: condition, depth: depth + 1) {
                if let then = schema.then, !conforms(instance, to: then, depth: depth + 1) { return false }
            } else if let otherwise = schema.otherwise, !conforms(instance, to: otherwise, depth: depth + 1) {
                return false
            }
        }
        return true
    }

    private func numberConforms(_ value: Double, _ schema: SchemaNode) -> Bool {
        if let limit = schema.minimum, value < limit { return false }
        if let limit = schema.maximum, value > limit { return false }
        if let limit = schema.exclusiveMinimum, value <= limit { return false }
        if let limit = schema.exclusiveMaximum, value >= limit { return false }
        if let divisor = schema.multipleOf, divisor > 0, !SchemaValidator.isMultiple(value, of: divisor) { return false }
        return true
    }

    private func stringConforms(_ value: String, _ schema: SchemaNode) -> Bool {
        if schema.minLength != nil || schema.maxLength != nil {
            let length = Double(value.unicodeScalars.count)
            if let limit = schema.minLength, length < limit { return false }
            if let limit = schema.maxLength, length > limit { return false }
        }
        if let pattern = schema.pattern, !pattern.regex.matches(value) { return false }
        if let format = schema.format, !format.check(value) { return false }
        return true
    }

    private func arrayConforms(_ items: [JSONValue], _ schema: SchemaNode, depth: Int) -> Bool {
        if let limit = schema.minItems, Double(items.count) < limit { return false }
        if let limit = schema.maxItems, Double(items.count) > limit { return false }
        if schema.uniqueItems {
            for first in items.indices {
                for second in items.indices where second > first && items[first] == items[second] { return false }
            }
        }
        for (index, item) in items.enumerated() {
            guard let subschema = index < schema.prefixItems.count ? schema.prefixItems[index] : schema.items else { continue }
            if !conforms(item, to: subschema, depth: depth + 1) { return false }
        }
        return true
    }

    private func objectConforms(_ members: [String: JSONValue], _ schema: SchemaNode, depth: Int) -> Bool {
        // A required name that is also a property is counted as the members find it, below; only the others are
        // looked up here.
        for name in schema.requiredOthers where !members.hasExactName(name) { return false }
        if let limit = schema.minProperties, Double(members.count) < limit { return false }
        if let limit = schema.maxProperties, Double(members.count) > limit { return false }
        if let names = schema.propertyNames {
            for name in members.keys where !conforms(.string(name), to: names, depth: depth + 1) { return false }
        }
        for (name, dependent) in schema.dependentSchemas where members.hasExactName(name) {
            if !conforms(.object(members), to: dependent, depth: depth + 1) { return false }
        }
        for (name, needed) in schema.dependentRequired where members.hasExactName(name) {
            for other in needed where !members.hasExactName(other) { return false }
        }
        guard schema.checksEachMember else { return true }
        var requiredFound = 0
        for (name, value) in members {
            var matched = false
            if let property = schema.propertyEntry(named: name) {
                matched = true
                if property.isRequired { requiredFound += 1 }
                if !conforms(value, to: property.schema, depth: depth + 1) { return false }
            }
            if !schema.patternProperties.isEmpty {
                let bits = schema.patternBits(name)
                for (index, entry) in schema.patternProperties.enumerated() where bits & (1 << UInt64(index)) != 0 {
                    matched = true
                    if !conforms(value, to: entry.schema, depth: depth + 1) { return false }
                }
            }
            if !matched, let additional = schema.additionalProperties, !conforms(value, to: additional, depth: depth + 1) {
                return false
            }
        }
        return requiredFound == schema.requiredPropertyCount
    }
}
