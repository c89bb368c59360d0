import StrictJSON
/// A subschema with its keywords read once, when the validator is made: validation then reads fields
/// instead of hashing keyword names in a dictionary for every value (a half-termly return has tens of
/// thousands of values, each checked against several subschemas).
final class SchemaNode: Sendable {
    /// `true` or `false` as a whole schema; nil for an object schema.
    let boolean: Bool?
    let reference: String?
    let types: [String]?
    let enumeration: [JSONValue]?
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
    let properties: [String: SchemaNode]
    let patternProperties: [(regex: CachedRegex, schema: SchemaNode)]
    let additionalProperties: SchemaNode?
    let hasObjectKeywords: Bool
    // Combinations
    let allOf: [SchemaNode]?
    let anyOf: [SchemaNode]?
    let oneOf: [SchemaNode]?
    let not: SchemaNode?
    let condition: SchemaNode?
    let then: SchemaNode?
    let otherwise: SchemaNode?

    init(_ schema: JSONValue, patterns: [String: CachedRegex]) {
        func node(_ value: JSONValue?) -> SchemaNode? { value.map { SchemaNode($0, patterns: patterns) } }
        func nodes(_ value: JSONValue?) -> [SchemaNode]? { value?.arrayValue?.map { SchemaNode($0, patterns: patterns) } }
        if case .bool(let flag) = schema { boolean = flag } else { boolean = schema.objectValue == nil ? true : nil }
        let keywords = schema.objectValue ?? [:]
        reference = keywords["$ref"]?.stringValue
        types = keywords["type"].map { type in type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""] }
        enumeration = keywords["enum"]?.arrayValue
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
            .map { ($0.key, SchemaNode($0.value, patterns: patterns)) }
        dependentRequired = (keywords["dependentRequired"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.arrayValue?.compactMap(\.stringValue) ?? []) }
        properties = (keywords["properties"]?.objectValue ?? [:]).mapValues { SchemaNode($0, patterns: patterns) }
        patternProperties = (keywords["patternProperties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .compactMap { entry in patterns[entry.key].map { ($0, SchemaNode(entry.value, patterns: patterns)) } }
        additionalProperties = node(keywords["additionalProperties"])
        hasObjectKeywords = required != nil || minProperties != nil || maxProperties != nil || propertyNames != nil
            || !dependentSchemas.isEmpty || !dependentRequired.isEmpty || !properties.isEmpty || !patternProperties.isEmpty
            || additionalProperties != nil
        allOf = nodes(keywords["allOf"])
        anyOf = nodes(keywords["anyOf"])
        oneOf = nodes(keywords["oneOf"])
        not = node(keywords["not"])
        condition = node(keywords["if"])
        then = node(keywords["then"])
        otherwise = node(keywords["else"])
    }
}
