import AttendanceDomain
import Testing

@testable import MonitoringReports

@Suite("Disclosure control")
struct DisclosureControlTests {
    typealias Position = DisclosureControl.Position

    /// A table of counts with a label column; `nil` is a cell with no figure.
    static func table(_ counts: [[Int?]], rates: [Int: [ReportCell]] = [:]) -> ReportTable {
        ReportTable(
            id: "t", caption: "Crafted", columns: ["Group"] + (1...(counts.first?.count ?? 0)).map { "C\($0)" },
            rows: counts.enumerated().map { index, row in
                [ReportCell.text("R\(index)")] + row.map { $0.map(ReportCell.count) ?? .none }
            })
    }

    /// A square table of `counts` with a total column and a total row added (label in column 0).
    static func withTotals(_ counts: [[Int]]) -> (table: ReportTable, layout: DisclosureControl.Layout) {
        var rows = counts.map { $0 + [$0.reduce(0, +)] }
        let width = rows[0].count
        rows.append((0..<width).map { column in rows.reduce(0) { $0 + $1[column] } })
        let layout = DisclosureControl.Layout(
            countColumns: Array(1...counts[0].count), totalColumn: width, totalRow: counts.count)
        return (table(rows.map { $0.map(Optional.some) }), layout)
    }

    static func hidden(_ table: ReportTable) -> Set<Position> {
        var result: Set<Position> = []
        for (row, cells) in table.rows.enumerated() {
            for (column, cell) in cells.enumerated() where cell == .suppressed { result.insert(Position(row: row, column: column)) }
        }
        return result
    }

    // MARK: Primary

    @Test("Counts of 1 and 2 are hidden, 0 and 3 are shown, and the note says why")
    func primary() {
        let control = DisclosureControl(threshold: 3)
        let protected = control.protect(Self.table([[0, 1, 2, 3, 40]]), layout: .init())
        #expect(protected.rows[0] == [.text("R0"), .count(0), .suppressed, .suppressed, .count(3), .count(40)])
        #expect(protected.note == "c: fewer than 3 pupils, or hidden so that such a figure cannot be worked out from the totals.")
        #expect(control.count(2) == .suppressed)
        #expect(control.count(0) == .count(0))
        #expect(control.count(3) == .count(3))
    }

    @Test("Zero can be hidden too, when configured; a threshold of 1 hides nothing")
    func zeroConfigurable() {
        let control = DisclosureControl(threshold: 3, showZero: false)
        #expect(control.protect(Self.table([[0, 5]]), layout: .init()).rows[0][1] == .suppressed)
        #expect(control.note.contains("(none included)"))
        let none = DisclosureControl(threshold: 1)
        let table = Self.table([[0, 1, 2]])
        #expect(none.protect(table, layout: .init()).rows == table.rows)
        #expect(none.protect(table, layout: .init()).note == nil)
    }

    @Test("A table with nothing hidden keeps its note; an existing note is kept before the suppression note")
    func notes() {
        let control = DisclosureControl()
        var table = Self.table([[5, 6]])
        table.note = "Source: the desk."
        #expect(control.protect(table, layout: .init()).note == "Source: the desk.")
        table.rows[0][1] = .count(1)
        #expect(control.protect(table, layout: .init()).note == "Source: the desk. " + control.note)
    }

    @Test("Exempt columns are neither suppressed nor in any line")
    func exempt() {
        let table = Self.table([[2, 10]])
        let protected = DisclosureControl().protect(table, layout: .init(exemptColumns: [1]))
        #expect(protected.rows[0][1] == .count(2))
    }

    // MARK: Rates

