import CorridorEngine
import Testing
@testable import CorridorModel

@Suite struct MemberAdjustmentTests {
    @Test func factorsScaleOneParameterPerMemberForTheGivenStepsAndGroups() throws {
        let yaml = modelYAML(groups: ["A", "B"], compartments: ["x"], body: """
            parameters:
              k: {value: {A: 10, B: 100}}
            flows:
              - {name: add, inflow: k, to: x}
            """)
        let model = try Workspace().load("m.yaml", yaml).model.compile(horizon: 4)
        let adjustment = MemberAdjustment(parameter: 0, groups: [1], steps: 1..<3, factors: [1, 2, 0.5])
        let options = RunOptions(members: 3, threads: 2, tileSize: 2, summarize: false,
                                 record: [.flow(flow: 0, group: 0), .flow(flow: 0, group: 1), .stock(slot: 1)],
                                 variation: .factors([adjustment]))
        let recorded = try #require(try Ensemble.run(model, options: options).recorded)
        // Group A is untouched; group B is scaled at steps 1 and 2 only.
        for member in 0..<3 {
            #expect((0..<4).map { recorded.value(member: member, step: $0, series: 0) } == [10, 10, 10, 10])
        }
        #expect((0..<4).map { recorded.value(member: 1, step: $0, series: 1) } == [100, 200, 200, 100])
        #expect((0..<4).map { recorded.value(member: 2, step: $0, series: 1) } == [100, 50, 50, 100])
        // Stocks are recorded through the end state; flows are NaN there.
        #expect(recorded.value(member: 2, step: 4, series: 2) == 300)
        #expect(recorded.value(member: 2, step: 4, series: 1).isNaN)
    }
}

@Suite struct MemberOverrideTests {
    @Test func overridesRampFromTheValueInForceAndBlocksShareDraws() throws {
        let yaml = modelYAML(compartments: ["x"], body: """
            parameters:
              k: {value: 10}
              noise: {value: 1, uncertainty: {dist: lognormal, cv: 0.5}}
            flows:
              - {name: add, inflow: k * noise, to: x}
            """)
        let model = try Workspace().load("m.yaml", yaml).model.compile(horizon: 5)
        let override = MemberOverride(parameter: 0, groups: [0], from: 2, ramp: 2, values: [10, 30, 50, 10, 30, 50])
        let options = RunOptions(members: 6, threads: 2, tileSize: 4, summarize: false, record: [.flow(flow: 0, group: 0)],
                                 variation: .candidates([override], block: 3, draws: true))
        let recorded = try #require(try Ensemble.run(model, options: options).recorded)
        let draws = Ensemble.draws(model, seed: 0, members: 6, drawBlock: 3)
        let noise = try #require(draws.first { $0.label == "noise" }).values
        #expect(noise[0] == noise[3] && noise[1] == noise[4] && noise[0] != noise[1])
        for member in 0..<6 {
            let expected: [Double] = [10, 10, 10 + ([10, 30, 50][member % 3] - 10) / 2, [10, 30, 50][member % 3], [10, 30, 50][member % 3]]
            #expect((0..<5).map { recorded.value(member: member, step: $0, series: 0) } == expected.map { $0 * noise[member] })
        }
    }
}
