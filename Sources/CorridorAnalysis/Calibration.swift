import CorridorEngine
import CorridorLinearAlgebra
import CorridorModel
import Foundation
import RealModule

/// How well a fitted model reproduces one observed series over the window.
public struct FitStatistics: Sendable {
    public var target: String
    public var count: Int
    /// Root-mean-square error, in the observed series' unit.
    public var rmse: Double
    /// Mean absolute percentage error (observations of 0 left out), percent.
    public var mape: Double
    /// Coefficient of determination, 1 − SS_res / SS_tot.
    public var rSquared: Double
}

/// One model value set against one observation.
public struct ComparedValue: Sendable {
    public var target: Int
    public var period: Period
    public var observed: Double
    public var model: Double
}

/// A fitted value that ended at (within 0.1 % in log scale of) one of its bounds: the data
/// would have pushed it further, so the bound, not the data, decided it.
public struct FittedValueAtBound: Sendable {
    /// `name[GROUP]`, or the name alone for a value shared by every group.
    public var parameter: String
    /// The month of a month-by-month value, or the months a one-value factor covers.
    public var months: String
    public var value: Double
    public var bound: Double
    /// true: the lower bound, false: the upper.
    public var isLower: Bool
}

/// What `calibrate` found.
public struct CalibrationResult {
    public var iterations: Int
    /// Weighted sum of squared relative residuals, before and after.
    public var initialCost: Double
    public var finalCost: Double
    public var statistics: [FitStatistics]
    public var compared: [ComparedValue]
    /// The scenario with the fitted values applied (CorridorIO writes them as an overlay).
    public var fitted: Scenario
    /// Every fitted value that ended at a bound, in the order of the calibration file.
    public var atBounds: [FittedValueAtBound]
}

/// Fits of model parameters to observed series by `LevenbergMarquardt`. Every Jacobian is
/// one batch run of the model, one member per fitted unknown, perturbed.
public struct Calibrator {
    /// One fitted number: a parameter's factor for some groups over some steps.
    struct Unknown {
        var parameter: String
        var parameterIndex: Int
        /// Groups (model indices) it scales; for a parameter with one value for all groups, [0].
        var groups: [Int]
        /// The group it is reported for, if fitted per group.
        var group: Int?
        /// The month of a month-by-month value.
        var month: Month?
        /// The months a one-value factor applies to.
        var months: ClosedRange<Month>?
        var steps: Range<Int>
        /// The model's own value where the bounds apply; the fitted value is base × factor.
        var base: Double
        var minimum: Double
        var maximum: Double

        func value(_ u: Double) -> Double {
            let s = 1 / (1 + Double.exp(-u))
            return minimum * Double.pow(maximum / minimum, s)
        }

        func coordinate(of value: Double) -> Double {
            let s = Swift.min(Swift.max(Double.log(value / minimum) / Double.log(maximum / minimum), 1e-4), 1 - 1e-4)
            return Double.log(s / (1 - s))
        }
    }

    /// One observation and the model cells that reproduce it.
    struct Residual {
        var target: Int
        var period: Period
        var observed: Double
        /// Recorded series indices and steps summed (then divided by `divisor` for means).
        var cells: [(series: Int, step: Int)]
        var divisor: Double
        var scale: Double
        var weight: Double
    }

    let config: CalibrationConfig
    var scenario: Scenario
    let engineModel: EngineModel
    let unknowns: [Unknown]
    let residuals: [Residual]
    /// Consecutive month-by-month values of one parameter and group whose log-ratio is
    /// penalized with `weight` (the parameter's `smoothing`).
    let smoothingPairs: [(earlier: Int, later: Int, weight: Double)]
    let recordKinds: [SeriesKind]
    let threads: Int

