import ArgumentParser
import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation

extension SeriesCatalog.Scope: ExpressibleByArgument {}

/// `corridor run`: runs a model or scenario and writes or prints the results.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a model or scenario: one deterministic member, or an ensemble.",
        discussion: """
            With one member, --out DIR receives stocks.csv, flows.csv and outputs.csv. With more members it receives summary.csv (mean, sd and quantiles of every series per step), and the per-member files too with --per-member. Without --out, a table of the named outputs is printed.

            Examples:
              corridor run Datasets/examples/scenario.yaml
              corridor run Datasets/examples/scenario.yaml --members 1000 \\
                  --out out/ensemble
              corridor run Datasets/examples/model.yaml --horizon 60 \\
                  --set judges=800 --out out/judges
            """
    )

    @Argument(help: "A model file (corridor-model/1) or scenario file (corridor-scenario/1), YAML or JSON.")
    var file: String

    @OptionGroup var ensemble: EnsembleOptions

    @Option(help: "Folder to write CSV results into; written whole or not at all, replacing an existing folder.")
    var out: String?

    @Flag(help: "With an ensemble, also write every member's stocks.csv, flows.csv and outputs.csv (with a member column).")
    var perMember = false

    @Option(help: "Series summarized for an ensemble: all (every stock, flow and output) or outputs (the named outputs only; much faster for large ensembles).")
    var summaries: SeriesCatalog.Scope = .all

    @Option(help: "Outputs to show in the printed table, comma-separated (default: all).")
    var show: String?

    @Option(help: .hidden)
    var tileSize: Int?

    func validate() throws {
        if let tileSize, tileSize < 1 { throw ValidationError("--tile-size must be at least 1, got \(tileSize)") }
    }

    func run() throws {
        try reportingErrors {
            if let out { try OutputFiles.checkWritable(out, isFolder: true) }
            let scenario = try ensemble.scenario(ScenarioLoader.load(path: file), defaultMembers: 1)
            let definition = scenario.definition, horizon = scenario.horizon, members = scenario.members
            let seed = scenario.seed, threads = ensemble.threads
            let model = scenario.compiled()
            let shown = try shownOutputs(model.outputNames)
            let progress = ProgressBar(total: members, label: "running \(members) member\(members == 1 ? "" : "s")", style: ensemble.progress)
            var options = scenario.runOptions(threads: threads)
            options.tileSize = tileSize
            options.keepTrajectories = perMember
            options.summaryScope = summaries
            let result = try Ensemble.run(model, options: options) { progress.update($0) }
            progress.finish()
            if let out {
                try OutputFiles.writeFolder(files(for: result, units: definition.model.outputUnits), provenance: Provenance(
                    seed: seed, members: members, threads: threads, files: definition.sourceFiles,
                    outputs: definition.model.presentation), to: out)
                let written = files(named: result).joined(separator: ", ")
                print("\(definition.name): \(members) member\(members == 1 ? "" : "s") × \(horizon) months from \(model.start); wrote \(written) in \(out)")
            } else {
                print(OutputTable.render(result, title: definition.name, outputs: shown))
            }
        }
    }

    /// The outputs named by --show, checked against the model's.
    private func shownOutputs(_ names: [String]) throws -> [String]? {
        guard let show else { return nil }
        let wanted = show.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in wanted where !names.contains(name) {
            throw CLIError("--show: the model has no output '\(name)'; its outputs are \(names.joined(separator: ", "))")
        }
        return wanted
    }

    private func files(named result: EnsembleResult) -> [String] {
        var names: [String] = []
        if result.members > 1 { names.append("summary.csv") }
        if result.members == 1 || perMember { names += ["stocks.csv", "flows.csv", "outputs.csv"] }
        return names
    }

    private func files(for result: EnsembleResult, units: [String: String]) -> [(name: String, contents: String)] {
        let model = result.model
        var files: [(String, String)] = []
        if let summary = result.summary { files.append(("summary.csv", ResultFiles.summary(model, summary, units: units))) }
        if let trajectories = result.trajectories, result.members == 1 || perMember {
            let withMember = result.members > 1
            files.append(("stocks.csv", ResultFiles.stocks(model, trajectories, withMember: withMember)))
            files.append(("flows.csv", ResultFiles.flows(model, trajectories, withMember: withMember)))
            files.append(("outputs.csv", ResultFiles.outputs(model, trajectories, withMember: withMember)))
        }
        return files.map { (name: $0.0, contents: $0.1) }
    }
}

