import Foundation
import Testing
@testable import CorridorEngine
@testable import CorridorModel

/// Member draws follow MODEL-FORMAT.md exactly: one draw per member (and group when
/// `perGroup`), keyed by seed, parameter, group and member.
@Suite struct UncertaintyTests {
    func run(_ parameter: String, groups: [String] = ["A"], members: Int, seed: UInt64 = 11) throws -> (EngineModel, Trajectories) {
        let yaml = modelYAML(groups: groups, compartments: ["x"], body: """
            parameters:
              k: \(parameter)
            flows:
              - {name: add, inflow: k, to: x}
            """)
        let model = try Workspace().load("m.yaml", yaml).model.compile(horizon: 2)
        let result = try Ensemble.run(model, options: RunOptions(members: members, seed: seed, threads: 2, tileSize: 16, keepTrajectories: true))
        return (model, result.trajectories!)
    }

    func added(_ model: EngineModel, _ run: Trajectories, member: Int, group: String = "A") -> Double {
        run.flow(model, step: 0, flow: "add", group: group, to: "x", member: member)
    }

    @Test func lognormalMultipliesByExpOfSTimesZ() throws {
        let (model, run) = try run("{value: 100, uncertainty: {dist: lognormal, cv: 0.5}}", members: 2001)
        let s = log(1 + 0.25).squareRoot()
        let stream = RandomStream(seed: 11, label: "k")
        var values: [Double] = []
        for member in 0..<2001 {
            let value = added(model, run, member: member)
            #expect(value == 100 * exp(s * stream.standardNormal(member: member)))
            values.append(value)
        }
        values.sort()
        // Median 1 (so 100 here); with 2001 draws the sample median is within about 3 %.
        #expect(abs(values[1000] / 100 - 1) < 0.05)
    }

    @Test func normalAddsThenClamps() throws {
        let (model, run) = try run("{value: 0.5, uncertainty: {dist: normal, sd: 0.4, min: 0.2, max: 0.9}}", members: 500)
        let stream = RandomStream(seed: 11, label: "k")
        var clampedLow = 0, clampedHigh = 0
        for member in 0..<500 {
            let expected = min(max(0.5 + 0.4 * stream.standardNormal(member: member), 0.2), 0.9)
            #expect(added(model, run, member: member) == expected)
            if expected == 0.2 { clampedLow += 1 }
            if expected == 0.9 { clampedHigh += 1 }
        }
        #expect(clampedLow > 0 && clampedHigh > 0)
    }

    @Test func uniformMultipliesByAFactorInTheRange() throws {
        let (model, run) = try run("{value: 10, uncertainty: {dist: uniform, low: 0.5, high: 2}}", members: 300)
        let stream = RandomStream(seed: 11, label: "k")
        for member in 0..<300 {
            let value = added(model, run, member: member)
            #expect(value == 10 * (0.5 + 1.5 * stream.uniform(member: member)))
            #expect(value >= 5 && value <= 20)
        }
    }

    @Test func sharedDrawsAreTheSameForEveryGroupAndPerGroupDrawsDiffer() throws {
        let (shared, sharedRun) = try run("{value: 10, uncertainty: {dist: lognormal, cv: 0.3}}", groups: ["A", "B"], members: 20)
        let (own, ownRun) = try run("{value: 10, uncertainty: {dist: lognormal, cv: 0.3, perGroup: true}}", groups: ["A", "B"], members: 20)
        for member in 0..<20 {
            #expect(added(shared, sharedRun, member: member, group: "A") == added(shared, sharedRun, member: member, group: "B"))
            #expect(added(own, ownRun, member: member, group: "A") != added(own, ownRun, member: member, group: "B"))
        }
    }

    @Test func oneMemberMakesNoDraw() throws {
        let (model, run) = try run("{value: 10, uncertainty: {dist: lognormal, cv: 0.9}}", members: 1)
        #expect(added(model, run, member: 0) == 10)
    }

    @Test func theSeedChangesTheDraws() throws {
        let (model, first) = try run("{value: 10, uncertainty: {dist: lognormal, cv: 0.3}}", members: 5, seed: 1)
        let (_, second) = try run("{value: 10, uncertainty: {dist: lognormal, cv: 0.3}}", members: 5, seed: 2)
        #expect((0..<5).map { added(model, first, member: $0) } != (0..<5).map { added(model, second, member: $0) })
    }

    @Test func aNonFiniteRateLaterInTheRunIsNamedAtTheStepWhereItBegan() throws {
        // The state is checked every 12 steps; the error still names step 14, not 23.
        let yaml = modelYAML(groups: ["A", "B"], compartments: ["x", "y"], body: """
            parameters:
              divisor: {value: 1, schedule: [{from: 2021-03, value: {A: 1, B: 0}}]}
            initial: {x: {default: 10}}
            flows:
              - {name: leave, from: x, rate: 0.1 / divisor, to: y}
            """)
        let model = try Workspace().load("m.yaml", yaml).model.compile(horizon: 30)
        for threads in [1, 2] {
            do {
                _ = try Ensemble.run(model, options: RunOptions(members: 5, threads: threads, tileSize: 2))
                Issue.record("expected an error")
            } catch let error as EngineError {
                #expect(error.description.hasPrefix("flow 'leave', group B: its rate is inf at step 14 (2021-03), member 0."))
            }
        }
    }

    @Test func theEarliestFailingMemberIsNamedWhicheverWorkerFailsFirst() throws {
        let model = try divisorModel(horizon: 6)
        // Members 2047 and 2048 divide by zero. With two threads and tiles of one member, the
        // second worker fails in its first tile (member 2048) while the first still has 2047
        // tiles to run before its failure (member 2047), which one thread meets first.
        let factors = (0..<4096).map { $0 == 2047 || $0 == 2048 ? 0.0 : 1.0 }
        let adjustment = MemberAdjustment(parameter: 0, groups: [0], steps: 2..<6, factors: factors)
        for threads in [1, 2] {
            let options = RunOptions(members: 4096, threads: threads, tileSize: 1, variation: .factors([adjustment]))
            #expect(Ensemble.lanes(options, processes: 1) == 1)
            do {
                _ = try Ensemble.run(model, options: options)
                Issue.record("expected an error")
            } catch let error as EngineError {
                #expect(error.description.hasPrefix("flow 'leave', group A: its rate is inf at step 2 (2020-03), member 2047."), "\(threads) threads")
            }
        }
    }

    @Test func aDivisionByZeroInARateIsAnErrorNamingTheFlow() throws {
        let yaml = modelYAML(compartments: ["x", "y"], body: """
            parameters:
              zero: {value: 0, schedule: [{from: 2020-03, value: 1}]}
            initial: {x: 10}
            flows:
              - {name: leave, from: x, rate: 1 / zero, to: y}
            """)
        let model = try Workspace().load("m.yaml", yaml).model.compile(horizon: 4)
        #expect(throws: EngineError.self) { try Ensemble.run(model, options: RunOptions(members: 1)) }
        do {
            _ = try Ensemble.run(model, options: RunOptions(members: 1))
        } catch let error as EngineError {
            #expect(error.description.hasPrefix("flow 'leave', group A: its rate is inf at step 0 (2020-01), member 0."))
        }
    }
}
