import CorridorEngine
import CorridorModel
import Foundation

/// Line and band charts drawn as self-contained SVG: readable date axes, thousands
/// separators, a colour-blind-safe palette (Okabe & Ito), a title and the unit.
public struct SVGChart {
    /// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    /// A band (low–high) with a middle line, e.g. p05–p95 around the median.
    public struct Band {
        public var label: String
        public var x: [Double]
        public var low: [Double]
        public var middle: [Double]
        public var high: [Double]
        /// An inner band (e.g. p25–p75), drawn darker.
        public var innerLow: [Double]?
        public var innerHigh: [Double]?

        public init(label: String, x: [Double], low: [Double], middle: [Double], high: [Double],
                    innerLow: [Double]? = nil, innerHigh: [Double]? = nil) {
            self.label = label
            self.x = x
            self.low = low
            self.middle = middle
            self.high = high
            self.innerLow = innerLow
            self.innerHigh = innerHigh
        }
    }

    /// Points drawn as dots (observed data).
    public struct Points {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        public init(label: String, x: [Double], y: [Double]) {
            self.label = label
            self.x = x
            self.y = y
        }
    }

    public enum XAxis {
        /// x is a month index (`Month.index`); ticks are years.
        case months
        /// x is a plain number (a lever's value).
        case numbers(label: String)
    }

    public var title: String
    public var unit: String
    public var xAxis: XAxis
    public var bands: [Band] = []
    public var points: [Points] = []
    /// Horizontal reference lines (value, label).
    public var references: [(Double, String)] = []
    public var width = 760.0
    public var height = 380.0

    public init(title: String, unit: String, xAxis: XAxis) {
        self.title = title
        self.unit = unit
        self.xAxis = xAxis
    }

    let left = 78.0, right = 20.0, top = 44.0, bottom = 58.0

    public func render() -> String {
        let xs = bands.flatMap(\.x) + points.flatMap(\.x)
        let ys = bands.flatMap { $0.low + $0.high + $0.middle } + points.flatMap(\.y) + references.map(\.0)
        let finiteY = ys.filter(\.isFinite)
        guard let xMin = xs.min(), let xMax = xs.max(), let yMinRaw = finiteY.min(), let yMaxRaw = finiteY.max() else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"60\"><text x=\"10\" y=\"30\">\(escape(title)): no data</text></svg>"
        }
        let yTicks = Self.niceTicks(low: Swift.min(0, yMinRaw), high: yMaxRaw == yMinRaw ? yMaxRaw + 1 : yMaxRaw)
        let yMin = yTicks.first!, yMax = yTicks.last!
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ x: Double) -> Double { left + (xMax == xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"\(escape(title))\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(left)\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>\n"
        svg += "<text x=\"\(left)\" y=\"38\" fill=\"#555\">\(escape(unit))</text>\n"
        for tick in yTicks {
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(left - 6)\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\" fill=\"#333\">\(Self.label(tick))</text>\n"
        }
        for (x, text) in xTicks(xMin, xMax) {
            svg += "<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(top)\" y2=\"\(height - bottom)\" stroke=\"#f0f0f0\"/>\n"
            svg += "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" fill=\"#333\">\(text)</text>\n"
        }
        if case let .numbers(label) = xAxis {
            svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\" fill=\"#333\">\(escape(label))</text>\n"
        }
        svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(f(py(yMin)))\" y2=\"\(f(py(yMin)))\" stroke=\"#333\"/>\n"
        for (value, label) in references {
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(f(py(value)))\" y2=\"\(f(py(value)))\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
            svg += "<text x=\"\(width - right - 4)\" y=\"\(f(py(value) - 5))\" text-anchor=\"end\" fill=\"#555\">\(escape(label))</text>\n"
        }
        for (index, band) in bands.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            svg += area(band.x, band.low, band.high, colour: colour, opacity: 0.18, px: px, py: py)
            if let innerLow = band.innerLow, let innerHigh = band.innerHigh {
                svg += area(band.x, innerLow, innerHigh, colour: colour, opacity: 0.3, px: px, py: py)
            }
            let line = zip(band.x, band.middle).filter { $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(line)\"/>\n"
        }
        for (index, series) in points.enumerated() {
            let colour = index == 0 ? "#000000" : Self.palette[(bands.count + index) % Self.palette.count]
            for (x, y) in zip(series.x, series.y) where y.isFinite {
                svg += "<circle cx=\"\(f(px(x)))\" cy=\"\(f(py(y)))\" r=\"2.2\" fill=\"\(colour)\"/>\n"
            }
        }
        var legendX = left
        let legendY = height - 8
        for (index, band) in bands.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            svg += "<rect x=\"\(f(legendX))\" y=\"\(f(legendY - 9))\" width=\"14\" height=\"9\" fill=\"\(colour)\" opacity=\"0.6\"/>"
            svg += "<text x=\"\(f(legendX + 18))\" y=\"\(f(legendY))\">\(escape(band.label))</text>\n"
            legendX += 26 + Double(band.label.count) * 6.5
        }
        for (index, series) in points.enumerated() {
            let colour = index == 0 ? "#000000" : Self.palette[(bands.count + index) % Self.palette.count]
            svg += "<circle cx=\"\(f(legendX + 5))\" cy=\"\(f(legendY - 4))\" r=\"3\" fill=\"\(colour)\"/>"
            svg += "<text x=\"\(f(legendX + 12))\" y=\"\(f(legendY))\">\(escape(series.label))</text>\n"
            legendX += 22 + Double(series.label.count) * 6.5
        }
        return svg + "</svg>\n"
    }

    private func area(_ x: [Double], _ low: [Double], _ high: [Double], colour: String, opacity: Double,
                      px: (Double) -> Double, py: (Double) -> Double) -> String {
        let upper = zip(x, high).filter { $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }
        let lower = zip(x, low).filter { $0.1.isFinite }.reversed().map { "\(f(px($0.0))),\(f(py($0.1)))" }
        guard !upper.isEmpty else { return "" }
        return "<polygon fill=\"\(colour)\" fill-opacity=\"\(opacity)\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
    }

    private func xTicks(_ low: Double, _ high: Double) -> [(Double, String)] {
        switch xAxis {
        case .months:
            let firstYear = Int((low / 12).rounded(.up)), lastYear = Int(high / 12)
            let span = Swift.max(1, lastYear - firstYear)
            let step = span > 16 ? 4 : span > 8 ? 2 : 1
            return stride(from: firstYear, through: lastYear, by: step).map { (Double($0 * 12), String($0)) }
        case .numbers:
            return Self.niceTicks(low: low, high: high).map { ($0, Self.label($0)) }
        }
    }

    /// About six round tick values covering [low, high].
    static func niceTicks(low: Double, high: Double) -> [Double] {
        let span = Swift.max(high - low, 1e-9)
        let rough = span / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        let first = floor(low / step) * step, last = ceil(high / step) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    /// An axis or title number: 1,250,000 → "1,250,000"; 2.5 → "2.5"; 0.125 → "0.125".
    static func label(_ value: Double) -> String { readableNumber(value, decimals: 6) }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
