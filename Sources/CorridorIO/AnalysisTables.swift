import CorridorAnalysis
import CorridorModel
import Foundation

/// The tables of the analysis commands as CSV text (one writer: `CSVTable`).
public enum AnalysisTables {
    /// `comparison.csv`: `step,month,scenario,output,mean,p05,p50,p95,diff_mean,diff_p05,diff_p50,diff_p95`.
    public static func comparison(_ comparison: Comparison) -> String {
        var table = CSVTable(header: ["step", "month", "scenario", "output", "mean", "p05", "p50", "p95",
                                      "diff_mean", "diff_p05", "diff_p50", "diff_p95"])
        for step in 0..<comparison.horizon {
            let month = comparison.start.advanced(by: step).description
            for (scenario, name) in comparison.names.enumerated() {
                for (output, outputName) in comparison.outputs.enumerated() {
                    let level = comparison.level(scenario: scenario, output: output, step: step)
                    let difference = comparison.difference(scenario: scenario, output: output, step: step)
                    table.append([String(step), month, name, outputName]
                        + [level.mean, level.p05, level.p50, level.p95, difference.mean, difference.p05, difference.p50, difference.p95].map(numberText))
                }
            }
        }
        return table.text
    }

    /// `plan.csv`: `value,probability`, the probability curve of a plan.
    public static func planCurve(_ plan: Plan) -> String {
        var table = CSVTable(header: ["value", "probability"])
        for point in plan.curve { table.append([numberText(point.value), numberText(point.probability)]) }
        return table.text
    }

    /// `plan-seeds.csv`: `seed,answer` (answer empty where the target was not met).
    public static func planSeeds(_ plans: [(seed: UInt64, plan: Plan)]) -> String {
        var table = CSVTable(header: ["seed", "answer"])
        for (seed, plan) in plans { table.append([String(seed), plan.answer.map(numberText) ?? ""]) }
        return table.text
    }

    /// `accuracy.csv` of a backtest.
    public static func accuracy(_ rows: [ForecastAccuracy]) -> String {
        var table = CSVTable(header: ["target", "horizon", "n", "model_mape", "naive_mape", "last_value_mape",
                                      "model_mase", "naive_mase", "last_value_mase"])
        for row in rows {
            table.append([row.target, row.horizon, String(row.count)]
                + [row.modelMAPE, row.naiveMAPE, row.lastValueMAPE, row.modelMASE, row.naiveMASE, row.lastValueMASE].map(numberText))
        }
        return table.text
    }

    /// `sensitivity.csv`: `output,month,parameter,standardized_coefficient,first_order_share,r_squared`,
    /// ranked as printed; `r_squared` (of the linear fit) is the same on every row.
    public static func sensitivity(_ result: Sensitivity) -> String {
        var table = CSVTable(header: ["output", "month", "parameter", "standardized_coefficient", "first_order_share", "r_squared"])
        for coefficient in result.coefficients {
            table.append([result.output, result.month.description, coefficient.label, numberText(coefficient.standardized),
                          numberText(coefficient.firstOrder), numberText(result.rSquared)])
        }
        return table.text
    }

    /// `forecasts.csv` of a backtest: `target,period,horizon,observed,model,naive,last_value`.
    public static func forecasts(_ rows: [Forecast]) -> String {
        var table = CSVTable(header: ["target", "period", "horizon", "observed", "model", "naive", "last_value"])
        for row in rows {
            table.append([row.target, row.period.description, String(row.horizon)]
                + [row.observed, row.model, row.naive, row.lastValue].map(numberText))
        }
        return table.text
    }

    /// `<overlay>-comparison.csv` of a calibration: every observation beside the fitted
    /// model's value, then every fitted value at a bound (its parameter as target, its
    /// months as period, no observation, its value as model): `target,period,observed,model,note`.
    public static func calibrationComparison(_ result: CalibrationResult, config: CalibrationConfig) -> String {
        var table = CSVTable(header: ["target", "period", "observed", "model", "note"])
        for value in result.compared {
            table.append([config.targets[value.target].label, value.period.description, numberText(value.observed), numberText(value.model), ""])
        }
        for hit in result.atBounds {
            table.append(["fitted value \(hit.parameter)", hit.months, "", numberText(hit.value), boundNote(hit)])
        }
        return table.text
    }

    /// What a fitted value at a bound means, in words.
    public static func boundNote(_ hit: FittedValueAtBound) -> String {
        "warning: at its \(hit.isLower ? "lower" : "upper") bound \(String(format: "%.4g", hit.bound)); widen the bound or explain why the data push it there"
    }
}
