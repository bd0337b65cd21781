import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

/// One self-contained HTML file: charts inline as SVG, tables, and each scenario's
/// assumptions; it needs no network to open.
public enum HTMLReport {
    public static func render(_ runs: ScenarioRuns, outputs: [String], months: [Month], comparison: Comparison?) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Corridor report: \(escape(runs.runs.map(\.name).joined(separator: ", ")))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; max-width: 840px; margin: 2em auto; color: #222; line-height: 1.45; }
            h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
            th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }
            th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
            .assumptions { background: #f6f6f6; padding: 0.6em 1em; font-size: 0.9em; white-space: pre-wrap; }
            figure { margin: 1.2em 0; }
            </style></head><body>
            <h1>Corridor report</h1>
            \(runs.runs[0].description.map { "<p>\(escape($0))</p>" } ?? "")
            <p>\(runs.runs.count) scenario\(runs.runs.count == 1 ? "" : "s"), \(runs.members) members each, run with the same draws. Bands are p05–p95 (light) and p25–p75 (dark) over members; dots are observed data where they exist.</p>

            """
        html += "<h2>Key numbers</h2>\n<p>Median [p05–p95] over members.</p>\n<table><tr><th>scenario</th><th>output</th>"
        html += months.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for run in runs.runs {
            for output in outputs {
                guard let (bandMonths, quantiles, _) = runs.bands(run, output: output) else { continue }
                html += "<tr><td>\(escape(run.name))</td><td>\(escape(output))</td>"
                for month in months {
                    if let step = bandMonths.firstIndex(of: month) {
                        html += "<td>\(format(quantiles[2][step])) [\(format(quantiles[0][step]))–\(format(quantiles[4][step]))]</td>"
                    } else {
                        html += "<td>–</td>"
                    }
                }
                html += "</tr>\n"
            }
        }
        html += "</table>\n"
        if let comparison, comparison.names.count > 1 {
            html += "<h2>Differences from \(escape(comparison.names[0]))</h2>\n"
            for output in outputs {
                guard let index = comparison.outputs.firstIndex(of: output) else { continue }
                html += "<figure>\(comparisonChart(comparison, output: index, unit: runs.unit(of: comparison.outputs[index])))</figure>\n"
            }
        }
        for run in runs.runs {
            html += "<h2>\(escape(run.name))</h2>\n"
            if !run.assumptions.isEmpty {
                html += "<div class=\"assumptions\"><strong>What it assumes</strong> (\(escape(run.file))):\n\(escape(run.assumptions.joined(separator: "\n")))</div>\n"
            }
            for output in outputs {
                if let svg = runs.fanChart(run, output: output) { html += "<figure>\(svg)</figure>\n" }
            }
        }
        return html + "<p><small>Made by corridor report. Sources of observed data: Datasets/SOURCES.md.</small></p>\n</body></html>\n"
    }

    /// Difference bands of each scenario from the first, over members paired by their draws;
    /// `unit` is the output's (as its model file states it).
    public static func comparisonChart(_ comparison: Comparison, output: Int, unit: String) -> String {
        let name = comparison.outputs[output]
        var chart = SVGChart(title: "\(name): difference from \(comparison.names[0])",
                             unit: unit + "; median and p05–p95 of paired differences", xAxis: .months)
        let steps = Array(0..<comparison.horizon)
        let x = steps.map { Double(comparison.start.advanced(by: $0).index) }
        for scenario in 1..<comparison.names.count {
            let bands = steps.map { comparison.difference(scenario: scenario, output: output, step: $0) }
            chart.bands.append(SVGChart.Band(label: comparison.names[scenario], x: x, low: bands.map(\.p05),
                                             middle: bands.map(\.p50), high: bands.map(\.p95)))
        }
        chart.references = [(0, "no difference")]
        return chart.render()
    }

    static func format(_ value: Double) -> String { readableNumber(value, decimals: abs(value) >= 100 ? 0 : 1) }
}
