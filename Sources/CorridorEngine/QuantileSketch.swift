import CCorridorPrefetch

/// Counts of values in logarithmic bins, from which quantiles are read with a relative
/// error of at most 2^-(binBits+1) (0.2 %). Counts are integers, so merging sketches
/// gives the same result in any order: summaries do not depend on threads or tiling.
struct QuantileSketch {
    /// Mantissa bits kept: 2^8 = 256 bins per doubling.
    static let binBits = 8
    static let shift = UInt64(52 - binBits)

    private var positive = BinStore()
    private var negative = BinStore()
    private(set) var zeroCount = 0
    private(set) var nanCount = 0
    private(set) var positiveInfinityCount = 0
    private(set) var negativeInfinityCount = 0

    var count: Int {
        positive.total + negative.total + zeroCount + nanCount + positiveInfinityCount + negativeInfinityCount
    }

    @inline(__always) static func bin(of magnitude: Double) -> Int {
        Int(truncatingIfNeeded: magnitude.bitPattern >> shift)
    }

    /// The middle of a bin (for magnitudes), which is within 0.2 % of every value in it.
    static func representative(ofBin bin: Int) -> Double {
        let low = Double(bitPattern: UInt64(bin) << shift)
        let high = Double(bitPattern: UInt64(bin + 1) << shift)
        return high.isFinite ? (low + high) / 2 : low
    }

    /// Adds `value`, `times` times.
    mutating func add(_ value: Double, times: Int = 1) {
        if value > 0 {
            if value.isFinite { positive.add(bin: Self.bin(of: value), count: UInt32(times)) } else { positiveInfinityCount += times }
        } else if value < 0 {
            if value.isFinite { negative.add(bin: Self.bin(of: -value), count: UInt32(times)) } else { negativeInfinityCount += times }
        } else if value == 0 {
            zeroCount += times
        } else {
            nanCount += times
        }
    }

    /// Adds `count` values at once: positive finite values (the common case) go through
    /// one range check and one pass of increments; the rest one by one. The range check
    /// also lowers `minimum` and raises `maximum` to the values' own, and tells whether every
    /// value has the same bits as the first (a series no draw reaches): then the count is
    /// added to its bin at once, and the function returns true.
    @discardableResult
    mutating func add(_ values: UnsafePointer<Double>, count: Int, minimum: inout Double, maximum: inout Double) -> Bool {
        var low = Int.max, high = Int.min
        var others = false
        var smallest = minimum, largest = maximum
        let firstBits = values[0].bitPattern
        var allSame = true
        for l in 0..<count {
            let value = values[l]
            smallest = Swift.min(smallest, value)
            largest = Swift.max(largest, value)
            allSame = allSame && value.bitPattern == firstBits
            if value > 0 && value.isFinite {
                let bin = Self.bin(of: value)
                low = Swift.min(low, bin)
                high = Swift.max(high, bin)
            } else {
                others = true
            }
        }
        minimum = smallest
        maximum = largest
        if allSame && count > 0 {
            // Every value in one bin (or one special value): one increment of `count`.
            if low <= high {
                positive.add(bin: low, count: UInt32(count))
            } else {
                add(values[0], times: count)
            }
            return true
        }
        if low <= high {
            positive.reserve(low...high)
            positive.withCounts { counts, offset in
                var added = 0
                for l in 0..<count {
                    let value = values[l]
                    if value > 0 && value.isFinite {
                        counts[Self.bin(of: value) - offset] += 1
                        added += 1
                    }
                }
                return added
            }
        }
        if others {
            for l in 0..<count {
                let value = values[l]
                if !(value > 0 && value.isFinite) { add(value) }
            }
        }
        return false
    }

    /// Adds `count` values known to be positive and finite, whose smallest and largest are
    /// `lowest` and `highest`: the bins' range follows from those two (a bin grows with the
    /// value), so one pass of increments counts them.
    mutating func addPositive(_ values: UnsafePointer<Double>, count: Int, lowest: Double, highest: Double) {
        let low = Self.bin(of: lowest), high = Self.bin(of: highest)
        if low == high {
            positive.add(bin: low, count: UInt32(count))
        } else {
            positive.count(values, count: count, bins: low...high)
        }
    }

    /// Adds `count` values of +0.
    mutating func addZeros(_ count: Int) { zeroCount += count }

    /// See `BinStore.prefetch()`: the positive values' counts, the ones a tile's values fill.
    /// Mutating only so that a call through a pointer works in place: as a plain method the
    /// compiler copies the sketch (retaining its arrays) for every call.
    @inline(__always) mutating func prefetch() { positive.prefetch() }

    mutating func merge(_ other: QuantileSketch) {
        positive.merge(other.positive)
        negative.merge(other.negative)
        zeroCount += other.zeroCount
        nanCount += other.nanCount
        positiveInfinityCount += other.positiveInfinityCount
        negativeInfinityCount += other.negativeInfinityCount
    }

