import CCorridorVectorMath
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CorridorEngine

/// The vector pass of the summaries against the same quantities computed one value at a time.
@Suite struct SummaryKernelTests {
    /// Values of one tile: positive spreads over several doublings, with zeros, negatives,
    /// −0, huge values, NaN and infinities mixed in for some cases.
    static func tile(case index: Int, count: Int) -> [Double] {
        let stream = RandomStream(seed: UInt64(index), label: "summary-kernel")
        return (0..<count).map { member in
            let z = stream.standardNormal(member: member)
            let value = 1000 * Double.exp(1.5 * z)
            switch index % 6 {
            case 0, 1: return value
            case 2: return member % 7 == 0 ? 0 : value
            case 3: return member % 5 == 0 ? -value : (member % 11 == 0 ? -0.0 : value)
            case 4: return member == count / 2 ? (index % 12 == 4 ? .nan : .infinity) : value
            default: return member % 3 == 0 ? 1e300 * value : value
            }
        }
    }

    @Test func blockMomentsEqualTheTreeOfOneValueAtATime() {
        for index in 0..<240 {
            let count = 8 << (index % 8)  // 8 … 1,024
            let values = Self.tile(case: index, count: count)
            let center = index % 4 == 0 ? 0 : 900.0 + Double(index)
            // The tree as the scalar path forms it: pairs of deviations, then pairs of pairs.
            var pairs = (0..<count / 2).map { (values[2 * $0] - center) + (values[2 * $0 + 1] - center) }
            var squarePairs = (0..<count / 2).map { i -> Double in
                let left = values[2 * i] - center, right = values[2 * i + 1] - center
                return left * left + right * right
            }
            let sum = SummaryWorker.pairwiseSum(&pairs, count: count / 2)
            let squares = SummaryWorker.pairwiseSum(&squarePairs, count: count / 2)
            var scratchSums = [Double](repeating: 0, count: count), scratchSquares = scratchSums
            let moments = values.withUnsafeBufferPointer { buffer in
                SummaryWorker.blockMoments(buffer.baseAddress!, count: count, center: center,
                                           sums: &scratchSums, squares: &scratchSquares)
            }
            #expect(moments.sum.bitPattern == sum.bitPattern || (moments.sum.isNaN && sum.isNaN), "case \(index)")
            #expect(moments.squares.bitPattern == squares.bitPattern || (moments.squares.isNaN && squares.isNaN), "case \(index)")
            #expect(moments.bits == values.reduce(0) { $0 | $1.bitPattern }, "case \(index)")
            // With a NaN among the values the sums are NaN and the minimum and maximum are not
            // used (the general path takes over); otherwise they are exact.
            if !values.contains(where: \.isNaN) {
                #expect(moments.lowest == values.min()! && moments.highest == values.max()!, "case \(index)")
            } else {
                #expect(moments.sum.isNaN)
            }
        }
    }

    @Test(.enabled(if: corridor_has_avx2() != 0, "the processor has no AVX2"))
    func theAVX2MomentsGiveThePortableBits() {
        for index in 0..<240 {
            let count = 8 << (index % 8)
            let values = Self.tile(case: index, count: count)
            var sums = [Double](repeating: 0, count: count), squares = sums
            var portable = CorridorMoments(), vector = CorridorMoments()
            corridor_block_moments_version(values, count, 900, &sums, &squares, &portable, 0)
            corridor_block_moments_version(values, count, 900, &sums, &squares, &vector, 1)
            let same = [(portable.sum, vector.sum), (portable.squares, vector.squares),
                        (portable.lowest, vector.lowest), (portable.highest, vector.highest)]
            #expect(same.allSatisfy { $0.bitPattern == $1.bitPattern } && portable.bits == vector.bits, "case \(index)")
        }
    }

    @Test func aTileOfZerosHasNoBitsSet() {
        let zeros = [Double](repeating: 0, count: 64)
        var scratch = [Double](repeating: 0, count: 64), squares = scratch
        let moments = zeros.withUnsafeBufferPointer {
            SummaryWorker.blockMoments($0.baseAddress!, count: 64, center: 5, sums: &scratch, squares: &squares)
        }
        #expect(moments.bits == 0 && moments.sum == -320 && moments.squares == 1600)
        var withNegativeZero = zeros
        withNegativeZero[17] = -0.0
        let signed = withNegativeZero.withUnsafeBufferPointer {
            SummaryWorker.blockMoments($0.baseAddress!, count: 64, center: 5, sums: &scratch, squares: &squares)
        }
        #expect(signed.bits != 0)
    }

    /// Whether cell `cell` of `table` holds what `expected` holds: the same count of each kind
    /// and the same value at every rank.
    static func sameSketch(_ table: SketchTable, cell: Int, as expected: QuantileSketch) -> Bool {
        let sketch = table.sketch(of: cell)
        guard sketch.count == expected.count, sketch.special == expected.special else { return false }
        var reader = QuantileSketch.RankReader(sketch), expectedReader = QuantileSketch.RankReader(expected)
        return (0..<sketch.count).allSatisfy {
            reader.value(atRank: $0).bitPattern == expectedReader.value(atRank: $0).bitPattern
        }
    }

