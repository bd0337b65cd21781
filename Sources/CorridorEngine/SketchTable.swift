import CCorridorPrefetch
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The quantile sketches of every cell of one worker's summary, their bin counts kept in one
/// arena that the worker owns. A cell's counts grow by moving to the arena's end; the space
/// they leave is reclaimed in place when the arena fills, and the arena itself is reallocated
/// (doubling) only when what is live no longer fits in three quarters of it. Summary updates
/// therefore allocate nothing once the cells' ranges are known, and a run's allocations grow
/// with the logarithm of its counts' size, not with its tiles.
///
/// A struct of pointers, used through a pointer (no copies, no exclusivity checks in the
/// step loop); `deallocate()` frees it.
struct SketchTable {
    /// A contiguous range of bin counts in the arena.
    struct Window {
        /// The bin of the first count.
        var firstBin = 0
        /// Where the counts start in the arena; −1 before the first value.
        var start = -1
        /// Bins held.
        var capacity = 0
        /// Values counted.
        var total = 0
        /// Where the bins last counted into start in the arena and how many there are: only
        /// for `prefetch`.
        var countedStart = 0
        var countedWidth = 0
    }

    /// Each block in the arena starts with two words: its owner (a window's index, or `vacant`)
    /// and its capacity in bins.
    private static let header = 2
    private static let vacant = UInt32.max

    let cellCount: Int
    /// Where the arena comes from and goes back to.
    private let spares: SpareArenas
    /// `windows[2 * cell]` counts positive values by bin, `windows[2 * cell + 1]` negative
    /// values by their magnitude's bin.
    private let windows: UnsafeMutablePointer<Window>
    private let special: UnsafeMutablePointer<SpecialCounts>
    private var arena: UnsafeMutablePointer<UInt32>
    /// The arena's size and the part of it in use, in words (counts and headers).
    private(set) var arenaCapacity: Int
    private(set) var arenaUsed = 0
    /// How many times the table asked the system for its arena's memory (none when it took
    /// a kept arena large enough).
    private(set) var arenaAllocations = 0

    /// The sketches of `cellCount` cells. Their arena is one `spares` kept when there is one
    /// (enlarged to the default size if smaller), else room for 32 counts and headers per
    /// cell; it doubles from there (a cell of the regional model's outputs takes about 90
    /// words after 1,000,000 members, one of the example model about 1,000).
    init(cellCount: Int, spares: SpareArenas = .shared) {
        self.cellCount = cellCount
        self.spares = spares
        windows = .allocate(capacity: 2 * cellCount)
        windows.initialize(repeating: Window(), count: 2 * cellCount)
        special = .allocate(capacity: cellCount)
        special.initialize(repeating: SpecialCounts(), count: cellCount)
        let initialCapacity = Swift.max(64, 32 * cellCount)
        if let kept = spares.take() {
            arena = kept.memory
            arenaCapacity = kept.capacity
            if arenaCapacity < initialCapacity { grow(to: initialCapacity) }
        } else {
            arenaCapacity = initialCapacity
            arena = Self.resized(nil, to: arenaCapacity)
            arenaAllocations = 1
        }
    }

    /// Frees the table; its arena is kept for a later table when `spares` has room.
    func deallocate() {
        windows.deallocate()
        special.deallocate()
        spares.keep(.init(memory: arena, capacity: arenaCapacity))
    }

    /// Cell `cell`'s sketch as a value (counts trimmed to the bins in use).
    func sketch(of cell: Int) -> QuantileSketch {
        QuantileSketch(positive: store(2 * cell), negative: store(2 * cell + 1), special: special[cell])
    }

    private func store(_ w: Int) -> BinStore {
        let window = windows[w]
        guard window.total > 0 else { return BinStore() }
        let counts = UnsafeBufferPointer(start: arena + window.start, count: window.capacity)
        let first = counts.firstIndex { $0 > 0 }!, last = counts.lastIndex { $0 > 0 }!
        return BinStore(firstBin: window.firstBin + first, counts: Array(counts[first...last]))
    }

    // MARK: - Adding values

    /// Adds `count` values of +0 to cell `cell`.
    mutating func addZeros(_ cell: Int, count: Int) { special[cell].zero += count }

    /// Adds `value`, `times` times, to cell `cell`.
    mutating func add(_ cell: Int, _ value: Double, times: Int = 1) {
        switch QuantileSketch.place(of: value) {
        case let .positive(bin): add(window: 2 * cell, bin: bin, count: times)
        case let .negative(bin): add(window: 2 * cell + 1, bin: bin, count: times)
        case let .special(kind): special[cell][keyPath: kind] += times
        }
    }

