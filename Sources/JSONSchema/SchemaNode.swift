import StrictJSON
/// A subschema with its keywords read once, when the validator is made: validation then reads fields
/// instead of hashing keyword names in a dictionary for every value (a half-termly return has tens of
/// thousands of values, each checked against several subschemas).
final class SchemaNode: Sendable {
    /// What a node is compiled with: the schema's compiled patterns, and the index of each `$ref` target in the
    /// validator's list of targets (so that a reference is followed by position, not by hashing its text).
    struct Context {
        var patterns: [String: CachedRegex]
        var referenceIndices: [String: Int]
    }

    /// `true` or `false` as a whole schema; nil for an object schema.
    let boolean: Bool?
    let reference: String?
    /// The position of `reference`'s target among the validator's targets.
    let referenceIndex: Int?
    let types: [String]?
    /// `types` as bits of ``typeBit(_:)`` (0 when the schema has no `type`).
    let typeMask: UInt8
    let enumeration: [JSONValue]?
    /// `enumeration` as a set, when every option is a string (register codes, year groups): one lookup instead of
    /// comparing each option in turn.
    let enumeratedStrings: Set<String>?
    /// `enumeratedStrings` in a table, when every option is ASCII (register codes, year groups): found without hashing.
    let enumeratedShort: ShortNameTable<Bool>?
    let constant: JSONValue?
    // Numbers
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Double?
    let exclusiveMaximum: Double?
    let multipleOf: Double?
    // Strings
    let minLength: Double?
    let maxLength: Double?
    let pattern: (text: String, regex: CachedRegex)?
    let format: (name: String, check: @Sendable (String) -> Bool)?
    // Arrays
    let minItems: Double?
    let maxItems: Double?
    let uniqueItems: Bool
    let prefixItems: [SchemaNode]
    let items: SchemaNode?
    // Objects
    let required: [String]?
    let minProperties: Double?
    let maxProperties: Double?
    let propertyNames: SchemaNode?
    let dependentSchemas: [(name: String, schema: SchemaNode)]
    let dependentRequired: [(name: String, needed: [String])]
    /// What a property's name finds: its subschema, and whether `required` names it.
    typealias Property = (schema: SchemaNode, isRequired: Bool)
    /// `properties` in a table, when every name is ASCII (a pupil's members, register codes): found without hashing.
    let propertyTable: ShortNameTable<Property>?
    /// `properties`, each with `isRequired` (found by exact name where the table cannot be made).
    let propertyEntries: [String: Property]
    /// How many distinct names `required` lists that are also `properties`: an object has them all when its members
    /// found that many required properties (no lookup per required name).
    let requiredPropertyCount: Int
    /// The names `required` lists that are not `properties`: looked up one by one.
    let requiredOthers: [String]
    let patternProperties: [(regex: CachedRegex, schema: SchemaNode)]
    /// Which of `patternProperties` each member name matched, remembered (a return names the same dates for every pupil).
    let patternMatches: StringMemo<UInt64>?
    let additionalProperties: SchemaNode?
    let hasObjectKeywords: Bool
    /// Whether each member is checked against `properties`, `patternProperties` or `additionalProperties`.
    let checksEachMember: Bool
    // Combinations
    let allOf: [SchemaNode]?
    let anyOf: [SchemaNode]?
    let oneOf: [SchemaNode]?
    let not: SchemaNode?
    let condition: SchemaNode?
    let then: SchemaNode?
    let otherwise: SchemaNode?