    @Test func countingPositiveValuesAtOnceEqualsAddingThemOneByOne() {
        var table = SketchTable(cellCount: 1)
        defer { table.deallocate() }
        var oneByOne = QuantileSketch()
        table.prefetch(0)  // nothing counted yet: a no-op
        for batch in 0..<50 {
            // Batches move up and down so that the bins' range grows at both ends.
            let scale = Double.exp(Double((batch * 7) % 11) - 5)
            let values = Self.tile(case: 6 * batch, count: 256).map { $0 * scale }
            values.withUnsafeBufferPointer {
                table.addPositive(0, $0.baseAddress!, count: 256, lowest: values.min()!, highest: values.max()!)
            }
            table.prefetch(0)
            for value in values { oneByOne.add(value) }
        }
        let constant = [Double](repeating: 42.5, count: 64)
        constant.withUnsafeBufferPointer { table.addPositive(0, $0.baseAddress!, count: 64, lowest: 42.5, highest: 42.5) }
        for value in constant { oneByOne.add(value) }
        #expect(Self.sameSketch(table, cell: 0, as: oneByOne))
    }

    /// Values within a few bins (counted in four copies, then summed) and counts that are
    /// not a multiple of four: every rank equals adding the values one by one.
    @Test func countingValuesOfFewBinsAtOnceEqualsAddingThemOneByOne() {
        for index in 0..<120 {
            let stream = RandomStream(seed: UInt64(index), label: "few-bins")
            let count = [67, 64, 250, 1024][index % 4]
            // Bins are 2^-8 wide relative to the value: spreads of 0 to about 130 bins, on both
            // sides of `SketchTable.narrowWidth` (64).
            let spread = Double(index % 25) / 64
            let values = (0..<count).map { 700 * (1 + spread * stream.uniform(member: $0)) }
            var table = SketchTable(cellCount: 1)
            defer { table.deallocate() }
            var oneByOne = QuantileSketch()
            values.withUnsafeBufferPointer {
                table.addPositive(0, $0.baseAddress!, count: count, lowest: values.min()!, highest: values.max()!)
            }
            for value in values { oneByOne.add(value) }
            #expect(Self.sameSketch(table, cell: 0, as: oneByOne), "case \(index)")
        }
    }

    /// Many cells in an arena far too small for them, tiles in a shuffled order of cells whose
    /// values drift up and down (blocks move, the freed space is reclaimed, the arena grows),
    /// with zeros, negatives, infinities and NaN mixed in: every cell equals its values added
    /// one by one, and the minimum and maximum are the values' own.
    @Test func cellsThatMoveInTheArenaKeepTheirCounts() {
        for seed in 0..<6 {
            let cells = 40
            // A pool that keeps nothing: a fresh arena of the default size (32 words a cell).
            var table = SketchTable(cellCount: cells, spares: SpareArenas(mostArenas: 0, mostWords: 0))
            defer { table.deallocate() }
            var expected = [QuantileSketch](repeating: QuantileSketch(), count: cells)
            var minimum = [Double](repeating: .infinity, count: cells), maximum = [Double](repeating: -.infinity, count: cells)
            var lowest = minimum, highest = maximum
            let stream = RandomStream(seed: UInt64(seed), label: "arena")
            for round in 0..<30 {
                for step in 0..<cells {
                    let draw = stream.uniform(member: round * cells + step)
                    let cell = (step * 17 + round * 7 + seed) % cells
                    let scale = Double.exp(3 * (draw - 0.5) + Double(cell % 5))
                    let count = 1 + (round * 31 + cell) % 300
                    let values = Self.tile(case: seed + 6 * (round + cell), count: count).map { $0 * scale }
                    values.withUnsafeBufferPointer {
                        _ = table.add(cell, $0.baseAddress!, count: count, minimum: &minimum[cell], maximum: &maximum[cell])
                    }
                    for value in values {
                        expected[cell].add(value)
                        if !value.isNaN {
                            lowest[cell] = min(lowest[cell], value)
                            highest[cell] = max(highest[cell], value)
                        }
                    }
                }
            }
            #expect(table.arenaAllocations > 1, "the arena never grew: the test exercises nothing")
            for cell in 0..<cells {
                #expect(Self.sameSketch(table, cell: cell, as: expected[cell]), "seed \(seed), cell \(cell)")
                #expect(minimum[cell] == lowest[cell] && maximum[cell] == highest[cell], "seed \(seed), cell \(cell)")
            }
        }
    }

