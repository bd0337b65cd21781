import Dispatch
import Synchronization
import Testing
import Numerics
@testable import CorridorEngine

@Suite struct RandomStreamTests {
    @Test func philoxMatchesRandom123KnownAnswers() {
        // Known-answer vectors of Random123 (kat_vectors, philox4x32 with 10 rounds).
        let zero = RandomStream.philox(counter: (0, 0, 0, 0), key: (0, 0))
        #expect(zero == (0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8))
        let ones = RandomStream.philox(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect(ones == (0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd))
        let pi = RandomStream.philox(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: (0xa409_3822, 0x299f_31d0))
        #expect(pi == (0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1))
    }

    @Test func drawsDependOnlyOnSeedLabelAndMember() {
        let a = RandomStream(seed: 7, label: "judges")
        #expect(a.standardNormal(member: 12) == RandomStream(seed: 7, label: "judges").standardNormal(member: 12))
        #expect(a.standardNormal(member: 12) != RandomStream(seed: 8, label: "judges").standardNormal(member: 12))
        #expect(a.standardNormal(member: 12) != RandomStream(seed: 7, label: "grantRate").standardNormal(member: 12))
        #expect(a.standardNormal(member: 12) != a.standardNormal(member: 13))
    }

    @Test func normalDrawsHaveMeanZeroAndUnitVariance() {
        let stream = RandomStream(seed: 1, label: "test")
        let n = 200_000
        var sum = 0.0, squares = 0.0
        for m in 0..<n {
            let z = stream.standardNormal(member: m)
            sum += z
            squares += z * z
        }
        let mean = sum / Double(n)
        // Standard error of the mean is 1/sqrt(n) ≈ 0.0022: 5 standard errors.
        #expect(abs(mean) < 0.011)
        #expect(abs(squares / Double(n) - 1) < 0.02)
    }

    @Test func uniformDrawsStayInsideTheOpenInterval() {
        let stream = RandomStream(seed: 3, label: "u")
        for m in 0..<10_000 {
            let (u1, u2) = stream.uniformPair(member: m)
            #expect(u1 > 0 && u1 < 1 && u2 > 0 && u2 < 1)
        }
    }
}

@Suite struct SummaryArithmeticTests {
    @Test func dyadicBlocksCoverARangeWithAlignedPowersOfTwo() {
        var blocks: [(node: TreeNode, start: Int, size: Int)] = [(TreeNode(level: 0, index: 99), 99, 1)]
        dyadicBlocks(covering: 6..<17, into: &blocks)
        #expect(blocks.map(\.start) == [6, 8, 16])
        #expect(blocks.map(\.size) == [2, 8, 1])
        #expect(blocks.map(\.node) == [TreeNode(level: 1, index: 3), TreeNode(level: 3, index: 1), TreeNode(level: 0, index: 16)])
        dyadicBlocks(covering: 0..<256, into: &blocks)
        #expect(blocks.count == 1)
    }

    /// The payloads the member tree sets aside for a worker's tiles are exactly as many as
    /// its pushes ever hold at once: none is made during the pushes, and all are used.
    @Test func theMemberTreeSetsAsideThePayloadsItsPushesNeed() {
        for (start, count, lanes) in [(0, 1, 1), (0, 100_000, 1024), (3 * 1024, 50 * 1024, 1024), (7, 1000, 13),
                                      (4096, 33, 32), (0, 1 << 14, 256), (999, 12_345, 100)] {
            var sums = MemberTreeSums()
            sums.reserve(payloadsOf: 2, tilesOf: lanes, covering: start..<(start + count))
            let reserved = sums.spares.count
            var fewestSpares = reserved
            var blocks: [(node: TreeNode, start: Int, size: Int)] = []
            let payload = [1.0, 2.0]
            for first in stride(from: start, to: start + count, by: lanes) {
                dyadicBlocks(covering: first..<min(first + lanes, start + count), into: &blocks)
                for block in blocks {
                    fewestSpares = min(fewestSpares, sums.spares.count)
                    payload.withUnsafeBufferPointer { sums.push(block.node, copying: $0) }
                }
            }
            #expect(fewestSpares == 1 && sums.pending.count + sums.spares.count == reserved, "\(start), \(count), \(lanes)")
        }
    }

