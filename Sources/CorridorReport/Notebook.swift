import CorridorAnalysis
import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation

/// A Jupyter notebook (nbformat 4.5) telling an analysis: narrative in markdown, charts
/// and tables as stored outputs, and code cells that reload the CSVs written beside it
/// with pandas and redraw the charts with matplotlib.
public struct Notebook {
    /// A cell as nbformat 4.5 stores it.
    public struct Cell: Encodable {
        var type: String
        var source: String
        var outputs: [Output]
        var id = ""

        enum CodingKeys: String, CodingKey {
            case type = "cell_type", id, metadata, source, outputs, executionCount = "execution_count"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode([String: String](), forKey: .metadata)
            try container.encode(Notebook.lines(source), forKey: .source)
            if type == "code" {
                try container.encodeNil(forKey: .executionCount)
                try container.encode(outputs, forKey: .outputs)
            }
        }
    }

    /// A stored output of a code cell: `display_data` with its representations.
    public struct Output: Encodable {
        var data: [String: [String]]

        enum CodingKeys: String, CodingKey { case outputType = "output_type", metadata, data }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("display_data", forKey: .outputType)
            try container.encode([String: String](), forKey: .metadata)
            try container.encode(data, forKey: .data)
        }
    }

    /// The whole document.
    struct Document: Encodable {
        struct Metadata: Encodable {
            var kernelspec = ["name": "python3", "display_name": "Python 3", "language": "python"]
            var language_info = ["name": "python"]
        }

        var nbformat = 4
        var nbformat_minor = 5
        var metadata = Metadata()
        var cells: [Cell]
    }

    public var cells: [Cell] = []
    /// Files to write beside the notebook, in its data folder: name → contents.
    public var dataFiles: [(name: String, contents: String)] = []

    public init() {}

    public mutating func markdown(_ text: String) { cells.append(Cell(type: "markdown", source: text, outputs: [])) }

    public mutating func code(_ source: String, svg: String? = nil, text: String? = nil) {
        var outputs: [Output] = []
        if let svg { outputs.append(Output(data: ["image/svg+xml": Self.lines(svg), "text/plain": ["<Figure>"]])) }
        if let text { outputs.append(Output(data: ["text/plain": Self.lines(text)])) }
        cells.append(Cell(type: "code", source: source, outputs: outputs))
    }

    /// nbformat's multi-line strings: lines that keep their newline, the last without it.
    static func lines(_ text: String) -> [String] {
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) + "\n" }
        if let last = result.last { result[result.count - 1] = String(last.dropLast()) }
        return result.filter { !$0.isEmpty }
    }

    /// The notebook as nbformat 4.5 JSON.
    public func json() throws -> String {
        let numbered = cells.enumerated().map { index, cell in
            var cell = cell
            cell.id = "cell-\(index)"
            return cell
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Document(cells: numbered))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension Notebook {
    /// The analysis notebook of scenario runs (and, optionally, a plan): `dataFolder` is the
    /// folder name, relative to the notebook, where the CSVs go.
    public static func analysis(_ runs: ScenarioRuns, outputs: [String], months: [Month], comparison: Comparison?,
                                plan: Plan?, dataFolder: String) -> Notebook {
        var notebook = Notebook()
        let names = runs.runs.map(\.name)
        let first = runs.runs[0].model
        notebook.markdown("""
            # Corridor: \(names.joined(separator: " vs "))

            \(runs.runs[0].description.map { $0 + " " } ?? "")\(runs.members) ensemble members per scenario, \(first.start) to \(first.start.advanced(by: first.horizon - 1)). \
            Bands are the p05–p95 and p25–p75 ranges over members; the line is the median; dots are observed data where they exist.

            The CSV files in `\(dataFolder)/` hold every number shown here; the code cells reload them with pandas and redraw the charts with matplotlib.
            """)
        for run in runs.runs where !run.assumptions.isEmpty {
            notebook.markdown("## What `\(run.name)` assumes\n\n" + run.assumptions.map { "> \($0)" }.joined(separator: "\n"))
        }
        notebook.code("""
            import pandas as pd
            import matplotlib.pyplot as plt

            summary = pd.read_csv("\(dataFolder)/summary.csv", parse_dates=["month"])
            observed = pd.read_csv("\(dataFolder)/observed.csv", parse_dates=["month"])
            summary.head()
            """, text: "scenario,step,month,output,mean,p05,p25,p50,p75,p95 (\(runs.runs.count * outputs.count * first.horizon) rows)")
        notebook.markdown("## Key numbers\n\nMedian [p05–p95] over members.\n\n" + keyNumbersMarkdown(runs, outputs: outputs, months: months))
        notebook.code("""
            months = [\(months.map { "\"\($0)-01\"" }.joined(separator: ", "))]
            table = summary[summary["month"].isin(pd.to_datetime(months))]
            table.pivot_table(index=["scenario", "output"], columns="month", values="p50")
            """)
        for output in outputs {
            for run in runs.runs {
                guard let svg = runs.fanChart(run, output: output) else { continue }
                notebook.markdown("### \(output): \(run.name)\n\n\(runs.unit(of: output)).")
                notebook.code("""
                    data = summary[(summary["scenario"] == "\(run.name)") & (summary["output"] == "\(output)")]
                    fig, ax = plt.subplots(figsize=(9, 4))
                    ax.fill_between(data["month"], data["p05"], data["p95"], color="#0072B2", alpha=0.18, label="p05–p95")
                    ax.fill_between(data["month"], data["p25"], data["p75"], color="#0072B2", alpha=0.3, label="p25–p75")
                    ax.plot(data["month"], data["p50"], color="#0072B2", label="median")
                    points = observed[observed["output"] == "\(output)"]
                    if len(points):
                        ax.scatter(points["month"], points["value"], s=6, color="black", label="observed")
                    ax.set_title("\(run.name): \(output)")
                    ax.set_ylabel("\(runs.unit(of: output))")
                    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
                    ax.legend()
                    plt.show()
                    """, svg: svg)
            }
        }
        if let comparison, comparison.names.count > 1 {
            notebook.markdown("## Differences from \(comparison.names[0])\n\nEvery scenario ran on the same members with the same draws, so each member's difference isolates the levers the scenario changes.")
            for output in outputs {
                guard let index = comparison.outputs.firstIndex(of: output) else { continue }
                notebook.code("""
                    base = summary[(summary["scenario"] == "\(comparison.names[0])") & (summary["output"] == "\(output)")].set_index("month")
                    fig, ax = plt.subplots(figsize=(9, 4))
                    for name in [\(comparison.names.dropFirst().map { "\"\($0)\"" }.joined(separator: ", "))]:
                        other = summary[(summary["scenario"] == name) & (summary["output"] == "\(output)")].set_index("month")
                        ax.plot(other.index, other["mean"] - base["mean"], label=name)
                    ax.axhline(0, color="#555", linestyle="--")
                    ax.set_title("\(output): difference of the means from \(comparison.names[0])")
                    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
                    ax.legend()
                    plt.show()
                    """, svg: HTMLReport.comparisonChart(comparison, output: index, unit: runs.unit(of: comparison.outputs[index])))
            }
        }
        if let plan {
            notebook.markdown(planMarkdown(plan))
            notebook.code("""
                curve = pd.read_csv("\(dataFolder)/plan.csv")
                fig, ax = plt.subplots(figsize=(9, 4))
                ax.plot(curve["value"], curve["probability"], marker="o", color="#0072B2")
                ax.axhline(\(plan.confidence), color="#555", linestyle="--")
                ax.set_xlabel("\(plan.parameter)")
                ax.set_ylabel("probability the target is met")
                ax.set_title("\(plan.target)")
                plt.show()
                """, svg: planChart(plan))
            notebook.dataFiles.append(("plan.csv", AnalysisTables.planCurve(plan)))
        }
        notebook.dataFiles.append(("summary.csv", summaryCSV(runs, outputs: outputs)))
        notebook.dataFiles.append(("observed.csv", observedCSV(runs, outputs: outputs)))
        return notebook
    }

    static func keyNumbersMarkdown(_ runs: ScenarioRuns, outputs: [String], months: [Month]) -> String {
        var text = "| scenario | output | " + months.map(\.description).joined(separator: " | ") + " |\n|---|---|" + months.map { _ in "---:|" }.joined() + "\n"
        for run in runs.runs {
            for output in outputs {
                guard let (bandMonths, quantiles, _) = runs.bands(run, output: output) else { continue }
                let cells = months.map { month -> String in
                    guard let step = bandMonths.firstIndex(of: month) else { return "–" }
                    return "\(HTMLReport.format(quantiles[2][step])) [\(HTMLReport.format(quantiles[0][step]))–\(HTMLReport.format(quantiles[4][step]))]"
                }
                text += "| \(run.name) | \(output) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }

    static func planMarkdown(_ plan: Plan) -> String {
        let answer = plan.answer.map { "**\(plan.parameter) = \(SVGChart.label($0.rounded()))** is the least value tried that meets the target with probability at least \(plan.confidence)." }
            ?? "**The target cannot be met within the range tried.**"
        return "## Capacity plan: \(plan.parameter)\n\nTarget: `\(plan.target)`, with probability ≥ \(plan.confidence) over the ensemble. Candidate values ran side by side as ensemble members with common draws.\n\n\(answer)"
    }

    public static func planChart(_ plan: Plan) -> String {
        var chart = SVGChart(title: "Probability that \(plan.target.output) \(plan.target.atMost ? "≤" : "≥") \(SVGChart.label(plan.target.value)) by \(plan.target.month)",
                             unit: "share of ensemble members meeting the target", xAxis: .numbers(label: plan.parameter))
        chart.bands = [SVGChart.Band(label: "probability", x: plan.curve.map(\.value), low: plan.curve.map(\.probability),
                                     middle: plan.curve.map(\.probability), high: plan.curve.map(\.probability))]
        chart.references = [(plan.confidence, "required \(plan.confidence)")]
        return chart.render()
    }

    static func summaryCSV(_ runs: ScenarioRuns, outputs: [String]) -> String {
        var table = CSVTable(header: ["scenario", "step", "month", "output", "mean", "p05", "p25", "p50", "p75", "p95"])
        for run in runs.runs {
            for output in outputs {
                guard let (months, quantiles, mean) = runs.bands(run, output: output) else { continue }
                for (step, month) in months.enumerated() {
                    table.append([run.name, String(step), month.description, output, numberText(mean[step])] + quantiles.map { numberText($0[step]) })
                }
            }
        }
        return table.text
    }

    static func observedCSV(_ runs: ScenarioRuns, outputs: [String]) -> String {
        var table = CSVTable(header: ["output", "month", "value"])
        for output in outputs {
            for (month, value) in runs.observations(for: output) { table.append([output, month.description, numberText(value)]) }
        }
        return table.text
    }
}
