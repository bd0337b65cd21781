import CorridorEngine
import Testing
@testable import CorridorModel

/// Levers (`levers:`, Docs/model-format.md): moving one is a `set` entry, worked by hand;
/// every bad declaration gets an error with its place and the fix.
@Suite struct LeverTests {
    let model = modelYAML(groups: ["A", "B"], compartments: ["x"], body: """
        parameters:
          k: {value: 10, schedule: [{from: 2020-03, value: 20, ramp: 2}, {from: 2020-09, value: 40}]}
          g: {value: {A: 1, B: 2}}
        flows:
          - {name: add, inflow: k, to: x}
        levers:
          k: {label: Intake, unit: people a month, min: 0, max: 100, step: 5, from: 2020-06, ramp: 3}
        """)

    func scenario() throws -> Scenario {
        let workspace = Workspace()
        workspace.write("m.yaml", model)
        return try Scenario(workspace.load("s.yaml", """
            format: corridor-scenario/1
            model: m.yaml
            horizon: 12
            """))
    }

    /// The lever's entry keeps the schedule before its month and drops what follows: k is
    /// 10, 10, then 15, 20 (the 2020-03 entry's ramp of 2), 20, then from 2020-06 it moves
    /// from 20 to 50 over 3 months — 30, 40, 50 — and holds (the 2020-09 entry is gone).
    @Test func movingALeverIsASetEntryWorkedByHand() throws {
        let base = try scenario()
        let lever = try #require(base.model.levers.first)
        #expect(lever == Lever(parameter: "k", label: "Intake", unit: "people a month", range: 0...100, step: 5,
                               from: Month(parsing: "2020-06")!, ramp: 3))
        let (moved, entry) = try base.moving(lever, to: 50)
        #expect(entry == "{schedule: [{from: 2020-03, value: 20, ramp: 2}, {from: 2020-06, value: 50, ramp: 3}]}")
        let values = (0..<12).map { moved.model.compile(horizon: 12).parameters[moved.model.parameterIndex("k")!].values[$0 * 2] }
        #expect(values == [10, 10, 15, 20, 20, 30, 40, 50, 50, 50, 50, 50])
        // The same entry through --set gives the same model.
        let viaSet = try base.setting("k=\(entry)")
        #expect(viaSet.model.compile(horizon: 12).parameters[1].values == moved.model.compile(horizon: 12).parameters[1].values)
        // Another month and ramp: the 2020-09 entry, before it, is kept.
        let (later, _) = try base.moving(lever, to: 0, from: Month(parsing: "2020-10")!, ramp: 1)
        #expect(try later.value(of: "k", at: Month(parsing: "2020-10")!) == 0)
        #expect(try later.value(of: "k", at: Month(parsing: "2020-09")!) == 40)
        #expect(try base.value(of: "k", at: Month(parsing: "2020-09")!) == 40)
    }

    @Test func valuesAndMonthsOutsideTheLeverAreRefused() throws {
        let base = try scenario()
        let lever = base.model.levers[0]
        #expect(throws: ModelError.self) { try base.moving(lever, to: 101) }
        #expect(throws: ModelError.self) { try base.moving(lever, to: 5, from: Month(parsing: "2021-06")!) }
        #expect(throws: ModelError.self) { try base.moving(lever, to: 5, ramp: 0) }
    }

    func declaring(_ levers: String) -> String {
        Workspace().error(model.replacingOccurrences(of: "  k: {label: Intake, unit: people a month, min: 0, max: 100, step: 5, from: 2020-06, ramp: 3}", with: levers))
    }

    @Test func badDeclarationsAreNamedWithTheFix() {
        #expect(declaring("  kk: {min: 0, max: 1, from: 2020-06}")
                == "model.yaml:12:7: error: levers.kk: the model has no parameter 'kk' to declare as a lever. Did you mean 'k'? Its parameters are k and g")
        #expect(declaring("  g: {min: 0, max: 1, from: 2020-06}")
                == "model.yaml:12:6: error: levers.g: 'g' has per-group values; a lever moves a parameter with one value for all groups, given by `value` and `schedule`")
        #expect(declaring("  k: {min: 5, max: 5, from: 2020-06}")
                == "model.yaml:12:20: error: levers.k.max: `max` (5) must be above `min` (5)")
        #expect(declaring("  k: {min: 0, max: 5}")
                == "model.yaml:12:6: error: levers.k: lever 'k' needs `from`: the month the lever starts to move, e.g. `from: 2026-01`")
        #expect(declaring("  k: {min: 0, max: 5, step: 0, from: 2020-06}")
                == "model.yaml:12:29: error: levers.k.step: `step` must be above 0 and at most max − min (5)")
        #expect(declaring("  k: {min: 0, max: 5, from: 2019-06}")
                == "model.yaml:12:29: error: levers.k.from: the lever's first month 2019-06 lies before the model's start 2020-01")
        #expect(declaring("  k: {min: 0, max: 5, from: 2020-06, rmp: 2}").contains("unknown key 'rmp'. Did you mean 'ramp'?"))
    }
}
