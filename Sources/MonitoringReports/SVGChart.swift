import Foundation

/// Draws a ``ReportChart`` as inline SVG: a line chart (trends over half terms or years) or a grouped bar chart
/// (schools, phases, months). Hand-written: no Swift library on this machine draws charts, and the charts need
/// nothing a browser's print does not have (no script, no fonts fetched).
///
/// The drawing has a title and a description for screen readers (`role="img"`, `<title>`, `<desc>`), each series
/// its own colour and dash pattern (so that a grey print still tells them apart) and a legend; values that are
/// missing or suppressed leave a gap. The chart's figures are always printed in its data table beneath it.
public struct SVGChart: Sendable {
    public var chart: ReportChart
    public var width = 640.0
    public var height = 260.0

    public init(_ chart: ReportChart) {
        self.chart = chart
    }

    /// Colours (the GOV.UK palette's blue, orange, green, purple, red, turquoise) and dashes, one per series in turn.
    static let colours = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#28a197"]
    static let dashes = ["", "6 3", "2 3", "8 3 2 3", "", "4 4"]

    public var svg: String {
        let left = 48.0, right = 12.0, top = 12.0, bottom = 58.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let values = chart.series.flatMap { $0.values.compactMap(\.number) }
        let (low, high, step) = Self.axis(min: values.min() ?? 0, max: values.max() ?? 1, startAtZero: chart.kind == .bar || chart.unit != "%")
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / max(high - low, 1e-9)) }
        let count = max(chart.labels.count, 1)
        let band = plotWidth / Double(count)
        func x(_ index: Int) -> Double { left + band * (Double(index) + 0.5) }

        let legendBottom = legend(left: left, width: plotWidth, top: top + plotHeight + 34).last?.y ?? height
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(legendBottom + 10))\" role=\"img\" aria-labelledby=\"\(chart.id)-title \(chart.id)-desc\">"
        out += "<title id=\"\(chart.id)-title\">\(HTMLText.escape(chart.title))</title>"
        out += "<desc id=\"\(chart.id)-desc\">\(HTMLText.escape(description))</desc>"
        // Grid lines and the y axis's labels.
        var tick = low
        while tick <= high + step / 2 {
            out += "<line x1=\"\(Self.n(left))\" x2=\"\(Self.n(width - right))\" y1=\"\(Self.n(y(tick)))\" y2=\"\(Self.n(y(tick)))\" stroke=\"#b1b4b6\" stroke-width=\"0.5\"/>"
            out += "<text x=\"\(Self.n(left - 6))\" y=\"\(Self.n(y(tick) + 3.5))\" text-anchor=\"end\" font-size=\"10\">\(Self.label(tick, step: step))\(HTMLText.escape(chart.unit))</text>"
            tick += step
        }
        out += "<line x1=\"\(Self.n(left))\" x2=\"\(Self.n(left))\" y1=\"\(Self.n(top))\" y2=\"\(Self.n(top + plotHeight))\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>"
        // The x axis's labels: every one if they fit, else every k-th.
        let every = max(1, Int((Double(count) * 7 * 6 / plotWidth).rounded(.up)))
        for (index, label) in chart.labels.enumerated() where index % every == 0 {
            out += "<text x=\"\(Self.n(x(index)))\" y=\"\(Self.n(top + plotHeight + 14))\" text-anchor=\"middle\" font-size=\"10\">\(HTMLText.escape(label))</text>"
        }
        switch chart.kind {
        case .line:
            for (number, series) in chart.series.enumerated() {
                let colour = Self.colours[number % Self.colours.count], dash = Self.dashes[number % Self.dashes.count]
                var path = "", pen = false
                for index in chart.labels.indices {
                    guard index < series.values.count, let value = series.values[index].number else { pen = false; continue }
                    path += "\(pen ? "L" : "M")\(Self.n(x(index))) \(Self.n(y(value))) "
                    pen = true
                    out += "<circle cx=\"\(Self.n(x(index)))\" cy=\"\(Self.n(y(value)))\" r=\"2.5\" fill=\"\(colour)\"/>"
                }
                out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
            }
        case .bar:
            let groups = max(chart.series.count, 1)
            let barWidth = band * 0.8 / Double(groups)
            for (number, series) in chart.series.enumerated() {
                let colour = Self.colours[number % Self.colours.count]
                for index in chart.labels.indices {
                    guard index < series.values.count, let value = series.values[index].number else { continue }
                    let x0 = left + band * Double(index) + band * 0.1 + barWidth * Double(number)
                    let top = y(max(value, low)), base = y(low)
                    out += "<rect x=\"\(Self.n(x0))\" y=\"\(Self.n(top))\" width=\"\(Self.n(barWidth))\" height=\"\(Self.n(max(base - top, 0)))\" fill=\"\(colour)\"/>"
                }
            }
        }
        // The legend: entries in turn, wrapped to the plot's width (text widths estimated at 6.2 px a character).
        for (number, place) in legend(left: left, width: plotWidth, top: top + plotHeight + 34).enumerated() {
            let series = chart.series[number]
            let colour = Self.colours[number % Self.colours.count], dash = Self.dashes[number % Self.dashes.count]
            let (lx, ly) = place
            if chart.kind == .line {
                out += "<line x1=\"\(Self.n(lx))\" x2=\"\(Self.n(lx + 22))\" y1=\"\(Self.n(ly - 4))\" y2=\"\(Self.n(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
            } else {
                out += "<rect x=\"\(Self.n(lx))\" y=\"\(Self.n(ly - 10))\" width=\"22\" height=\"10\" fill=\"\(colour)\"/>"
            }
            out += "<text x=\"\(Self.n(lx + 28))\" y=\"\(Self.n(ly))\" font-size=\"11\">\(HTMLText.escape(series.name))</text>"
        }
        return out + "</svg>"
    }

    /// Where each series' legend entry goes (its swatch's left and its text's baseline): in turn, each as wide as its
    /// swatch and name, a new line when the next would pass the plot's right edge.
    func legend(left: Double, width: Double, top: Double) -> [(x: Double, y: Double)] {
        var places: [(x: Double, y: Double)] = []
        var x = left, y = top
        for series in chart.series {
            let entry = 28 + 6.2 * Double(series.name.count) + 18
            if x > left, x + entry > left + width {
                x = left
                y += 18
            }
            places.append((x, y))
            x += entry
        }
        return places
    }

    /// What the chart shows, in words, for a screen reader.
    var description: String {
        let kind = chart.kind == .line ? "Line chart" : "Bar chart"
        return "\(kind) of \(chart.series.map(\.name).joined(separator: ", ")) for \(chart.labels.first ?? "") to \(chart.labels.last ?? ""). The figures are in the table that follows."
    }

    /// A y axis from `min` to `max` in 4 to 8 round steps (1, 2 or 5 times a power of ten).
    static func axis(min: Double, max: Double, startAtZero: Bool) -> (Double, Double, Double) {
        var low = startAtZero ? Swift.min(0, min) : min, high = max
        if high - low < 1e-9 { high = low + 1 }
        let raw = (high - low) / 5
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        low = floor(low / step) * step
        high = ceil(high / step) * step
        return (low, high, step)
    }

    static func label(_ value: Double, step: Double) -> String {
        step >= 1 ? String(Int(value.rounded())) : ReportCell.oneDecimal(value)
    }

    /// A coordinate to one decimal place.
    static func n(_ value: Double) -> String { ReportCell.oneDecimal(value) }
}
