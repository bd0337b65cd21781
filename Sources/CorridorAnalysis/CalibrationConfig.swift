import CorridorEngine
import CorridorModel
import Foundation

/// A calibration file (`format: corridor-calibration/1`): which parameters to fit, within
/// which bounds, against which observed series.
public struct CalibrationConfig {
    /// A parameter to fit. Values stay within `[minimum, maximum]` (both > 0).
    public struct FittedParameter {
        public var name: String
        public var minimum: Double
        public var maximum: Double
        /// Groups fitted apart; empty: one factor for the whole parameter.
        public var groups: [String]
        /// Fitted month by month over the window (a driver), else one factor for all months.
        public var monthly: Bool
        /// Months a driver takes to show in the data: month-by-month values are fitted up
        /// to `lag` months before the window's end (later ones cannot be seen yet), and the
        /// last fitted value holds after that.
        public var lag: Int
        /// For a one-value fit: the months the factor applies to (all when nil); for a
        /// month-by-month fit, the months fitted (see `fittedMonths(of:)`). A parameter
        /// may be listed several times with disjoint months (one value per policy regime or year).
        public var months: ClosedRange<Month>?
        /// For a month-by-month fit: the weight of a penalty on the log-ratio of consecutive
        /// months (0: none). Residuals are relative errors, so 0.1 makes a 50 % jump from one
        /// month to the next cost as much as missing one observation by about 4 %.
        public var smoothing: Double
        /// Part of the exogenous side (what arrived): a conditional backtest fits it over the
        /// whole window instead of up to its cutoff.
        public var driver: Bool
    }

    /// How model values are gathered over an observed period longer than a month.
    public enum Aggregate: String {
        /// Total over the period's months (flows: people moved).
        case sum
        /// Mean over the period's months.
        case mean
        /// Value at the end of the period (stocks: the state at the start of the next month).
        case end
    }

    /// A model series compared with an observed series.
    public struct Target {
        /// `stock:C:G`, `flow:F:G` or `output:NAME`; several joined by `+` are added.
        public var model: [String]
        public var observedSeries: String
        public var observedGroup: String
        public var weight: Double
        public var aggregate: Aggregate
        /// Observations outside these months are left out (nil: the whole window).
        public var months: ClosedRange<Month>?
        /// An exogenous series (what arrived): a conditional backtest fits it over the whole
        /// window and scores only the other targets.
        public var driver: Bool
        public var label: String { "\(model.joined(separator: "+")) ~ \(observedSeries)[\(observedGroup)]" }
    }

    public var file: String
    /// The scenario (or model) whose settings the fit starts from.
    public var scenarioPath: String
    public var observedPath: String
    public var window: ClosedRange<Month>
    /// Where the fitted values are written, as an overlay.
    public var outputPath: String
    public var parameters: [FittedParameter]
    public var targets: [Target]
    public var maximumIterations: Int

    public static let format = "corridor-calibration/1"

    /// Months a fit runs for a model starting at `start`: to the window's end, plus the
    /// month after it that end-of-period stocks are read from.
    public func horizon(from start: Month) -> Int { window.upperBound.months(since: start) + 2 }

    /// The months a month-by-month parameter is fitted over: its `from`…`to` (default: the
    /// window) up to `lag` months before the window's end; empty when none is left.
    public func fittedMonths(of parameter: FittedParameter) -> [Month] {
        let first = Swift.max(parameter.months?.lowerBound ?? window.lowerBound, window.lowerBound)
        let last = Swift.min(parameter.months?.upperBound ?? window.upperBound, window.upperBound.advanced(by: -parameter.lag))
        guard first <= last else { return [] }
        return (0...last.months(since: first)).map { first.advanced(by: $0) }
    }

    /// A target's `from`…`to` (each defaulting to the window's end), nil when neither is given.
    private static func targetMonths(_ entry: YAMLMapping, window: ClosedRange<Month>) throws -> ClosedRange<Month>? {
        guard entry.optional("from") != nil || entry.optional("to") != nil else { return nil }
        let first = try entry.optional("from")?.month() ?? window.lowerBound, last = try entry.optional("to")?.month() ?? window.upperBound
        guard first <= last else { throw entry.node.error("`to` (\(last)) comes before `from` (\(first))") }
        return first...last
    }

