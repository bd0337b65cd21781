import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation
import Testing
@testable import CorridorAnalysis

/// Calibration recovers known parameters from synthetic data the model itself generated.
@Suite struct CalibrationTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corridor-calibration-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func write(_ name: String, _ text: String) {
        try! text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    static let model = """
        format: corridor-model/1
        name: synthetic
        start: 2019-10
        groups: [AAA, BBB]
        compartments: [waiting, court, done]
        parameters:
          docketRate: {value: DOCKET}
          judges: {value: JUDGES}
          arrivals: {value: {AAA: ARRIVALS_A, BBB: ARRIVALS_B}, series: {2020-06: {AAA: 300, BBB: 90}}}
        initial:
          court: {AAA: 9000, BBB: 5000}
        flows:
          - {name: come, inflow: arrivals, to: waiting}
          - {name: docket, from: waiting, rate: docketRate, to: court}
          - {name: decide, from: court, capacity: judges * 10, to: done}
        outputs:
          backlog: total(court)
        """

    func modelText(docket: Double, judges: Double, arrivalsA: Double, arrivalsB: Double) -> String {
        Self.model.replacingOccurrences(of: "DOCKET", with: "\(docket)").replacingOccurrences(of: "JUDGES", with: "\(judges)")
            .replacingOccurrences(of: "ARRIVALS_A", with: "\(arrivalsA)").replacingOccurrences(of: "ARRIVALS_B", with: "\(arrivalsB)")
    }

    /// Observations made by running the true model: monthly docketing by group, and the
    /// backlog at the end of each fiscal year.
    func synthesizeObservations(truth: String? = nil) throws {
        write("truth.yaml", truth ?? modelText(docket: 0.35, judges: 42, arrivalsA: 120, arrivalsB: 60))
        let truth = try ScenarioLoader.load(path: folder.appendingPathComponent("truth.yaml").path).model.compile(horizon: 36)
        let run = try Ensemble.run(truth, options: RunOptions(members: 1)).trajectories!
        var rows = ["series,group,period,value,unit,source"]
        for step in 0..<35 {
            var docketed = 0.0
            for (g, group) in ["AAA", "BBB"].enumerated() {
                let arrivals = run.flowEntries.firstIndex { $0.flow == 0 && $0.group == g }!
                rows.append("arrived,\(group),\(truth.start.advanced(by: step)),\(run.flow(member: 0, step: step, entry: arrivals)),people,synthetic")
                docketed += run.flow(member: 0, step: step, entry: run.flowEntries.firstIndex { $0.flow == 1 && $0.group == g }!)
            }
            rows.append("docketed,ALL,\(truth.start.advanced(by: step)),\(docketed),people,synthetic")
        }
        for (year, step) in [(2020, 12), (2021, 24)] {
            rows.append("pending,ALL,FY\(year),\(run.output(member: 0, step: step, output: 0)),people,synthetic")
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("observed"), withIntermediateDirectories: true)
        write("observed/synthetic.csv", rows.joined(separator: "\n") + "\n")
    }

    /// `fit.yaml`: the synthetic window and targets, with these parameter lines; with
    /// `drivers`, the arrivals are the exogenous side (for conditional backtests).
    func writeFitFile(parameters: String, drivers: Bool = false, iterations: Int = 40) {
        let driver = drivers ? ", driver: true" : ""
        write("fit.yaml", """
            format: corridor-calibration/1
            scenario: start.yaml
            observed: observed
            window: {from: 2019-10, to: 2021-09}
            output: fitted.yaml
            iterations: \(iterations)
            parameters:
            \(parameters)
            targets:
              - {model: "flow:come:AAA", observed: arrived, group: AAA\(driver)}
              - {model: "flow:come:BBB", observed: arrived, group: BBB\(driver)}
              - {model: "flow:docket:AAA + flow:docket:BBB", observed: docketed}
              - {model: "output:backlog", observed: pending, aggregate: end, weight: 2}
            """)
    }

    /// A calibration file fitting the synthetic model from wrong starting values.
    func writeFitFromWrongStart() throws {
        try synthesizeObservations()
        write("start.yaml", modelText(docket: 0.2, judges: 25, arrivalsA: 80, arrivalsB: 90))
        writeFitFile(parameters: """
              - {name: docketRate, min: 0.01, max: 2}
              - {name: judges, min: 1, max: 200}
              - {name: arrivals, min: 1, max: 1000, groups: [AAA, BBB], monthly: true}
            """)
    }

