import CorridorEngine
import Foundation
import Yams

/// A number for each group, in model group order (people, shares or rates as the
/// parameter says). `isPerGroup` records whether the file gave a per-group map.
struct GroupNumbers: Equatable {
    var values: [Double]
    var isPerGroup: Bool
}

/// One entry of a parameter's schedule: from month `from` on, move to `value`, linearly
/// over `ramp` steps when given.
struct ScheduleEntry {
    var from: Month
    var value: GroupNumbers
    var ramp: Int?
}

/// A month-by-month series; a month not listed takes the latest listed value before it.
struct SeriesData {
    var points: [(month: Month, value: GroupNumbers)]
    /// Where the series was declared (inline or the `series:` key naming a CSV file).
    var origin: YAMLTree
}

/// A parameter as the file declares it.
struct ParameterSpec {
    var name: String
    var origin: YAMLTree
    var value: GroupNumbers?
    var schedule: [ScheduleEntry]?
    var series: SeriesData?
    var uncertainty: Uncertainty?

    /// Whether the parameter can differ between groups: a per-group map anywhere, or
    /// per-group draws.
    var isPerGroup: Bool {
        (value?.isPerGroup ?? false)
            || (schedule?.contains { $0.value.isPerGroup } ?? false)
            || (series?.points.contains { $0.value.isPerGroup } ?? false)
            || (uncertainty?.perGroup ?? false)
    }

    /// Whether a lever can move it: one value for all groups, given by `value` and `schedule`.
    var isLeverable: Bool { !isPerGroup && series == nil }
}

/// An expression with the text and place it came from.
struct ExpressionSpec {
    var expression: Expression
    var text: String
    var origin: YAMLTree
}

/// A flow as the file declares it, with names resolved to indices.
struct FlowSpec {
    enum Kind {
        case hazard(rate: ExpressionSpec)
        case capacity(ExpressionSpec, pooled: Bool)
        case inflow(ExpressionSpec)
    }
    var name: String
    var origin: YAMLTree
    var source: Int?
    var kind: Kind
    /// Destination compartments with their weights (nil for a single destination).
    var destinations: [(compartment: Int, weight: ExpressionSpec?)]
}

/// A validated model: every name resolves and every rule of MODEL-FORMAT.md holds.
public struct Model {
    public internal(set) var name: String
    public internal(set) var file: String
    public internal(set) var start: Month
    public internal(set) var groups: [String]
    public internal(set) var compartments: [String]
    var parameters: [ParameterSpec]
    /// Stocks at step 0, compartment-major (`c * groups + g`), people.
    var initial: [Double]
    var flows: [FlowSpec]
    var outputs: [(name: String, expression: ExpressionSpec)]
    /// How reports show the named outputs (optional keys of an output, Docs/model-format.md).
    public internal(set) var presentation: [String: OutputPresentation] = [:]
    /// The unit of each named output whose model file states one (output name → unit).
    public var outputUnits: [String: String] { presentation.compactMapValues(\.unit) }
    /// The outputs a report charts when none are asked for (`report: {outputs: […]}`).
    public internal(set) var reportOutputs: [String] = []
    /// What to chart when nothing is asked for: `reportOutputs`, else the first four outputs.
    public var chartedOutputs: [String] { reportOutputs.isEmpty ? Array(outputNames.prefix(4)) : reportOutputs }
    /// What the model is, opening its reports and notebooks (`report: {description: …}`).
    public internal(set) var reportDescription: String?
    /// The parameters a planner may move, in the file's order (`levers:`, Docs/model-format.md).
    public internal(set) var levers: [Lever] = []

    public var parameterNames: [String] { parameters.map(\.name) }
    public var flowNames: [String] { flows.map(\.name) }
    public var outputNames: [String] { outputs.map(\.name) }

    /// The index of a parameter, as `EngineModel.parameters` and `MemberAdjustment` use it.
    public func parameterIndex(_ name: String) -> Int? { parameters.firstIndex { $0.name == name } }

    /// Whether a parameter can differ between groups.
    public func isPerGroup(_ name: String) -> Bool { parameterIndex(name).map { parameters[$0].isPerGroup } ?? false }

    /// Gives a parameter its own value for every group (the same numbers as before), so
    /// that groups can be changed apart, e.g. fitted separately.
    public mutating func makePerGroup(_ name: String) {
        guard let index = parameterIndex(name) else { return }
        parameters[index].value?.isPerGroup = true
    }

