import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import CorridorReport
import Foundation

/// `corridor notebook`: a Jupyter notebook telling the analysis, with its data beside it.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Write a Jupyter notebook (nbformat 4) of scenarios: narrative, charts, tables, and code that reloads the CSVs written beside it.",
        discussion: """
            The notebook's data go to a folder beside it named after it (FILE-data/). With --vary and --target, a capacity plan is added (as `corridor plan` computes it).

            Examples:
              corridor notebook Datasets/scenarios/baseline.yaml \\
                  Datasets/scenarios/eo-14010.yaml --out out/eo.ipynb
              corridor notebook Datasets/scenarios/baseline.yaml --vary judgesAdded \\
                  --target "courtBacklog <= 1000000 by 2028-09" --range 0:1500 \\
                  --ramp 24 --out out/judges.ipynb
            """
    )

    @OptionGroup var options: ReportOptions

    @Option(help: "The notebook file to write (.ipynb).")
    var out: String

    @Option(help: "A lever to plan (see `corridor plan`).")
    var vary: String?

    @Option(help: "The plan's target, \"OUTPUT <= VALUE by YYYY-MM\".", transform: parseTarget)
    var target: PlanTarget?

    @OptionGroup var planOptions: PlanOptions

    func validate() throws {
        if (vary == nil) != (target == nil) { throw ValidationError("a plan needs both --vary and --target") }
        guard out.hasSuffix(".ipynb") else { throw ValidationError("--out must name a .ipynb file") }
    }

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: out)
            let dataFolder = url.deletingPathExtension().lastPathComponent + "-data"
            let dataPath = url.deletingLastPathComponent().appendingPathComponent(dataFolder).path
            try OutputFiles.checkWritable(out, isFolder: false)
            try OutputFiles.checkWritable(dataPath, isFolder: true)
            let prepared = try options.prepare()
            var plan: Plan?
            if let vary, let target {
                let scenario = prepared.scenarios[0]
                plan = try planOptions.plan(scenario, lever: vary, target: target,
                                            bounds: planOptions.bounds(scenario, lever: vary), threads: options.threads)
            }
            let notebook = Notebook.analysis(prepared.runs, outputs: prepared.outputs, months: prepared.months,
                                             comparison: prepared.comparison, plan: plan, dataFolder: dataFolder)
            try OutputFiles.writeFolder(notebook.dataFiles, provenance: Provenance(
                seed: prepared.scenarios[0].seed, members: prepared.scenarios[0].members, threads: options.threads,
                files: prepared.scenarios.flatMap(\.definition.sourceFiles)),
                                        to: dataPath)
            try OutputFiles.writeFile(try notebook.json(), to: out)
            print("wrote \(out) and \(dataFolder)/")
        }
    }
}
