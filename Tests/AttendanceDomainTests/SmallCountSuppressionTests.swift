import AttendanceDomain
import Testing

@Suite("Small-count suppression (the core of the reports' and the feed's disclosure control)")
struct SmallCountSuppressionTests {
    typealias Line = SmallCountSuppression.Line<String>

    @Test("1 to threshold − 1 is hidden; 0 only when showZero is off; a threshold of 1 or less hides nothing")
    func primary() {
        let rule = SmallCountSuppression(threshold: 3)
        #expect(!rule.hides(0) && rule.hides(1) && rule.hides(2) && !rule.hides(3) && !rule.hides(-1))
        #expect(SmallCountSuppression(threshold: 3, showZero: false).hides(0))
        #expect(!SmallCountSuppression(threshold: 1).hides(1) && !SmallCountSuppression(threshold: 0).hides(1))
        let result = rule.suppress(values: ["a": 2, "b": 0, "c": 9], forced: ["d"], lines: [])
        #expect(result.primary == ["a", "d"] && result.secondary.isEmpty)
    }

    @Test("A line with one hidden member gets the smallest other non-zero part, whichever complement")
    func smallestNonZeroPart() {
        let values = ["a": 1, "b": 7, "c": 4, "z": 0, "all": 12]
        let line = Line(parts: ["a", "b", "c", "z"], total: "all")
        for complement in [SmallCountSuppression.Complement.smallestCount, .smallestPart] {
            let result = SmallCountSuppression(complement: complement).suppress(values: values, lines: [line])
            #expect(result.primary == ["a"] && result.secondary == ["c"], "\(complement)")
        }
        // Two small parts protect each other: nothing more.
        let two = SmallCountSuppression().suppress(values: ["a": 1, "b": 2, "c": 9, "all": 12], lines: [Line(parts: ["a", "b", "c"], total: "all")])
        #expect(two.secondary.isEmpty)
    }

    @Test("The complements differ when only a zero part is left: the tables take the total, the feed the zero part")
    func complementsDiffer() {
        // "a" withheld for a reason of the caller's (a whole group, say): the other part is 0, the total 4.
        let values = ["a": 4, "z": 0, "all": 4]
        let line = Line(parts: ["a", "z"], total: "all")
        #expect(SmallCountSuppression(complement: .smallestCount).suppress(values: values, forced: ["a"], lines: [line]).secondary == ["all"])
        #expect(SmallCountSuppression(complement: .smallestPart).suppress(values: values, forced: ["a"], lines: [line]).secondary == ["z"])
    }

    @Test("Sums of sums: a school alone in its phase takes the phase, the county's sum another phase, and its sum a school")
    func hierarchy() {
        // s1 withheld as a whole group (forced), alone in phase p1.
        let values = ["s1": 5, "s2": 10, "s3": 6, "p1": 5, "p2": 16, "p3": 30, "s4": 30, "c": 51]
        let lines = [
            Line(parts: ["p1", "p2", "p3"], total: "c"), Line(parts: ["s1"], total: "p1"), Line(parts: ["s2", "s3"], total: "p2"),
            Line(parts: ["s4"], total: "p3"),
        ]
        let result = SmallCountSuppression(complement: .smallestPart).suppress(values: values, forced: ["s1"], lines: lines)
        #expect(result.primary == ["s1"])
        #expect(result.secondary == ["p1", "p2", "s3"])
        for line in lines { #expect(line.members.filter(result.hidden.contains).count != 1, "\(line)") }
        #expect(SmallCountSuppression.determined(hidden: result.hidden, lines: lines).isEmpty)
    }

    @Test("A key without a value is exempt: known in its line, never hidden; a forced key without one is never a complement")
    func exemptAndForced() {
        let line = Line(parts: ["a", "x", "b"], total: "all")
        let exempt = SmallCountSuppression().suppress(values: ["a": 1, "b": 5, "all": 9], lines: [line])
        #expect(exempt.secondary == ["b"] && !exempt.hidden.contains("x"))
        let forced = SmallCountSuppression().suppress(values: ["b": 5, "all": 9], forced: ["a", "x"], lines: [line])
        #expect(forced.primary == ["a", "x"] && forced.secondary.isEmpty)
    }

    @Test("The exact check finds a hidden count joining two rectangles of hidden counts, and suppression protects it")
    func bridge() {
        // Rows R0–R3 with a total column T, and a total row R4 (keys "R<row>C<column>").
        let counts = [[1, 1, 20, 20], [1, 1, 1, 20], [20, 20, 1, 1], [20, 20, 1, 1]]
        var values: [String: Int] = [:]
        for (row, cells) in counts.enumerated() {
            for (column, value) in cells.enumerated() { values["R\(row)C\(column)"] = value }
            values["R\(row)C4"] = cells.reduce(0, +)
        }
        for column in 0...4 { values["R4C\(column)"] = (0..<4).reduce(0) { $0 + values["R\($1)C\(column)"]! } }
        var lines = (0...4).map { row in Line(parts: (0..<4).map { "R\(row)C\($0)" }, total: "R\(row)C4") }
        lines += (0...4).map { column in Line(parts: (0..<4).map { "R\($0)C\(column)" }, total: "R4C\(column)") }
        let rule = SmallCountSuppression()
        let primary = Set(values.filter { rule.hides($0.value) }.keys)
        for line in lines { #expect(line.members.filter(primary.contains).count != 1) }
        #expect(SmallCountSuppression.determined(hidden: primary, lines: lines) == ["R1C2"])
        let result = rule.suppress(values: values, lines: lines)
        #expect(result.primary == primary && !result.secondary.isEmpty)
        #expect(SmallCountSuppression.determined(hidden: result.hidden, lines: lines).isEmpty)
        for line in lines { #expect(line.members.filter(result.hidden.contains).count != 1) }
    }
}
