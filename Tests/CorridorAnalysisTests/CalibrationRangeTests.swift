import CorridorEngine
import CorridorIO
import CorridorModel
import Foundation
import Testing
@testable import CorridorAnalysis

/// Values fitted per range of months, bound warnings, smoothing and the conditional
/// backtest's training set, on the synthetic court of `CalibrationTests`.
extension CalibrationTests {
    /// Synthetic data with judges 42 to September 2020 and 60 from October 2020, and a
    /// calibration file that fits `judges` with the given entries from a flat 25.
    func writeTwoRegimeFit(judgeEntries: String, smoothing: Double = 0) throws {
        let truth = modelText(docket: 0.35, judges: 42, arrivalsA: 120, arrivalsB: 60)
            .replacingOccurrences(of: "judges: {value: 42.0}", with: "judges: {value: 42, schedule: [{from: 2020-10, value: 60}]}")
        try synthesizeObservations(truth: truth)
        write("start.yaml", modelText(docket: 0.35, judges: 25, arrivalsA: 120, arrivalsB: 60))
        writeFitFile(parameters: judgeEntries + """

              - {name: arrivals, min: 1, max: 1000, groups: [AAA, BBB], monthly: true, smoothing: \(smoothing), driver: true}
            """, drivers: true, iterations: 60)
    }

    func fit() throws -> CalibrationResult {
        let config = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        let inputs = try config.loadInputs()
        return try Calibrator(config: config, scenario: inputs.scenario, observed: inputs.observed, threads: 2).fit()
    }

    func track(_ result: CalibrationResult, _ name: String) -> [Double] {
        let model = result.fitted.model.compile(horizon: 24)
        return model.parameters[model.parameters.firstIndex { $0.name == name }!].values
    }