    /// Fits `config`'s parameters of `scenario` (run deterministically over the calibration's
    /// window: its own horizon, members and seed do not matter) to `observed`.
    /// With `skipEmptyTargets`, a target without observations in the window, or a factor
    /// whose months lie after it, is left out (a backtest's cut window) instead of being an error.
    public init(config: CalibrationConfig, scenario: Scenario, observed: ObservedData, threads: Int,
                skipEmptyTargets: Bool = false) throws {
        self.config = config
        self.threads = threads
        let start = scenario.model.start
        guard config.window.lowerBound >= start else {
            throw ModelError(file: config.file, message: "the window starts at \(config.window.lowerBound), before the model's start \(start)")
        }
        var scenario = scenario.makingPerGroup(config.parameters.filter { !$0.groups.isEmpty }.map(\.name))
        scenario.horizon = config.horizon(from: start)
        scenario.members = 1
        self.scenario = scenario
        let model = scenario.model
        let horizon = scenario.horizon
        engineModel = scenario.compiled()
        let groupCount = model.groups.count

        var unknowns: [Unknown] = []
        for parameter in config.parameters {
            guard let index = model.parameterIndex(parameter.name) else {
                throw ModelError(file: config.file, message: "the model has no parameter '\(parameter.name)' to fit; its parameters are \(model.parameterNames.joined(separator: ", "))")
            }
            for group in parameter.groups where !model.groups.contains(group) {
                throw ModelError(file: config.file, message: "parameter '\(parameter.name)': unknown group '\(group)'; the groups are \(model.groups.joined(separator: ", "))")
            }
            let perGroup = model.isPerGroup(parameter.name)
            let fittedGroups: [[Int]] = parameter.groups.isEmpty
                ? [perGroup ? Array(0..<groupCount) : [0]]
                : parameter.groups.map { [model.groups.firstIndex(of: $0)!] }
            let track = engineModel.parameters[index].values
            let months: [Month?] = parameter.monthly ? config.fittedMonths(of: parameter) : [nil]
            for month in months {
                for groups in fittedGroups {
                    let steps: Range<Int>
                    if let month {
                        // The last fitted month's value holds after it, as a series' last point does.
                        let step = month.months(since: start)
                        steps = step..<(month == months.last! ? Swift.max(step + 1, horizon) : step + 1)
                    } else if let range = parameter.months {
                        let first = Swift.max(0, range.lowerBound.months(since: start))
                        let end = Swift.min(horizon - 1, range.upperBound.months(since: start) + 1)
                        guard first < end, range.lowerBound <= config.window.upperBound else {
                            // Its months lie after the window: nothing to fit (a backtest's cut window).
                            if skipEmptyTargets { continue }
                            throw ModelError(file: config.file, message: "parameter '\(parameter.name)': its months \(range.lowerBound)…\(range.upperBound) lie outside the window \(config.window.lowerBound)…\(config.window.upperBound)")
                        }
                        steps = first..<end
                    } else {
                        steps = 0..<horizon
                    }
                    let step = month?.months(since: start) ?? Swift.max(steps.lowerBound, config.window.lowerBound.months(since: start))
                    let base = track[step * groupCount + groups[0]]
                    guard base > 0 else {
                        throw ModelError(file: config.file, message: "parameter '\(parameter.name)' is \(base) at \(start.advanced(by: step)); a fitted parameter must be positive where it is fitted (values move by factors)")
                    }
                    unknowns.append(Unknown(
                        parameter: parameter.name, parameterIndex: index, groups: groups,
                        group: parameter.groups.isEmpty ? nil : groups[0], month: month,
                        months: parameter.monthly ? nil : parameter.months, steps: steps, base: base,
                        minimum: parameter.minimum, maximum: parameter.maximum))
                }
            }
        }
        self.unknowns = unknowns
        var smoothingPairs: [(earlier: Int, later: Int, weight: Double)] = []
        for parameter in config.parameters where parameter.monthly && parameter.smoothing > 0 {
            let indices = unknowns.indices.filter { unknowns[$0].parameter == parameter.name && unknowns[$0].month != nil }
            for i in indices {
                if let j = indices.first(where: { unknowns[$0].group == unknowns[i].group && unknowns[$0].month == unknowns[i].month!.advanced(by: 1) }) {
                    smoothingPairs.append((i, j, parameter.smoothing))
                }
            }
        }
        self.smoothingPairs = smoothingPairs

        let catalog = SeriesCatalog(model: engineModel)
        var recordKinds: [SeriesKind] = []
        var residuals: [Residual] = []
        for (t, target) in config.targets.enumerated() {
            var seriesIndices: [Int] = []
            for name in target.model {
                guard let index = catalog.names.firstIndex(of: name) else {
                    throw ModelError(file: config.file, message: "target '\(target.label)': the model has no series '\(name)'; series are named like \(catalog.names.prefix(3).joined(separator: ", ")) …")
                }
                let kind = catalog.kinds[index]
                if let existing = recordKinds.firstIndex(of: kind) {
                    seriesIndices.append(existing)
                } else {
                    recordKinds.append(kind)
                    seriesIndices.append(recordKinds.count - 1)
                }
            }
            let observations = observed.series(target.observedSeries, group: target.observedGroup)
                .filter { config.window.contains($0.period.months.lowerBound) && config.window.contains($0.period.months.upperBound) }
                .filter { observation in target.months.map { $0.contains(observation.period.months.lowerBound) } ?? true }
            guard !observations.isEmpty else {
                if skipEmptyTargets { continue }
                throw ModelError(file: config.file, message: "target '\(target.label)': no observations of \(target.observedSeries) for \(target.observedGroup) inside the window \(config.window.lowerBound)…\(config.window.upperBound)")
            }
            // Residuals are relative to each observation (floored at a tenth of the series'
            // mean), so months of few encounters count as much as months of many.
            let mean = Swift.max(observations.reduce(0) { $0 + abs($1.value) } / Double(observations.count), 1e-9)
            for observation in observations {
                let scale = Swift.max(abs(observation.value), mean / 10)
                let first = observation.period.months.lowerBound.months(since: start)
                let last = observation.period.months.upperBound.months(since: start)
                let steps: [Int] = target.aggregate == .end ? [last + 1] : Array(first...last)
                residuals.append(Residual(
                    target: t, period: observation.period, observed: observation.value,
                    cells: seriesIndices.flatMap { series in steps.map { (series, $0) } },
                    divisor: target.aggregate == .mean ? Double(steps.count) : 1,
                    scale: scale, weight: target.weight))
            }
        }
        self.residuals = residuals
        self.recordKinds = recordKinds
    }

