import CorridorEngine
import CorridorModel

/// Scenarios run on the same members with the same draws (common random numbers): every
/// named output per member and step, so differences are paired member by member.
public struct Comparison {
    public let names: [String]
    public let outputs: [String]
    public let start: Month
    public let horizon: Int
    public let members: Int
    let recorded: [RecordedSeries]

    /// A comparison of runs already made: `recorded[k]` holds scenario k's `outputs`, in that
    /// order, for `members` members that share their draws (the same seed).
    public init(names: [String], outputs: [String], start: Month, horizon: Int, members: Int, recorded: [RecordedSeries]) {
        self.names = names
        self.outputs = outputs
        self.start = start
        self.horizon = horizon
        self.members = members
        self.recorded = recorded
    }

    /// Runs every scenario with the first one's horizon, members and seed (so member j has
    /// the same draws in each: common random numbers). The scenarios must share their
    /// model's groups and start; the outputs compared are `only` (default: those all of
    /// them have), each of which all of them must have.
    public init(scenarios: [Scenario], outputs only: [String]? = nil, threads: Int, progress: (@Sendable (Int) -> Void)? = nil) throws {
        guard let reference = scenarios.first else { throw ModelError(file: "compare", message: "give at least one scenario") }
        let definitions = scenarios.map(\.definition), first = reference.definition
        let horizon = reference.horizon, members = reference.members, seed = reference.seed
        for definition in definitions.dropFirst() {
            guard definition.model.start == first.model.start, definition.model.groups == first.model.groups else {
                throw ModelError(file: definition.file, message: "this scenario's model starts at \(definition.model.start) with groups \(definition.model.groups.joined(separator: ", ")); the first scenario's starts at \(first.model.start) with \(first.model.groups.joined(separator: ", ")): compare scenarios of one model")
            }
        }
        let common = first.model.outputNames.filter { name in definitions.allSatisfy { $0.model.outputNames.contains(name) } }
        for name in only ?? [] where !common.contains(name) {
            throw ModelError(file: first.file, message: "no output '\(name)' in every scenario; the outputs are \(common.joined(separator: ", "))")
        }
        let outputs = only ?? common
        names = definitions.map(\.name)
        self.outputs = outputs
        start = first.model.start
        self.horizon = horizon
        self.members = members
        var recorded: [RecordedSeries] = []
        for (index, definition) in definitions.enumerated() {
            let model = definition.model.compile(horizon: horizon)
            let kinds = outputs.map { SeriesKind.output(model.outputNames.firstIndex(of: $0)!) }
            let result = try Ensemble.run(model, options: RunOptions(
                members: members, seed: seed, threads: threads, summarize: false, record: kinds)) { done in
                progress?(index * members + done)
            }
            recorded.append(result.recorded!)
        }
        self.recorded = recorded
    }

    /// Every member's value of an output at a step in a scenario.
    public func values(scenario: Int, output: Int, step: Int) -> [Double] {
        (0..<members).map { recorded[scenario].value(member: $0, step: step, series: output) }
    }

    /// The level of an output in a scenario at a step, over members.
    public func level(scenario: Int, output: Int, step: Int) -> Band {
        Band(values(scenario: scenario, output: output, step: step))
    }

    /// The difference from the first scenario, member by member, over members.
    public func difference(scenario: Int, output: Int, step: Int) -> Band {
        let base = values(scenario: 0, output: output, step: step)
        return Band(zip(values(scenario: scenario, output: output, step: step), base).map { $0 - $1 })
    }
}
