import CorridorEngine
import Foundation
import Numerics
import Testing
@testable import CorridorModel

/// Each rule of MODEL-FORMAT.md on a small case worked by hand.
@Suite struct FormatRuleTests {
    @Test func perGroupValuesTakeTheDefaultForGroupsNotNamed() throws {
        let (model, run) = try deterministicRun(modelYAML(groups: ["A", "B", "C"], compartments: ["x", "y"], body: """
            parameters:
              r: {value: {default: 0.5, B: 0}}
            initial:
              x: {default: 100, C: 40}
            flows:
              - {name: move, from: x, rate: r, to: y}
            """), horizon: 1)
        let leave = 1 - exp(-0.5)
        #expect(run.stock(model, step: 1, compartment: "y", group: "A").isApproximatelyEqual(to: 100 * leave, relativeTolerance: 1e-15))
        #expect(run.stock(model, step: 1, compartment: "y", group: "B") == 0)
        #expect(run.stock(model, step: 1, compartment: "y", group: "C").isApproximatelyEqual(to: 40 * leave, relativeTolerance: 1e-15))
    }

    @Test func scheduleRampsLinearlyFromTheValueInForce() throws {
        // judges: 100 until 2020-03; from 2020-03 ramp to 200 over 4 steps: 125, 150, 175, 200.
        // From 2020-05 (mid-ramp, at 150 in 2020-04) a new entry ramps to 0 over 2 steps: 75, 0.
        let track = try resolvedTrack("""
            value: 100
            schedule:
              - {from: 2020-03, value: 200, ramp: 4}
              - {from: 2020-05, value: 0, ramp: 2}
              - {from: 2020-08, value: 10}
            """, horizon: 9)
        #expect(track == [100, 100, 125, 150, 75, 0, 0, 10, 10])
    }

    @Test func scheduleEntryBeforeTheStartStillApplies() throws {
        let track = try resolvedTrack("""
            value: 0
            schedule:
              - {from: 2019-11, value: 12, ramp: 4}
            """, horizon: 4)
        // 2019-11: 3, 2019-12: 6, 2020-01 (step 0): 9, then 12.
        #expect(track == [9, 12, 12, 12])
    }

    @Test func seriesHoldsTheLatestListedValue() throws {
        let track = try resolvedTrack("""
            value: 1
            series: {2020-02: 5, 2020-04: 7}
            """, horizon: 6)
        #expect(track == [1, 5, 5, 7, 7, 7])
    }

    @Test func seriesFromCSVWithGroupColumns() throws {
        let workspace = Workspace()
        workspace.write("data/arrivals.csv", "month,B,A\n2019-12,1,2\n2020-02,30,40\n")
        let definition = try workspace.load("model.yaml", modelYAML(groups: ["A", "B"], compartments: ["x"], body: """
            parameters:
              arrivals: {series: data/arrivals.csv}
            flows:
              - {name: come, inflow: arrivals, to: x}
            """))
        let model = definition.model.compile(horizon: 3)
        #expect(model.parameters[0].values == [2, 1, 40, 30, 40, 30])
    }

    @Test func seriesFromCSVWithOneValueColumn() throws {
        let workspace = Workspace()
        workspace.write("v.csv", "month,value\n2020-01,3\n2020-03,4.5\n")
        let definition = try workspace.load("model.yaml", modelYAML(groups: ["A", "B"], compartments: ["x"], body: """
            parameters:
              v: {series: v.csv}
            flows:
              - {name: come, inflow: v, to: x}
            """))
        #expect(definition.model.compile(horizon: 4).parameters[0].values == [3, 3, 3, 3, 4.5, 4.5, 4.5, 4.5])
    }

    @Test func competingHazardsShareWhatLeavesByRate() throws {
        let (model, run) = try deterministicRun(modelYAML(compartments: ["x", "a", "b"], body: """
            parameters:
              ra: {value: 0.1}
              rb: {value: 0.3}
            initial: {x: 1000}
            flows:
              - {name: fa, from: x, rate: ra, to: a}
              - {name: fb, from: x, rate: rb, to: b}
            """), horizon: 1)
        let leave = 1000 * (1 - exp(-0.4))
        #expect(run.flow(model, step: 0, flow: "fa", group: "A", to: "a").isApproximatelyEqual(to: leave / 4, relativeTolerance: 1e-14))
        #expect(run.flow(model, step: 0, flow: "fb", group: "A", to: "b").isApproximatelyEqual(to: leave * 3 / 4, relativeTolerance: 1e-14))
        #expect(run.stock(model, step: 1, compartment: "x", group: "A").isApproximatelyEqual(to: 1000 * exp(-0.4), relativeTolerance: 1e-14))
    }

