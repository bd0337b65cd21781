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
                                 adjustments: [adjustment])
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
