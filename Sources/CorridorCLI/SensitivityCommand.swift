import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation

/// `corridor sensitivity`: which uncertain parameters move an output most.
struct SensitivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Rank the uncertain parameters by their influence on an output, by standardized regression coefficients over the ensemble.",
        discussion: """
            Each member's draws are regressed on its value of the output in the month (least squares with LAPACK on OpenBLAS, all variables standardized). A coefficient of 0.5 means one standard deviation of that draw moves the output by half a standard deviation, the other draws held. R² says how much of the spread a linear model explains. The first-order share is variance-based: the share of the output's variance explained by that draw alone, Var(E[output | draw]) / Var(output), estimated from the same members by binning the draw; it also catches non-linear influence (bias about bins / members, ~0.05 with the defaults).

            Example:
              corridor sensitivity Datasets/scenarios/baseline.yaml \\
                  --output courtBacklog --at 2030-09 --members 1000 --out out/sensitivity
            """
    )

    @Argument(help: "A scenario (or model) file.")
    var file: String

    @Option(help: "The named output.")
    var output: String

    @Option(help: "The month (YYYY-MM).")
    var at: Month

    @OptionGroup var ensemble: EnsembleOptions

    @Option(help: "Folder to write sensitivity.csv into (whole or not at all).")
    var out: String?

    func run() throws {
        try reportingErrors {
            if let out { try OutputFiles.checkWritable(out, isFolder: true) }
            let definition = try ScenarioLoader.load(path: file)
            let scenario = try ensemble.scenario(definition, defaultMembers: 1000)
            let members = scenario.members
            let progress = ProgressBar(total: members, label: "running \(members) members", style: ensemble.progress)
            let result = try Sensitivity.run(scenario: scenario, output: output, month: at,
                                             threads: ensemble.threads) { progress.update($0) }
            progress.finish()
            var rows = [["parameter", "standardized coefficient", "first-order share"]]
            for coefficient in result.coefficients {
                rows.append([coefficient.label, String(format: "%+.3f", coefficient.standardized), String(format: "%.3f", coefficient.firstOrder)])
            }
            print("\(output) at \(result.month) over \(members) members: R² of the linear fit \(String(format: "%.3f", result.rSquared))")
            print(textTable(rows, rightAligned: [1, 2]))
            if let out {
                try OutputFiles.writeFolder([("sensitivity.csv", AnalysisTables.sensitivity(result))], provenance: Provenance(
                    seed: scenario.seed, members: members, threads: ensemble.threads, files: definition.sourceFiles), to: out)
                print("wrote sensitivity.csv in \(out)")
            }
        }
    }
}