    @Test func pooledCapacityServesGroupsInProportionToTheirStocks() throws {
        let (model, run) = try deterministicRun(modelYAML(groups: ["A", "B"], compartments: ["q", "done"], body: """
            parameters:
              servers: {value: 4}
              perServer: {value: 50}
            initial:
              q: {A: 300, B: 100}
            flows:
              - {name: serve, from: q, capacity: servers * perServer, to: done}
            """), horizon: 3)
        // Step 0: D = 400, S = 200: A gets 150, B 50. Step 1: D = 200, S = 200: all served.
        #expect(run.flow(model, step: 0, flow: "serve", group: "A", to: "done") == 150)
        #expect(run.flow(model, step: 0, flow: "serve", group: "B", to: "done") == 50)
        #expect(run.flow(model, step: 1, flow: "serve", group: "A", to: "done") == 150)
        #expect(run.stock(model, step: 2, compartment: "q", group: "A") == 0)
        #expect(run.flow(model, step: 2, flow: "serve", group: "A", to: "done") == 0)
    }

    @Test func perGroupCapacityGivesEachGroupItsOwn() throws {
        let (model, run) = try deterministicRun(modelYAML(groups: ["A", "B"], compartments: ["q", "done"], body: """
            parameters:
              slots: {value: {A: 30, B: 500}}
            initial:
              q: {A: 100, B: 100}
            flows:
              - {name: serve, from: q, capacity: slots, allocation: perGroup, to: done}
            """), horizon: 1)
        #expect(run.flow(model, step: 0, flow: "serve", group: "A", to: "done") == 30)
        #expect(run.flow(model, step: 0, flow: "serve", group: "B", to: "done") == 100)
    }

    @Test func capacityFlowsGoFirstInOrderThenHazardsOnTheRemainder() throws {
        let (model, run) = try deterministicRun(modelYAML(compartments: ["q", "one", "two", "gone"], body: """
            parameters:
              c1: {value: 200}
              c2: {value: 1000}
              h: {value: 0.5}
            initial: {q: 1000}
            flows:
              - {name: leave, from: q, rate: h, to: gone}
              - {name: first, from: q, capacity: c1, to: one}
              - {name: second, from: q, capacity: "c2 - 500", to: two}
            """), horizon: 1)
        #expect(run.flow(model, step: 0, flow: "first", group: "A", to: "one") == 200)
        #expect(run.flow(model, step: 0, flow: "second", group: "A", to: "two") == 500)
        #expect(run.flow(model, step: 0, flow: "leave", group: "A", to: "gone").isApproximatelyEqual(to: 300 * (1 - exp(-0.5)), relativeTolerance: 1e-14))
    }

    @Test func negativeRatesAndCapacitiesCountAsZero() throws {
        let (model, run) = try deterministicRun(modelYAML(compartments: ["q", "out"], body: """
            parameters:
              r: {value: -0.2}
            initial: {q: 10}
            flows:
              - {name: h, from: q, rate: r, to: out}
              - {name: c, from: q, capacity: r * 100, to: out}
            """), horizon: 1)
        #expect(run.stock(model, step: 1, compartment: "q", group: "A") == 10)
        #expect(run.flow(model, step: 0, flow: "h", group: "A", to: "out") == 0)
    }

    @Test func weightsAreClampedAndNormalisedAndZeroWeightsMoveNobody() throws {
        let (model, run) = try deterministicRun(modelYAML(groups: ["A", "B"], compartments: ["q", "x", "y", "z"], body: """
            parameters:
              wx: {value: {A: 1, B: 0}}
            initial:
              q: {default: 100}
            flows:
              - name: split
                from: q
                capacity: "1000"
                allocation: perGroup
                to: {x: wx, y: 3 * wx, z: -5}
            """), horizon: 1)
        #expect(run.flow(model, step: 0, flow: "split", group: "A", to: "x") == 25)
        #expect(run.flow(model, step: 0, flow: "split", group: "A", to: "y") == 75)
        #expect(run.flow(model, step: 0, flow: "split", group: "A", to: "z") == 0)
        // Group B's weights sum to 0: nobody moves, the stock stays.
        #expect(run.flow(model, step: 0, flow: "split", group: "B", to: "x") == 0)
        #expect(run.stock(model, step: 1, compartment: "q", group: "B") == 100)
    }

    @Test func inflowsAddTheirAmountEveryStep() throws {
        let (model, run) = try deterministicRun(modelYAML(groups: ["A", "B"], compartments: ["x"], body: """
            parameters:
              arrivals: {value: {A: 7, B: 0.5}}
            flows:
              - {name: come, inflow: arrivals * 2, to: x}
            """), horizon: 3)
        #expect(run.stock(model, step: 3, compartment: "x", group: "A") == 42)
        #expect(run.stock(model, step: 3, compartment: "x", group: "B") == 3)
    }