    /// A copy with parameter `name`'s numbers multiplied by `factor(group, month)`: how a
    /// calibration's fitted values enter a model, directly. With `months`, the parameter
    /// becomes a series over those months (the value in force before them is kept as
    /// `value`). Otherwise the factor may change only at the months of `changes`, where an
    /// entry is added so the new factor takes effect there. Its draws are kept.
    public func scalingParameter(_ name: String, months: ClosedRange<Month>?, changes: [Month] = [],
                                 factor: (Int, Month) -> Double) -> Model {
        let index = parameterIndex(name)!
        let spec = parameters[index]
        func numbers(_ values: [Double], at month: Month) -> GroupNumbers {
            let scaled = values.enumerated().map { $0.element * factor($0.offset, month) }
            return GroupNumbers(values: scaled, isPerGroup: Set(scaled).count != 1 || spec.isPerGroup)
        }
        var scaled = spec
        if let months {
            var points: [(month: Month, value: GroupNumbers)] = []
            var month = months.lowerBound
            while month <= months.upperBound {
                points.append((month, numbers(value(of: spec, at: month), at: month)))
                month = month.advanced(by: 1)
            }
            scaled.value = spec.value.map { numbers($0.values, at: months.lowerBound.advanced(by: -1)) }
            scaled.series = SeriesData(points: points, origin: spec.origin)
            scaled.schedule = nil
        } else {
            scaled.value = spec.value.map { numbers($0.values, at: start) }
            if let series = spec.series {
                var points = series.points.map { (month: $0.month, value: numbers($0.value.values, at: $0.month)) }
                for month in changes where month > start && !points.contains(where: { $0.month == month }) {
                    points.append((month, numbers(value(of: spec, at: month), at: month)))
                }
                scaled.series = SeriesData(points: points.sorted { $0.month < $1.month }, origin: series.origin)
            } else {
                var entries = (spec.schedule ?? []).map { ScheduleEntry(from: $0.from, value: numbers($0.value.values, at: $0.from), ramp: $0.ramp) }
                for month in changes where month > start && !entries.contains(where: { $0.from == month }) {
                    entries.append(ScheduleEntry(from: month, value: numbers(value(of: spec, at: month), at: month), ramp: nil))
                }
                scaled.schedule = entries.isEmpty ? nil : entries.sorted { $0.from < $1.from }
            }
        }
        var model = self
        model.parameters[index] = scaled
        return model
    }

    /// Parameter `name`'s numbers as a scenario `set` entry (a YAML node, flow style:
    /// `value`, then `series` or `schedule`), as an overlay writes it.
    public func setEntry(_ name: String) -> Node {
        let spec = parameters[parameterIndex(name)!]
        func numbers(_ numbers: GroupNumbers) -> Node {
            numbers.isPerGroup ? flowMapping(zip(groups, numbers.values).map { (Node($0), Node(yamlNumber($1))) }) : Node(yamlNumber(numbers.values[0]))
        }
        var parts: [(Node, Node)] = []
        if let value = spec.value { parts.append((Node("value"), numbers(value))) }
        if let series = spec.series {
            parts.append((Node("series"), flowMapping(series.points.map { (Node($0.month.description), numbers($0.value)) })))
        } else if let schedule = spec.schedule {
            parts.append((Node("schedule"), Node.sequence(Node.Sequence(schedule.map { entry in
                flowMapping([(Node("from"), Node(entry.from.description)), (Node("value"), numbers(entry.value))]
                            + (entry.ramp.map { [(Node("ramp"), Node(String($0)))] } ?? []))
            }, .implicit, .flow))))
        }
        return flowMapping(parts)
    }

    /// Forgets what the model's time-varying inputs say after `month`: series points and
    /// schedule entries starting later are dropped, so every driver holds the value it had
    /// then. A backtest projects with what was known at its cutoff.
    public mutating func truncateInputs(after month: Month) {
        for index in parameters.indices {
            if var series = parameters[index].series {
                series.points.removeAll { $0.month > month }
                parameters[index].series = series.points.isEmpty ? nil : series
            }
            if let schedule = parameters[index].schedule {
                let kept = schedule.filter { $0.from <= month }
                parameters[index].schedule = kept.isEmpty ? nil : kept
            }
        }
    }

    /// A parameter's value for every group in a month, before draws.
    func value(of spec: ParameterSpec, at month: Month) -> [Double] {
        let offset = month.months(since: start)
        if offset >= 0 {
            let track = Self.resolve(spec, start: start, horizon: offset + 1, groupCount: groups.count)
            return Array(track[(offset * groups.count)...])
        }
        let track = Self.resolve(spec, start: month, horizon: 1, groupCount: groups.count)
        return track
    }
}

/// A YAML mapping in flow style (`{a: 1, b: 2}`), keys in the order given.
func flowMapping(_ pairs: [(Node, Node)]) -> Node { Node.mapping(Node.Mapping(pairs, .implicit, .flow)) }

/// A number in YAML: the shortest text that reads back to the same double.
func yamlNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
}

/// What `corridor run` runs: a model with a scenario's overrides and settings applied.
public struct RunDefinition {
    public var model: Model
    /// The scenario's name, or the model's when a model file is run directly.
    public internal(set) var name: String
    /// The file that was loaded (scenario or model).
    public internal(set) var file: String
    public internal(set) var isScenario: Bool
    /// Steps (months) to run, people per month; from the scenario when it gives one.
    public internal(set) var horizon: Int?
    public internal(set) var members: Int?
    public internal(set) var seed: UInt64?
    /// Every file read to make it (scenario, model, overlays, series), absolute paths in
    /// the order read: what a result folder's `run.json` records.
    public internal(set) var sourceFiles: [String] = []
    /// The comment lines at the top of the loaded file (its stated assumptions), without `#`.
    public internal(set) var notes: [String] = []
}

/// The files a load reads, gathered for `RunDefinition.sourceFiles`.
final class FilesRead: @unchecked Sendable {
    @TaskLocal static var current: FilesRead?
    private let lock = NSLock()
    private var list: [String] = []

    func record(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if !list.contains(path) { list.append(path) }
    }

    var paths: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
