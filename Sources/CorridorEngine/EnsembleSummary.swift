import CCorridorVectorMath

/// Per-step ensemble statistics of every series: mean, standard deviation and quantiles.
public struct EnsembleSummary: Sendable {
    /// The quantile levels reported, in order: p05, p25, p50, p75, p95.
    public static let quantileLevels: [Double] = [0.05, 0.25, 0.5, 0.75, 0.95]

    public let catalog: SeriesCatalog
    public let members: Int
    public let horizon: Int
    /// Indexed `[step * series count + series]` for steps 0…horizon.
    public let mean: [Double]
    /// Sample standard deviation over members (divisor members − 1; 0 for one member).
    public let standardDeviation: [Double]
    /// `quantiles[level][step * series count + series]`, levels as `quantileLevels`.
    public let quantiles: [[Double]]

    public func cell(step: Int, series: Int) -> Int { step * catalog.count + series }
}

/// A node of the fixed binary tree over member indices: level ℓ, index i covers members
/// `i·2^ℓ ..< (i+1)·2^ℓ`. Sums are always formed as left child + right child, so they do
/// not depend on how members were split among tiles and threads.
struct TreeNode: Hashable {
    let level: Int
    let index: Int
}

/// Aligned power-of-two blocks that exactly cover `range`, in order, written to `blocks`
/// (emptied first, its storage kept: a worker reuses one list for all its tiles).
func dyadicBlocks(covering range: Range<Int>, into blocks: inout [(node: TreeNode, start: Int, size: Int)]) {
    blocks.removeAll(keepingCapacity: true)
    var start = range.lowerBound
    while start < range.upperBound {
        var level = 0
        while start % (1 << (level + 1)) == 0 && start + (1 << (level + 1)) <= range.upperBound { level += 1 }
        blocks.append((TreeNode(level: level, index: start >> level), start, 1 << level))
        start += 1 << level
    }
}

/// Streams one worker's tiles into deviation sums (over the fixed member tree), exact
/// minima and maximum, and quantile sketches. Its buffers are allocated up front; the
/// step loop works through pointers, free of exclusivity checks.
final class SummaryWorker: TileObserver, @unchecked Sendable {
    let catalog: SeriesCatalog
    let horizon: Int
    let cellCount: Int
    /// Deviations are taken from the deterministic run's value of each cell, so that a
    /// series unaffected by uncertainty has exactly zero spread.
    let reference: [Double]
    let minimum: UnsafeMutablePointer<Double>
    let maximum: UnsafeMutablePointer<Double>
    let sketches: UnsafeMutablePointer<SketchTable>
    /// Sums over the member tree of completed tiles.
    private(set) var sums = MemberTreeSums()
    private var tileBlocks: [(node: TreeNode, start: Int, size: Int)] = []
    private var tilePayloads: [UnsafeMutablePointer<Double>] = []
    private let deviations: UnsafeMutablePointer<Double>
    private let squares: UnsafeMutablePointer<Double>

    /// A worker that will stream the members `members` in tiles of `lanes` (the member
    /// tree's payloads are set aside for them: its pushes allocate nothing).
    init(catalog: SeriesCatalog, horizon: Int, reference: [Double], lanes: Int, members: Range<Int>) {
        self.catalog = catalog
        self.horizon = horizon
        cellCount = (horizon + 1) * catalog.count
        self.reference = reference
        minimum = .allocate(capacity: cellCount)
        minimum.initialize(repeating: .infinity, count: cellCount)
        maximum = .allocate(capacity: cellCount)
        maximum.initialize(repeating: -.infinity, count: cellCount)
        sketches = .allocate(capacity: 1)
        sketches.initialize(to: SketchTable(cellCount: cellCount))
        deviations = .allocate(capacity: lanes)
        deviations.initialize(repeating: 0, count: lanes)
        squares = .allocate(capacity: lanes)
        squares.initialize(repeating: 0, count: lanes)
        sums.reserve(payloadsOf: 2 * cellCount, tilesOf: lanes, covering: members)
    }

    deinit {
        minimum.deallocate()
        maximum.deallocate()
        sketches.pointee.deallocate()
        sketches.deallocate()
        deviations.deallocate()
        squares.deallocate()
        for payload in tilePayloads { payload.deallocate() }
    }

