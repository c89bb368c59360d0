/// A figure against its target, for a report to print: "93.1% against a target of 94.0%: 0.9 points short".
///
/// Both are compared as printed, to one decimal place (half away from zero), so that what the reader sees and
/// whether the target is met always agree: 93.95% against 94.0% prints as 94.0% and is met.
public struct TargetProgress: Sendable, Hashable {
    /// The figure (per cent), or nil when there is none to show (no figure held, or hidden by disclosure control).
    public var actual: Double?
    public var target: Double
    /// True for attendance, false for absence rates.
    public var higherIsBetter: Bool

    public init(actual: Double?, target: Double, higherIsBetter: Bool) {
        self.actual = actual
        self.target = target
        self.higherIsBetter = higherIsBetter
    }

    /// Tenths of a per cent, as printed.
    static func tenths(_ value: Double) -> Int { Int((value * 10).rounded(.toNearestOrAwayFromZero)) }

    /// The printed figure less the printed target, in percentage points (negative when below); nil without a figure.
    public var difference: Double? {
        actual.map { Double(Self.tenths($0) - Self.tenths(target)) / 10 }
    }

    /// Whether the target is met (reached, or for an absence rate not exceeded); nil without a figure.
    public var met: Bool? {
        actual.map { higherIsBetter ? Self.tenths($0) >= Self.tenths(target) : Self.tenths($0) <= Self.tenths(target) }
    }

    /// The sentence a report prints.
    public var text: String {
        let goal = "\(ReportCell.oneDecimal(target))%"
        guard let actual, let difference, let met else { return "No figure to set against the target of \(goal)" }
        let points = "\(ReportCell.oneDecimal(abs(difference))) points"
        let start = "\(ReportCell.oneDecimal(actual))% against a target of \(goal)"
        if difference == 0 { return "\(start): met" }
        if met { return "\(start): met, \(points) \(higherIsBetter ? "above" : "below")" }
        return "\(start): \(points) \(higherIsBetter ? "short" : "over")"
    }
}
