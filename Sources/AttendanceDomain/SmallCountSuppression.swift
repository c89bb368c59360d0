/// Small-count suppression over figures that add up: which counts to hide so that no small count is shown, and none
/// can be worked out from the totals. The one algorithm behind the monitoring reports' tables (MonitoringReports'
/// `DisclosureControl`) and the Advisory Service's feed (NPASDesk's `FeedDisclosure`); it knows nothing of tables or
/// feeds, only of keys, their counts and the additive lines between them.
///
/// - **Primary**: a count of 1 to `threshold − 1` is hidden, and a count of 0 when ``showZero`` is off. Keys the
///   caller already knows to be hidden (`forced`) are primary too.
/// - **Secondary**: a line (parts adding up to a total) never has exactly one hidden member, or the total and the
///   other members would give it back: a complement (``Complement``) is hidden beside it, the first such line first,
///   and the lines are gone over again until none has one hidden member. Last, an exact check (``determined(hidden:lines:)``)
///   finds any hidden key the lines still give back together (one joining two otherwise separate groups of hidden
///   keys) and hides a complement beside it, until none is left.
///
/// ```swift
/// let rule = SmallCountSuppression(threshold: 3)
/// let result = rule.suppress(
///     values: ["a": 1, "b": 7, "c": 9, "all": 17],
///     lines: [.init(parts: ["a", "b", "c"], total: "all")])
/// result.primary    // ["a"]
/// result.secondary  // ["b"]: the smallest other non-zero part
/// ```
///
/// A key with no value in `values` (and not forced) takes part in its lines as a known figure but is never hidden:
/// that is how a caller exempts a figure. A forced key with no value is hidden but never chosen as a complement.
///
/// What this does not do: it protects exact values, not ranges (a hidden count may be known to be at most 2), and it
/// knows only the lines it is given.
public struct SmallCountSuppression: Sendable, Hashable {
    /// Counts from 1 to `threshold − 1` are hidden; a threshold of 1 (or less) hides none.
    public var threshold: Int
    /// Whether a count of 0 is shown (the default) or hidden like a small count.
    public var showZero: Bool
    /// Which member of a line is hidden beside a hidden one.
    public var complement: Complement

    public init(threshold: Int = 3, showZero: Bool = true, complement: Complement = .smallestCount) {
        self.threshold = threshold
        self.showZero = showZero
        self.complement = complement
    }

    /// Whether `count` is hidden on its own (primary suppression).
    public func hides(_ count: Int) -> Bool {
        count == 0 ? !showZero : count > 0 && count < threshold
    }

    /// The keys to hide, by reason. `values` are the counts (a key without one is exempt, see above), `forced` the
    /// keys hidden whatever their count (a figure already withheld, or hidden for a reason of the caller's), and
    /// `lines` the sums the published figures make. Lines are gone over in the order given, so the same input always
    /// gives the same result.
    public func suppress<Key: Hashable & Comparable>(values: [Key: Int], forced: Set<Key> = [], lines: [Line<Key>]) -> Result<Key> {
        var result = Result<Key>()
        result.primary = forced.union(values.filter { hides($0.value) }.keys)
        var hidden = result.primary
        while let key = nextSecondary(hidden: hidden, lines: lines, values: values) {
            hidden.insert(key)
            result.secondary.insert(key)
        }
        return result
    }

    /// The next key secondary suppression hides, or nil when every hidden key is safe.
    func nextSecondary<Key: Hashable & Comparable>(hidden: Set<Key>, lines: [Line<Key>], values: [Key: Int]) -> Key? {
        // A line with exactly one hidden member first.
        for line in lines where line.members.filter(hidden.contains).count == 1 {
            if let pick = companion(in: [line], hidden: hidden, lines: lines, values: values) { return pick }
        }
        // Then any hidden key the lines still give back together.
        for key in Self.determined(hidden: hidden, lines: lines).sorted() {
            let through = lines.filter { $0.members.contains(key) }
            if let pick = companion(in: through, hidden: hidden, lines: lines, values: values) { return pick }
        }
        return nil
    }

    /// The key to hide beside a hidden member of `candidates`, as ``complement`` says; among equals the smallest key.
    func companion<Key: Hashable & Comparable>(in candidates: [Line<Key>], hidden: Set<Key>, lines: [Line<Key>], values: [Key: Int]) -> Key? {
        var best: (rank: [Int], key: Key)?
        for line in candidates {
            for key in line.members where !hidden.contains(key) {
                guard let value = values[key] else { continue }
                let rank: [Int]
                switch complement {
                case .smallestCount:
                    let isTotal = lines.contains { $0.total == key } ? 1 : 0
                    let startsNewLine = lines.contains { other in
                        other.members.contains(key) && other != line && !other.members.contains(where: hidden.contains)
                    } ? 1 : 0
                    rank = [value == 0 ? 1 : 0, isTotal, value, startsNewLine]
                case .smallestPart:
                    rank = [key == line.total ? 1 : 0, value == 0 ? 1 : 0, value]
                }
                let better = best.map { rank.lexicographicallyPrecedes($0.rank) || (rank == $0.rank && key < $0.key) } ?? true
                if better { best = (rank, key) }
            }
        }
        return best?.key
    }

