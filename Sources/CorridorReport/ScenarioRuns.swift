import CorridorAnalysis
import CorridorEngine
import CorridorModel
import Foundation

/// Scenarios run as ensembles, for a report or a notebook: streamed summaries of every
/// output, the scenario's stated assumptions, and the observed series that match outputs.
public struct ScenarioRuns {
    public struct Run {
        public init(name: String, file: String, assumptions: [String], model: EngineModel, summary: EnsembleSummary,
                    presentation: [String: OutputPresentation] = [:], description: String? = nil) {
            self.name = name
            self.description = description
            self.file = file
            self.assumptions = assumptions
            self.model = model
            self.summary = summary
            self.presentation = presentation
        }

        public var name: String
        public var file: String
        /// The comment lines at the top of the scenario file: what it assumes.
        public var assumptions: [String]
        public var model: EngineModel
        public var summary: EnsembleSummary
        /// How the model file says to show its outputs (unit, label, observed series).
        public var presentation: [String: OutputPresentation]
        /// What the model is, in a sentence or two (`report: {description: …}` of its file).
        public var description: String?
    }

    public var runs: [Run]
    public var members: Int
    public var observed: ObservedData?

    /// Runs made elsewhere (each an ensemble of `members` with streamed summaries) and the
    /// observed data to draw over them: the report runs nothing and reads no file.
    public init(runs: [Run], members: Int, observed: ObservedData?) {
        self.runs = runs
        self.members = members
        self.observed = observed
    }

    /// p05, p25, p50, p75, p95 and the mean of an output at every step.
    public func bands(_ run: Run, output: String) -> (months: [Month], quantiles: [[Double]], mean: [Double])? {
        guard let o = run.model.outputNames.firstIndex(of: output),
              let series = run.summary.catalog.kinds.firstIndex(of: .output(o)) else { return nil }
        let steps = 0..<run.model.horizon
        let cells = steps.map { run.summary.cell(step: $0, series: series) }
        return (steps.map { run.model.start.advanced(by: $0) },
                run.summary.quantiles.map { level in cells.map { level[$0] } },
                cells.map { run.summary.mean[$0] })
    }

    /// The unit of an output, as the first scenario's model file states it (else its name).
    public func unit(of output: String) -> String { runs.first?.presentation[output]?.unit ?? output }

    /// The observed series the first scenario's model file names for an output.
    func observedMatch(for output: String) -> ObservedMatch? { runs.first?.presentation[output]?.observed }

    /// The observed values drawn over an output, at the month they describe.
    public func observations(for output: String) -> [(Month, Double)] {
        guard let observed, let match = observedMatch(for: output) else { return [] }
        return observed.points(match)
    }

    /// A fan chart of an output: p05–p95 and p25–p75 bands, the median, observed points.
    public func fanChart(_ run: Run, output: String) -> String? {
        guard let (months, quantiles, _) = bands(run, output: output) else { return nil }
        var chart = SVGChart(title: "\(run.name): \(run.presentation[output]?.label ?? output)", unit: run.presentation[output]?.unit ?? "", xAxis: .months)
        chart.bands = [SVGChart.Band(label: "median, p25–p75, p05–p95 of \(members) members", x: months.map { Double($0.index) },
                                     low: quantiles[0], middle: quantiles[2], high: quantiles[4],
                                     innerLow: quantiles[1], innerHigh: quantiles[3])]
        let observed = observations(for: output)
        if !observed.isEmpty, let match = observedMatch(for: output) {
            chart.points = [SVGChart.Points(label: "observed (\(match.series))", x: observed.map { Double($0.0.index) }, y: observed.map(\.1))]
        }
        return chart.render()
    }
}
