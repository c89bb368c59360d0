import StrictJSON

/// Writes a body's minimised view straight to JSON text (keys in code-point order, as `JSONValue.encoded()`), and
/// says what it removed: the same view and the same withheld fields as `Minimiser` followed by `encoded()`, without
/// building the kept members as a `JSONValue` first (that tree and its encoding were about a quarter of each
/// decision). Written by hand, as `AllowList` is: no library minimises JSON by JSON Pointer patterns.
///
/// `MinimiserTests` hold it to `Minimiser` on random bodies and field lists.
struct MinimisingWriter {
    let allowed: AllowList
    /// What the walks so far withheld.
    private var walk = WithheldPaths()

    init(allowed: AllowList) {
        self.allowed = allowed
    }

    /// What was removed, every array index written as `*`.
    var withheld: Set<FieldPath> { walk.fields }

    /// The view's JSON text; `{}` when nothing of the body is allowed.
    mutating func write(_ value: JSONValue) -> [UInt8] {
        walk.start()
        var out: [UInt8] = []
        out.reserveCapacity(256)
        if !write(value, at: allowed.root, into: &out) { out.append(contentsOf: "{}".utf8) }
        return out
    }

    /// Whether the allow-list keeps all of `value`, so that its view is the whole body and need not be written: a
    /// walk that writes nothing, allocates nothing, stops at the first thing withheld and does not descend into what
    /// a field covers whole (a return to the desk is a quarter of a megabyte, all of it allowed).
    func keepsEverything(of value: JSONValue) -> Bool {
        Self.keepsEverything(of: value, at: allowed.root)
    }

    private static func keepsEverything(of value: JSONValue, at node: AllowList.Node) -> Bool {
        if node.covers { return true }
        guard node.leadsOn else { return false }
        switch value {
        case .object(let members):
            for (name, member) in members {
                guard let next = node.member(name), keepsEverything(of: member, at: next) else { return false }
            }
            return true
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard let next = node.element(index), keepsEverything(of: item, at: next) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Whether `value` leaves anything at `node` (then `write` writes it); `Minimiser` returns nil exactly when not.
    private static func keeps(_ value: JSONValue, at node: AllowList.Node) -> Bool {
        if node.covers { return true }
        guard node.leadsOn else { return false }
        switch value {
        case .object, .array: return true
        default: return false
        }
    }

    /// Writes what `value` keeps at `node`; writes nothing and notes the removal when it keeps nothing.
    @discardableResult
    private mutating func write(_ value: JSONValue, at node: AllowList.Node, into out: inout [UInt8]) -> Bool {
        if node.covers {
            JSONWriter.write(value, into: &out)
            return true
        }
        guard node.leadsOn else {
            walk.withholdHere()
            return false
        }
        switch value {
        case .object(let members):
            var kept: [(name: String, value: JSONValue, node: AllowList.Node)] = []
            kept.reserveCapacity(node.star == nil ? min(node.named.count, members.count) : members.count)
            for (name, member) in members {
                let next = node.member(name)
                if let next, Self.keeps(member, at: next) {
                    kept.append((name, member, next))
                    continue
                }
                // Noted as `Minimiser` notes it: the member itself, or (a write that writes nothing) what under it is not
                // allowed.
                walk.enter(name)
                if let next { write(member, at: next, into: &out) } else { walk.withholdHere() }
                walk.leave()
            }
            out.append(UInt8(ascii: "{"))
            for (position, index) in JSONWriter.codePointOrder(of: kept.map(\.name)).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                let member = kept[index]
                JSONWriter.string(member.name, into: &out)
                out.append(UInt8(ascii: ":"))
                walk.enter(member.name)
                write(member.value, at: member.node, into: &out)
                walk.leave()
            }
            out.append(UInt8(ascii: "}"))
            return true
        case .array(let items):
            out.append(UInt8(ascii: "["))
            walk.enter("*")
            var written = false
            for (index, item) in items.enumerated() {
                guard let next = node.element(index) else {
                    walk.withholdHere()
                    continue
                }
                if Self.keeps(item, at: next) {
                    if written { out.append(UInt8(ascii: ",")) }
                    written = true
                }
                write(item, at: next, into: &out)
            }
            walk.leave()
            out.append(UInt8(ascii: "]"))
            return true
        default:
            // A scalar where the allow-list expected a container: it is not itself allowed.
            walk.withholdHere()
            return false
        }
    }
}
