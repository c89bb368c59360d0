import AttendanceDomain
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
///   has one hidden cell. Last, an exact check (``SmallCountSuppression/determined(hidden:lines:)``) finds any
///   hidden cell the lines together still give back (a hidden cell joining two otherwise separate groups of hidden
///   cells) and hides one more cell beside it, until none is left. The counts' part of this is AttendanceDomain's
///   ``SmallCountSuppression``, which the Advisory Service's feed shares.
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
        core.hides(count)
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

    /// The cells ``protect(_:layout:)`` hides, by reason. The counts go through AttendanceDomain's
    /// ``SmallCountSuppression`` (the rule the Advisory Service's feed uses too), over the table's rows and columns.
    public func suppression(of table: ReportTable, layout: Layout) -> Suppression {
        // The counts that take part, with their values (nil for a cell the table already had as `c`).
        var counts: [Position: Int?] = [:]
        for (row, cells) in table.rows.enumerated() {
            for (column, cell) in cells.enumerated() where !layout.exemptColumns.contains(column) {
                let position = Position(row: row, column: column)
                switch cell {
                case .count(let value): counts[position] = value
                case .suppressed where layout.rates[column] == nil: counts[position] = .some(nil)
                default: break
                }
            }
        }
        let counted = core.suppress(
            values: counts.compactMapValues { $0 }, forced: Set(counts.filter { $0.value == nil }.keys),
            lines: Self.lines(of: table, layout: layout, counts: counts))
        var suppression = Suppression()
        suppression.primary = counted.primary
        suppression.secondary = counted.secondary
        let hidden = counted.hidden
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

    /// The shared suppression rule with this threshold and ``showZero``, choosing complements as the tables always
    /// have (``SmallCountSuppression/Complement/smallestCount``).
    var core: SmallCountSuppression {
        SmallCountSuppression(threshold: threshold, showZero: showZero, complement: .smallestCount)
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
}