    @Test func recoversConstantPerGroupAndMonthByMonthParameters() throws {
        try writeFitFromWrongStart()
        let config = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        let inputs = try config.loadInputs()
        let result = try Calibrator(config: config, scenario: inputs.scenario, observed: inputs.observed, threads: 2).fit()
        #expect(result.finalCost < 1e-12 * Swift.max(1, result.initialCost), "cost \(result.initialCost) → \(result.finalCost)")
        let fitted = result.fitted.model.compile(horizon: 24)
        let docket = fitted.parameters[fitted.parameters.firstIndex { $0.name == "docketRate" }!].values[0]
        let judges = fitted.parameters[fitted.parameters.firstIndex { $0.name == "judges" }!].values[0]
        #expect(abs(docket / 0.35 - 1) < 1e-5, "docketRate \(docket)")
        #expect(abs(judges / 42 - 1) < 1e-5, "judges \(judges)")
        let arrivals = fitted.parameters[fitted.parameters.firstIndex { $0.name == "arrivals" }!].values
        // Months 0-7 at 120 and 60, from 2020-06 (step 8) at 300 and 90, fitted month by month.
        for step in 0..<24 {
            let expected = step < 8 ? (120.0, 60.0) : (300.0, 90.0)
            #expect(abs(arrivals[2 * step] / expected.0 - 1) < 1e-4, "A at step \(step): \(arrivals[2 * step])")
            #expect(abs(arrivals[2 * step + 1] / expected.1 - 1) < 1e-4, "B at step \(step): \(arrivals[2 * step + 1])")
        }
        #expect(result.statistics.allSatisfy { $0.mape < 1e-3 && $0.rSquared > 0.999999 }, "\(result.statistics)")
        #expect(try config.overlay(of: result).hasPrefix("format: corridor-overlay/1"))
    }

    /// The overlay written is a faithful serialization of the fitted model: a scenario that
    /// lists it runs exactly what the fit found (checked here once, not at every calibration).
    @Test func theOverlayReproducesTheFittedModelExactly() throws {
        try writeFitFromWrongStart()
        let config = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        let inputs = try config.loadInputs()
        let result = try Calibrator(config: config, scenario: inputs.scenario, observed: inputs.observed, threads: 2).fit()
        let start = inputs.scenario.definition
        var reloaded = start
        try ScenarioLoader.applyOverlay(&reloaded, text: try config.overlay(of: result), file: folder.appendingPathComponent("fitted.yaml").path)
        for definition in [result.fitted.definition, reloaded] {
            #expect(definition.model.parameterNames == start.model.parameterNames)
        }
        let direct = try Ensemble.run(result.fitted.model.compile(horizon: 24), options: RunOptions()).trajectories!
        let viaText = try Ensemble.run(reloaded.model.compile(horizon: 24), options: RunOptions()).trajectories!
        for step in 0..<24 {
            #expect(direct.output(member: 0, step: step, output: 0) == viaText.output(member: 0, step: step, output: 0))
            for entry in direct.flowEntries.indices {
                #expect(direct.flow(member: 0, step: step, entry: entry) == viaText.flow(member: 0, step: step, entry: entry))
            }
        }
    }

    @Test func aBacktestOfTheTrueModelForecastsTheHeldBackDataExactly() throws {
        try writeFitFromWrongStart()
        let config = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        // The true arrivals are constant from 2020-06, so a model fitted to 2020-09 and
        // holding its last fitted arrivals forecasts 2021 exactly; the naive forecast
        // (same month last year, before the change for early 2021 months) does not.
        let inputs = try config.loadInputs()
        let outcome = try Backtest.run(config: config, scenario: inputs.scenario, observed: inputs.observed,
                                       cutoff: Month(parsing: "2020-09")!, threads: 2)
        let arrivals = outcome.forecasts.filter { $0.target.hasPrefix("flow:come:AAA") }
        #expect(arrivals.count == 12)
        #expect(arrivals.allSatisfy { abs($0.model / $0.observed - 1) < 1e-6 })
        #expect(arrivals.first { $0.period == .month(Month(parsing: "2021-03")!) }?.naive == 120)
        let backlog = try #require(outcome.forecasts.first { $0.target.hasPrefix("output:backlog") })
        #expect(backlog.period == .fiscalYear(2021) && backlog.horizon == 12)
        #expect(abs(backlog.model / backlog.observed - 1) < 1e-6)
        let band = try #require(outcome.accuracy.first { $0.target.hasPrefix("flow:come:AAA") && $0.horizon == "4-6" })
        #expect(band.count == 3 && band.modelMAPE < 1e-4 && band.naiveMAPE > 50)
    }

    @Test func fitStatisticsAreTheTextbookFormulas() {
        let stats = Calibrator.statistics(label: "t", pairs: [(10, 12), (20, 18), (30, 30)])
        #expect(stats.rmse == (8.0 / 3).squareRoot())
        #expect(abs(stats.mape - 100 * (0.2 + 0.1 + 0) / 3) < 1e-12)
        // SS_tot = 200, SS_res = 8.
        #expect(abs(stats.rSquared - (1 - 8.0 / 200)) < 1e-15)
    }
}
