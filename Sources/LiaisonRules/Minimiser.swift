import StrictJSON

/// Keeps only the allowed fields of a body, and says what it removed.
struct Minimiser {
    let allowed: AllowList
    /// What the walks so far withheld.
    private var walk = WithheldPaths()

    init(allowed: AllowList) {
        self.allowed = allowed
    }

    init(allowed: [FieldPath]) {
        self.init(allowed: AllowList(allowed))
    }

    /// What was removed, every array index written as `*`.
    var withheld: Set<FieldPath> { walk.fields }

    /// The value with everything not on the allow-list removed; `nil` when nothing of it is allowed.
    mutating func minimise(_ value: JSONValue) -> JSONValue? {
        walk.start()
        return minimise(value, at: allowed.root)
    }

    private mutating func minimise(_ value: JSONValue, at node: AllowList.Node) -> JSONValue? {
        if node.covers { return value }
        guard node.leadsOn else {
            walk.withholdHere()
            return nil
        }
        switch value {
        case .object(let members):
            var kept = [String: JSONValue](minimumCapacity: node.star == nil ? min(node.named.count, members.count) : members.count)
            for (key, member) in members {
                walk.enter(key)
                if let next = node.member(key) {
                    if let minimised = minimise(member, at: next) { kept[key] = minimised }
                } else {
                    walk.withholdHere()
                }
                walk.leave()
            }
            return .object(kept)
        case .array(let items):
            var kept: [JSONValue] = []
            walk.enter("*")
            for (index, item) in items.enumerated() {
                if let next = node.element(index) {
                    if let minimised = minimise(item, at: next) { kept.append(minimised) }
                } else {
                    walk.withholdHere()
                }
            }
            walk.leave()
            return .array(kept)
        default:
            // A scalar where the allow-list expected a container: it is not itself allowed.
            walk.withholdHere()
            return nil
        }
    }
}

/// A flow's allowed fields made into a tree once, so that minimising a body compares each member's name once
/// instead of testing every path against every field (written by hand: no library walks JSON Pointer patterns).
///
/// A pattern's token matches a concrete token when they are equal, or when the pattern's is `*` and the
/// concrete one is an integer (an array index, or an object member named like one). Each node stands for the
/// set of patterns that match the path so far, so a name that both a named token and `*` match leads to a node
/// for both.
struct AllowList: Sendable {
    final class Node: Sendable {
        /// Some pattern ends here: everything below is allowed.
        let covers: Bool
        /// Some pattern goes deeper: the container is kept for what it leads to.
        let leadsOn: Bool
        let named: [String: Node]
        /// Where a name no pattern names leads, if it is an integer (`*`).
        let star: Node?

        init(covers: Bool, named: [String: Node], star: Node?) {
            self.covers = covers
            self.named = named
            self.star = star
            leadsOn = !named.isEmpty || star != nil
        }

        func member(_ name: String) -> Node? {
            if let node = named[name] { return node }
            // `*` matches an integer name, and (as any token matches itself) a name that is `*`.
            guard let star, Int(name) != nil || name == "*" else { return nil }
            return star
        }

        func element(_ index: Int) -> Node? {
            if named.isEmpty { return star }
            return named[String(index)] ?? star
        }
    }

    let patterns: [FieldPath]
    let root: Node

    init(_ patterns: [FieldPath]) {
        self.patterns = patterns
        root = Self.node(patterns.map(\.tokens), depth: 0)
    }

    /// The node for the patterns (all matching the path so far) at `depth`.
    private static func node(_ patterns: [[String]], depth: Int) -> Node {
        let covers = patterns.contains { $0.count == depth }
        let deeper = patterns.filter { $0.count > depth }
        let starred = deeper.filter { $0[depth] == "*" }
        var named: [String: Node] = [:]
        for name in Set(deeper.map { $0[depth] }) where name != "*" {
            let matching = deeper.filter { $0[depth] == name || (Int(name) != nil && $0[depth] == "*") }
            named[name] = node(matching, depth: depth + 1)
        }
        return Node(covers: covers, named: named, star: starred.isEmpty ? nil : node(starred, depth: depth + 1))
    }
}
