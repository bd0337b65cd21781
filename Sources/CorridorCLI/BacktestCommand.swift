import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation

/// `corridor backtest`: calibrate up to a cutoff, project past it, score against the data held back.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Calibrate on data up to a cutoff, project after it, and score the projection against the data held back.",
        discussion: """
            The calibration file is the one `calibrate` takes; its window is cut at --cutoff for fitting and kept whole for scoring. Each held-back observation is forecast by the model, by a seasonal-naive forecast (the same calendar month's last observed value; the last value for yearly series) and by the last observed value. MAPE and MASE (scaled by the in-sample seasonal-naive error) are reported per target and horizon band.

            With --conditional, an ex-post check of the mechanism: the exogenous side (targets and parameters marked `driver: true`, e.g. the encounters) is fitted over the whole window and observed schedules (judges, policy dates) are kept after the cutoff; the rest is fitted on data up to the cutoff, values fitted per regime or year hold the last one fitted, and only the other targets are scored.

            Examples:
              corridor backtest Datasets/calibration/baseline.yaml --cutoff 2019-09 \\
                  --out out/backtest-2019-09
              corridor backtest Datasets/calibration/baseline.yaml --cutoff 2021-09 --conditional \\
                  --out out/conditional-2021-09
            """
    )

    @Argument(help: "A calibration file (corridor-calibration/1).")
    var config: String

    @Option(help: "Last month of the data used for fitting (YYYY-MM).")
    var cutoff: Month

    @Flag(help: "Keep the observed exogenous drivers after the cutoff (what arrived, who was on the bench) and score the rest.")
    var conditional = false

    @Option(help: "Folder to write accuracy.csv and forecasts.csv into (whole or not at all).")
    var out: String?

    @OptionGroup var threadOption: ThreadOption

    func run() throws {
        try reportingErrors {
            if let out { try OutputFiles.checkWritable(out, isFolder: true) }
            let calibration = try CalibrationConfig.load(path: config)
            let cutoffMonth = cutoff, threads = threadOption.threads
            let inputs = try calibration.loadInputs()
            let bar = ProgressBar(total: calibration.maximumIterations, label: "fitting up to \(cutoffMonth)", style: threadOption.progress)
            let outcome = try Backtest.run(config: calibration, scenario: inputs.scenario, observed: inputs.observed,
                                           cutoff: cutoffMonth, conditional: conditional, threads: threads,
                                           progress: Fitting.progress(bar))
            bar.finish()
            var rows = [["target", "horizon", "n", "MAPE model", "MAPE naive", "MAPE last", "MASE model", "MASE naive", "MASE last"]]
            for row in outcome.accuracy {
                rows.append([row.target, row.horizon, String(row.count), percent(row.modelMAPE), percent(row.naiveMAPE),
                             percent(row.lastValueMAPE), decimal(row.modelMASE), decimal(row.naiveMASE), decimal(row.lastValueMASE)])
            }
            print((conditional ? "conditional backtest with cutoff \(cutoffMonth): drivers fitted on \(calibration.window.lowerBound)…\(calibration.window.upperBound), the rest on \(calibration.window.lowerBound)…\(cutoffMonth), "
                               : "backtest with cutoff \(cutoffMonth): fitted on \(calibration.window.lowerBound)…\(cutoffMonth), ")
                  + "scored on the \(outcome.forecasts.count) observations after it (horizon in months)")
            print(textTable(rows, rightAligned: Set(2...8)))
            if let out {
                let inputs = [URL(fileURLWithPath: config).standardizedFileURL.path] + outcome.calibration.fitted.definition.sourceFiles
                try OutputFiles.writeFolder([("accuracy.csv", AnalysisTables.accuracy(outcome.accuracy)), ("forecasts.csv", AnalysisTables.forecasts(outcome.forecasts))],
                                            provenance: Provenance(seed: nil, members: nil, threads: threads, files: inputs), to: out)
                print("wrote accuracy.csv and forecasts.csv in \(out)")
            }
        }
    }

    private func percent(_ value: Double) -> String { value.isFinite ? String(format: "%.1f%%", value) : "–" }
    private func decimal(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "–" }
}