    func beginTile(first: Int, count: Int) {
        dyadicBlocks(covering: first..<(first + count), into: &tileBlocks)
        while tilePayloads.count < tileBlocks.count {
            tilePayloads.append(.allocate(capacity: 2 * cellCount))
        }
        for b in tileBlocks.indices { tilePayloads[b].initialize(repeating: 0, count: 2 * cellCount) }
    }

    func observeStep(_ step: Int, _ view: TileView) { observe(step, view) }
    func observeEnd(_ step: Int, _ view: TileView) { observe(step, view) }

    private func observe(_ step: Int, _ view: TileView) {
        let n = view.count
        let deviations = self.deviations, squares = self.squares
        // The usual tile: one aligned power-of-two block of at least 8 members.
        let wholeBlock = tileBlocks.count == 1 && tileBlocks[0].size == n && n >= 8
        for series in 0..<catalog.count where catalog.isRecorded(series, step: step, horizon: horizon) {
            let cell = step * catalog.count + series
            let values = catalog.values(series, in: view)
            if wholeBlock {
                if series + 1 < catalog.count { sketches.pointee.prefetch(cell + 1) }
                let moments = Self.blockMoments(values, count: n, center: reference[cell], sums: deviations, squares: squares)
                tilePayloads[0][2 * cell] = moments.sum
                tilePayloads[0][2 * cell + 1] = moments.squares
                // Finite sums rule out NaN and infinities, a positive minimum zeros and
                // negatives (−0 included): then the sketch needs only the bins' increments.
                if moments.bits == 0 {
                    // Every value is +0 (a series nobody reaches yet): one count.
                    minimum[cell] = Swift.min(minimum[cell], 0)
                    maximum[cell] = Swift.max(maximum[cell], 0)
                    sketches.pointee.addZeros(cell, count: n)
                } else if moments.lowest > 0 && moments.sum.isFinite && moments.squares.isFinite {
                    minimum[cell] = Swift.min(minimum[cell], moments.lowest)
                    maximum[cell] = Swift.max(maximum[cell], moments.highest)
                    sketches.pointee.addPositive(cell, values, count: n, lowest: moments.lowest, highest: moments.highest)
                } else {
                    sketches.pointee.add(cell, values, count: n, minimum: &minimum[cell], maximum: &maximum[cell])
                }
                continue
            }
            // One pass finds the bins' range and the minimum and maximum together.
            let constant = sketches.pointee.add(cell, values, count: n, minimum: &minimum[cell], maximum: &maximum[cell])
            let center = reference[cell]
            for (b, block) in tileBlocks.enumerated() {
                if constant {
                    // Identical deviations: the tree's sum of `size` (a power of two) copies
                    // is exactly the deviation times `size` (each addition doubles).
                    let deviation = values[0] - center
                    tilePayloads[b][2 * cell] = deviation * Double(block.size)
                    tilePayloads[b][2 * cell + 1] = (deviation * deviation) * Double(block.size)
                    continue
                }
                let offset = block.start - view.firstMember
                guard block.size > 1 else {
                    let deviation = values[offset] - center
                    tilePayloads[b][2 * cell] = deviation
                    tilePayloads[b][2 * cell + 1] = deviation * deviation
                    continue
                }
                // The tree's first level (pairs) as the deviations are computed: the same
                // additions in the same order as summing the deviations afterwards.
                for i in 0..<block.size / 2 {
                    let left = values[offset + 2 * i] - center, right = values[offset + 2 * i + 1] - center
                    deviations[i] = left + right
                    squares[i] = left * left + right * right
                }
                tilePayloads[b][2 * cell] = Self.pairwiseSum(deviations, count: block.size / 2)
                tilePayloads[b][2 * cell + 1] = Self.pairwiseSum(squares, count: block.size / 2)
            }
        }
    }

    /// The smallest and largest of `count` values (a power of two, at least 8) and the sums of
    /// their deviations from `center` and of the squared deviations, added as the fixed member
    /// tree adds them (pairs, pairs of pairs, …), in one pass (`corridor_block_moments`, C:
    /// AVX2 where the processor has it); `sums` and `squares` are scratch of `count / 8` values
    /// each. The minimum and maximum are exact when every value is a number; with a NaN among
    /// them they are unspecified, and the sums, NaN, say so. `bits` is the OR of the values'
    /// bit patterns: 0 when every value is +0.
    @inline(__always)
    static func blockMoments(_ values: UnsafePointer<Double>, count: Int, center: Double,
                             sums: UnsafeMutablePointer<Double>, squares: UnsafeMutablePointer<Double>)
        -> (lowest: Double, highest: Double, sum: Double, squares: Double, bits: UInt64) {
        var moments = CorridorMoments()
        corridor_block_moments(values, count, center, sums, squares, &moments)
        return (moments.lowest, moments.highest, moments.sum, moments.squares, UInt64(moments.bits))
    }

