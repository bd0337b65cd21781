import CorridorEngine

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

    public var parameterNames: [String] { parameters.map(\.name) }
    public var flowNames: [String] { flows.map(\.name) }
    public var outputNames: [String] { outputs.map(\.name) }

    func parameterIndex(_ name: String) -> Int? { parameters.firstIndex { $0.name == name } }
}

/// What `corridor run` runs: a model with a scenario's overrides and settings applied.
public struct RunDefinition {
    public internal(set) var model: Model
    /// The scenario's name, or the model's when a model file is run directly.
    public internal(set) var name: String
    /// The file that was loaded (scenario or model).
    public internal(set) var file: String
    public internal(set) var isScenario: Bool
    /// Steps (months) to run, people per month; from the scenario when it gives one.
    public internal(set) var horizon: Int?
    public internal(set) var members: Int?
    public internal(set) var seed: UInt64?
}
