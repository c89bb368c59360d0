import StrictJSON

/// Keeps only the allowed fields of a body, and says what it removed.
struct Minimiser {
    let allowed: [FieldPath]
    private(set) var withheld: Set<FieldPath> = []

    init(allowed: [FieldPath]) {
        self.allowed = allowed
    }

    /// The value with everything not on the allow-list removed; `nil` when nothing of it is allowed.
    mutating func minimise(_ value: JSONValue, at path: [String] = []) -> JSONValue? {
        if allowed.contains(where: { $0.covers(path) }) { return value }
        guard allowed.contains(where: { $0.leadsThrough(path) }) else {
            withheld.insert(FieldPath.generalised(path))
            return nil
        }
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, member) in members {
                if let minimised = minimise(member, at: path + [key]) { kept[key] = minimised }
            }
            return .object(kept)
        case .array(let items):
            return .array(items.enumerated().compactMap { index, item in minimise(item, at: path + [String(index)]) })
        default:
            // A scalar where the allow-list expected a container: it is not itself allowed.
            withheld.insert(FieldPath.generalised(path))
            return nil
        }
    }
}
