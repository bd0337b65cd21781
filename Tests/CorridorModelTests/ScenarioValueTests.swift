import CorridorEngine
import Testing
@testable import CorridorModel

/// The resolved scenario: settings decided once, modifiers that return changed copies.
@Suite struct ScenarioValueTests {
    let model = modelYAML(compartments: ["x"], body: """
        parameters:
          k: {value: 10, schedule: [{from: 2020-04, value: 20}]}
        flows:
          - {name: add, inflow: k, to: x}
        """)

    func scenarioFile(members: Int, seed: Int) -> String {
        """
        format: corridor-scenario/1
        model: m.yaml
        horizon: 6
        members: \(members)
        seed: \(seed)
        """
    }

    @Test func settingsResolveFromArgumentsThenTheScenarioThenDefaults() throws {
        let workspace = Workspace()
        workspace.write("m.yaml", model)
        let one = try workspace.load("s.yaml", scenarioFile(members: 1, seed: 7))
        let resolved = try Scenario(one, defaultMembers: 200)
        #expect(resolved.horizon == 6 && resolved.members == 200 && resolved.seed == 7)
        let asked = try Scenario(one, horizon: 3, members: 5, seed: 9, defaultMembers: 200)
        #expect(asked.horizon == 3 && asked.members == 5 && asked.seed == 9)
        let many = try Scenario(workspace.load("t.yaml", scenarioFile(members: 40, seed: 1)), defaultMembers: 200)
        #expect(many.members == 40)
        #expect(throws: ModelError.self) { try Scenario(workspace.load("m.yaml", model)) }
    }

    @Test func modifiersReturnChangedCopies() throws {
        let workspace = Workspace()
        workspace.write("m.yaml", model)
        let base = try Scenario(workspace.load("s.yaml", scenarioFile(members: 1, seed: 0)))
        func inflow(_ scenario: Scenario) throws -> [Double] {
            let trajectories = try #require(try Ensemble.run(scenario.compiled(), options: RunOptions()).trajectories)
            return (0..<6).map { trajectories.flow(member: 0, step: $0, entry: 0) }
        }
        #expect(try inflow(base) == [10, 10, 10, 20, 20, 20])
        #expect(try inflow(base.setting("k=15")) == [15, 15, 15, 15, 15, 15])
        #expect(try inflow(base.cuttingInputs(after: Month(parsing: "2020-02")!)) == [10, 10, 10, 10, 10, 10])
        // The original is unchanged.
        #expect(try inflow(base) == [10, 10, 10, 20, 20, 20])
    }
}