    /// Model values of every residual for every member of a run where unknown i has
    /// coordinate `coordinates[m][i]` in member m.
    func modelValues(coordinates: [[Double]]) throws -> [[Double]] {
        let members = coordinates.count
        let adjustments = unknowns.enumerated().map { i, unknown in
            MemberAdjustment(parameter: unknown.parameterIndex, groups: unknown.groups, steps: unknown.steps,
                             factors: coordinates.map { unknown.value($0[i]) / unknown.base })
        }
        let result = try Ensemble.run(engineModel, options: RunOptions(
            members: members, threads: threads, tileSize: 64, summarize: false, record: recordKinds,
            variation: .factors(adjustments)))
        let recorded = result.recorded!
        return (0..<members).map { member in
            residuals.map { residual in
                residual.cells.reduce(0) { $0 + recorded.value(member: member, step: $1.step, series: $1.series) } / residual.divisor
            }
        }
    }

    /// Residuals of the observations, then the smoothing penalties of month-by-month values.
    func weightedResiduals(_ values: [Double], coordinates u: [Double]) -> [Double] {
        zip(residuals, values).map { residual, value in residual.weight * (value - residual.observed) / residual.scale }
            + smoothingPairs.map { pair in
                pair.weight * Double.log(unknowns[pair.later].value(u[pair.later]) / unknowns[pair.earlier].value(u[pair.earlier]))
            }
    }

    /// Runs Levenberg–Marquardt from the model's current values.
    public func fit(progress: ((Int, Double) -> Void)? = nil) throws -> CalibrationResult {
        // Unknowns move in logistic coordinates, so every value stays within its bounds.
        let solver = LevenbergMarquardt(maximumIterations: config.maximumIterations, differences: .forward(step: 1e-4),
                                        relativeTolerance: 1e-7, maximumStep: 4, initialDamping: 1e-2)
        let solution = try solver.minimize(start: unknowns.map { $0.coordinate(of: $0.base) }, residuals: { batch in
            try modelValues(coordinates: batch).enumerated().map { weightedResiduals($0.element, coordinates: batch[$0.offset]) }
        }, progress: progress)
        let u = solution.parameters
        let iterations = solution.iterations, initialCost = solution.initialCost, cost = solution.cost
        let finalValues = try modelValues(coordinates: [u])[0]
        return CalibrationResult(
            iterations: iterations, initialCost: initialCost, finalCost: cost,
            statistics: statistics(finalValues), compared: compared(finalValues),
            fitted: scenario.replacingModel(fittedModel(u)), atBounds: valuesAtBounds(u))
    }

