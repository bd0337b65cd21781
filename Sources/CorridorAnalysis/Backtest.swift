import CorridorEngine
import CorridorModel
import Foundation

/// One held-back observation with the model's, the seasonal-naive and the last-value forecast of it.
public struct Forecast: Sendable {
    public var target: String
    public var period: Period
    /// Months from the cutoff to the end of the period.
    public var horizon: Int
    public var observed: Double
    public var model: Double
    public var naive: Double
    /// The last observed value before the cutoff.
    public var lastValue: Double
}

/// Forecast accuracy of the model and of the naive forecast for one target and horizon band.
public struct ForecastAccuracy: Sendable {
    public var target: String
    /// A band of horizons such as "1-3" (months).
    public var horizon: String
    public var count: Int
    /// Mean absolute percentage errors, percent.
    public var modelMAPE: Double
    public var naiveMAPE: Double
    public var lastValueMAPE: Double
    /// Mean absolute errors scaled by the in-sample mean absolute error of the seasonal-naive
    /// forecast (Hyndman & Koehler 2006): below 1 beats that naive forecast in sample.
    public var modelMASE: Double
    public var naiveMASE: Double
    public var lastValueMASE: Double
}

/// Calibrates on data up to a cutoff, projects past it and scores the projection against
/// the observations held back, next to a seasonal-naive and a last-value forecast.
///
/// Unconditional (the default): nothing from after the cutoff enters the projection:
/// observed drivers and schedules are cut there and hold their last value, and
/// month-by-month fitted drivers hold their last fitted value.
///
/// Conditional: an ex-post check of the mechanism. The exogenous side (the calibration's
/// `driver: true` targets and parameters: what arrived) is fitted over the whole window and
/// the observed schedules (judges, policy dates) are kept; everything else is fitted on data
/// up to the cutoff, and a value fitted per period (a regime, a fiscal year) that starts
/// after the cutoff holds the last one fitted before it. Only the other targets are scored.
public enum Backtest {
    public static let horizonBands: [(label: String, months: ClosedRange<Int>)] = [
        ("1-3", 1...3), ("4-6", 4...6), ("7-12", 7...12), ("13-24", 13...24), ("25-36", 25...36), ("37+", 37...10_000),
    ]

    public struct Outcome {
        public var calibration: CalibrationResult
        public var forecasts: [Forecast]
        public var accuracy: [ForecastAccuracy]
    }

    /// - Parameters:
    ///   - scenario: the scenario `config` names, loaded; `observed`: its observed data.
    public static func run(config: CalibrationConfig, scenario: Scenario, observed: ObservedData, cutoff: Month,
                           conditional: Bool = false, threads: Int,
                           progress: ((Int, Double) -> Void)? = nil) throws -> Outcome {
        var scenario = scenario
        guard cutoff >= config.window.lowerBound, cutoff < config.window.upperBound else {
            throw ModelError(file: config.file, message: "the cutoff \(cutoff) must fall inside the window \(config.window.lowerBound)…\(config.window.upperBound) and leave months after it to score")
        }
        let training: CalibrationConfig
        if conditional {
            guard config.targets.contains(where: \.driver) else {
                throw ModelError(file: config.file, message: "a conditional backtest needs the exogenous targets marked `driver: true` (e.g. the encounters); none is")
            }
            training = conditionalTraining(config, cutoff: cutoff)
        } else {
            scenario = scenario.cuttingInputs(after: cutoff)
            var cut = config
            cut.window = config.window.lowerBound...cutoff
            training = cut
        }
        let calibration = try Calibrator(config: training, scenario: scenario, observed: observed, threads: threads,
                                         skipEmptyTargets: true).fit(progress: progress)
        // The fitted model over the whole window, nothing fitted: every observation's model value.
        var scoring = config
        scoring.parameters = []
        let evaluator = try Calibrator(config: scoring, scenario: calibration.fitted, observed: observed, threads: threads)
        let values = try evaluator.modelValues(coordinates: [[]])[0]
        let compared = evaluator.compared(values)
        var forecasts: [Forecast] = []
        let scored = config.targets.enumerated().filter { !conditional || !$0.element.driver }
        for (t, target) in scored {
            let series = compared.filter { $0.target == t }
            let history = series.filter { $0.period.months.upperBound <= cutoff }.map { ($0.period, $0.observed) }
            guard let last = history.max(by: { $0.0 < $1.0 }) else { continue }
            for value in series where value.period.months.lowerBound > cutoff {
                guard let naive = naiveForecast(of: value.period, history: history) else { continue }
                forecasts.append(Forecast(target: target.label, period: value.period,
                                          horizon: value.period.months.upperBound.months(since: cutoff),
                                          observed: value.observed, model: value.model, naive: naive, lastValue: last.1))
            }
        }
        var accuracy: [ForecastAccuracy] = []
        for (t, target) in scored {
            let history = compared.filter { $0.target == t && $0.period.months.upperBound <= cutoff }.map { ($0.period, $0.observed) }
            let scale = naiveScale(history)
            for band in horizonBands {
                let scored = forecasts.filter { $0.target == target.label && band.months.contains($0.horizon) }
                guard !scored.isEmpty else { continue }
                accuracy.append(ForecastAccuracy(
                    target: target.label, horizon: band.label, count: scored.count,
                    modelMAPE: mape(scored.map { ($0.observed, $0.model) }), naiveMAPE: mape(scored.map { ($0.observed, $0.naive) }),
                    lastValueMAPE: mape(scored.map { ($0.observed, $0.lastValue) }),
                    modelMASE: meanAbsoluteError(scored.map { ($0.observed, $0.model) }) / scale,
                    naiveMASE: meanAbsoluteError(scored.map { ($0.observed, $0.naive) }) / scale,
                    lastValueMASE: meanAbsoluteError(scored.map { ($0.observed, $0.lastValue) }) / scale))
            }
        }
        return Outcome(calibration: calibration, forecasts: forecasts, accuracy: accuracy)
    }