    /// Parses a calibration file's text; `file` names it in messages and paths inside it are
    /// relative to `folder`. (`CorridorIO` reads the file: `CalibrationConfig.load(path:)`.)
    public static func parse(text: String, file path: String, folder: URL) throws -> CalibrationConfig {
        let document = try YAMLDocument(text: text, file: path)
        func resolve(_ relative: String) -> String { URL(fileURLWithPath: relative, relativeTo: folder).standardizedFileURL.path }
        let root = try document.root.mapping(allowed: ["format", "scenario", "observed", "window", "output", "parameters", "targets", "iterations"])
        guard try root.required("format").text() == format else {
            throw try root.required("format").error("unknown format; a calibration file starts with `format: \(format)`")
        }
        let windowNode = try root.required("window").mapping(allowed: ["from", "to"])
        let from = try windowNode.required("from").month(), to = try windowNode.required("to").month()
        guard from <= to else { throw try windowNode.required("to").error("the window ends (\(to)) before it starts (\(from))") }
        var parameters: [FittedParameter] = []
        for item in try root.required("parameters").sequence() {
            let entry = try item.mapping(allowed: ["name", "min", "max", "groups", "monthly", "lag", "from", "to", "driver", "smoothing"])
            let minimum = try entry.required("min").number(), maximum = try entry.required("max").number()
            guard minimum > 0, maximum > minimum else {
                throw item.error("bounds must satisfy 0 < min < max (fitted values move by factors), found min \(minimum), max \(maximum)")
            }
            var months: ClosedRange<Month>?
            if entry.optional("from") != nil || entry.optional("to") != nil {
                let first = try entry.optional("from")?.month() ?? from, last = try entry.optional("to")?.month() ?? to
                guard first <= last else { throw item.error("`to` (\(last)) comes before `from` (\(first))") }
                months = first...last
            }
            let smoothing = try entry.optional("smoothing")?.number() ?? 0
            let monthly = try entry.optional("monthly")?.boolean() ?? false
            guard smoothing >= 0, smoothing == 0 || monthly else {
                throw try entry.required("smoothing").error("`smoothing` is a weight ≥ 0 on month-to-month changes of a `monthly: true` parameter; found \(smoothing)")
            }
            parameters.append(FittedParameter(
                name: try entry.required("name").text(), minimum: minimum, maximum: maximum,
                groups: try entry.optional("groups")?.sequence().map { try $0.text() } ?? [],
                monthly: monthly,
                lag: try entry.optional("lag")?.wholeNumber(in: 0...120, what: "a lag in months") ?? 0,
                months: months, smoothing: smoothing,
                driver: try entry.optional("driver")?.boolean() ?? false))
        }
        for (name, entries) in Dictionary(grouping: parameters, by: \.name) where entries.count > 1 {
            let windows = entries.compactMap(\.months).sorted { $0.lowerBound < $1.lowerBound }
            guard windows.count == entries.count, !entries.contains(where: \.monthly),
                  zip(windows, windows.dropFirst()).allSatisfy({ $0.upperBound < $1.lowerBound }) else {
                throw ModelError(file: path, message: "parameter '\(name)' is listed \(entries.count) times; a parameter listed more than once needs `from`/`to` months on every entry, no `monthly`, and months that do not overlap")
            }
        }
        var targets: [Target] = []
        for item in try root.required("targets").sequence() {
            let entry = try item.mapping(allowed: ["model", "observed", "group", "weight", "aggregate", "from", "to", "driver"])
            let aggregateText = try entry.optional("aggregate")?.text() ?? "sum"
            guard let aggregate = Aggregate(rawValue: aggregateText) else {
                throw try entry.required("aggregate").error("unknown aggregate '\(aggregateText)'; valid: sum, mean, end")
            }
            targets.append(Target(
                model: try entry.required("model").text().split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) },
                observedSeries: try entry.required("observed").text(),
                observedGroup: try entry.optional("group")?.text() ?? "ALL",
                weight: try entry.optional("weight")?.number() ?? 1,
                aggregate: aggregate,
                months: try targetMonths(entry, window: from...to),
                driver: try entry.optional("driver")?.boolean() ?? false))
        }
        return CalibrationConfig(
            file: path, scenarioPath: resolve(try root.required("scenario").text()),
            observedPath: resolve(try root.required("observed").text()), window: from...to,
            outputPath: resolve(try root.required("output").text()), parameters: parameters, targets: targets,
            maximumIterations: try root.optional("iterations")?.wholeNumber(in: 1...10_000, what: "a number of iterations") ?? 40)
    }
}
