import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import CorridorReport
import Foundation

/// `corridor compare`: scenarios on the same members and draws, as differences from the first.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare scenarios on the same members with the same draws: each output's difference from the first scenario, with its band.",
        discussion: """
            Every scenario runs with the first one's members, seed and horizon (unless given), so member j of each scenario has the same draws and differences are paired member by member (common random numbers). The table shows, at each --at month, the first scenario's median and each other's difference from it: median [p05–p95] over members.

            Example:
              corridor compare Datasets/scenarios/baseline.yaml \\
                  Datasets/scenarios/judges-plus-300.yaml --members 200 \\
                  --at 2030-09 --output courtBacklog --out out/compare
            """
    )

    @Argument(help: "Scenario files; the first is the reference.")
    var files: [String]

    @Option(name: .customLong("at"), help: "Months (YYYY-MM) to tabulate; repeat for several. Default: every fifth year to the horizon.")
    var months: [Month] = []

    @Option(name: .customLong("output"), help: "Outputs to tabulate; repeat for several. Default: all.")
    var outputs: [String] = []

    @OptionGroup var ensemble: EnsembleOptions

    @Option(help: "Folder to write comparison.csv into.")
    var out: String?


    func validate() throws {
        if files.count < 2 { throw ValidationError("give at least two scenarios: the first is the reference") }
    }

    func run() throws {
        try reportingErrors {
            if let out { try OutputFiles.checkWritable(out, isFolder: true) }
            let definitions = try files.map { try ScenarioLoader.load(path: $0) }
            let first = definitions[0]
            let reference = try ensemble.scenario(first, defaultMembers: 200)
            let horizon = reference.horizon, members = reference.members, threads = ensemble.threads
            let progress = ProgressBar(total: members * definitions.count, label: "running \(definitions.count) scenarios × \(members) members", style: ensemble.progress)
            let seed = reference.seed
            let comparison = try Comparison(scenarios: [reference] + definitions.dropFirst().map {
                try ensemble.applyingSettings(Scenario($0, horizon: horizon, members: members, seed: seed))
            }, threads: threads) { progress.update($0) }
            progress.finish()
            for name in outputs where !comparison.outputs.contains(name) {
                throw CLIError("--output: no output '\(name)' in every scenario; the outputs are \(comparison.outputs.joined(separator: ", "))")
            }
            let shown = outputs.isEmpty ? comparison.outputs : outputs
            let steps = months.isEmpty ? Array(stride(from: 0, to: horizon, by: 60)) + [horizon - 1]
                : try months.map { try reference.step(of: $0, "--at") }
            print(Self.table(comparison, outputs: shown, steps: steps))
            if let out {
                var files = [("comparison.csv", AnalysisTables.comparison(comparison))]
                for name in shown {
                    files.append(("difference-\(name).svg", HTMLReport.comparisonChart(
                        comparison, output: comparison.outputs.firstIndex(of: name)!, unit: first.model.presentation[name]?.unit ?? name)))
                }
                try OutputFiles.writeFolder(files.map { (name: $0.0, contents: $0.1) }, provenance: Provenance(
                    seed: seed, members: members, threads: threads, files: definitions.flatMap(\.sourceFiles)), to: out)
                print("wrote comparison.csv and a difference chart per output in \(out)")
            }
        }
    }

    static func band(_ band: Band) -> String {
        "\(readableNumber(band.p50)) [\(readableNumber(band.p05))–\(readableNumber(band.p95))]"
    }

    static func table(_ comparison: Comparison, outputs: [String], steps: [Int]) -> String {
        var rows = [["output", "month", comparison.names[0]] + comparison.names.dropFirst().map { "\($0) − \(comparison.names[0])" }]
        for name in outputs {
            let output = comparison.outputs.firstIndex(of: name)!
            for step in steps {
                var row = [name, comparison.start.advanced(by: step).description, band(comparison.level(scenario: 0, output: output, step: step))]
                for scenario in 1..<comparison.names.count {
                    row.append(band(comparison.difference(scenario: scenario, output: output, step: step)))
                }
                rows.append(row)
            }
        }
        return "\(comparison.members) members with common draws; median [p05–p95]\n" + textTable(rows, rightAligned: Set(2..<rows[0].count))
    }
}