    /// Adds `count` values known to be positive and finite to cell `cell`, the smallest and
    /// largest of which are `lowest` and `highest`: the bins' range follows from those two (a
    /// bin grows with the value), so one pass of increments counts them.
    mutating func addPositive(_ cell: Int, _ values: UnsafePointer<Double>, count: Int, lowest: Double, highest: Double) {
        let low = QuantileSketch.bin(of: lowest), high = QuantileSketch.bin(of: highest)
        if low == high {
            add(window: 2 * cell, bin: low, count: count)
        } else {
            self.count(window: 2 * cell, values, count: count, bins: low...high)
        }
    }

    /// Adds `count` values of any kind to cell `cell`: positive finite values (the common case)
    /// go through one range check and one pass of increments; the rest one by one. The range
    /// check also lowers `minimum` and raises `maximum` to the values' own, and tells whether
    /// every value has the same bits as the first (a series no draw reaches): then the count
    /// is added to its bin at once, and the function returns true.
    @discardableResult
    mutating func add(_ cell: Int, _ values: UnsafePointer<Double>, count: Int, minimum: inout Double, maximum: inout Double) -> Bool {
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
                let bin = QuantileSketch.bin(of: value)
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
            add(cell, values[0], times: count)
            return true
        }
        if low <= high {
            let w = 2 * cell
            reserve(w, bins: low...high)
            let window = windows[w]
            let base = arena + window.start
            var added = 0
            for l in 0..<count {
                let value = values[l]
                if value > 0 && value.isFinite {
                    base[QuantileSketch.bin(of: value) - window.firstBin] += 1
                    added += 1
                }
            }
            windows[w].total += added
        }
        if others {
            for l in 0..<count {
                let value = values[l]
                if !(value > 0 && value.isFinite) { add(cell, value) }
            }
        }
        return false
    }

    /// Asks the processor to bring cell `cell`'s positive counts last counted into (at most
    /// 4 KiB) into cache: called one cell ahead of the counting, it hides the cache misses
    /// that otherwise dominate a streaming summary's time. A hint that cannot fault.
    @inline(__always) func prefetch(_ cell: Int) {
        let window = windows[2 * cell]
        guard window.countedWidth > 0 else { return }
        corridor_prefetch_lines(UnsafeRawPointer(arena + window.countedStart),
                                Swift.min(window.countedWidth * MemoryLayout<UInt32>.stride, 4096))
    }

    /// The widest range of bins counted in four copies.
    static let narrowWidth = 64

    private mutating func add(window w: Int, bin: Int, count: Int) {
        reserve(w, bins: bin...bin)
        arena[windows[w].start + bin - windows[w].firstBin] += UInt32(count)
        windows[w].total += count
    }

    /// Counts `count` positive finite values whose bins all lie in `bins`.
    private mutating func count(window w: Int, _ values: UnsafePointer<Double>, count: Int, bins: ClosedRange<Int>) {
        reserve(w, bins: bins)
        let window = windows[w]
        let base = arena + window.start, firstBin = window.firstBin
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
                let counted = base + (first - firstBin)
                for b in 0..<width {
                    counted[b] &+= (copies[b] &+ copies[width &+ b]) &+ (copies[2 &* width &+ b] &+ copies[3 &* width &+ b])
                }
            }
        } else {
            for l in 0..<count {
                base[Int(truncatingIfNeeded: values[l].bitPattern >> QuantileSketch.shift) &- firstBin] &+= 1
            }
        }
        windows[w].total += count
        windows[w].countedStart = window.start + (bins.lowerBound - firstBin)
        windows[w].countedWidth = width
    }

    // MARK: - The arena

    /// Makes room in window `w` for the bins of `bins` (nothing to do when they are there).
    @inline(__always) private mutating func reserve(_ w: Int, bins: ClosedRange<Int>) {
        let window = windows[w]
        if window.start >= 0 && bins.lowerBound >= window.firstBin && bins.upperBound < window.firstBin + window.capacity { return }
        widen(w, to: bins)
    }

    /// Moves window `w` to a larger block that holds `bins`, with room to spare: half the
    /// range's width (at least 16 bins) on each side at first, and half the size again on the
    /// side that grows (empty bins change no quantile). A cell whose values creep outward as
    /// members come in then moves seldom, not at every tile.
    @inline(never)
    private mutating func widen(_ w: Int, to bins: ClosedRange<Int>) {
        let old = windows[w]
        var lower: Int, end: Int
        if old.start < 0 {
            let slack = Swift.max(16, bins.count / 2)
            lower = bins.lowerBound - slack
            end = bins.upperBound + 1 + slack
        } else {
            let slack = Swift.max(16, old.capacity / 2)
            lower = old.firstBin
            end = old.firstBin + old.capacity
            if bins.lowerBound < lower { lower = Swift.min(bins.lowerBound, lower - slack) }
            if bins.upperBound >= end { end = Swift.max(bins.upperBound + 1, end + slack) }
        }
        let capacity = end - lower
        if old.start >= 0 && lower == old.firstBin && old.start + old.capacity == arenaUsed
            && arenaUsed + (capacity - old.capacity) <= arenaCapacity {
            // The last block grows upward in place.
            (arena + arenaUsed).initialize(repeating: 0, count: capacity - old.capacity)
            arenaUsed += capacity - old.capacity
            arena[old.start - Self.header + 1] = UInt32(capacity)
            windows[w].capacity = capacity
            return
        }
        // A new block (which may move the old one while reclaiming space), the old counts
        // copied to their bins' places, the old block freed.
        let start = allocateBlock(owner: w, capacity: capacity)
        let moved = windows[w]
        if moved.start >= 0 {
            let shift = moved.firstBin - lower
            (arena + start + shift).update(from: arena + moved.start, count: moved.capacity)
            arena[moved.start - Self.header] = Self.vacant
        }
        windows[w].firstBin = lower
        windows[w].countedStart = start + (moved.countedStart - moved.start) + (moved.firstBin - lower)
        windows[w].start = start
        windows[w].capacity = capacity
    }

    /// A zeroed block of `capacity` counts owned by window `w`: where its counts start.
    private mutating func allocateBlock(owner w: Int, capacity: Int) -> Int {
        let needed = Self.header + capacity
        if arenaUsed + needed > arenaCapacity {
            reclaim()
            if arenaUsed + needed > arenaCapacity - arenaCapacity / 4 {
                grow(to: Swift.max(2 * arenaCapacity, 2 * (arenaUsed + needed)))
            }
        }
        let block = arenaUsed
        arena[block] = UInt32(w)
        arena[block + 1] = UInt32(capacity)
        (arena + block + Self.header).initialize(repeating: 0, count: capacity)
        arenaUsed += needed
        return block + Self.header
    }

    /// Moves every live block down over the freed ones, in order, and updates its window.
    private mutating func reclaim() {
        var read = 0, write = 0
        while read < arenaUsed {
            let owner = arena[read], size = Self.header + Int(arena[read + 1])
            if owner != Self.vacant {
                if write != read {
                    UnsafeMutableRawPointer(arena + write).copyMemory(from: arena + read, byteCount: size * MemoryLayout<UInt32>.stride)
                    let shift = read - write
                    windows[Int(owner)].start -= shift
                    windows[Int(owner)].countedStart -= shift
                }
                write += size
            }
            read += size
        }
        arenaUsed = write
    }

    /// Reallocates the arena with `capacity` words, keeping its contents.
    private mutating func grow(to capacity: Int) {
        arena = Self.resized(arena, to: capacity)
        arenaCapacity = capacity
        arenaAllocations += 1
    }

    /// `realloc`: a large arena is remapped, not copied, and its pages are not touched again.
    fileprivate static func resized(_ arena: UnsafeMutablePointer<UInt32>?, to capacity: Int) -> UnsafeMutablePointer<UInt32> {
        guard let memory = realloc(arena, capacity * MemoryLayout<UInt32>.stride) else {
            fatalError("out of memory: a summary's quantile sketches need \(capacity * MemoryLayout<UInt32>.stride) bytes")
        }
        return memory.bindMemory(to: UInt32.self, capacity: capacity)
    }
}

