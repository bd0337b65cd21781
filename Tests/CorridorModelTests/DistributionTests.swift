import Foundation
import Testing
@testable import CorridorEngine
@testable import CorridorModel

/// Processes simulated by threads of this process, exchanging messages through FIFO
/// queues, one per ordered pair of ranks (what MPI's point-to-point messages guarantee).
/// The queues are guarded by an NSCondition (pthreads, which ThreadSanitizer understands).
final class LocalProcesses: @unchecked Sendable {
    let count: Int
    private var queues: [[[[UInt8]]]]
    private let condition = NSCondition()

    init(count: Int) {
        self.count = count
        queues = Array(repeating: Array(repeating: [], count: count), count: count)
    }

    struct Rank: MemberDistribution {
        let group: LocalProcesses
        let rank: Int
        var processes: Int { group.count }

        func send(_ bytes: [UInt8], to other: Int) throws {
            group.condition.lock()
            group.queues[rank][other].append(bytes)
            group.condition.broadcast()
            group.condition.unlock()
        }

        func receive(from other: Int) throws -> [UInt8] {
            group.condition.lock()
            defer { group.condition.unlock() }
            while group.queues[other][rank].isEmpty { group.condition.wait() }
            return group.queues[other][rank].removeFirst()
        }

        func broadcast(_ bytes: [UInt8]?) throws -> [UInt8] {
            guard rank > 0 else {
                for other in 1..<processes { try send(bytes!, to: other) }
                return bytes!
            }
            return try receive(from: 0)
        }
    }

    /// Runs `body` once per rank, each on its own thread (ranks wait for one another, so
    /// they cannot share a bounded pool), and returns the results in rank order.
    func run<Result: Sendable>(_ body: @escaping @Sendable (Rank) throws -> Result) -> [Swift.Result<Result, any Error>] {
        let results = RankResults<Result>(), finished = NSCondition()
        for rank in 0..<count {
            Thread {
                let result = Swift.Result { try body(Rank(group: self, rank: rank)) }
                finished.lock()
                results.byRank[rank] = result
                finished.broadcast()
                finished.unlock()
            }.start()
        }
        finished.lock()
        while results.byRank.count < count { finished.wait() }
        finished.unlock()
        return (0..<count).map { results.byRank[$0]! }
    }
}

/// What each simulated process returned, written under `LocalProcesses.run`'s condition.
final class RankResults<Value>: @unchecked Sendable {
    var byRank: [Int: Result<Value, any Error>] = [:]
}

@Suite struct DistributionTests {
    /// Every bit of a result: summary, recorded series and (when asked) trajectories.
    private func bits(_ result: EnsembleResult, trajectories: Bool = true) -> [UInt64] {
        var values: [Double] = []
        if let summary = result.summary { values += summary.mean + summary.standardDeviation + summary.quantiles.flatMap { $0 } }
        if trajectories, let run = result.trajectories { values += run.slices(members: 0..<run.members).flatMap { $0 } }
        if let recorded = result.recorded { values += recorded.slice(members: 0..<recorded.members) }
        return values.map(\.bitPattern)
    }

    @Test(arguments: PropertyTests.seeds.prefix(8))
    func everyProcessGetsTheSingleProcessResultBitForBit(seed: UInt64) throws {
        let (model, yaml) = try PropertyTests().compiled(seed: seed, horizon: 10)
        let members = 29 + Int(seed % 7)
        let options = RunOptions(members: members, seed: seed, threads: 1, tileSize: 256, keepTrajectories: seed % 2 == 0,
                                 record: [.stock(slot: 0), .output(0)])
        let single = try Ensemble.run(model, options: options)
        let expected = bits(single), expectedWithoutTrajectories = bits(single, trajectories: false)
        for (processes, threads, tileSize) in [(1, 1, 8), (2, 2, 4), (3, 1, 5), (4, 2, 3), (9, 1, 2), (17, 1, 1), (6, 1, 8)] {
            var changed = options
            changed.threads = threads
            changed.tileSize = tileSize
            let distributed = changed
            // (6, 1, 8): more processes than tiles, so some run no member.
            let results = LocalProcesses(count: processes).run { rank in
                try Ensemble.run(model, options: distributed, distribution: rank)
            }
            // Process 0 holds everything; the others everything but the trajectories, which only
            // process 0 writes.
            #expect(try bits(results[0].get()) == expected, "seed \(seed), \(processes) processes\n\(yaml)")
            for (rank, result) in results.enumerated().dropFirst() {
                let received = try result.get()
                #expect(received.trajectories == nil)
                #expect(bits(received) == expectedWithoutTrajectories, "seed \(seed), \(processes) processes, rank \(rank)\n\(yaml)")
            }
        }
    }

    @Test func aFailureInOneProcessIsTheSingleProcessErrorOnEveryProcess() throws {
        let model = try divisorModel(horizon: 6)
        // Member 4 alone divides by zero; with tiles of one member it runs in process 2 of 3.
        let adjustment = MemberAdjustment(parameter: 0, groups: [0], steps: 2..<6, factors: [1, 1, 1, 1, 0])
        let options = RunOptions(members: 5, tileSize: 1, variation: .factors([adjustment]))
        #expect(Ensemble.tiles(of: 2, among: 3, tileCount: 5).contains(4))
        var single = ""
        do { _ = try Ensemble.run(model, options: options) } catch let error as EngineError { single = error.description }
        #expect(single.hasPrefix("flow 'leave', group A: its rate is inf at step 2 (2020-03), member 4."))
        for result in LocalProcesses(count: 3).run({ try Ensemble.run(model, options: options, distribution: $0) }) {
            #expect(throws: EngineError.self) { try result.get() }
            if case let .failure(error) = result { #expect("\(error)" == single) }
        }
    }

    @Test func aMalformedMessageIsAnErrorNotACrash() {
        let partial = EnsemblePartial(members: 0..<2, failure: nil, summary: SummaryState(cellCount: 3), trajectories: [], recorded: [1, 2])
        let bytes = partial.encoded()
        for cut in [0, 1, 8, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ByteReader.Malformed.self) { try EnsemblePartial(decoding: Array(bytes.prefix(cut))) }
        }
        #expect(throws: ByteReader.Malformed.self) { try EnsemblePartial(decoding: bytes + [0]) }
        #expect(throws: Never.self) { try EnsemblePartial(decoding: bytes) }
    }
}
