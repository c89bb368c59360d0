import Foundation

/// Disclosure control on every figure a report publishes, so that no child can be picked out from it.
///
/// - **Primary suppression**: a count of 1 to `threshold − 1` is shown as `c`. A count of 0 is shown: it identifies
///   no child, and hiding it would make every empty category look like a small one (``showZero`` turns this off).
/// - **Rates**: a rate is shown as `c` when its numerator is hidden, or the pupils it is about (its denominator) are
///   hidden or fewer than the threshold; otherwise the rate and one of its counts would give back the other.
/// - **Secondary suppression**: in every additive line (a row adding up to its total column, a column adding up to
///   the total row) a line never has exactly one hidden cell, or the total minus the others would give it back. The
///   next smallest non-zero cell of such a line is hidden too (a part before a total; among equals, one whose other
///   line already has a hidden cell, so that fewer cells go), and rows and columns are gone over again until none
///   has one hidden cell. Last, an exact check (``DisclosureAudit``) finds any hidden cell the lines together still
///   give back (a hidden cell joining two otherwise separate groups of hidden cells) and hides one more cell beside
///   it, until none is left.
///
/// ```swift
/// let control = DisclosureControl(threshold: 3)
/// let safe = control.protect(table, layout: .init(countColumns: [1, 2, 3], totalColumn: 4, totalRow: 5,
///                                                  rates: [6: .init(numerator: 4, denominator: 5)]))
/// summary.append(("Pupils persistently absent", control.countText(persistentlyAbsent)))
/// ```
///
/// What this does not do: it protects exact values, not ranges (a hidden cell may be known to be at most 2), and it
/// does not look across tables, so the same figure must not be published unprotected in another table of the same
/// report; each table should carry its own total.
public struct DisclosureControl: Sendable, Hashable {
    /// The threshold the reports use unless `--threshold` says otherwise: fewer than 3 pupils are never shown.
    public static let defaultThreshold = 3

    /// Counts from 1 to `threshold − 1` are hidden. A threshold of 1 hides nothing.
    public let threshold: Int
    /// Whether a count of 0 is shown (the default) or hidden like a small count.
    public let showZero: Bool
    /// What the counts count, for the note ("pupils").
    public let unit: String

    /// - Precondition: `threshold` is at least 1 (the command line checks `--threshold` before it gets here).
    public init(threshold: Int = DisclosureControl.defaultThreshold, showZero: Bool = true, unit: String = "pupils") {
        precondition(threshold >= 1, "A disclosure threshold must be at least 1.")
        self.threshold = threshold
        self.showZero = showZero
        self.unit = unit
    }

    /// The note put under a table with hidden cells.
    public var note: String {
        let small = showZero ? "fewer than \(threshold) \(unit)" : "fewer than \(threshold) \(unit) (none included)"
        return "c: \(small), or hidden so that such a figure cannot be worked out from the totals."
    }

    /// The table with ``note`` under it when any of its cells is hidden, and as it was otherwise: for a table whose
    /// cells were protected one by one (``count(_:)``, ``rate(numerator:denominator:percent:)``).
    public func noted(_ table: ReportTable) -> ReportTable {
        guard table.hasSuppressedCells else { return table }
        var noted = table
        noted.note = [table.note, note].compactMap { $0 }.joined(separator: " ")
        return noted
    }

    /// Whether disclosure control hides `count` on its own (primary suppression): 1 to `threshold − 1`, and 0 when
    /// ``showZero`` is off.
    public func hides(_ count: Int) -> Bool {
        count == 0 ? !showZero : (1..<threshold).contains(count)
    }

    // MARK: Single figures

    /// One count for a summary list or a paragraph: `c` when small.
    public func count(_ count: Int) -> ReportCell {
        hides(count) ? .suppressed : .count(count)
    }

    /// ``count(_:)`` as printed (`c` or the number).
    public func countText(_ count: Int) -> String { self.count(count).text }

    /// A rate of pupils (`numerator` of `denominator` pupils, as a percentage): `c` when either count is hidden, no
    /// figure when there are no pupils.
    public func rate(numerator: Int, denominator: Int) -> ReportCell {
        rate(numerator: numerator, denominator: denominator, percent: denominator > 0 ? Double(numerator) * 100 / Double(denominator) : nil)
    }

    /// A rate of pupils worked out elsewhere (`percent`, nil for none), under the same rule as
    /// ``rate(numerator:denominator:)``.
    public func rate(numerator: Int, denominator: Int, percent: Double?) -> ReportCell {
        guard denominator > 0, let percent else { return .none }
        return hides(numerator) || hides(denominator) ? .suppressed : .percent(percent)
    }

    /// A rate about `pupils` pupils whose numerator is not a count of pupils (attendance, a rate of sessions): `c`
    /// when the pupils are fewer than the threshold, no figure when there are none or no rate.
    public func sessionRate(_ percent: Double?, pupils: Int) -> ReportCell {
        guard pupils > 0, let percent else { return .none }
        return hides(pupils) ? .suppressed : .percent(percent)
    }

    /// ``sessionRate(_:pupils:)`` as printed: `c`, the rate to one decimal place with `%`, or an en dash.
    public func percentText(_ percent: Double?, pupils: Int) -> String {
        switch sessionRate(percent, pupils: pupils) {
        case .percent(let value): "\(ReportCell.oneDecimal(value))%"
        case .suppressed: "c"
        default: "–"
        }
    }

