import Foundation
import Testing
@testable import CorridorModel

/// The optional presentation keys of an output (unit, label, observed series) and the
/// report's default outputs: an extension of the format, the plain form unchanged.
@Suite struct OutputPresentationTests {
    func model(_ body: String) -> String {
        modelYAML(groups: ["A", "B"], compartments: ["x", "y"], body: """
            flows:
              - {name: f, from: x, rate: "0.1", to: y}
            """ + "\n" + body)
    }

    @Test func anOutputMayCarryItsUnitLabelAndObservedSeries() throws {
        let definition = try Workspace().load("model.yaml", model("""
            outputs:
              moved: flow(f)
              waiting:
                expression: total(x)
                unit: people waiting, start of month
                label: Waiting
                observed: {series: pending_end_fy, at: end}
            report:
              outputs: [waiting]
              description: A queue of two groups.
            """))
        let model = definition.model
        #expect(model.outputNames == ["moved", "waiting"])
        #expect(model.presentation["moved"] == nil)
        #expect(model.presentation["waiting"] == OutputPresentation(
            unit: "people waiting, start of month", label: "Waiting",
            observed: ObservedMatch(series: "pending_end_fy", group: "ALL", endOfPeriod: true)))
        #expect(model.reportOutputs == ["waiting"])
        #expect(model.reportDescription == "A queue of two groups.")
        // The expression is compiled as in the plain form.
        let compiled = model.compile(horizon: 2)
        #expect(compiled.outputNames == ["moved", "waiting"])
    }

    @Test func badPresentationKeysAreClearErrors() {
        #expect(Workspace().error(model("""
            outputs:
              waiting: {expression: total(x), units: people}
            """)) == "model.yaml:9:35: error: outputs.waiting: unknown key 'units'. Did you mean 'unit'? Valid keys here: expression, unit, label or observed")
        #expect(Workspace().error(model("""
            outputs:
              waiting: {unit: people}
            """)).contains("an output written as a mapping needs `expression:`"))
        #expect(Workspace().error(model("""
            outputs:
              waiting: {expression: total(x), observed: {series: s, at: year}}
            """)).contains("`at:` is `end` (a stock at the end of each period) or `month` (monthly values); found 'year'"))
        #expect(Workspace().error(model("""
            outputs:
              waiting: total(x)
            report:
              outputs: [wating]
            """)).contains("unknown output 'wating'; the outputs are waiting"))
        #expect(Workspace().error(model("""
            report:
              title: Queues
            """)).contains("unknown key 'title'"))
    }
}
