import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
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

    @Option(help: "\"OUTPUT <= VALUE by YYYY-MM\" (or >=).", transform: parseTarget)
    var target: PlanTarget

    @OptionGroup var planOptions: PlanOptions

    @OptionGroup var ensemble: EnsembleOptions

    @Option(help: "Folder to write plan.csv into.")
    var out: String?

    @Option(help: "Seeds the answer is found with (the seed and the next ones), to show how much it moves between seeds.")
    var seeds: Int = 5


    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            if let out { try OutputFiles.checkWritable(out, isFolder: true) }
            let definition = try ScenarioLoader.load(path: file)
            let scenario = try ensemble.scenario(definition, defaultMembers: 200)
            let members = scenario.members, threads = ensemble.threads, firstSeed = scenario.seed
            let bounds = try planOptions.bounds(scenario, lever: vary)
            let progress = ProgressBar(total: seeds, label: "\(seeds) seed\(seeds == 1 ? "" : "s") × \(planOptions.candidates) candidates × \(members) members", style: ensemble.progress)
            var plans: [(seed: UInt64, plan: Plan)] = []
            for offset in 0..<UInt64(seeds) {
                var repeated = scenario
                repeated.seed = firstSeed + offset
                plans.append((repeated.seed, try planOptions.plan(repeated, lever: vary, target: target, bounds: bounds, threads: threads)))
                progress.update(Int(offset) + 1)
            }
            progress.finish()
            print(Self.report(plans[0].plan, members: members, range: bounds))
            if seeds > 1 { print(Self.seedReport(plans)) }
            if let out {
                try OutputFiles.writeFolder([("plan.csv", AnalysisTables.planCurve(plans[0].plan)), ("plan-seeds.csv", AnalysisTables.planSeeds(plans)),
                                                  ("plan.svg", Notebook.planChart(plans[0].plan))],
                                            provenance: Provenance(seed: firstSeed, members: members, threads: threads,
                                                                   files: definition.sourceFiles), to: out)
                print("wrote plan.csv, plan-seeds.csv and plan.svg in \(out)")
            }
        }
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

    /// How much the answer moves between seeds: its range over the seeds tried.
    static func seedReport(_ plans: [(seed: UInt64, plan: Plan)]) -> String {
        let answers = plans.compactMap(\.plan.answer)
        let seeds = "seeds \(plans[0].seed)…\(plans[plans.count - 1].seed)"
        guard answers.count == plans.count else {
            return "between seeds: the target is met within the range for \(answers.count) of \(plans.count) seeds (\(seeds))"
        }
        let low = answers.min()!, high = answers.max()!
        return low == high
            ? "between seeds: the same answer for all \(plans.count) seeds (\(seeds))"
            : "between seeds: the answer moves from \(readableNumber(low)) to \(readableNumber(high)) over \(plans.count) seeds (\(seeds))"
    }
}