    @Test("A rate is hidden when its pupils are fewer than the threshold, or its numerator is hidden")
    func rates() {
        let control = DisclosureControl(threshold: 3)
        #expect(control.rate(numerator: 1, denominator: 2) == .suppressed)
        #expect(control.rate(numerator: 0, denominator: 2) == .suppressed)
        #expect(control.rate(numerator: 2, denominator: 40) == .suppressed)
        #expect(control.rate(numerator: 0, denominator: 40) == .percent(0))
        #expect(control.rate(numerator: 10, denominator: 40) == .percent(25))
        #expect(control.rate(numerator: 0, denominator: 0) == .none)
        #expect(control.rate(numerator: 5, denominator: 40, percent: 12.5) == .percent(12.5))
        #expect(control.rate(numerator: 5, denominator: 40, percent: nil) == .none)
        #expect(control.sessionRate(93.1, pupils: 2) == .suppressed)
        #expect(control.sessionRate(93.1, pupils: 3) == .percent(93.1))
        #expect(control.sessionRate(nil, pupils: 30) == .none)
        #expect(control.percentText(93.14, pupils: 30) == "93.1%")
        #expect(control.percentText(93.14, pupils: 1) == "c")
        #expect(control.countText(1) == "c")
        #expect(control.hides(1) && !control.hides(0) && !control.hides(3))

        // Pupils | Persistently absent | Rate | Attendance
        var table = Self.table([[2, 0], [40, 2], [40, 10], [4, 3]])
        table.rows[0] += [.percent(0), .percent(90)]
        table.rows[1] += [.percent(5), .percent(91)]
        table.rows[2] += [.percent(25), .percent(92)]
        table.rows[3] += [.percent(75), .percent(93)]
        let protected = DisclosureControl(threshold: 3).protect(
            table, layout: .init(rates: [3: .init(numerator: 2, denominator: 1), 4: .init(pupils: 1)]))
        #expect(protected.rows[0] == [.text("R0"), .suppressed, .count(0), .suppressed, .suppressed])  // two pupils
        #expect(protected.rows[1] == [.text("R1"), .count(40), .suppressed, .suppressed, .percent(91)])  // two absent
        #expect(protected.rows[2] == [.text("R2"), .count(40), .count(10), .percent(25), .percent(92)])
        #expect(protected.rows[3] == [.text("R3"), .count(4), .count(3), .percent(75), .percent(93)])
    }

    @Test("A rate whose count was hidden by secondary suppression is hidden too")
    func rateOfSecondary() {
        // Pupils by year group, the total, and the rate of the second group among all.
        var (table, layout) = Self.withTotals([[1, 8, 20]])
        table.rows[0].append(.percent(8.0 / 29 * 100))
        table.rows[1].append(.percent(8.0 / 29 * 100))
        layout.rates = [5: .init(numerator: 2, denominator: 4)]
        let protected = DisclosureControl().protect(table, layout: layout)
        #expect(protected.rows[0][1] == .suppressed)
        #expect(protected.rows[0][2] == .suppressed)  // 8: the next smallest, so 1 cannot be worked out from 29
        #expect(protected.rows[0][5] == .suppressed)  // its rate would give 8 back
    }

    // MARK: Secondary

    @Test("In a row, the next smallest non-zero part is hidden beside a small one, not a zero or the total")
    func secondaryInRow() {
        let control = DisclosureControl()
        let table = Self.table([[2, 0, 9, 5, 16]])
        let protected = control.protect(table, layout: .init(countColumns: [1, 2, 3, 4], totalColumn: 5))
        #expect(protected.rows[0] == [.text("R0"), .suppressed, .count(0), .count(9), .suppressed, .count(16)])
        let suppression = control.suppression(of: table, layout: .init(countColumns: [1, 2, 3, 4], totalColumn: 5))
        #expect(suppression.primary == [Position(row: 0, column: 1)])
        #expect(suppression.secondary == [Position(row: 0, column: 4)])
    }

    @Test("Two small cells in a line need no more; a line of one part and its total hides both")
    func twoAlready() {
        let layout = DisclosureControl.Layout(countColumns: [1, 2, 3], totalColumn: 4)
        let protected = DisclosureControl().protect(Self.table([[1, 2, 30, 33]]), layout: layout)
        #expect(Self.hidden(protected) == [Position(row: 0, column: 1), Position(row: 0, column: 2)])
        let single = DisclosureControl().protect(Self.table([[1, 0, 0, 1]]), layout: layout)
        #expect(Self.hidden(single) == [Position(row: 0, column: 1), Position(row: 0, column: 4)])
    }

