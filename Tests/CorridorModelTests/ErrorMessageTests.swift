import Foundation
import Testing
@testable import CorridorModel

/// Golden tests: each bad input gets an error naming the file, the place, the offending
/// name or value and what would be valid.
@Suite struct ErrorMessageTests {
    let header = """
        format: corridor-model/1
        name: t
        start: 2020-01
        groups: [A, B]
        compartments: [x, y]
        """

    func model(_ body: String) -> String { header + "\n" + body }

    @Test func unknownCompartment() {
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: z, rate: "0.1", to: y}
            """)) == "model.yaml:7:21: error: flows[0].from: unknown `from` compartment 'z'. The compartments are x and y")
    }

    @Test func unknownParameterWithSuggestion() {
        #expect(Workspace().error(model("""
            parameters:
              rate: {value: 1}
            flows:
              - {name: f, from: x, rate: rat, to: y}
            """)) == "model.yaml:9:30: error: flows[0].rate: unknown parameter 'rat'. Did you mean 'rate'? The parameters are rate (at character 1 of \"rat\")")
    }

    @Test func unknownFlowInAnOutput() {
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "0.1", to: y}
            outputs:
              o: flow(g)
            """)) == "model.yaml:9:6: error: outputs.o: unknown flow 'g'. The flows are f (at character 6 of \"flow(g)\")")
    }

    @Test func unknownDestination() {
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "0.1", to: {y: 1, w: 2}}
            """)) == "model.yaml:7:51: error: flows[0].to.w: unknown destination compartment 'w'. The compartments are x and y")
    }

    @Test func groupMissingFromAPerGroupMapWithoutDefault() {
        #expect(Workspace().error(model("""
            parameters:
              r: {value: {A: 1}}
            flows: []
            """)) == "model.yaml:7:14: error: parameters.r.value: no value for group B and no `default`: add it or a `default`")
    }

    @Test func unknownGroupInAPerGroupMap() {
        #expect(Workspace().error(model("""
            parameters:
              r: {value: {A: 1, C: 2}}
            flows: []
            """)) == "model.yaml:7:24: error: parameters.r.value.C: unknown group 'C'. The groups are A and B, and `default` fills the ones not named")
    }

    @Test func duplicateNames() {
        #expect(Workspace().error(model("""
            parameters:
              r: {value: 1}
            flows:
              - {name: r, from: x, rate: "0.1", to: y}
            """)) == "model.yaml:9:12: error: flows[0].name: flow 'r' has the name of a parameter; parameters and flows must not share a name")
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "0.1", to: y}
              - {name: f, from: x, rate: "0.1", to: y}
            """)) == "model.yaml:8:5: error: flows[1]: duplicate flow name 'f': each flow needs its own name")
        #expect(Workspace().error("""
            format: corridor-model/1
            start: 2020-01
            groups: [A, A]
            compartments: [x]
            flows: []
            """) == "model.yaml:3:13: error: groups[1]: duplicate group name 'A': each group is listed once")
        #expect(Workspace().error(model("""
            parameters:
              r: {value: 1}
              r: {value: 2}
            flows: []
            """)) == "model.yaml:7:3: error: duplicate key 'r': each key may appear once")
    }

    @Test func badMonth() {
        #expect(Workspace().error("""
            format: corridor-model/1
            start: 2020-13
            groups: [A]
            compartments: [x]
            flows: []
            """) == "model.yaml:2:8: error: start: '2020-13' is not a month: write the start month as YYYY-MM with a month from 01 to 12, e.g. 2021-10")
    }

    @Test func scheduleOutOfOrder() {
        #expect(Workspace().error(model("""
            parameters:
              j:
                value: 1
                schedule:
                  - {from: 2021-01, value: 2}
                  - {from: 2020-06, value: 3}
            flows: []
            """)) == "model.yaml:11:16: error: parameters.j.schedule[1].from: schedule out of order: 2020-06 does not come after 2021-01; list entries in strictly increasing `from` order")
    }

    @Test func malformedExpressions() {
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "0.1 * (2 +", to: y}
            """)) == "model.yaml:7:30: error: flows[0].rate: malformed expression: expected a number, a name or '(', found end of expression (at character 11 of \"0.1 * (2 +\")")
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "sqrt(2)", to: y}
            """)) == "model.yaml:7:30: error: flows[0].rate: malformed expression: unknown function 'sqrt'; the functions are min, max, exp, stock, total and flow (at character 1 of \"sqrt(2)\")")
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "min(1 2)", to: y}
            """)) == "model.yaml:7:30: error: flows[0].rate: malformed expression: expected ',' between the two arguments of min(a, b), found number 2.0 (at character 7 of \"min(1 2)\")")
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x, rate: "0.1 % 2", to: y}
            """)).hasPrefix("model.yaml:7:30: error: flows[0].rate: malformed expression: unexpected character '%'"))
    }

    @Test func yamlSyntaxError() {
        #expect(Workspace().error(model("""
            flows:
              - {name: f, from: x
                rate: 1
            """)) == "model.yaml:8:9: error: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 7, column 5). Check indentation, colons and quotes here.")
    }

    @Test func unknownFormatVersionAndDistribution() {
        #expect(Workspace().error("format: corridor-model/2\nstart: 2020-01\n")
            == "model.yaml:1:9: error: format: unknown format 'corridor-model/2'; this version of Corridor reads corridor-model/1")
        #expect(Workspace().error(model("""
            parameters:
              r: {value: 1, uncertainty: {dist: gamma, cv: 1}}
            flows: []
            """)) == "model.yaml:7:37: error: parameters.r.uncertainty.dist: unknown distribution 'gamma'. Valid: lognormal, normal, uniform")
        #expect(Workspace().error(model("""
            parameters:
              r: {value: 1, uncertainty: {dist: lognormal, sd: 1}}
            flows: []
            """)) == "model.yaml:7:30: error: parameters.r.uncertainty: lognormal needs `cv` (the coefficient of variation, ≥ 0)")
    }

    @Test func perGroupParameterInAPooledCapacity() {
        #expect(Workspace().error(model("""
            parameters:
              c: {value: {A: 1, B: 2}}
            flows:
              - {name: f, from: x, capacity: c * 2, to: y}
            """)) == "model.yaml:9:34: error: flows[0].capacity: 'c' has per-group values, but a pooled capacity has no group to take them for; use a parameter with one value, or `allocation: perGroup` (at character 1 of \"c * 2\")")
    }

    @Test func negativeInitialStock() {
        #expect(Workspace().error(model("""
            initial:
              x: {A: 10, B: -5}
            flows: []
            """)) == "model.yaml:7:17: error: initial.x.B: the initial stock of x for B must not be negative, found -5")
    }

    @Test func missingOrMalformedSeriesCSV() {
        let workspace = Workspace()
        #expect(workspace.error(model("""
            parameters:
              s: {series: nothere.csv}
            flows: []
            """)).hasPrefix("model.yaml:7:15: error: parameters.s.series: series file 'nothere.csv' not found"))
        workspace.write("nogroup.csv", "month,A\n2020-01,1\n")
        #expect(workspace.error(model("""
            parameters:
              s: {series: nogroup.csv}
            flows: []
            """)).hasSuffix("nogroup.csv:1:1: error: missing group column B: a per-group series needs a column for every group (A and B), or use a single `value` column (in the series named at model.yaml:7, parameters.s.series)"))
        workspace.write("badnum.csv", "month,A,B\n2020-01,1,2\n2020-02,3,x4\n")
        #expect(workspace.error(model("""
            parameters:
              s: {series: badnum.csv}
            flows: []
            """)).hasPrefix("badnum.csv:3:11: error: 'x4' in column 'B' is not a number"))
        workspace.write("badmonth.csv", "month,value\n2020-01,1\n2020-1,2\n")
        #expect(workspace.error(model("""
            parameters:
              s: {series: badmonth.csv}
            flows: []
            """)).hasPrefix("badmonth.csv:3:1: error: '2020-1' is not a month"))
    }

    @Test func filesThatAreNotModels() {
        let workspace = Workspace()
        workspace.write("binary.yaml", "\u{0}\u{1}PNG")
        #expect(workspace.error(named: "binary.yaml", "\u{0}\u{1}PNG") == "binary.yaml: error: this is not a text file; a model or scenario is YAML or JSON text in UTF-8")
        #expect(workspace.error(named: "text.yaml", "just some text") == "text.yaml:1:1: error: this is not a model or scenario: expected a YAML mapping that starts with `format: corridor-model/1` or `format: corridor-scenario/1`")
        #expect(workspace.error(named: "empty.yaml", "") == "empty.yaml: error: the file is empty; expected a mapping that starts with `format:`")
        #expect(workspace.error(named: "keys.yaml", "? [a]\n: b\n") == "keys.yaml:1:3: error: a key must be a plain name, found a list")
    }

    @Test func pathThatDoesNotExist() {
        #expect(throws: ModelError(file: "/no/such/model.yaml", message: "no such file; check the path (it is relative to the folder you run corridor in)")) {
            try ScenarioLoader.load(path: "/no/such/model.yaml")
        }
    }

    @Test func scenarioNamingAnUnknownParameterOrMissingModel() {
        let workspace = Workspace()
        workspace.write("m.yaml", model("""
            parameters:
              judges: {value: 1}
            flows: []
            """))
        #expect(workspace.error(named: "s.yaml", """
            format: corridor-scenario/1
            model: m.yaml
            set:
              judgs: {value: 2}
            """) == "s.yaml:4:10: error: set.judgs: the model has no parameter 'judgs'. Did you mean 'judges'? Its parameters are judges")
        #expect(workspace.error(named: "s2.yaml", """
            format: corridor-scenario/1
            model: missing.yaml
            """).hasPrefix("s2.yaml:2:8: error: model: model file 'missing.yaml' not found"))
    }

    @Test func unknownKeysAreNamedWithTheValidOnes() {
        #expect(Workspace().error(model("""
            paramters: {}
            flows: []
            """)) == "model.yaml:6:1: error: unknown key 'paramters'. Did you mean 'parameters'? Valid keys here: format, name, start, groups, compartments, parameters, initial, flows, outputs, report or levers")
    }
}
