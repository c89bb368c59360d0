import StrictJSON
import Yams

/// Converts parsed YAML (as Yams nodes) into JSON values, for message bodies written inline in policy
/// tests. Keys are strings; scalars keep YAML's types (numbers, booleans, null).
enum YAMLJSON {
    static func value(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if let bool = node.bool { return .bool(bool) }
                if let int = node.int { return .number(Double(int)) }
                if let double = node.float { return .number(double) }
                if node.null != nil { return .null }
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(sequence.map(value))
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, member) in mapping { members[key.string ?? ""] = value(member) }
            return .object(members)
        case .alias:
            return .null
        }
    }
}
