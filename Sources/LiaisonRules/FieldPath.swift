import StrictJSON

/// A path into a message body: a JSON Pointer whose tokens may be `*`, meaning every element of an
/// array, e.g. `/pupils/*/upn`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible, Comparable {
    public let tokens: [String]
    /// The path as written (`/pupils/*/upn`; `/` for the whole body), made once: every decision's record lists
    /// its flow's fields.
    public let description: String

    /// Parses `/a/*/b`; `/` alone names the whole body.
    public init?(_ text: String) {
        if text == "/" {
            self.init(tokens: [])
            return
        }
        guard let pointer = JSONPointer(parsing: text) else { return nil }
        self.init(tokens: pointer.tokens)
    }

    init(tokens: [String]) {
        self.tokens = tokens
        let text = JSONPointer(tokens).description
        description = text.isEmpty ? "/" : text
    }

    public static func == (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.tokens == rhs.tokens }
    public func hash(into hasher: inout Hasher) { hasher.combine(tokens) }
    public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool { lhs.description < rhs.description }

    /// Whether this pattern names `concrete` (a path with real array indices), or a container of it.
    func covers(_ concrete: [String]) -> Bool {
        guard tokens.count <= concrete.count else { return false }
        return zip(tokens, concrete).allSatisfy { pattern, token in pattern == token || (pattern == "*" && Int(token) != nil) }
    }

    /// Whether `concrete` leads towards something this pattern names (so its container must be kept).
    func leadsThrough(_ concrete: [String]) -> Bool {
        guard concrete.count < tokens.count else { return false }
        return zip(tokens, concrete).allSatisfy { pattern, token in pattern == token || (pattern == "*" && Int(token) != nil) }
    }

    /// The same path with every array index written as `*` (how withheld fields are reported).
    static func generalised(_ concrete: [String]) -> FieldPath {
        FieldPath(tokens: concrete.map { Int($0) != nil ? "*" : $0 })
    }

    /// The first value at this path in `document`, wildcards fanning out over arrays in order (`FieldPathTests` hold it
    /// to the first of every value, found level by level). Found without making arrays: conditions read one value of
    /// every record of every message.
    func firstValue(in document: JSONValue) -> JSONValue? {
        Self.first(in: document, tokens: tokens[...])
    }

    private static func first(in value: JSONValue, tokens: ArraySlice<String>) -> JSONValue? {
        guard let token = tokens.first else { return value }
        let rest = tokens.dropFirst()
        switch value {
        case .object(let members):
            return members[token].flatMap { first(in: $0, tokens: rest) }
        case .array(let items):
            if token == "*" {
                for item in items {
                    if let found = first(in: item, tokens: rest) { return found }
                }
                return nil
            }
            guard let index = Int(token), items.indices.contains(index) else { return nil }
            return first(in: items[index], tokens: rest)
        default:
            return nil
        }
    }
}
