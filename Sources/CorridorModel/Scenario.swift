import CorridorEngine

/// The problem to solve: a loaded definition with its horizon, ensemble size and seed
/// decided, once. Modifiers return a changed copy, so a command, an analysis or a web
/// request changes a scenario by value, never by writing and re-reading YAML.
public struct Scenario {
    public private(set) var definition: RunDefinition
    /// Steps (months) to run.
    public var horizon: Int
    /// Ensemble size; 1 is a deterministic run.
    public var members: Int
    /// Seed of the random draws.
    public var seed: UInt64
    /// How the members differ: by their draws, unless a modifier says otherwise.
    public private(set) var variation: MemberVariation = .draws

    /// The longest horizon a scenario may run, months: a century.
    public static let maximumHorizon = 1200

    /// Resolves what is not given: the horizon from the scenario (a model file has none: an
    /// error naming the fix), the members from the scenario when it runs more than one, else
    /// `defaultMembers`, and the seed from the scenario, else 0.
    public init(_ definition: RunDefinition, horizon: Int? = nil, members: Int? = nil, seed: UInt64? = nil,
                defaultMembers: Int = 1) throws {
        guard let horizon = horizon ?? definition.horizon else {
            throw ModelError(file: definition.file, message: "a model file has no horizon; give --horizon N (months), or run a scenario that sets `horizon`")
        }
        guard horizon <= Self.maximumHorizon else {
            throw ModelError(file: definition.file, message: "a horizon of \(horizon) months is more than a century; give at most \(Self.maximumHorizon)")
        }
        self.definition = definition
        self.horizon = horizon
        self.members = members ?? ((definition.members ?? 1) > 1 ? definition.members! : defaultMembers)
        self.seed = seed ?? definition.seed ?? 0
    }

    public var name: String { definition.name }
    public var model: Model { definition.model }

    /// The model compiled for this horizon.
    public func compiled() -> EngineModel { definition.model.compile(horizon: horizon) }

    /// The months this scenario runs: its model's start to the last month of its horizon.
    public var months: ClosedRange<Month> { definition.model.start...definition.model.start.advanced(by: horizon - 1) }

    /// The step of `month` (0 at the model's start), or an error naming `what` when the
    /// month lies outside the months this scenario runs: every command refuses such a month
    /// the same way, instead of running past the horizon.
    public func step(of month: Month, _ what: String) throws -> Int {
        guard months.contains(month) else {
            throw ModelError(file: definition.file, message: "\(what) \(month) lies outside the months this scenario runs, \(months.lowerBound)…\(months.upperBound) (a horizon of \(horizon) months); choose a month inside them or a longer horizon")
        }
        return month.months(since: definition.model.start)
    }

    /// How to run this scenario's members on `threads` threads; callers add what to keep.
    public func runOptions(threads: Int) -> RunOptions {
        RunOptions(members: members, seed: seed, threads: threads, variation: variation)
    }

    /// A copy with a lever set as `--set` does: `NAME=NUMBER` holds it at that value in
    /// every month; `NAME={…}` takes a scenario `set` entry in YAML.
    public func setting(_ assignment: String) throws -> Scenario {
        var copy = self
        try ScenarioLoader.applyCommandLineOverride(&copy.definition, assignment)
        return copy
    }

    /// A copy called `name` (in tables and comparisons).
    public func named(_ name: String) -> Scenario {
        var copy = self
        copy.definition.name = name
        return copy
    }