    /// Sum of `count` (a power of two) values as the fixed tree adds them: pairs, then
    /// pairs of pairs. Overwrites `values`.
    static func pairwiseSum(_ values: UnsafeMutablePointer<Double>, count: Int) -> Double {
        corridor_pairwise_sum(values, count)
    }

    /// Pushes the finished tile's blocks, merging each with its left sibling when present.
    func endTile() {
        for (b, block) in tileBlocks.enumerated() {
            sums.push(block.node, copying: UnsafeBufferPointer(start: tilePayloads[b], count: 2 * cellCount))
        }
    }

    /// What this worker has accumulated, as values.
    func state() -> SummaryState {
        SummaryState(sums: sums.withoutSpares(),
                     minimum: Array(UnsafeBufferPointer(start: minimum, count: cellCount)),
                     maximum: Array(UnsafeBufferPointer(start: maximum, count: cellCount)),
                     sketches: (0..<cellCount).map { sketches.pointee.sketch(of: $0) })
    }
}

/// Sums of deviations and of squared deviations of every cell over completed nodes of the
/// member tree that are not yet merged with a sibling, ascending: a contiguous range of
/// members. Siblings are always added as left + right, as the fixed tree adds them.
struct MemberTreeSums {
    private(set) var pending: [(node: TreeNode, payload: [Double])] = []
    /// Payloads freed by merges, reused by `push(_:copying:)`: a worker's tiles then
    /// allocate nothing once the tree is as deep as it gets.
    private(set) var spares: [[Double]] = []

    /// Whether `left` and `right` are the two children of one parent, in that order.
    static func areSiblings(_ left: TreeNode, _ right: TreeNode) -> Bool {
        left.level == right.level && left.index + 1 == right.index && left.index % 2 == 0
    }

    /// Appends the node that follows the last one, merging it with its left sibling (and
    /// the result with its own) while they complete a parent.
    mutating func push(_ node: TreeNode, _ payload: [Double]) {
        var node = node, payload = payload
        while let top = pending.last?.node, Self.areSiblings(top, node) {
            // Left + right, into the left payload (held only here, so changed in place).
            var left = pending.removeLast().payload
            Self.add(payload, into: &left)
            spares.append(payload)
            payload = left
            node = TreeNode(level: node.level + 1, index: top.index / 2)
        }
        pending.append((node, payload))
    }

    /// Sets aside as many spare payloads of `count` values as pushing the blocks of tiles of
    /// `lanes` members covering `members` ever holds at once (the pending nodes' and the one
    /// being pushed), so that those pushes allocate nothing: found by pushing the nodes alone.
    mutating func reserve(payloadsOf count: Int, tilesOf lanes: Int, covering members: Range<Int>) {
        var nodes: [TreeNode] = [], blocks: [(node: TreeNode, start: Int, size: Int)] = []
        var most = 0
        for first in stride(from: members.lowerBound, to: members.upperBound, by: lanes) {
            dyadicBlocks(covering: first..<Swift.min(first + lanes, members.upperBound), into: &blocks)
            for block in blocks {
                most = Swift.max(most, nodes.count + 1)
                var node = block.node
                while let top = nodes.last, Self.areSiblings(top, node) {
                    nodes.removeLast()
                    node = TreeNode(level: node.level + 1, index: top.index / 2)
                }
                nodes.append(node)
            }
        }
        pending.reserveCapacity(most)
        spares.reserveCapacity(most)
        while spares.count < most { spares.append(Array(repeating: 0, count: count)) }
    }