    @Test func expressionsFollowPrecedenceAndFunctions() throws {
        let (model, run) = try deterministicRun(modelYAML(compartments: ["x"], body: """
            parameters:
              a: {value: 2}
              b: {value: 3}
            initial: {x: 10}
            flows: []
            outputs:
              precedence: a + b * 4 - -a
              grouping: (a + b) * 4 / 2
              functions: "min(a, b) + max(a, b) * exp(0) - min(-a, 1)"
              stockTotal: total(x) / 5
            """), horizon: 1)
        #expect(run.output(model, step: 0, "precedence") == 16)
        #expect(run.output(model, step: 0, "grouping") == 10)
        #expect(run.output(model, step: 0, "functions") == 7)
        #expect(run.output(model, step: 0, "stockTotal") == 2)
    }

    @Test func stockFeedbackUsesTheStateAtTheStartOfTheStep() throws {
        // Shelter: people leave q at a rate that falls as y fills: rate = 1 / (1 + stock(y)/100).
        let (model, run) = try deterministicRun(modelYAML(compartments: ["q", "y"], body: """
            initial: {q: 1000}
            flows:
              - {name: f, from: q, rate: 1 / (1 + stock(y) / 100), to: y}
            """), horizon: 2)
        let first = 1000 * (1 - exp(-1.0))
        #expect(run.stock(model, step: 1, compartment: "y", group: "A").isApproximatelyEqual(to: first, relativeTolerance: 1e-14))
        let rate = 1 / (1 + first / 100)
        let second = (1000 - first) * (1 - exp(-rate))
        #expect(run.flow(model, step: 1, flow: "f", group: "A", to: "y").isApproximatelyEqual(to: second, relativeTolerance: 1e-13))
    }

    @Test func outputsUseStocksAtTheStartAndFlowsDuringTheStep() throws {
        let (model, run) = try deterministicRun(modelYAML(groups: ["A", "B"], compartments: ["court", "done"], body: """
            parameters:
              judges: {value: 10}
            initial:
              court: {A: 300, B: 100}
            flows:
              - {name: completions, from: court, capacity: judges * 10, to: done}
            outputs:
              backlog: total(court)
              wait: total(court) / flow(completions)
            """), horizon: 2)
        #expect(run.output(model, step: 0, "backlog") == 400)
        #expect(run.output(model, step: 0, "wait") == 4)
        #expect(run.output(model, step: 1, "backlog") == 300)
        #expect(model.outputNames == ["backlog", "wait"])
    }

    @Test func scenarioOverridesReplaceOnlyTheKeysGiven() throws {
        let workspace = Workspace()
        workspace.write("models/m.yaml", modelYAML(compartments: ["x"], body: """
            parameters:
              k:
                value: 5
                schedule: [{from: 2020-02, value: 6}]
                uncertainty: {dist: lognormal, cv: 0.1}
            flows:
              - {name: come, inflow: k, to: x}
            """))
        let definition = try workspace.load("scenarios/s.yaml", """
            format: corridor-scenario/1
            name: s
            model: ../models/m.yaml
            horizon: 3
            members: 10
            seed: 42
            set:
              k: {value: 1}
            """)
        #expect(definition.horizon == 3 && definition.members == 10 && definition.seed == 42 && definition.name == "s")
        let model = definition.model.compile(horizon: 3)
        #expect(model.parameters[0].values == [1, 6, 6])
        #expect(model.parameters[0].uncertainty != nil)
    }

    @Test func commandLineNumberHoldsTheParameterConstant() throws {
        let workspace = Workspace()
        var definition = try workspace.load("m.yaml", modelYAML(compartments: ["x"], body: """
            parameters:
              k: {value: 5, schedule: [{from: 2020-02, value: 6}]}
            flows:
              - {name: come, inflow: k, to: x}
            """))
        try ScenarioLoader.applyCommandLineOverride(&definition, "k=9")
        #expect(definition.model.compile(horizon: 3).parameters[0].values == [9, 9, 9])
        try ScenarioLoader.applyCommandLineOverride(&definition, "k={series: {2020-03: 2}}")
        #expect(definition.model.compile(horizon: 3).parameters[0].values == [9, 9, 2])
    }

    @Test func jsonFilesAreAccepted() throws {
        let workspace = Workspace()
        let definition = try workspace.load("m.json", """
            {
            \t"format": "corridor-model/1", "name": "j", "start": "2020-01",
            \t"groups": ["A"], "compartments": ["x", "y"],
            \t"parameters": {"r": {"value": 0.5}},
            \t"initial": {"x": 10},
            \t"flows": [{"name": "f", "from": "x", "rate": "r", "to": "y"}],
            \t"outputs": {"moved": "flow(f)"}
            }
            """)
        #expect(definition.model.flowNames == ["f"])
        #expect(definition.model.outputNames == ["moved"])
    }

    private func resolvedTrack(_ parameter: String, horizon: Int) throws -> [Double] {
        let indented = parameter.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let workspace = Workspace()
        let definition = try workspace.load("m.yaml", modelYAML(compartments: ["x"], body: """
            parameters:
              p:
            \(indented)
            flows:
              - {name: come, inflow: p, to: x}
            """))
        return definition.model.compile(horizon: horizon).parameters[0].values
    }
}