    init(_ schema: JSONValue, context: Context) {
        let patterns = context.patterns
        func node(_ value: JSONValue?) -> SchemaNode? { value.map { SchemaNode($0, context: context) } }
        func nodes(_ value: JSONValue?) -> [SchemaNode]? { value?.arrayValue?.map { SchemaNode($0, context: context) } }
        if case .bool(let flag) = schema { boolean = flag } else { boolean = schema.objectValue == nil ? true : nil }
        let keywords = schema.objectValue ?? [:]
        reference = keywords["$ref"]?.stringValue
        referenceIndex = reference.flatMap { context.referenceIndices[$0] }
        types = keywords["type"].map { type in type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""] }
        // An unknown type name gets a bit no value has, so that it still fails every value, as the names did.
        typeMask = types.map { $0.reduce(0) { $0 | (SchemaNode.typeBits[$1] ?? 0x80) } } ?? 0
        enumeration = keywords["enum"]?.arrayValue
        enumeratedStrings = enumeration.flatMap { options in
            let strings = options.compactMap(\.stringValue)
            // Only when no two options are canonical equivalents, which a `Set` would keep as one.
            let set = Set(strings)
            return strings.count == options.count && set.count == strings.count ? set : nil
        }
        enumeratedShort = enumeratedStrings.flatMap { strings in ShortNameTable(strings.map { (name: $0, value: true) }) }
        constant = keywords["const"]
        minimum = keywords["minimum"]?.numberValue
        maximum = keywords["maximum"]?.numberValue
        exclusiveMinimum = keywords["exclusiveMinimum"]?.numberValue
        exclusiveMaximum = keywords["exclusiveMaximum"]?.numberValue
        multipleOf = keywords["multipleOf"]?.numberValue
        minLength = keywords["minLength"]?.numberValue
        maxLength = keywords["maxLength"]?.numberValue
        pattern = keywords["pattern"]?.stringValue.flatMap { text in patterns[text].map { (text, $0) } }
        format = keywords["format"]?.stringValue.flatMap { name in Formats.checks[name].map { (name, $0) } }
        minItems = keywords["minItems"]?.numberValue
        maxItems = keywords["maxItems"]?.numberValue
        uniqueItems = keywords["uniqueItems"] == .bool(true)
        prefixItems = nodes(keywords["prefixItems"]) ?? []
        items = node(keywords["items"])
        required = keywords["required"]?.arrayValue?.compactMap(\.stringValue)
        minProperties = keywords["minProperties"]?.numberValue
        maxProperties = keywords["maxProperties"]?.numberValue
        propertyNames = node(keywords["propertyNames"])
        dependentSchemas = (keywords["dependentSchemas"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { ($0.key, SchemaNode($0.value, context: context)) }
        dependentRequired = (keywords["dependentRequired"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.arrayValue?.compactMap(\.stringValue) ?? []) }
        let properties = (keywords["properties"]?.objectValue ?? [:]).mapValues { SchemaNode($0, context: context) }
        // Names compared by code point throughout (`value(forExactName:)`): a `Set` of the required names would merge
        // canonical equivalents, which JSON Schema keeps apart.
        var requiredNames: [String] = []
        for name in required ?? [] where !requiredNames.contains(where: { $0.utf8.elementsEqual(name.utf8) }) {
            requiredNames.append(name)
        }
        let propertyEntries = Dictionary(uniqueKeysWithValues: properties.map { name, schema in
            (name, (schema: schema, isRequired: requiredNames.contains { $0.utf8.elementsEqual(name.utf8) }))
        })
        self.propertyEntries = propertyEntries
        propertyTable = ShortNameTable(propertyEntries.map { (name: $0.key, value: $0.value) })
        requiredPropertyCount = requiredNames.filter { properties.hasExactName($0) }.count
        requiredOthers = requiredNames.filter { !properties.hasExactName($0) }
        patternProperties = (keywords["patternProperties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .compactMap { entry in patterns[entry.key].map { ($0, SchemaNode(entry.value, context: context)) } }
        patternMatches = patternProperties.isEmpty || patternProperties.count > 64 ? nil : StringMemo<UInt64>()
        additionalProperties = node(keywords["additionalProperties"])
        checksEachMember = !properties.isEmpty || !patternProperties.isEmpty || additionalProperties != nil
        hasObjectKeywords = required != nil || minProperties != nil || maxProperties != nil || propertyNames != nil
            || !dependentSchemas.isEmpty || !dependentRequired.isEmpty || checksEachMember
        allOf = nodes(keywords["allOf"])
        anyOf = nodes(keywords["anyOf"])
        oneOf = nodes(keywords["oneOf"])
        not = node(keywords["not"])
        condition = node(keywords["if"])
        then = node(keywords["then"])
        otherwise = node(keywords["else"])
    }

    static let typeBits: [String: UInt8] = [
        "null": 1, "boolean": 2, "integer": 4, "number": 8, "string": 16, "array": 32, "object": 64,
    ]

    /// The bit of `value`'s JSON type; an integer-valued number also satisfies `number`.
    static func typeBit(of value: JSONValue) -> UInt8 {
        switch value {
        case .null: 1
        case .bool: 2
        case .number(let number): number.rounded() == number && number.isFinite ? 4 | 8 : 8
        case .string: 16
        case .array: 32
        case .object: 64
        }
    }

    /// Whether `instance` is one of `enumeration`'s options, compared by code point as JSON Schema says (the caller
    /// asks only when the schema has an `enum`).
    func enumerationContains(_ instance: JSONValue) -> Bool {
        if let table = enumeratedShort {
            // ASCII options: a string that is not ASCII is none of them.
            guard case .string(let text) = instance else { return false }
            return table.value(for: text) != nil
        }
        if let strings = enumeratedStrings {
            // `Set` finds a string by Swift's `==`, which equates canonical equivalents ("é" and "e" + U+0301); JSON
            // Schema compares code points, so the one found is compared again that way.
            guard case .string(let text) = instance, let index = strings.firstIndex(of: text) else { return false }
            return strings[index].unicodeScalars.elementsEqual(text.unicodeScalars)
        }
        return enumeration?.contains(instance) ?? true
    }

    /// The schema subschema a member name selects in `properties`, if any.
    @inline(__always)
    func property(named name: String) -> SchemaNode? { propertyEntry(named: name)?.schema }

    /// The subschema a member name selects in `properties`, and whether `required` names it.
    @inline(__always)
    func propertyEntry(named name: String) -> Property? {
        if let propertyTable { return propertyTable.value(for: name) }
        return propertyEntries.value(forExactName: name)
    }

    /// Which of `patternProperties` match `name`, as bits in their order.
    func patternBits(_ name: String) -> UInt64 {
        if let known = patternMatches?[name] { return known }
        var bits: UInt64 = 0
        for (index, entry) in patternProperties.enumerated() where entry.regex.matches(name) { bits |= 1 << UInt64(index) }
        patternMatches?[name] = bits
        return bits
    }
}
