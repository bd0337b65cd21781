import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorModel
import CorridorReport
import Foundation

/// `corridor plan`: the least value of a lever that meets a target with a stated probability.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Find the least value of a lever that meets a target with a stated probability over the ensemble.",
        discussion: """
            The lever moves to each candidate value from --from, linearly over --ramp months, as a schedule entry would. Candidates run together as members of one ensemble, every candidate with the same draws; a second batch refines between the last candidate that fails and the first that meets the target. The answer is the least candidate from which every larger one meets it. When none in --range does, it says so.

            Example:
              corridor plan Datasets/scenarios/baseline.yaml --vary judgesAdded \\
                  --target "courtBacklog <= 1000000 by 2032-09" --range 0:1500 \\
                  --from 2026-01 --ramp 24 --confidence 0.9 --out out/plan
            """
    )

    @Argument(help: "A scenario (or model) file.")
    var file: String

    @Option(help: "The parameter to vary (a lever), e.g. judgesAdded.")
    var vary: String

    @Option(help: "\"OUTPUT <= VALUE by YYYY-MM\" (or >=).")
    var target: String

    @Option(help: "Probability the target must be met with, over members.")
    var confidence: Double = 0.9

    @Option(help: "Candidate values LO:HI. Default: 0 to three times the lever's value at --from (0:1000 when it is 0).")
    var range: String?

    @Option(help: "Month the lever starts to move (YYYY-MM).")
    var from: String = "2026-01"

    @Option(help: "Months the lever takes to reach each candidate value.")
    var ramp: Int = 1

    @Option(help: "Members per candidate. Default: the scenario's, or 200 when it runs one member.")
    var members: Int?

    @Option(help: "Candidates per batch.")
    var candidates: Int = 21

    @Option(help: "Seed. Default: the scenario's.")
    var seed: UInt64?

    @Option(help: "Folder to write plan.csv into.")
    var out: String?

    @Option(help: "Worker threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (0...1).contains(confidence), confidence > 0 else { throw ValidationError("--confidence must be in (0, 1]; got \(confidence)") }
        guard Month(parsing: from) != nil else { throw ValidationError("--from takes a month written YYYY-MM; got '\(from)'") }
        guard ramp >= 1 else { throw ValidationError("--ramp must be at least 1 month") }
        guard candidates >= 2 else { throw ValidationError("--candidates must be at least 2") }
        if let members, members < 1 { throw ValidationError("--members must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let definition = try ScenarioLoader.load(path: file)
            let goal = try PlanTarget(parsing: target)
            let start = Month(parsing: from)!
            let members = ensembleSize(members, definition, fallback: 200)
            let bounds = try parseRange(definition: definition, from: start)
            let progress = ProgressBar(total: members * candidates * 2, label: "\(candidates) candidates × \(members) members")
            let plan = try Plan.run(definition: definition, parameter: vary, target: goal, confidence: confidence, range: bounds,
                                    from: start, ramp: ramp, members: members, seed: seed ?? definition.seed ?? 0,
                                    candidates: candidates, threads: threads) { batch, done in progress.update(batch * members * candidates + done) }
            progress.finish()
            print(Self.report(plan, members: members, range: bounds))
            if let out {
                try ResultWriter.writeAtomically([("plan.csv", Self.csv(plan)), ("plan.svg", Notebook.planChart(plan))], to: out)
                print("wrote plan.csv and plan.svg in \(out)")
            }
        }
    }

    private func parseRange(definition: RunDefinition, from: Month) throws -> ClosedRange<Double> {
        if let range {
            let parts = range.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]) else {
                throw CLIError("--range takes LO:HI, e.g. 0:1500; got '\(range)'")
            }
            guard low < high else { throw CLIError("--range \(range) is empty: LO must be below HI") }
            return low...high
        }
        guard definition.model.parameterIndex(vary) != nil else {
            throw CLIError("the model has no parameter '\(vary)' to vary; its parameters are \(definition.model.parameterNames.joined(separator: ", "))")
        }
        let step = Swift.max(0, from.months(since: definition.model.start))
        let track = definition.model.compile(horizon: step + 1).parameters[definition.model.parameterIndex(vary)!].values
        let current = track[step * definition.model.groups.count]
        return 0...(current > 0 ? 3 * current : 1000)
    }

    static func report(_ plan: Plan, members: Int, range: ClosedRange<Double>) -> String {
        var lines = ["target: \(plan.target) with probability ≥ \(plan.confidence), varying \(plan.parameter) over \(readableNumber(range.lowerBound))…\(readableNumber(range.upperBound)) (\(members) members per candidate)"]
        if let answer = plan.answer {
            lines.append("answer: \(plan.parameter) = \(readableNumber(answer)) is the least value tried that meets the target (probability \(String(format: "%.2f", plan.curve.first { $0.value == answer }!.probability)))")
        } else {
            let best = plan.curve.max { $0.probability < $1.probability }!
            lines.append("answer: the target cannot be met within the range: the highest probability is \(String(format: "%.2f", best.probability)) at \(plan.parameter) = \(readableNumber(best.value)); widen --range or relax the target")
        }
        var rows = [[plan.parameter, "probability"]]
        for point in plan.curve { rows.append([readableNumber(point.value), String(format: "%.3f", point.probability)]) }
        return lines.joined(separator: "\n") + "\n" + textTable(rows, rightAligned: [0, 1])
    }

    static func csv(_ plan: Plan) -> String {
        "value,probability\n" + plan.curve.map { "\(numberText($0.value)),\(numberText($0.probability))\n" }.joined()
    }
}
