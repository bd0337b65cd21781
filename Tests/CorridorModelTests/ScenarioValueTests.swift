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

    /// Candidates worked by hand: k moves from 10 to the candidate at 2020-03 (step 2) over a
    /// 2-month ramp (half-way at step 2, there from step 3); the schedule's 20 from step 3 is
    /// overridden too. Members 0–1 are candidate 30, members 2–3 candidate 50.
    @Test func candidatesRunInBlocksOfTheScenariosMembers() throws {
        let workspace = Workspace()
        workspace.write("m.yaml", model)
        let base = try Scenario(workspace.load("s.yaml", scenarioFile(members: 2, seed: 3)))
        let trial = try base.tryingCandidates([30, 50], of: "k", from: Month(parsing: "2020-03")!, ramp: 2)
        #expect(trial.members == 4 && base.members == 2 && trial.seed == 3)
        var options = trial.runOptions(threads: 1)
        options.keepTrajectories = true
        let trajectories = try #require(try Ensemble.run(trial.compiled(), options: options).trajectories)
        for member in 0..<4 {
            let target = member < 2 ? 30.0 : 50.0
            let flows = (0..<6).map { trajectories.flow(member: member, step: $0, entry: 0) }
            #expect(flows == [10, 10, 10 + (target - 10) / 2, target, target, target], "member \(member): \(flows)")
        }
        #expect(throws: ModelError.self) { try base.tryingCandidates([1], of: "judges", from: Month(parsing: "2020-03")!, ramp: 0) }
    }
}