/// The arenas of finished sketch tables, kept for the tables of later runs in this process
/// (`shared`: at most 8, 256 MiB in all; the largest first). A run's workers then count into
/// memory an earlier run already touched rather than into fresh pages that the system maps in
/// one by one: those cost a 4,096-member run of the example model about 13 ms of its 54, and
/// the planning page, comparisons, plans and benchmarks run many ensembles in one process.
final class SpareArenas: Sendable {
    struct Arena: @unchecked Sendable {
        let memory: UnsafeMutablePointer<UInt32>
        /// In words.
        let capacity: Int
    }

    static let shared = SpareArenas(mostArenas: 8, mostWords: 64 << 20)

    private let kept = Locked<[Arena]>([])
    let mostArenas: Int
    let mostWords: Int

    init(mostArenas: Int, mostWords: Int) {
        self.mostArenas = mostArenas
        self.mostWords = mostWords
    }

    /// The largest kept arena, no longer kept.
    func take() -> Arena? {
        kept.withLock { arenas in arenas.isEmpty ? nil : arenas.removeFirst() }
    }

    /// Keeps `arena` for a later table; frees what is beyond the limits, smallest first.
    func keep(_ arena: Arena) {
        let freed: [Arena] = kept.withLock { arenas in
            var candidates = arenas + [arena]
            candidates.sort { $0.capacity > $1.capacity }
            arenas.removeAll()
            var words = 0, freed: [Arena] = []
            for candidate in candidates {
                if arenas.count < mostArenas && words + candidate.capacity <= mostWords {
                    arenas.append(candidate)
                    words += candidate.capacity
                } else {
                    freed.append(candidate)
                }
            }
            return freed
        }
        for arena in freed { free(arena.memory) }
    }

    /// The kept arenas' capacities, largest first.
    var capacities: [Int] { kept.withLock { $0.map(\.capacity) } }
}
