import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

/// Typed command-line values: parsed and checked once, by ArgumentParser, before a command runs.
extension Month: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// Candidate values `LO:HI` with LO < HI.
struct CandidateRange {
    let bounds: ClosedRange<Double>

    static func parse(_ text: String) throws -> CandidateRange {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]) else {
            throw ValidationError("takes LO:HI, e.g. 0:1500; got '\(text)'")
        }
        guard low < high else { throw ValidationError("\(text) is empty: LO must be below HI") }
        return CandidateRange(bounds: low...high)
    }
}

/// `--target "OUTPUT <= VALUE by YYYY-MM"`.
func parseTarget(_ text: String) throws -> PlanTarget {
    do { return try PlanTarget(parsing: text) } catch let error as AnalysisError { throw ValidationError(error.description) }
}

/// Horizon, members, seed and threads: the options of every command that runs an ensemble.
struct EnsembleOptions: ParsableArguments {
    @Option(help: "Steps (months) to run. Required for a model file; default: the scenario's horizon. Months asked for (--at, --target … by, --from) must fall within it.")
    var horizon: Int?

    @Option(help: "Ensemble size. Default: the scenario's `members`; when that is 1, the command's own default (run: 1, a deterministic run; compare, plan, report and notebook: 200; sensitivity: 1000).")
    var members: Int?

    @Option(help: "Seed of the random draws. Default: the scenario's, else 0.")
    var seed: UInt64?

    @Option(help: "Worker threads. Results do not depend on it. Default: the number of cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a parameter in every scenario: NAME=NUMBER holds it at that value in every month; NAME=YAML takes a scenario `set` entry, e.g. 'judges={schedule: [{from: 2025-01, value: 900}]}'.",
        valueName: "NAME=VALUE"))
    var settings: [String] = []

    @OptionGroup var progressOption: ProgressOption
    var progress: ProgressStyle { progressOption.progress }

    func validate() throws {
        if let horizon, horizon < 1 { throw ValidationError("--horizon must be at least 1 (months), got \(horizon)") }
        if let members, members < 1 { throw ValidationError("--members must be at least 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// The scenario resolved with these options: the horizon as asked, else the scenario's;
    /// members as asked, else the scenario's when it runs more than one, else
    /// `defaultMembers`; the seed as asked, else the scenario's; then `--set` applied. Its
    /// warnings are printed.
    func scenario(_ definition: RunDefinition, defaultMembers: Int) throws -> Scenario {
        try applyingSettings(Scenario(definition, horizon: horizon, members: members, seed: seed, defaultMembers: defaultMembers))
    }

    /// `scenario` with `--set` applied, its warnings printed: every scenario a command runs
    /// goes through here (compare and report run several, with the first one's settings).
    func applyingSettings(_ scenario: Scenario) throws -> Scenario {
        var scenario = scenario
        for assignment in settings { scenario = try scenario.setting(assignment) }
        printWarnings(scenario.model)
        return scenario
    }
}

/// `--threads` (and `--progress`), for the commands whose ensembles are not the user's to size.
struct ThreadOption: ParsableArguments {
    @Option(help: "Worker threads. Results do not depend on it. Default: the number of cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var progressOption: ProgressOption
    var progress: ProgressStyle { progressOption.progress }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

/// How a plan tries a lever: shared by `plan` and `notebook --vary`.
struct PlanOptions: ParsableArguments {
    @Option(help: "Probability the target must be met with, over members.")
    var confidence: Double = 0.9

    @Option(help: "Candidate values LO:HI. Default: 0 to three times the lever's value at --from (0:1000 when it is 0).",
            transform: CandidateRange.parse)
    var range: CandidateRange?

    @Option(help: "Month the lever starts to move (YYYY-MM).")
    var from: Month = Month(parsing: "2026-01")!

    @Option(help: "Months the lever takes to reach each candidate value.")
    var ramp: Int = 1

    @Option(help: "Candidates per batch.")
    var candidates: Int = 21

    @Flag(help: "Try any value, not only whole numbers. Without it, candidates are whole numbers when both ends of the range are and it spans at least as many units as there are candidates (a headcount).")
    var continuous = false

    func validate() throws {
        guard (0...1).contains(confidence), confidence > 0 else { throw ValidationError("--confidence must be in (0, 1]; got \(confidence)") }
        guard ramp >= 1 else { throw ValidationError("--ramp must be at least 1 month") }
        guard candidates >= 2 else { throw ValidationError("--candidates must be at least 2") }
    }

    /// The plan of `lever` for `target` in `scenario`, with these options, over `bounds`
    /// (`bounds(_:lever:)`, found once for every seed planned).
    func plan(_ scenario: Scenario, lever: String, target: PlanTarget, bounds: ClosedRange<Double>, threads: Int) throws -> Plan {
        try Plan.run(scenario: scenario, parameter: lever, target: target, confidence: confidence, range: bounds,
                            from: from, ramp: ramp, candidates: candidates,
                            wholeNumbers: !continuous && Plan.isWholeNumberRange(bounds, candidates: candidates), threads: threads)
    }

    /// --range, else 0 to three times the lever's value at --from (0…1000 when it is 0).
    func bounds(_ scenario: Scenario, lever: String) throws -> ClosedRange<Double> {
        if let range { return range.bounds }
        let model = scenario.model
        guard model.parameterIndex(lever) != nil else {
            throw CLIError("--vary: the model has no parameter '\(lever)'; its parameters are \(model.parameterNames.joined(separator: ", "))")
        }
        _ = try scenario.step(of: from, "the lever's first month (--from)")
        let current = try scenario.value(of: lever, at: from)
        return 0...(current > 0 ? 3 * current : 1000)
    }
}
