import AttendanceDomain

extension DisclosureControl {
    /// Where a cell is in a table's `rows` (both zero-based; column 0 is usually the row's label).
    public struct Position: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var row: Int
        public var column: Int

        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }

        public static func < (left: Position, right: Position) -> Bool {
            (left.row, left.column) < (right.row, right.column)
        }

        public var description: String { "(\(row), \(column))" }
    }

    /// How a table's figures relate, so that disclosure control knows which cells add up to which totals and which
    /// rates are made from which counts. Column and row numbers are indices into ``ReportTable/rows``.
    ///
    /// ```swift
    /// // School | Authorised | Unauthorised | Both | Pupils | Rate of persistent absence
    /// //   …one row per school…
    /// // All schools (row 5)
    /// let layout = DisclosureControl.Layout(
    ///     countColumns: [1, 2], totalColumn: 3, totalRow: 5, rates: [5: .init(numerator: 3, denominator: 4)])
    /// ```
    ///
    /// Every `.count` cell outside ``exemptColumns`` has primary suppression, whether or not the layout names its
    /// column. The additive lines secondary suppression protects are: each row, when ``totalColumn`` is given (its
    /// ``countColumns`` add up to its total column); and each column, when ``totalRow`` is given (its cells in every
    /// other row add up to its cell in the total row; a column whose total-row cell is not a count, a rate's say, is
    /// no line). A table with subtotals should be split into tables with one total row each.
    public struct Layout: Sendable, Hashable {
        /// The columns that add up, in every row, to ``totalColumn``.
        public var countColumns: [Int]
        /// The column holding each row's total of ``countColumns``; nil when the columns do not add up (pupils, and
        /// of them those persistently absent, say).
        public var totalColumn: Int?
        /// The row holding each column's total over every other row.
        public var totalRow: Int?
        /// Each rate column and the counts it is made from (in the same row).
        public var rates: [Int: Rate]
        /// Columns whose counts count no people (schools, school days): neither suppressed nor in any line.
        public var exemptColumns: Set<Int>

        public init(
            countColumns: [Int] = [], totalColumn: Int? = nil, totalRow: Int? = nil, rates: [Int: Rate] = [:],
            exemptColumns: Set<Int> = []
        ) {
            self.countColumns = countColumns
            self.totalColumn = totalColumn
            self.totalRow = totalRow
            self.rates = rates
            self.exemptColumns = exemptColumns
        }
    }

    /// Which counts in its row a rate column is made from.
    public struct Rate: Sendable, Hashable {
        /// The column of the rate's numerator (pupils persistently absent), or nil when the numerator is not a count
        /// in the table (an attendance rate, made from sessions).
        public var numerator: Int?
        /// The column of the pupils the rate is about (its denominator for a rate of pupils).
        public var denominator: Int

        /// A rate of pupils: `numerator` of the `denominator` pupils (a nil numerator: see ``init(pupils:)``).
        public init(numerator: Int?, denominator: Int) {
            self.numerator = numerator
            self.denominator = denominator
        }

        /// A rate about the pupils counted in column `pupils` whose numerator is not in the table (an attendance
        /// rate): shown only when those pupils are shown.
        public init(pupils: Int) {
            self.numerator = nil
            self.denominator = pupils
        }
    }

    /// The cells disclosure control hides in one table, by reason.
    public struct Suppression: Sendable, Hashable {
        /// Counts of 1 to threshold − 1 (and cells the table already had as `c`).
        public var primary: Set<Position> = []
        /// Counts hidden so that a primary cell cannot be worked out from the totals.
        public var secondary: Set<Position> = []
        /// Rates made from a hidden count, or about a hidden or small number of pupils.
        public var rates: Set<Position> = []

        public var all: Set<Position> { primary.union(secondary).union(rates) }
    }

    /// One additive line of a table: `parts` add up to `total`.
    typealias Line = SmallCountSuppression.Line<Position>
}