    @Test("Secondary suppression cascades between rows and columns until no line has one hidden cell")
    func cascade() {
        //        C1  C2  C3 | total
        // R0      1   7   9 |  17
        // R1      6   5  12 |  23
        // R2      8  10   4 |  22
        // total  15  22  25 |  62
        let (table, layout) = Self.withTotals([[1, 7, 9], [6, 5, 12], [8, 10, 4]])
        let protected = DisclosureControl().protect(table, layout: layout)
        let hidden = Self.hidden(protected)
        // R0's 1 takes R0's 7 (its row); column C1 then takes C1's 6; row R1 then takes R1's 5, which also gives C2 two.
        #expect(hidden == [Position(row: 0, column: 1), Position(row: 0, column: 2), Position(row: 1, column: 1), Position(row: 1, column: 2)])
        #expect(Self.lineCheck(protected, layout: layout).isEmpty)
        #expect(Self.recoverable(table, protected: protected, layout: layout).isEmpty)
    }

    @Test("A hidden cell joining two groups of hidden cells is found by the exact check and protected")
    func bridge() {
        // Two rectangles of hidden cells (R0/R1 × C1/C2 and R2/R3 × C3/C4) and the 1 at R1 × C3 between them: every
        // line has two or more hidden cells, yet rows R0+R1 less columns C1+C2 would give the 1 back.
        let counts = [
            [1, 1, 20, 20],
            [1, 1, 1, 20],
            [20, 20, 1, 1],
            [20, 20, 1, 1],
        ]
        let (table, layout) = Self.withTotals(counts)
        let protected = DisclosureControl().protect(table, layout: layout)
        #expect(Self.lineCheck(protected, layout: layout).isEmpty)
        #expect(Self.recoverable(table, protected: protected, layout: layout).isEmpty)
        #expect(Self.hidden(protected).count > 9)  // more than the nine primary cells
        // Without the exact check, the bridge is the only cell the lines give back.
        let primary = DisclosureControl().suppression(of: table, layout: layout).primary
        let lines = DisclosureControl.lines(of: table, layout: layout, counts: Self.counts(table))
        #expect(SmallCountSuppression.determined(hidden: primary, lines: lines) == [Position(row: 1, column: 3)])
        // And the independent search finds it in the table with only the primary cells hidden.
        var primaryOnly = table
        for position in primary { primaryOnly.rows[position.row][position.column] = .suppressed }
        #expect(Self.lineCheck(primaryOnly, layout: layout).isEmpty)
        #expect(Self.recoverable(table, protected: primaryOnly, layout: layout) == [Position(row: 1, column: 3)])
    }

