import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import CorridorReport
import Foundation

/// Options shared by `report` and `notebook`.
struct ReportOptions: ParsableArguments {
    @Argument(help: "Scenario files; the first is the reference for differences.")
    var files: [String]

    @Option(name: .customLong("output"), help: "Outputs to chart; repeat for several. Default: encounters, courtBacklog, courtWaitMonths and borderWaitlist where the model has them, else its first four.")
    var outputs: [String] = []

    @Option(name: .customLong("at"), help: "Months (YYYY-MM) for the key-numbers table. Default: the last month and 5 and 10 years before.")
    var months: [Month] = []

    @Option(help: "Observed-data folder drawn over the charts (ignored when missing).")
    var observed: String = "Datasets/observed"

    @OptionGroup var ensemble: EnsembleOptions
    var threads: Int { ensemble.threads }

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one scenario") }
        if let members = ensemble.members, members < 2 { throw ValidationError("--members must be at least 2 (bands need an ensemble)") }
    }

    /// Runs every scenario once, with the first scenario's seed (common random numbers):
    /// streamed summaries for the charts and the members' outputs for the paired differences.
    func prepare() throws -> (scenarios: [Scenario], runs: ScenarioRuns, outputs: [String], months: [Month], comparison: Comparison?) {
        let observedData = FileManager.default.fileExists(atPath: observed) ? try ObservedData.load(folder: observed) : nil
        let definitions = try files.map { try ScenarioLoader.load(path: $0) }
        for definition in definitions.dropFirst() where definition.model.start != definitions[0].model.start || definition.model.groups != definitions[0].model.groups {
            throw ModelError(file: definition.file, message: "this scenario's model starts at \(definition.model.start) with groups \(definition.model.groups.joined(separator: ", ")); the first scenario's starts at \(definitions[0].model.start) with \(definitions[0].model.groups.joined(separator: ", ")): report on scenarios of one model")
        }
        // Every scenario runs with the first one's members and seed (common random numbers), each to its own horizon unless --horizon is given.
        let reference = try ensemble.scenario(definitions[0], defaultMembers: 200)
        let members = reference.members
        guard members >= 2 else { throw CLIError("--members must be at least 2 (bands need an ensemble); \(definitions[0].file) runs 1") }
        let scenarios = try [reference] + definitions.dropFirst().map {
            try ensemble.applyingSettings(Scenario($0, horizon: ensemble.horizon, members: members, seed: reference.seed))
        }
        let end = reference.months.upperBound
        let months = self.months.isEmpty ? [end.advanced(by: -120), end.advanced(by: -60), end].filter { $0 >= reference.months.lowerBound }
            : self.months
        for month in months { _ = try reference.step(of: month, "--at") }
        let available = reference.model.outputNames
        for name in outputs where !available.contains(name) {
            throw CLIError("--output: the model has no output '\(name)'; its outputs are \(available.joined(separator: ", "))")
        }
        let preferred = reference.model.reportOutputs
        let chosen = !outputs.isEmpty ? outputs : (preferred.isEmpty ? Array(available.prefix(4)) : preferred)
        let shared = definitions[0].model.outputNames.filter { name in definitions.allSatisfy { $0.model.outputNames.contains(name) } }
        let progress = ProgressBar(total: members * files.count, label: "running \(files.count) scenario(s) × \(members) members", style: ensemble.progress)
        var runs: [ScenarioRuns.Run] = []
        var recorded: [RecordedSeries] = []
        for (index, scenario) in scenarios.enumerated() {
            let definition = scenario.definition, model = scenario.compiled()
            var options = scenario.runOptions(threads: threads)
            options.record = shared.map { .output(model.outputNames.firstIndex(of: $0)!) }
            let result = try Ensemble.run(model, options: options) { progress.update(index * members + $0) }
            runs.append(ScenarioRuns.Run(name: definition.name, file: definition.file, assumptions: definition.notes,
                                         model: model, summary: result.summary!, presentation: definition.model.presentation,
                                         description: definition.model.reportDescription))
            recorded.append(result.recorded!)
        }
        progress.finish()
        let first = runs[0].model
        let comparison = definitions.count > 1
            ? Comparison(names: definitions.map(\.name), outputs: shared, start: first.start,
                         horizon: runs.map(\.model.horizon).min()!, members: members, recorded: recorded)
            : nil
        return (scenarios, ScenarioRuns(runs: runs, members: members, observed: observedData), chosen, months, comparison)
    }
}

/// `corridor report`: one self-contained HTML file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report: fan charts with observed data, differences between scenarios, key numbers and each scenario's assumptions.",
        discussion: """
            Example:
              corridor report Datasets/scenarios/baseline.yaml \\
                  Datasets/scenarios/eo-14010.yaml --out out/report.html
            """
    )

    @OptionGroup var options: ReportOptions

    @Option(help: "The HTML file to write.")
    var out: String

    func run() throws {
        try reportingErrors {
            try OutputFiles.checkWritable(out, isFolder: false)
            let prepared = try options.prepare()
            let html = HTMLReport.render(prepared.runs, outputs: prepared.outputs, months: prepared.months, comparison: prepared.comparison)
            try OutputFiles.writeFile(html, to: out)
            print("wrote \(out)")
        }
    }
}
