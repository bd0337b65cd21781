import Foundation
import Testing
@testable import CorridorModel

/// NaN and infinities are errors wherever a number is read; negative values where the
/// format clamps are warned about once, with the place they were given.
@Suite struct ImpossibleInputTests {
    func model(parameters: String, flows: String = "  - {name: f, from: x, capacity: k * 10, to: y}") -> String {
        modelYAML(compartments: ["x", "y"], body: """
            parameters:
            \(parameters)
            initial: {x: 100}
            flows:
            \(flows)
            outputs:
              w: total(x) / max(1, flow(f))
            """)
    }

    @Test func nanAndInfinitiesAreErrorsNamingTheirPlace() {
        for text in [".nan", ".inf", "-.Inf", "1e400", "NaN"] {
            let error = Workspace().error(model(parameters: "  k: {value: \(text)}"))
            #expect(error.hasPrefix("model.yaml:7:14: error: parameters.k.value:") && error.contains("'\(text)'; NaN and infinities are not allowed"), "\(text): \(error)")
        }
        let schedule = Workspace().error(model(parameters: "  k: {value: 1, schedule: [{from: 2020-03, value: .inf}]}"))
        #expect(schedule.hasPrefix("model.yaml:7:51: error: parameters.k.schedule[0].value"), "\(schedule)")
        let expression = Workspace().error(model(parameters: "  k: {value: 1}", flows: "  - {name: f, from: x, capacity: k * 1e999, to: y}"))
        #expect(expression.hasPrefix("model.yaml:10:34: error: flows[0].capacity: malformed expression: '1e999' is not a number; NaN and infinities"), "\(expression)")
        let workspace = Workspace()
        workspace.write("s.csv", "month,value\n2020-01,1\n2020-02,inf\n")
        let series = workspace.error(model(parameters: "  k: {value: 1, series: s.csv}"))
        #expect(series.hasPrefix("s.csv:3:9: error: 'inf' in column 'value' is not a number; NaN and infinities"), "\(series)")
        for value in ["nan", "-inf"] {
            do {
                _ = try ObservedData.parse(text: "series,group,period,value,unit,source\nx,ALL,2024-01,\(value),people,test\n", file: "o.csv")
                Issue.record("\(value) was accepted")
            } catch let error as ModelError {
                #expect(error.description.hasPrefix("o.csv:2:") && error.description.contains("'\(value)' is not a number; NaN and infinities"), "\(error)")
            } catch { Issue.record("unexpected \(error)") }
        }
    }

    @Test func aNegativeValueACapacityUsesIsWarnedAboutWithItsPlace() throws {
        let workspace = Workspace()
        let definition = try workspace.load("model.yaml", model(parameters: "  k: {value: 5, schedule: [{from: 2020-06, value: -2}]}"))
        let warnings = definition.model.negativeValueWarnings.map { $0.warningDescription.replacingOccurrences(of: workspace.folder.path + "/", with: "") }
        #expect(warnings == ["model.yaml:7:6: warning: parameters.k: -2 is negative, and a rate, capacity or inflow below 0 counts as 0 (MODEL-FORMAT.md, \"One step\", rule 1): the flows using 'k' stop instead of reversing; check the sign"])
        // The same value used only by an output is no one's capacity: no warning.
        let outputOnly = try workspace.load("other.yaml", model(parameters: "  k: {value: 1}\n  d: {value: -3}"))
        #expect(outputOnly.model.negativeValueWarnings.isEmpty)
        // A lever set below zero from the command line is warned about at the --set.
        var scenario = try Scenario(try workspace.load("plain.yaml", model(parameters: "  k: {value: 5}")), horizon: 3)
        #expect(scenario.model.negativeValueWarnings.isEmpty)
        scenario = try scenario.setting("k=-100")
        #expect(scenario.model.negativeValueWarnings.map(\.warningDescription).first?.hasPrefix("--set k=-100:1:1: warning: k: -100 is negative") == true)
    }
}