    @Test func pairwiseSumAddsPairsThenPairsOfPairs() {
        var values: [Double] = [1e16, 1, -1e16, 1]
        // ((1e16 + 1) + (-1e16 + 1)) = (1e16) + (-1e16 + 1)… in the fixed tree order.
        let expected = (1e16 + 1.0) + (-1e16 + 1.0)
        #expect(SummaryWorker.pairwiseSum(&values, count: 4) == expected)
    }

    @Test func sketchQuantilesAreWithinTheStatedRelativeError() {
        var sketch = QuantileSketch()
        var values: [Double] = []
        let stream = RandomStream(seed: 5, label: "sketch")
        for m in 0..<10_001 {
            let value = 1000 * Double.exp(0.5 * stream.standardNormal(member: m))
            values.append(value)
            sketch.add(value)
        }
        values.sort()
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = values[Int(q * 10_000)]  // rank q(n-1) is whole here
            let estimate = sketch.quantile(q, minimum: values.first!, maximum: values.last!)
            #expect(abs(estimate / exact - 1) <= 1.0 / 512, "q=\(q): \(estimate) vs \(exact)")
        }
    }

    @Test func sketchHandlesZerosNegativesAndConstants() {
        var sketch = QuantileSketch()
        for value in [-4.0, -2, 0, 0, 3] { sketch.add(value) }
        #expect(sketch.quantile(0.5, minimum: -4, maximum: 3) == 0)
        #expect(sketch.quantile(0, minimum: -4, maximum: 3) == -4)
        #expect(sketch.quantile(1, minimum: -4, maximum: 3) == 3)
        var constant = QuantileSketch()
        for _ in 0..<9 { constant.add(123.456) }
        #expect(constant.quantile(0.05, minimum: 123.456, maximum: 123.456) == 123.456)
        var withNaN = QuantileSketch()
        withNaN.add(.nan)
        withNaN.add(1)
        #expect(withNaN.quantile(0.5, minimum: 1, maximum: 1).isNaN)
    }

    @Test func mergingSketchesInAnyOrderGivesTheSameQuantiles() {
        var a = QuantileSketch(), b = QuantileSketch(), all = QuantileSketch()
        for i in 0..<500 {
            let value = Double(i * i % 997) + 0.5
            if i % 3 == 0 { a.add(value) } else { b.add(value) }
            all.add(value)
        }
        var ab = a
        ab.merge(b)
        var ba = b
        ba.merge(a)
        for q in [0.05, 0.5, 0.95] {
            #expect(ab.quantile(q, minimum: 0, maximum: 1e9) == all.quantile(q, minimum: 0, maximum: 1e9))
            #expect(ba.quantile(q, minimum: 0, maximum: 1e9) == all.quantile(q, minimum: 0, maximum: 1e9))
        }
    }
}

@Suite struct LockedTests {
    /// Threads contending for one lock: no increment may be lost (mutual exclusion), and
    /// under ThreadSanitizer (`.ci/run`) the handover must be seen, which the standard
    /// library's `Mutex` on Linux was not. The threads wait for each other (up to a second)
    /// before they start, so that they run at once wherever two cores are free.
    @Test func contendedIncrementsAllLandAndTheSanitizerSeesTheLock() {
        let threads = 2, increments = 1_000_000
        let shared = Locked(0)
        let started = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            started.add(1, ordering: .relaxed)
            let clock = ContinuousClock(), deadline = clock.now + .seconds(1)
            while started.load(ordering: .relaxed) < threads && clock.now < deadline {}
            for _ in 0..<increments { shared.withLock { $0 += 1 } }
        }
        #expect(shared.withLock { $0 } == threads * increments)
    }
}

@Suite struct MonthTests {
    @Test func parsesAndPrintsMonths() {
        #expect(Month(parsing: "2019-10")?.description == "2019-10")
        #expect(Month(parsing: "2019-10")!.advanced(by: 3).description == "2020-01")
        #expect(Month(parsing: "2019-13") == nil)
        #expect(Month(parsing: "2019-1") == nil)
        #expect(Month(parsing: "19-01") == nil)
        #expect(Month(parsing: "2019-00") == nil)
        #expect(Month(parsing: "2020-03")!.months(since: Month(parsing: "2019-10")!) == 5)
    }
}