    @Test("Every protected table of many seeded random tables: no line with one hidden cell, no hidden cell recoverable")
    func randomTables() {
        var random = SeededGenerator(seed: 2025)
        var checked = 0, withHidden = 0
        for _ in 0..<300 {
            let rows = Int.random(in: 2...4, using: &random), columns = Int.random(in: 2...4, using: &random)
            let counts = (0..<rows).map { _ in (0..<columns).map { _ in random.next() % 3 == 0 ? Int.random(in: 0...2, using: &random) : Int.random(in: 3...12, using: &random) } }
            let (table, layout) = Self.withTotals(counts)
            let protected = DisclosureControl().protect(table, layout: layout)
            #expect(Self.lineCheck(protected, layout: layout).isEmpty, "\(counts)")
            #expect(Self.recoverable(table, protected: protected, layout: layout).isEmpty, "\(counts)")
            // Nothing below the threshold is left showing.
            for row in protected.rows { for cell in row { if case .count(let n) = cell { #expect(n == 0 || n >= 3) } } }
            checked += 1
            if protected.hasSuppressedCells { withHidden += 1 }
        }
        #expect(checked == 300)
        #expect(withHidden > 200)  // the crafted data does exercise suppression
    }

    // MARK: The independent check

    static func counts(_ table: ReportTable) -> [Position: Int?] {
        var counts: [Position: Int?] = [:]
        for (row, cells) in table.rows.enumerated() {
            for (column, cell) in cells.enumerated() { if case .count(let n) = cell { counts[Position(row: row, column: column)] = n } }
        }
        return counts
    }

    /// The additive lines, worked out here from the layout alone: each row's count columns and its total, each
    /// column's rows and the total row.
    static func additiveLines(_ table: ReportTable, layout: DisclosureControl.Layout) -> [(parts: [Position], total: Position)] {
        var lines: [(parts: [Position], total: Position)] = []
        let countColumns = layout.countColumns
        let totalColumn = layout.totalColumn!, totalRow = layout.totalRow!
        for row in table.rows.indices {
            lines.append((countColumns.map { Position(row: row, column: $0) }, Position(row: row, column: totalColumn)))
        }
        for column in countColumns + [totalColumn] {
            lines.append((table.rows.indices.filter { $0 != totalRow }.map { Position(row: $0, column: column) }, Position(row: totalRow, column: column)))
        }
        return lines
    }

    /// The lines with exactly one hidden cell.
    static func lineCheck(_ protected: ReportTable, layout: DisclosureControl.Layout) -> [[Position]] {
        let hidden = hidden(protected)
        return additiveLines(protected, layout: layout).map { $0.parts + [$0.total] }.filter { $0.filter(hidden.contains).count == 1 }
    }

    /// The hidden cells whose value is the only one consistent with what is shown: for each hidden cell, a search
    /// for whole, non-negative values of all hidden cells that satisfy every line while that cell differs from the
    /// truth. No such values means the cell can be recovered.
    static func recoverable(_ original: ReportTable, protected: ReportTable, layout: DisclosureControl.Layout) -> [Position] {
        let truth = counts(original).compactMapValues { $0 }
        let hidden = hidden(protected).filter { truth[$0] != nil }.sorted()
        let lines = additiveLines(original, layout: layout)
        let bound = truth.values.max() ?? 0
        var result: [Position] = []
        for target in hidden {
            var assigned: [Position: Int] = [:]
            for (position, value) in truth where !hidden.contains(position) { assigned[position] = value }
            if !solve(&assigned, hidden: hidden, lines: lines, bound: bound, avoid: (target, truth[target]!)) { result.append(target) }
        }
        return result
    }

    /// Depth-first search with propagation: a line with one unknown fixes it; a line with none must add up.
    static func solve(
        _ assigned: inout [Position: Int], hidden: [Position], lines: [(parts: [Position], total: Position)], bound: Int,
        avoid: (Position, Int)
    ) -> Bool {
        var values = assigned
        var progress = true
        while progress {
            progress = false
            for line in lines {
                let unknown = (line.parts + [line.total]).filter { values[$0] == nil }
                let partSum = line.parts.compactMap { values[$0] }.reduce(0, +)
                if unknown.isEmpty {
                    if partSum != values[line.total]! { return false }
                } else if unknown.count == 1 {
                    let cell = unknown[0]
                    let value = cell == line.total ? partSum : values[line.total]! - partSum
                    if value < 0 || value > bound || (cell == avoid.0 && value == avoid.1) { return false }
                    values[cell] = value
                    progress = true
                } else if let total = values[line.total], partSum > total {
                    return false
                }
            }
        }
        guard let next = hidden.first(where: { values[$0] == nil }) else { return true }
        for value in 0...bound where !(next == avoid.0 && value == avoid.1) {
            var trial = values
            trial[next] = value
            if solve(&trial, hidden: hidden, lines: lines, bound: bound, avoid: avoid) { return true }
        }
        return false
    }
}