    // MARK: Tables

    /// `table` with every cell disclosure control hides replaced by `.suppressed`, and ``note`` added to its note
    /// when any cell is hidden.
    public func protect(_ table: ReportTable, layout: Layout) -> ReportTable {
        var result = table
        for position in suppression(of: table, layout: layout).all {
            result.rows[position.row][position.column] = .suppressed
        }
        if result.hasSuppressedCells, !(table.note ?? "").contains(note) {
            result.note = [table.note, note].compactMap { $0 }.joined(separator: " ")
        }
        return result
    }

    /// The cells ``protect(_:layout:)`` hides, by reason.
    public func suppression(of table: ReportTable, layout: Layout) -> Suppression {
        var suppression = Suppression()
        // The counts that take part, with their values (nil for a cell the table already had as `c`).
        var counts: [Position: Int?] = [:]
        for (row, cells) in table.rows.enumerated() {
            for (column, cell) in cells.enumerated() where !layout.exemptColumns.contains(column) {
                let position = Position(row: row, column: column)
                switch cell {
                case .count(let value):
                    counts[position] = value
                    if hides(value) { suppression.primary.insert(position) }
                case .suppressed where layout.rates[column] == nil:
                    counts[position] = .some(nil)
                    suppression.primary.insert(position)
                default: break
                }
            }
        }
        let lines = Self.lines(of: table, layout: layout, counts: counts)
        var hidden = suppression.primary
        while let position = nextSecondary(hidden: hidden, lines: lines, counts: counts) {
            hidden.insert(position)
            suppression.secondary.insert(position)
        }
        for (column, rate) in layout.rates where !layout.exemptColumns.contains(column) {
            for (row, cells) in table.rows.enumerated() where column < cells.count {
                switch cells[column] {
                case .none, .text, .suppressed: continue
                default: break
                }
                let pupils = Position(row: row, column: rate.denominator)
                let numeratorHidden = rate.numerator.map { hidden.contains(Position(row: row, column: $0)) } ?? false
                var pupilsHidden = hidden.contains(pupils)
                if rate.denominator < cells.count, case .count(let value) = cells[rate.denominator], value > 0, value < threshold {
                    pupilsHidden = true  // small even where the pupils column is exempt or shows zero
                }
                if numeratorHidden || pupilsHidden { suppression.rates.insert(Position(row: row, column: column)) }
            }
        }
        return suppression
    }

    /// The additive lines of `table` under `layout`, keeping only cells that are counts (or already `c`), and only
    /// lines whose total is one.
    static func lines(of table: ReportTable, layout: Layout, counts: [Position: Int?]) -> [Line] {
        var lines: [Line] = []
        let rowIndices = table.rows.indices.filter { $0 != layout.totalRow }
        if let totalColumn = layout.totalColumn {
            for row in table.rows.indices {
                let total = Position(row: row, column: totalColumn)
                guard counts[total] != nil else { continue }
                let parts = layout.countColumns.filter { $0 != totalColumn }.map { Position(row: row, column: $0) }.filter { counts[$0] != nil }
                if !parts.isEmpty { lines.append(Line(parts: parts, total: total)) }
            }
        }
        if let totalRow = layout.totalRow, totalRow < table.rows.count {
            for column in table.rows[totalRow].indices {
                let total = Position(row: totalRow, column: column)
                guard counts[total] != nil else { continue }
                let parts = rowIndices.map { Position(row: $0, column: column) }.filter { counts[$0] != nil }
                if !parts.isEmpty { lines.append(Line(parts: parts, total: total)) }
            }
        }
        return lines
    }

    /// The next cell secondary suppression hides, or nil when every hidden cell is safe.
    func nextSecondary(hidden: Set<Position>, lines: [Line], counts: [Position: Int?]) -> Position? {
        // A line with exactly one hidden cell first.
        for line in lines where line.members.filter(hidden.contains).count == 1 {
            if let pick = companion(in: [line], hidden: hidden, lines: lines, counts: counts) { return pick }
        }
        // Then any hidden cell the lines still give back together.
        for position in DisclosureAudit.determined(hidden: hidden, lines: lines).sorted() {
            let through = lines.filter { $0.members.contains(position) }
            if let pick = companion(in: through, hidden: hidden, lines: lines, counts: counts) { return pick }
        }
        return nil
    }

    /// The cell to hide beside a hidden cell of `candidates`' lines: the smallest non-zero visible count, a part
    /// before a total, one whose other lines already have a hidden cell before one that would start a new one; a
    /// zero only when nothing else is left (a line whose total does not add up).
    func companion(in candidates: [Line], hidden: Set<Position>, lines: [Line], counts: [Position: Int?]) -> Position? {
        var best: (key: [Int], position: Position)?
        for line in candidates {
            for position in line.members where !hidden.contains(position) {
                guard let value = counts[position] ?? nil else { continue }
                let isTotal = lines.contains { $0.total == position } ? 1 : 0
                let startsNewLine = lines.contains { other in
                    other.members.contains(position) && other != line && !other.members.contains(where: hidden.contains)
                } ? 1 : 0
                let key = [value == 0 ? 1 : 0, isTotal, value, startsNewLine, position.row, position.column]
                if best.map({ key.lexicographicallyPrecedes($0.key) }) ?? true { best = (key, position) }
            }
        }
        return best?.position
    }
}