    func valuesAtBounds(_ u: [Double]) -> [FittedValueAtBound] {
        let groups = scenario.model.groups
        return unknowns.enumerated().compactMap { i, unknown in
            let value = unknown.value(u[i])
            let position = Double.log(value / unknown.minimum) / Double.log(unknown.maximum / unknown.minimum)
            guard position < 1e-3 || position > 1 - 1e-3 else { return nil }
            let months = unknown.month.map { "\($0)" }
                ?? unknown.months.map { "\($0.lowerBound)…\($0.upperBound)" } ?? "\(config.window.lowerBound)…"
            return FittedValueAtBound(
                parameter: unknown.parameter + (unknown.group.map { "[\(groups[$0])]" } ?? ""), months: months, value: value,
                bound: position < 0.5 ? unknown.minimum : unknown.maximum, isLower: position < 0.5)
        }
    }

    func compared(_ values: [Double]) -> [ComparedValue] {
        zip(residuals, values).map { ComparedValue(target: $0.target, period: $0.period, observed: $0.observed, model: $1) }
    }

    func statistics(_ values: [Double]) -> [FitStatistics] {
        config.targets.enumerated().compactMap { t, target in
            let pairs = zip(residuals, values).filter { $0.0.target == t }.map { ($0.0.observed, $0.1) }
            return pairs.isEmpty ? nil : Self.statistics(label: target.label, pairs: pairs)
        }
    }

    /// RMSE, MAPE and R² of (observed, model) pairs.
    public static func statistics(label: String, pairs: [(Double, Double)]) -> FitStatistics {
        let n = Double(pairs.count)
        let squared = pairs.reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) }
        let mape = meanAbsolutePercentageError(pairs.map { (observed: $0.0, model: $0.1) })
        let mean = pairs.reduce(0) { $0 + $1.0 } / n
        let total = pairs.reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) }
        return FitStatistics(target: label, count: pairs.count, rmse: (squared / n).squareRoot(), mape: mape,
                             rSquared: total > 0 ? 1 - squared / total : .nan)
    }

    /// The factor of every group at every month for one fitted parameter.
    func factor(parameter name: String, coordinates u: [Double]) -> (Int, Month) -> Double {
        let relevant = unknowns.enumerated().filter { $0.element.parameter == name }
        return { group, month in
            for (i, unknown) in relevant where (unknown.group == nil || unknown.group == group)
                && (unknown.month == nil || unknown.month == month) && (unknown.months?.contains(month) ?? true) {
                return unknown.value(u[i]) / unknown.base
            }
            return 1
        }
    }

    /// The model with the fitted values applied: each fitted parameter scaled by its
    /// factors, directly (no text in between).
    func fittedModel(_ u: [Double]) -> Model {
        var model = scenario.model
        var done: Set<String> = []
        for parameter in config.parameters where done.insert(parameter.name).inserted {
            let fittedMonths = config.fittedMonths(of: parameter)
            let months = parameter.monthly && !fittedMonths.isEmpty ? fittedMonths[0]...fittedMonths[fittedMonths.count - 1] : nil
            // A factor over a range of months starts at its first month; after its last
            // month inside the window the parameter returns to its own value (unless the
            // next range of the same parameter starts there).
            var changes: [Month] = []
            for range in config.parameters.filter({ $0.name == parameter.name && !$0.monthly }).compactMap(\.months) {
                changes.append(range.lowerBound)
                if range.upperBound < config.window.upperBound { changes.append(range.upperBound.advanced(by: 1)) }
            }
            model = model.scalingParameter(parameter.name, months: months, changes: changes,
                                           factor: factor(parameter: parameter.name, coordinates: u))
        }
        return model
    }
}