    /// A copy with `lever` moved to `value` (from its month over its ramp unless given), and
    /// the `set` entry that does it (`Lever.setEntry`), for a scenario file that reproduces
    /// the copy. A value outside the lever's range is refused.
    public func moving(_ lever: Lever, to value: Double, from: Month? = nil, ramp: Int? = nil) throws -> (scenario: Scenario, entry: String) {
        guard lever.range.contains(value) else {
            throw ModelError(file: definition.model.file, message: "lever '\(lever.parameter)': \(numberText(value)) lies outside its range \(numberText(lever.range.lowerBound))…\(numberText(lever.range.upperBound)) (\(lever.unit)); choose a value inside it")
        }
        if let from { _ = try step(of: from, "lever '\(lever.parameter)': its first month") }
        if let ramp, ramp < 1 {
            throw ModelError(file: definition.model.file, message: "lever '\(lever.parameter)': a ramp of \(ramp) months; give at least 1")
        }
        let entry = try lever.setEntry(value: value, from: from, ramp: ramp, in: definition.model)
        return (try setting("\(lever.parameter)=\(entry)"), entry)
    }

    /// A parameter's value in `month` as this scenario has it before any draw (for a
    /// per-group parameter, the first group's).
    public func value(of parameter: String, at month: Month) throws -> Double {
        try values([(parameter, month)])[0]
    }

    /// `value(of:at:)` of several parameters and months, from one compilation of the model.
    public func values(_ points: [(parameter: String, month: Month)]) throws -> [Double] {
        let model = definition.model
        let located = try points.map { point -> (index: Int, step: Int) in
            guard let index = model.parameterIndex(point.parameter) else {
                throw ModelError(file: definition.file, message: "the model has no parameter '\(point.parameter)'; its parameters are \(model.parameterNames.joined(separator: ", "))")
            }
            return (index, try step(of: point.month, "the month of '\(point.parameter)'"))
        }
        guard let last = located.map(\.step).max() else { return [] }
        let compiled = model.compile(horizon: last + 1)
        return located.map { compiled.parameters[$0.index].values[$0.step * model.groups.count] }
    }

    /// A copy with the overlay file at `path` applied after the scenario's own (a later
    /// overlay replaces what an earlier one set), and the file recorded among its sources.
    public func addingOverlay(path: String) throws -> Scenario {
        var copy = self
        try ScenarioLoader.applyOverlay(&copy.definition, path: path)
        return copy
    }

    /// A copy that knows nothing of its inputs after `month`: series points and schedule
    /// entries starting later are dropped, so every driver holds the value it had then.
    public func cuttingInputs(after month: Month) -> Scenario {
        var copy = self
        copy.definition.model.truncateInputs(after: month)
        return copy
    }

    /// A copy whose named parameters hold a value per group (a per-group fit needs it);
    /// names the model does not have are left for the caller to report.
    public func makingPerGroup(_ names: [String]) -> Scenario {
        var copy = self
        for name in names where copy.definition.model.parameterIndex(name) != nil {
            copy.definition.model.makePerGroup(name)
        }
        return copy
    }

    /// A copy that runs `model` instead (a calibration's fitted model), with the same files,
    /// notes, horizon, members and seed.
    public func replacingModel(_ model: Model) -> Scenario {
        var copy = self
        copy.definition.model = model
        return copy
    }

    /// A copy that runs every value of `values` for `parameter` with this scenario's members:
    /// the lever moves to the value from `from`, linearly over `ramp` months, and member j of
    /// candidate k has member j's draws (common random numbers), so member k × members + j
    /// of the copy is candidate k, member j.
    public func tryingCandidates(_ values: [Double], of parameter: String, from: Month, ramp: Int) throws -> Scenario {
        let model = definition.model
        guard let index = model.parameterIndex(parameter) else {
            throw ModelError(file: definition.file, message: "the model has no parameter '\(parameter)' to vary; its parameters are \(model.parameterNames.joined(separator: ", "))")
        }
        let groups = model.isPerGroup(parameter) ? Array(0..<model.groups.count) : [0]
        let perCandidate = members
        var copy = self
        copy.members = values.count * perCandidate
        copy.variation = .candidates(
            [MemberOverride(parameter: index, groups: groups, from: from.months(since: model.start), ramp: ramp,
                            values: values.flatMap { Array(repeating: $0, count: perCandidate) })],
            block: perCandidate, draws: perCandidate > 1)
        return copy
    }
}
