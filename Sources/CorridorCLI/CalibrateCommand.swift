import ArgumentParser
import CorridorAnalysis
import CorridorIO
import CorridorModel
import Foundation

/// `corridor calibrate`: fits parameters to observed series and writes an overlay.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Fit parameters to observed series (Levenberg–Marquardt) and write them as an overlay.",
        discussion: """
            The calibration file names the scenario to start from, the observed-data folder, the window of months, the parameters to fit with their bounds (one value, one per group, one per month, or one per listed range of months), and the targets: which model series is compared with which observed series, with weights. The fitted values are written as a `corridor-overlay/1` file that scenarios list under `overlays:`, to --out or, by default, to a new file beside the file's `output` (`fitted.yaml` → `fitted.new.yaml`), so the overlay scenarios use changes only when you say so. Every observation beside the model's value goes to `<overlay>-comparison.csv`. Fit statistics per target (RMSE, MAPE, R²) are printed, and a warning for every fitted value that ended at one of its bounds (also listed at the end of the comparison file).

            Examples:
              corridor calibrate Datasets/calibration/baseline.yaml
              corridor calibrate Datasets/calibration/baseline.yaml --out Datasets/calibration/fitted.yaml
            """
    )

    @Argument(help: "A calibration file (corridor-calibration/1).")
    var config: String

    @Option(help: "Where to write the fitted overlay (default: beside the file's `output`, with `.new` before its extension).")
    var out: String?

    @OptionGroup var threadOption: ThreadOption

    func run() throws {
        try reportingErrors {
            let calibration = try CalibrationConfig.load(path: config)
            let overlayPath = out ?? Fitting.newOverlayPath(calibration.outputPath)
            for path in [overlayPath, Fitting.comparisonPath(overlayPath)] { try OutputFiles.checkWritable(path, isFolder: false) }
            let result = try Fitting.calibrate(calibration, threads: threadOption)
            try OutputFiles.writeFile(try calibration.overlay(of: result), to: overlayPath)
            let comparison = Fitting.comparisonPath(overlayPath)
            try OutputFiles.writeFile(AnalysisTables.calibrationComparison(result, config: calibration), to: comparison)
            print(Fitting.report(result, config: calibration))
            print("wrote \(displayPath(URL(fileURLWithPath: overlayPath))) and \(displayPath(URL(fileURLWithPath: comparison)))")
        }
    }
}

/// Shared by `calibrate` and `backtest`.
enum Fitting {
    static func calibrate(_ calibration: CalibrationConfig, threads: ThreadOption) throws -> CalibrationResult {
        let inputs = try calibration.loadInputs()
        let bar = ProgressBar(total: calibration.maximumIterations, label: "calibrating", style: threads.progress)
        defer { bar.finish() }
        return try Calibrator(config: calibration, scenario: inputs.scenario, observed: inputs.observed, threads: threads.threads)
            .fit(progress: progress(bar))
    }

    /// Shows each iteration (of at most the calibration's maximum) and its cost on `bar`.
    static func progress(_ bar: ProgressBar) -> (Int, Double) -> Void {
        { iteration, cost in bar.update(iteration, cost: cost) }
    }

    /// `fitted.yaml` → `fitted.new.yaml`: the default output, which never replaces the overlay in use.
    static func newOverlayPath(_ overlay: String) -> String {
        let url = URL(fileURLWithPath: overlay)
        return url.deletingPathExtension().path + ".new." + (url.pathExtension.isEmpty ? "yaml" : url.pathExtension)
    }

    /// `fitted.yaml` → `fitted-comparison.csv`.
    static func comparisonPath(_ overlay: String) -> String {
        let url = URL(fileURLWithPath: overlay)
        return url.deletingPathExtension().path + "-comparison.csv"
    }

    static func report(_ result: CalibrationResult, config: CalibrationConfig) -> String {
        var rows = [["target", "n", "RMSE", "MAPE %", "R²"]]
        for statistic in result.statistics {
            rows.append([statistic.target, String(statistic.count), readableNumber(statistic.rmse),
                         String(format: "%.1f", statistic.mape), String(format: "%.3f", statistic.rSquared)])
        }
        let header = "fitted \(config.parameters.count) parameters over \(config.window.lowerBound)…\(config.window.upperBound) in \(result.iterations) iterations; "
            + "cost \(String(format: "%.4g", result.initialCost)) → \(String(format: "%.4g", result.finalCost))"
        var text = header + "\n" + textTable(rows, rightAligned: [1, 2, 3, 4])
        if !result.atBounds.isEmpty {
            var bounds = [["parameter", "months", "fitted value", "bound"]]
            for hit in result.atBounds {
                bounds.append([hit.parameter, hit.months, String(format: "%.4g", hit.value), (hit.isLower ? "lower " : "upper ") + String(format: "%.4g", hit.bound)])
            }
            text += "\nwarning: \(result.atBounds.count) fitted value\(result.atBounds.count == 1 ? "" : "s") ended at a bound "
                + "(the bound, not the data, decided them; widen it or explain why):\n" + textTable(bounds, rightAligned: [2])
        }
        return text
    }
}