    /// Once each cell's counts hold its values' range, adding values in that range moves no
    /// block and never touches the allocator.
    @Test func valuesWithinKnownRangesAllocateNothing() {
        let cells = 50
        var table = SketchTable(cellCount: cells)
        defer { table.deallocate() }
        func addTile(_ index: Int, scale: Double) {
            for cell in 0..<cells {
                let values = Self.tile(case: 6 * index, count: 1024).map { $0 * scale }
                values.withUnsafeBufferPointer {
                    table.addPositive(cell, $0.baseAddress!, count: 1024, lowest: values.min()!, highest: values.max()!)
                }
            }
        }
        addTile(0, scale: 1)
        let allocations = table.arenaAllocations, used = table.arenaUsed
        for index in 1..<20 { addTile(index, scale: 0.9 + 0.01 * Double(index)) }
        #expect(table.arenaAllocations == allocations && table.arenaUsed == used)
    }

    /// A finished table's arena serves the next table without asking the system again, and
    /// what the first table counted does not leak into the second's counts.
    @Test func aKeptArenaServesTheNextTableFromZero() {
        let spares = SpareArenas(mostArenas: 2, mostWords: 1 << 24)
        var first = SketchTable(cellCount: 8, spares: spares)
        var minimum = Double.infinity, maximum = -Double.infinity
        for cell in 0..<8 {
            let values = Self.tile(case: cell, count: 500)
            values.withUnsafeBufferPointer { _ = first.add(cell, $0.baseAddress!, count: 500, minimum: &minimum, maximum: &maximum) }
        }
        #expect(first.arenaAllocations >= 1)
        let capacity = first.arenaCapacity
        first.deallocate()
        #expect(spares.capacities == [capacity])
        var second = SketchTable(cellCount: 8, spares: spares)
        defer { second.deallocate() }
        #expect(second.arenaAllocations == 0 && second.arenaCapacity == capacity && spares.capacities.isEmpty)
        var expected = [QuantileSketch](repeating: QuantileSketch(), count: 8)
        for cell in 0..<8 {
            let values = Self.tile(case: 100 + cell, count: 300).map { $0 * 3 }
            values.withUnsafeBufferPointer { _ = second.add(cell, $0.baseAddress!, count: 300, minimum: &minimum, maximum: &maximum) }
            for value in values { expected[cell].add(value) }
        }
        for cell in 0..<8 { #expect(Self.sameSketch(second, cell: cell, as: expected[cell]), "cell \(cell)") }
    }

    /// Kept arenas stay within their count and size, the largest kept first.
    @Test func keptArenasStayWithinTheirLimits() {
        let spares = SpareArenas(mostArenas: 2, mostWords: 1000)
        for capacity in [100, 900, 50, 2000] {
            let memory = malloc(capacity * MemoryLayout<UInt32>.stride)!.bindMemory(to: UInt32.self, capacity: capacity)
            spares.keep(.init(memory: memory, capacity: capacity))
        }
        #expect(spares.capacities == [900, 100])
        #expect(spares.take()?.capacity == 900)
        while let arena = spares.take() { free(arena.memory) }
    }

    @Test func addingAValueManyTimesEqualsAddingItOnceEach() {
        for value in [0.0, -0.0, -3.5, 7.25, .infinity, -.infinity, .nan] {
            var many = QuantileSketch(), each = QuantileSketch()
            many.add(value, times: 300)
            for _ in 0..<300 { each.add(value) }
            #expect(many.count == 300 && each.count == 300)
            let a = many.quantile(0.5, minimum: -10, maximum: 10), b = each.quantile(0.5, minimum: -10, maximum: 10)
            #expect(a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN), "\(value)")
        }
    }

    /// Every rank of a sketch read in one pass equals the representative of that rank's
    /// value in the sorted values (negatives, zeros, infinities and spreads of magnitudes),
    /// and each quantile read with the others equals it read alone.
    @Test func ranksReadInOnePassAreTheSortedValuesBins() {
        for index in 0..<60 {
            let values = Self.tile(case: index, count: 8 + 37 * (index % 9)).map { value in
                index % 5 == 1 && value.isFinite ? value - 2000 : value  // shifts some cases below 0
            }.filter { !$0.isNaN }
            var sketch = QuantileSketch()
            for value in values { sketch.add(value) }
            let expected = values.sorted().map { value -> Double in
                if value.isInfinite || value == 0 { return value == 0 ? 0 : value }
                let representative = QuantileSketch.representative(ofBin: QuantileSketch.bin(of: abs(value)))
                return value < 0 ? -representative : representative
            }
            var reader = QuantileSketch.RankReader(sketch)
            #expect(expected.indices.map { reader.value(atRank: $0) } == expected, "case \(index)")
            let levels = EnsembleSummary.quantileLevels
            sketch.quantiles(levels, minimum: values.min()!, maximum: values.max()!) { q, value in
                let alone = sketch.quantile(levels[q], minimum: values.min()!, maximum: values.max()!)
                #expect(value.bitPattern == alone.bitPattern, "case \(index)")
            }
        }
    }
}
