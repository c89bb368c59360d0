/// What a walk over a body withheld, as `Minimiser` and `MinimisingWriter` walk it: the path being walked and every
/// path removed, array indices written as `*` (generalised to fields once, at the end).
struct WithheldPaths {
    private var removed: Set<[String]> = []
    /// The path being walked (only read when something is withheld).
    private var path: [String] = []

    /// A new walk from the body's root (what earlier walks withheld is kept).
    mutating func start() {
        path.removeAll(keepingCapacity: true)
    }

    mutating func enter(_ token: String) {
        path.append(token)
    }

    mutating func leave() {
        path.removeLast()
    }

    /// The value at the path being walked is withheld.
    mutating func withholdHere() {
        removed.insert(path)
    }

    /// What was removed, every array index written as `*`.
    var fields: Set<FieldPath> { Set(removed.map(FieldPath.generalised)) }
}