    /// The training configuration of a conditional backtest: driver targets keep the whole
    /// window, other targets end at the cutoff; a non-driver parameter's ranges that start
    /// after the cutoff are dropped and the last range before the cutoff is stretched over them,
    /// so its value holds.
    static func conditionalTraining(_ config: CalibrationConfig, cutoff: Month) -> CalibrationConfig {
        var training = config
        training.targets = config.targets.compactMap { target in
            guard !target.driver else { return target }
            var cut = target
            let first = target.months?.lowerBound ?? config.window.lowerBound
            guard first <= cutoff else { return nil }
            cut.months = first...Swift.min(target.months?.upperBound ?? cutoff, cutoff)
            return cut
        }
        var parameters: [CalibrationConfig.FittedParameter] = []
        for parameter in config.parameters {
            guard !parameter.driver, let range = parameter.months else { parameters.append(parameter); continue }
            if range.lowerBound <= cutoff {
                parameters.append(parameter)
            } else if let last = parameters.lastIndex(where: { $0.name == parameter.name }), let kept = parameters[last].months {
                parameters[last].months = kept.lowerBound...range.upperBound
            }
        }
        training.parameters = parameters
        return training
    }

    /// The seasonal-naive forecast of a period from observations up to the cutoff: for a
    /// month, the latest observed value of the same calendar month; for a year (or a series
    /// with less than a year of monthly history), the latest observed value.
    public static func naiveForecast(of period: Period, history: [(Period, Double)]) -> Double? {
        guard let last = history.max(by: { $0.0 < $1.0 }) else { return nil }
        if case let .month(month) = period, history.filter({ if case .month = $0.0 { return true } else { return false } }).count >= 12 {
            let sameMonth = history.filter { if case let .month(m) = $0.0 { return m.month == month.month } else { return false } }
            return sameMonth.max(by: { $0.0 < $1.0 })?.1 ?? last.1
        }
        return last.1
    }

    /// In-sample mean absolute error of the seasonal-naive forecast: lag 12 for monthly
    /// series with more than a year of history, else lag 1 (the previous period).
    public static func naiveScale(_ history: [(Period, Double)]) -> Double {
        let sorted = history.sorted { $0.0 < $1.0 }
        let monthly = sorted.allSatisfy { if case .month = $0.0 { return true } else { return false } } && sorted.count > 12
        let lag = monthly ? 12 : 1
        guard sorted.count > lag else { return .nan }
        let differences = (lag..<sorted.count).map { abs(sorted[$0].1 - sorted[$0 - lag].1) }
        return differences.reduce(0, +) / Double(differences.count)
    }

    static func mape(_ pairs: [(Double, Double)]) -> Double {
        meanAbsolutePercentageError(pairs.map { (observed: $0.0, model: $0.1) })
    }

    static func meanAbsoluteError(_ pairs: [(Double, Double)]) -> Double {
        pairs.reduce(0) { $0 + abs($1.1 - $1.0) } / Double(pairs.count)
    }
}