    /// The keys among `hidden` whose values `lines` determine, whatever the other hidden values are.
    ///
    /// Each line is an equation (its parts minus its total is zero). A hidden key is determined when, after Gaussian
    /// elimination over the hidden keys alone, its variable is a pivot whose row has no free variable in it. A key on
    /// a cycle of hidden keys (a rectangle of hidden cells in a table) is free; a key whose line has no other hidden
    /// member, or one joining two such cycles (a bridge), is determined. Because every hidden count is at least 1
    /// (zeros are chosen only when nothing else is left) and the equations have coefficients 0 and ±1, a key that is
    /// not determined has another whole, non-negative value consistent with everything shown. In a hierarchy of sums
    /// (schools in phases, phases in a county) a key is determined only when its own line has no other hidden member.
    public static func determined<Key: Hashable & Comparable>(hidden: Set<Key>, lines: [Line<Key>]) -> Set<Key> {
        let variables = hidden.sorted()
        guard !variables.isEmpty else { return [] }
        let index = Dictionary(uniqueKeysWithValues: variables.enumerated().map { ($0.element, $0.offset) })
        var matrix: [[Double]] = lines.compactMap { line in
            var row = [Double](repeating: 0, count: variables.count)
            var any = false
            for part in line.parts { if let column = index[part] { row[column] += 1; any = true } }
            if let column = index[line.total] { row[column] -= 1; any = true }
            return any ? row : nil
        }
        // Reduced row echelon form.
        var pivots: [(row: Int, column: Int)] = []
        var pivotRow = 0
        for column in 0..<variables.count where pivotRow < matrix.count {
            guard let found = (pivotRow..<matrix.count).first(where: { abs(matrix[$0][column]) > 1e-9 }) else { continue }
            matrix.swapAt(pivotRow, found)
            let scale = matrix[pivotRow][column]
            for k in 0..<variables.count { matrix[pivotRow][k] /= scale }
            for other in 0..<matrix.count where other != pivotRow && abs(matrix[other][column]) > 1e-9 {
                let factor = matrix[other][column]
                for k in 0..<variables.count { matrix[other][k] -= factor * matrix[pivotRow][k] }
            }
            pivots.append((pivotRow, column))
            pivotRow += 1
        }
        let pivotColumns = Set(pivots.map(\.column))
        var result: Set<Key> = []
        for (row, column) in pivots {
            let free = (0..<variables.count).contains { !pivotColumns.contains($0) && abs(matrix[row][$0]) > 1e-9 }
            if !free { result.insert(variables[column]) }
        }
        return result
    }
}

extension SmallCountSuppression {
    /// Which member of a line with one hidden member is hidden beside it. Both take the smallest non-zero count (a
    /// zero says nothing of any one pupil, so hiding it protects nothing unless nothing else is left); they differ in
    /// where a total stands.
    public enum Complement: Sendable, Hashable {
        /// The reports' tables: the smallest non-zero count among the line's members, a part before a total (a key
        /// that is any line's total), and among equal counts one whose other lines already have a hidden member, so
        /// that fewer go; a zero only when no non-zero count is left.
        case smallestCount
        /// The Advisory Service's feed: the smallest non-zero part of the line, a zero part when only zeros are
        /// left, and the line's total only when every part is hidden.
        case smallestPart
    }

    /// One additive line: `parts` add up to `total`.
    public struct Line<Key: Hashable>: Hashable {
        public var parts: [Key]
        public var total: Key

        public init(parts: [Key], total: Key) {
            self.parts = parts
            self.total = total
        }

        /// The parts and the total.
        public var members: [Key] { parts + [total] }
    }

    /// The keys ``suppress(values:forced:lines:)`` hides, by reason.
    public struct Result<Key: Hashable>: Hashable {
        /// Small counts, and the forced keys.
        public var primary: Set<Key> = []
        /// Keys hidden so that a primary one cannot be worked out from the lines.
        public var secondary: Set<Key> = []

        public init() {}

        /// Every hidden key.
        public var hidden: Set<Key> { primary.union(secondary) }
    }
}

extension SmallCountSuppression.Line: Sendable where Key: Sendable {}
extension SmallCountSuppression.Result: Sendable where Key: Sendable {}