    /// The value of rank `rank` (0-based) in ascending order, as its bin's representative.
    func value(atRank rank: Int) -> Double {
        var reader = RankReader(self)
        return reader.value(atRank: rank)
    }

    /// Reads a sketch's values at ascending ranks in one pass over its counts, allocating
    /// nothing: each store is walked once, the negative magnitudes from the largest down.
    struct RankReader {
        let sketch: QuantileSketch
        var negatives: BinStore.Cursor
        var positives: BinStore.Cursor

        init(_ sketch: QuantileSketch) {
            self.sketch = sketch
            negatives = sketch.negative.cursor(fromTop: true)
            positives = sketch.positive.cursor(fromTop: false)
        }

        /// The value of rank `rank`, at least the rank of the call before.
        mutating func value(atRank rank: Int) -> Double {
            var remaining = rank
            if remaining < sketch.negativeInfinityCount { return -.infinity }
            remaining -= sketch.negativeInfinityCount
            if remaining < sketch.negative.total {
                return -QuantileSketch.representative(ofBin: negatives.bin(atRank: remaining))
            }
            remaining -= sketch.negative.total
            if remaining < sketch.zeroCount { return 0 }
            remaining -= sketch.zeroCount
            if remaining < sketch.positive.total { return QuantileSketch.representative(ofBin: positives.bin(atRank: remaining)) }
            return .infinity
        }
    }

    /// Quantile `q` in [0, 1], interpolated linearly between ranks as NumPy's default
    /// does, and clamped to the exact `[minimum, maximum]`. NaN when any value was NaN.
    func quantile(_ q: Double, minimum: Double, maximum: Double) -> Double {
        var result = Double.nan
        quantiles([q], minimum: minimum, maximum: maximum) { _, value in result = value }
        return result
    }

    /// `quantile(_:minimum:maximum:)` of each of `levels` (ascending), handed to `body` with
    /// its index, read in one pass.
    func quantiles(_ levels: [Double], minimum: Double, maximum: Double, _ body: (Int, Double) -> Void) {
        let n = count
        guard n > 0, nanCount == 0 else {
            for index in levels.indices { body(index, .nan) }
            return
        }
        var reader = RankReader(self)
        for (index, level) in levels.enumerated() {
            let position = level * Double(n - 1)
            let lowerRank = Int(position.rounded(.down))
            let upperRank = Swift.min(lowerRank + 1, n - 1)
            let lower = reader.value(atRank: lowerRank), upper = reader.value(atRank: upperRank)
            let fraction = position - Double(lowerRank)
            let interpolated = fraction == 0 || lower == upper ? lower : lower + (upper - lower) * fraction
            body(index, Swift.min(Swift.max(interpolated, minimum), maximum))
        }
    }
}

/// Integer counts over a contiguous range of bins that grows as values arrive.
struct BinStore {
    private var offset = 0
    private var counts: [UInt32] = []
    private(set) var total = 0
    /// Where the counts were when last counted into, where the bins counted into began and
    /// their size in bytes: only ever passed to `prefetch()`, a hint that cannot fault,
    /// never read through.
    private var countsAddress: UnsafeRawPointer?
    private var countedAddress: UnsafeRawPointer?
    private var countedBytes = 0

    mutating func add(bin: Int, count: UInt32 = 1) {
        reserve(bin...bin)
        counts[bin - offset] += count
        total += Int(count)
    }