    @Test func oneParameterListedForTwoRangesGetsTwoValuesInOneOverlayEntry() throws {
        try writeTwoRegimeFit(judgeEntries: """
              - {name: judges, from: 2019-10, to: 2020-09, min: 1, max: 200}
              - {name: judges, from: 2020-10, min: 1, max: 200}
            """)
        let result = try fit()
        let judges = track(result, "judges")
        func atStep(_ step: Int) -> Double { judges[2 * step] }  // tracks hold a value per group and step
        #expect(abs(atStep(0) / 42 - 1) < 1e-5 && abs(atStep(11) / 42 - 1) < 1e-5, "\(atStep(0)), \(atStep(11))")
        #expect(abs(atStep(12) / 60 - 1) < 1e-5 && abs(atStep(23) / 60 - 1) < 1e-5, "\(atStep(12)), \(atStep(23))")
        let overlay = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path).overlay(of: result)
        #expect(overlay.components(separatedBy: "\n  judges:").count == 2, "one entry for judges:\n\(overlay)")
        #expect(result.atBounds.isEmpty)
    }

    @Test func overlappingRangesOfOneParameterAreRefused() throws {
        try writeTwoRegimeFit(judgeEntries: """
              - {name: judges, from: 2019-10, to: 2020-10, min: 1, max: 200}
              - {name: judges, from: 2020-10, min: 1, max: 200}
            """)
        #expect {
            _ = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        } throws: { error in
            "\(error)".contains("parameter 'judges' is listed 2 times") && "\(error)".contains("months that do not overlap")
        }
    }

    @Test func smoothingNeedsAMonthByMonthParameter() throws {
        try writeTwoRegimeFit(judgeEntries: "  - {name: judges, min: 1, max: 200, smoothing: 0.1}")
        #expect {
            _ = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        } throws: { error in
            "\(error)".contains("fit.yaml:8:49: error: parameters[0].smoothing: `smoothing` is a weight ≥ 0 on month-to-month changes of a `monthly: true` parameter")
        }
    }

    /// Found by fuzzing (Tests/Fuzz/seeds/calibration): a target whose `to` came before its
    /// `from` built a backwards range and crashed; whole numbers too large for an Int did too.
    @Test func backwardRangesAndHugeCountsAreErrorsNotCrashes() throws {
        func parseError(parameter: String = "{name: judges, min: 1, max: 200}", target: String? = nil) -> String {
            let text = """
                format: corridor-calibration/1
                scenario: start.yaml
                observed: observed
                window: {from: 2019-10, to: 2021-09}
                output: fitted.yaml
                parameters:
                  - \(parameter)
                targets:\(target.map { "\n  - " + $0 } ?? " []")
                """
            do {
                _ = try CalibrationConfig.parse(text: text, file: "c.yaml", folder: folder)
                return "accepted"
            } catch { return "\(error)" }
        }
        let target = "{model: \"output:backlog\", observed: pending, aggregate: end, "
        #expect(parseError(target: target + "from: 2021-06, to: 2020-01}").contains("`to` (2020-01) comes before `from` (2021-06)"))
        #expect(parseError(target: target + "from: 2030-01}").contains("`to` (2021-09) comes before `from` (2030-01)"))
        for (entry, message) in [("lag: 1e300", "expected a lag in months (a whole number ≥ 0), found '1e300'"),
                                 ("lag: 99999999999999999999", "expected a lag in months"), ("lag: 500", "a lag in months must be at most 120")] {
            let error = parseError(parameter: "{name: judges, min: 1, max: 200, monthly: true, \(entry)}")
            #expect(error.contains(message), "\(entry): \(error)")
        }
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/seeds/calibration/target-to-before-from.yaml")
        let found = String(decoding: try Data(contentsOf: seed), as: UTF8.self)
        #expect(throws: ModelError.self) { try CalibrationConfig.parse(text: found, file: "found.yaml", folder: folder) }
    }

    @Test func aValueTheDataPushPastItsBoundIsReported() throws {
        try writeTwoRegimeFit(judgeEntries: """
              - {name: judges, from: 2019-10, to: 2020-09, min: 1, max: 200}
              - {name: judges, from: 2020-10, min: 1, max: 50}
            """)
        let result = try fit()
        #expect(result.atBounds.count == 1, "\(result.atBounds)")
        let hit = try #require(result.atBounds.first)
        #expect(hit.parameter == "judges" && hit.months == "2020-10…2021-09" && !hit.isLower && hit.bound == 50)
        #expect(abs(hit.value - 50) < 0.01)
    }

    @Test func smoothingPullsConsecutiveMonthsTogether() throws {
        try writeTwoRegimeFit(judgeEntries: "  - {name: judges, min: 1, max: 200}", smoothing: 0)
        let free = track(try fit(), "arrivals")
        try writeTwoRegimeFit(judgeEntries: "  - {name: judges, min: 1, max: 200}", smoothing: 100)
        let smooth = track(try fit(), "arrivals")
        // Group A's arrivals step from 120 to 300 in 2020-06 (step 8): a free fit follows the
        // step, a heavily smoothed one spreads it over the months around it.
        let jump = { (values: [Double]) in values[2 * 8] / values[2 * 7] }
        #expect(abs(jump(free) / 2.5 - 1) < 1e-3, "free jump \(jump(free))")
        #expect(jump(smooth) < 1.5, "smoothed jump \(jump(smooth))")
    }

    @Test func aConditionalBacktestTrainsDriversOnEverythingAndTheRestUpToTheCutoff() throws {
        try writeTwoRegimeFit(judgeEntries: """
              - {name: judges, from: 2019-10, to: 2020-05, min: 1, max: 200}
              - {name: judges, from: 2020-06, to: 2020-12, min: 1, max: 200}
              - {name: judges, from: 2021-01, min: 1, max: 200}
            """)
        let config = try CalibrationConfig.load(path: folder.appendingPathComponent("fit.yaml").path)
        let training = Backtest.conditionalTraining(config, cutoff: Month(parsing: "2020-09")!)
        #expect(training.window == config.window)
        // Drivers keep the window; the others end at the cutoff.
        #expect(training.targets.map(\.months) == [nil, nil, Month(parsing: "2019-10")!...Month(parsing: "2020-09")!,
                                                  Month(parsing: "2019-10")!...Month(parsing: "2020-09")!])
        // The range starting after the cutoff is dropped and the last one before it covers it.
        let judges = training.parameters.filter { $0.name == "judges" }.map(\.months)
        #expect(judges == [Month(parsing: "2019-10")!...Month(parsing: "2020-05")!, Month(parsing: "2020-06")!...config.window.upperBound])
        #expect(training.parameters.first { $0.name == "arrivals" }?.monthly == true)
    }
}
