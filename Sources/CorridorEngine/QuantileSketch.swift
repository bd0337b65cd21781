/// Counts of values in logarithmic bins, from which quantiles are read with a relative
/// error of at most 2^-(binBits+1) (0.2 %). Counts are integers, so merging sketches
/// gives the same result in any order: summaries do not depend on threads or tiling.
struct QuantileSketch {
    /// Mantissa bits kept: 2^8 = 256 bins per doubling.
    static let binBits = 8
    static let shift = UInt64(52 - binBits)

    private var positive = BinStore()
    private var negative = BinStore()
    private(set) var special = SpecialCounts()

    var count: Int { positive.total + negative.total + special.total }

    init() {}

    init(positive: BinStore, negative: BinStore, special: SpecialCounts) {
        self.positive = positive
        self.negative = negative
        self.special = special
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

    /// Where a value is counted: a bin of the positive values, a bin of the negative values'
    /// magnitudes, or one of the special counts.
    enum Place {
        case positive(bin: Int)
        case negative(bin: Int)
        case special(WritableKeyPath<SpecialCounts, Int>)
    }

    static func place(of value: Double) -> Place {
        if value > 0 {
            value.isFinite ? .positive(bin: bin(of: value)) : .special(\.positiveInfinity)
        } else if value < 0 {
            value.isFinite ? .negative(bin: bin(of: -value)) : .special(\.negativeInfinity)
        } else {
            value == 0 ? .special(\.zero) : .special(\.nan)
        }
    }

    /// Adds `value`, `times` times.
    mutating func add(_ value: Double, times: Int = 1) {
        switch Self.place(of: value) {
        case let .positive(bin): positive.add(bin: bin, count: UInt32(times))
        case let .negative(bin): negative.add(bin: bin, count: UInt32(times))
        case let .special(kind): special[keyPath: kind] += times
        }
    }

    mutating func merge(_ other: QuantileSketch) {
        positive.merge(other.positive)
        negative.merge(other.negative)
        special.merge(other.special)
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
            if remaining < sketch.special.negativeInfinity { return -.infinity }
            remaining -= sketch.special.negativeInfinity
            if remaining < sketch.negative.total {
                return -QuantileSketch.representative(ofBin: negatives.bin(atRank: remaining))
            }
            remaining -= sketch.negative.total
            if remaining < sketch.special.zero { return 0 }
            remaining -= sketch.special.zero
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
        guard n > 0, special.nan == 0 else {
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

/// Counts of the values a sketch keeps outside its bins.
struct SpecialCounts: Equatable {
    var zero = 0
    var nan = 0
    var positiveInfinity = 0
    var negativeInfinity = 0

    var total: Int { zero + nan + positiveInfinity + negativeInfinity }

    mutating func merge(_ other: SpecialCounts) {
        zero += other.zero
        nan += other.nan
        positiveInfinity += other.positiveInfinity
        negativeInfinity += other.negativeInfinity
    }
}

/// Integer counts over a contiguous range of bins that grows as values arrive: a sketch as a
/// value (a worker counts into a `SketchTable`, which hands its cells on as these).
struct BinStore {
    private var offset = 0
    private var counts: [UInt32] = []
    private(set) var total = 0

    init() {}

    /// `counts[i]` values in bin `firstBin + i`.
    init(firstBin: Int, counts: [UInt32]) {
        offset = firstBin
        self.counts = counts
        total = counts.reduce(0) { $0 + Int($1) }
    }

    mutating func add(bin: Int, count: UInt32 = 1) {
        reserve(bin)
        counts[bin - offset] += count
        total += Int(count)
    }

    /// Makes room for `bin`: the counts cover the bins from the lowest to the highest counted,
    /// no more (a store as a value is only added to one value at a time, merged and read).
    private mutating func reserve(_ bin: Int) {
        if counts.isEmpty {
            offset = bin
            counts = [0]
            return
        }
        if bin < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - bin), at: 0)
            offset = bin
        }
        if bin >= offset + counts.count {
            counts.append(contentsOf: repeatElement(0, count: bin - offset - counts.count + 1))
        }
    }

    mutating func merge(_ other: BinStore) {
        guard other.total > 0 else { return }
        guard total > 0 else {
            self = other
            return
        }
        reserve(other.offset)
        reserve(other.offset + other.counts.count - 1)
        let shift = other.offset - offset
        for (i, count) in other.counts.enumerated() { counts[shift + i] += count }
        total += other.total
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
        for count in [special.zero, special.nan, special.positiveInfinity, special.negativeInfinity] { writer.int(count) }
        positive.encode(into: &writer)
        negative.encode(into: &writer)
    }

    init(decoding reader: inout ByteReader) throws {
        self.init()
        special.zero = try reader.count()
        special.nan = try reader.count()
        special.positiveInfinity = try reader.count()
        special.negativeInfinity = try reader.count()
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
        let firstBin = try reader.int()
        self.init(firstBin: firstBin, counts: try reader.array(UInt32.self))
    }
}