    /// Makes room for the bins of `range` without counting anything (nothing to do when they
    /// are there already), with room to spare: half the range's width (at least 16 bins) on
    /// each side at first, and half the size again on the side that grows (empty bins change
    /// no quantile). A cell whose values creep outward as members come in then reallocates
    /// seldom, not at every tile.
    mutating func reserve(_ range: ClosedRange<Int>) {
        if counts.isEmpty {
            let slack = Swift.max(16, range.count / 2)
            offset = range.lowerBound - slack
            counts = Array(repeating: 0, count: range.count + 2 * slack)
            return
        }
        let slack = Swift.max(16, counts.count / 2)
        if range.lowerBound < offset {
            let lower = Swift.min(range.lowerBound, offset - slack)
            counts.insert(contentsOf: repeatElement(0, count: offset - lower), at: 0)
            offset = lower
        }
        if range.upperBound >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: Swift.max(range.upperBound - offset - counts.count + 1, slack)))
        }
    }

    /// The widest range of bins counted in four copies.
    static let narrowWidth = 64

    /// Counts `count` positive finite values whose bins all lie in `bins`.
    mutating func count(_ values: UnsafePointer<Double>, count: Int, bins: ClosedRange<Int>) {
        reserve(bins)
        let offset = self.offset
        counts.withUnsafeMutableBufferPointer { counts in
            let base = counts.baseAddress!
            let width = bins.count
            if width <= Self.narrowWidth && count >= 4 * width {
                // Few bins: consecutive values often share one, and increments of one address
                // in a row wait on each other (the processor cannot predict the store's
                // address). Four copies of the counts, one per lane of four, then summed: for
                // up to 64 bins the sums cost less than the waits (the regional model with
                // every series: 6.30 s against 6.56 s with copies for up to 16 bins only).
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * Self.narrowWidth) { copies in
                    let copies = copies.baseAddress!
                    copies.initialize(repeating: 0, count: 4 * width)
                    let first = bins.lowerBound
                    @inline(__always) func bin(_ l: Int) -> Int {
                        Int(truncatingIfNeeded: values[l].bitPattern >> QuantileSketch.shift) &- first
                    }
                    let whole = count & ~3
                    for l in stride(from: 0, to: whole, by: 4) {
                        copies[bin(l)] &+= 1
                        copies[width &+ bin(l &+ 1)] &+= 1
                        copies[2 &* width &+ bin(l &+ 2)] &+= 1
                        copies[3 &* width &+ bin(l &+ 3)] &+= 1
                    }
                    for l in whole..<count { copies[bin(l)] &+= 1 }
                    let counted = base + (first - offset)
                    for b in 0..<width {
                        counted[b] &+= (copies[b] &+ copies[width &+ b]) &+ (copies[2 &* width &+ b] &+ copies[3 &* width &+ b])
                    }
                }
            } else {
                for l in 0..<count {
                    base[Int(truncatingIfNeeded: values[l].bitPattern >> QuantileSketch.shift) &- offset] &+= 1
                }
            }
            countsAddress = UnsafeRawPointer(base)
            countedAddress = UnsafeRawPointer(base + (bins.lowerBound - offset))
        }
        countedBytes = bins.count * MemoryLayout<UInt32>.stride
        total += count
    }

    /// Asks the processor to bring the counts into cache — the array's header and the bins
    /// last counted into (at most 4 KiB): called one cell ahead of `count`, it hides the
    /// cache misses that otherwise dominate a streaming summary's time.
    @inline(__always) func prefetch() {
        guard let countsAddress, let countedAddress else { return }
        corridor_prefetch_lines(countsAddress - 32, 32)
        corridor_prefetch_lines(countedAddress, Swift.min(countedBytes, 4096))
    }

    /// Increments counts directly; `body` returns how many it added.
    mutating func withCounts(_ body: (UnsafeMutableBufferPointer<UInt32>, Int) -> Int) {
        let offset = self.offset
        total += counts.withUnsafeMutableBufferPointer { body($0, offset) }
    }

    mutating func merge(_ other: BinStore) {
        for (i, count) in other.counts.enumerated() where count > 0 {
            add(bin: other.offset + i, count: count)
        }
    }

    /// A walk through the counts that finds the bins of nondecreasing ranks in one pass:
    /// ranks counted from the lowest bin up, or from the highest down (`fromTop`).
    struct Cursor {
        let counts: [UInt32]
        let offset: Int
        let fromTop: Bool
        private var position = 0
        private var seen = 0

        init(counts: [UInt32], offset: Int, fromTop: Bool) {
            self.counts = counts
            self.offset = offset
            self.fromTop = fromTop
        }

        /// The bin holding rank `rank` (below the store's total; at least the last rank asked).
        mutating func bin(atRank rank: Int) -> Int {
            while position < counts.count - 1 && seen + Int(counts[index(position)]) <= rank {
                seen += Int(counts[index(position)])
                position += 1
            }
            return offset + index(position)
        }

        private func index(_ position: Int) -> Int { fromTop ? counts.count - 1 - position : position }
    }

    func cursor(fromTop: Bool) -> Cursor { Cursor(counts: counts, offset: offset, fromTop: fromTop) }
}

extension QuantileSketch {
    /// The sketch as numbers, for a message to another process: counts, then each store.
    func encode(into writer: inout ByteWriter) {
        for count in [zeroCount, nanCount, positiveInfinityCount, negativeInfinityCount] { writer.int(count) }
        positive.encode(into: &writer)
        negative.encode(into: &writer)
    }

    init(decoding reader: inout ByteReader) throws {
        self.init()
        zeroCount = try reader.count()
        nanCount = try reader.count()
        positiveInfinityCount = try reader.count()
        negativeInfinityCount = try reader.count()
        positive = try BinStore(decoding: &reader)
        negative = try BinStore(decoding: &reader)
    }
}

extension BinStore {
    func encode(into writer: inout ByteWriter) {
        writer.int(offset)
        writer.array(counts)
    }

    init(decoding reader: inout ByteReader) throws {
        self.init()
        offset = try reader.int()
        counts = try reader.array(UInt32.self)
        total = counts.reduce(0) { $0 + Int($1) }
    }
}
