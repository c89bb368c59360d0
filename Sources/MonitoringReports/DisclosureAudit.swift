/// Which hidden cells of a table could still be worked out exactly from the visible cells and the totals.
///
/// Each additive line is an equation (its parts minus its total is zero). A hidden cell is determined when its value
/// follows from those equations whatever the other hidden cells are: when, after Gaussian elimination over the
/// hidden cells alone, its variable is a pivot whose row has no free variable in it. A cell on a cycle of hidden
/// cells (two in a row, two in a column, closing a rectangle) is free; a cell whose line has no other hidden cell, or
/// a hidden cell joining two such cycles (a bridge), is determined. Because every hidden count is at least 1 (zeros
/// are never hidden by secondary suppression) and the table's equations have coefficients 0 and ±1, a cell that is
/// not determined always has another whole, non-negative value consistent with everything shown.
enum DisclosureAudit {
    /// The hidden cells among `hidden` that `lines` determine.
    static func determined(hidden: Set<DisclosureControl.Position>, lines: [DisclosureControl.Line]) -> Set<DisclosureControl.Position> {
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
        var result: Set<DisclosureControl.Position> = []
        for (row, column) in pivots {
            let free = (0..<variables.count).contains { !pivotColumns.contains($0) && abs(matrix[row][$0]) > 1e-9 }
            if !free { result.insert(variables[column]) }
        }
        return result
    }
}