    /// `push` with a copy of `payload`, made in a spare payload when one is free.
    mutating func push(_ node: TreeNode, copying payload: UnsafeBufferPointer<Double>) {
        var copy = spares.popLast() ?? []
        if copy.count == payload.count {
            copy.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: payload) }
        } else {
            copy = Array(payload)
        }
        push(node, copy)
    }

    /// The same sums without the spare payloads (what a finished worker hands on).
    func withoutSpares() -> MemberTreeSums {
        var sums = self
        sums.spares = []
        return sums
    }

    static func combine(_ left: [Double], _ right: [Double]) -> [Double] {
        var sum = left
        add(right, into: &sum)
        return sum
    }

    /// left[i] += right[i]: a parent's sums from its children's, left + right.
    static func add(_ right: [Double], into left: inout [Double]) {
        left.withUnsafeMutableBufferPointer { left in
            right.withUnsafeBufferPointer { right in
                for i in left.indices { left[i] += right[i] }
            }
        }
    }

    /// The sums over members 0..<members, following the fixed tree; zeros when empty.
    func total(members: Int, count: Int) -> [Double] {
        let nodes = Dictionary(pending.map { ($0.node, $0.payload) }, uniquingKeysWith: { first, _ in first })
        var topLevel = 0
        while (1 << topLevel) < members { topLevel += 1 }
        func evaluate(_ node: TreeNode) -> [Double]? {
            if node.index << node.level >= members { return nil }
            if let stored = nodes[node] { return stored }
            precondition(node.level > 0, "member \(node.index) was never run")
            guard let left = evaluate(TreeNode(level: node.level - 1, index: 2 * node.index)) else { return nil }
            guard let right = evaluate(TreeNode(level: node.level - 1, index: 2 * node.index + 1)) else { return left }
            return Self.combine(left, right)
        }
        return evaluate(TreeNode(level: topLevel, index: 0)) ?? Array(repeating: 0, count: count)
    }
}

/// The streaming summary of a contiguous range of members, as values: what workers and
/// processes combine, in member order, before the statistics are read.
struct SummaryState {
    var sums: MemberTreeSums
    var minimum: [Double]
    var maximum: [Double]
    var sketches: [QuantileSketch]

    /// The state of no members.
    init(cellCount: Int) {
        self.init(sums: MemberTreeSums(), minimum: Array(repeating: .infinity, count: cellCount),
                  maximum: Array(repeating: -.infinity, count: cellCount), sketches: Array(repeating: QuantileSketch(), count: cellCount))
    }

    init(sums: MemberTreeSums, minimum: [Double], maximum: [Double], sketches: [QuantileSketch]) {
        self.sums = sums
        self.minimum = minimum
        self.maximum = maximum
        self.sketches = sketches
    }

    /// Adds the state of the members that follow this state's.
    mutating func append(_ later: SummaryState) {
        for entry in later.sums.pending { sums.push(entry.node, entry.payload) }
        for cell in minimum.indices {
            minimum[cell] = Swift.min(minimum[cell], later.minimum[cell])
            maximum[cell] = Swift.max(maximum[cell], later.maximum[cell])
            sketches[cell].merge(later.sketches[cell])
        }
    }

    /// Mean, standard deviation and quantiles of every cell, once every member is in.
    func finish(catalog: SeriesCatalog, horizon: Int, reference: [Double], members: Int) -> EnsembleSummary {
        let cellCount = minimum.count
        let sums = self.sums.total(members: members, count: 2 * cellCount)
        let n = Double(members)
        var mean = Array(repeating: Double.nan, count: cellCount)
        var deviation = Array(repeating: Double.nan, count: cellCount)
        var quantiles = Array(repeating: Array(repeating: Double.nan, count: cellCount), count: EnsembleSummary.quantileLevels.count)
        for cell in 0..<cellCount {
            let step = cell / catalog.count, series = cell % catalog.count
            guard catalog.isRecorded(series, step: step, horizon: horizon) else { continue }
            let s1 = sums[2 * cell], s2 = sums[2 * cell + 1]
            mean[cell] = reference[cell] + s1 / n
            deviation[cell] = members > 1 ? (Swift.max(0, s2 - s1 * s1 / n) / (n - 1)).squareRoot() : 0
            if !s1.isFinite || !s2.isFinite { deviation[cell] = .nan }
            sketches[cell].quantiles(EnsembleSummary.quantileLevels, minimum: minimum[cell], maximum: maximum[cell]) { q, value in
                quantiles[q][cell] = value
            }
        }
        return EnsembleSummary(catalog: catalog, members: members, horizon: horizon,
                               mean: mean, standardDeviation: deviation, quantiles: quantiles)
    }
}
