import ArgumentParser
import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

/// `corridor backtest`: calibrate up to a cutoff, project past it, score against the data held back.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Calibrate on data up to a cutoff, project after it, and score the projection against the data held back.",
        discussion: """
            The calibration file is the one `calibrate` takes; its window is cut at --cutoff for fitting and kept whole for scoring. Each held-back observation is forecast by the model and by a seasonal-naive forecast (the same calendar month's last observed value; the last value for yearly series). MAPE and MASE (scaled by the in-sample seasonal-naive error) are reported per target and horizon band.

            Example:
              corridor backtest Datasets/calibration/baseline.yaml --cutoff 2019-09 \\
                  --out out/backtest-2019-09
            """
    )

    @Argument(help: "A calibration file (corridor-calibration/1).")
    var config: String

    @Option(help: "Last month of the data used for fitting (YYYY-MM).")
    var cutoff: String

    @Option(help: "Folder to write accuracy.csv and forecasts.csv into (whole or not at all).")
    var out: String?

    @Option(help: "Worker threads for the batch runs.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard Month(parsing: cutoff) != nil else {
            throw ValidationError("--cutoff must be a month written YYYY-MM, e.g. 2019-09; got '\(cutoff)'")
        }
    }

    func run() throws {
        try reportingErrors {
            let calibration = try CalibrationConfig.load(path: config)
            let cutoffMonth = Month(parsing: cutoff)!
            let verbose = isatty(STDERR_FILENO) == 1
            let outcome = try Backtest.run(config: calibration, cutoff: cutoffMonth, threads: threads) { iteration, cost in
                if verbose { printError("fitting up to \(cutoffMonth): iteration \(iteration), cost \(String(format: "%.6g", cost))") }
            }
            var rows = [["target", "horizon", "n", "MAPE model", "MAPE naive", "MASE model", "MASE naive"]]
            for row in outcome.accuracy {
                rows.append([row.target, row.horizon, String(row.count), percent(row.modelMAPE), percent(row.naiveMAPE),
                             decimal(row.modelMASE), decimal(row.naiveMASE)])
            }
            print("backtest with cutoff \(cutoffMonth): fitted on \(calibration.window.lowerBound)…\(cutoffMonth), "
                  + "scored on the \(outcome.forecasts.count) observations after it (horizon in months)")
            print(textTable(rows, rightAligned: [2, 3, 4, 5, 6]))
            if let out {
                try ResultWriter.writeAtomically([("accuracy.csv", accuracyCSV(outcome.accuracy)), ("forecasts.csv", forecastsCSV(outcome.forecasts))], to: out)
                print("wrote accuracy.csv and forecasts.csv in \(out)")
            }
        }
    }

    private func percent(_ value: Double) -> String { value.isFinite ? String(format: "%.1f%%", value) : "–" }
    private func decimal(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "–" }

    private func accuracyCSV(_ rows: [ForecastAccuracy]) -> String {
        var text = "target,horizon,n,model_mape,naive_mape,model_mase,naive_mase\n"
        for row in rows {
            text += "\"\(row.target)\",\(row.horizon),\(row.count),\(numberText(row.modelMAPE)),\(numberText(row.naiveMAPE)),"
                + "\(numberText(row.modelMASE)),\(numberText(row.naiveMASE))\n"
        }
        return text
    }

    private func forecastsCSV(_ rows: [Forecast]) -> String {
        var text = "target,period,horizon,observed,model,naive\n"
        for row in rows {
            text += "\"\(row.target)\",\(row.period),\(row.horizon),\(numberText(row.observed)),\(numberText(row.model)),\(numberText(row.naive))\n"
        }
        return text
    }
}
