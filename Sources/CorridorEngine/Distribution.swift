/// Processes that share the members of every ensemble: the ranks of an MPI job (the
/// `CorridorMPI` target, built with the `MPI` trait). Each process runs a contiguous share
/// of the tiles; their partial results travel up a tree in member order and are combined
/// exactly (tree sums, integer sketch counts, minima and maxima), so results are the same
/// bits as one process running every member. Every process then holds the whole result,
/// so analyses that decide what to run next (plan, calibrate) take the same path on all.
public protocol MemberDistribution: Sendable {
    /// This process's number, 0..<processes. Process 0 alone writes files.
    var rank: Int { get }
    var processes: Int { get }
    /// Sends `bytes` to process `rank`, which receives them with `receive(from:)`.
    func send(_ bytes: [UInt8], to rank: Int) throws
    func receive(from rank: Int) throws -> [UInt8]
    /// Process 0's `bytes`, returned on every process.
    func broadcast(_ bytes: [UInt8]?) throws -> [UInt8]
    /// Told how long each merge of `reduce` took (decoding both, merging, encoding), in
    /// seconds; the default ignores it.
    func noteMerge(seconds: Double)
}

extension MemberDistribution {
    public func noteMerge(seconds: Double) {}

    /// Combines every process's `local` message in rank order along a binomial tree: at
    /// round k, process r (a multiple of 2^(k+1)) merges what process r + 2^k holds, which
    /// covers the ranks after its own. Process 0 returns the whole, the others nil. Depth
    /// ⌈log₂ processes⌉; each process sends once.
    func reduce(_ local: [UInt8], merge: ([UInt8], [UInt8]) -> [UInt8]) throws -> [UInt8]? {
        var held = local
        var span = 1
        while span < processes {
            if rank % (2 * span) != 0 {
                try send(held, to: rank - span)
                return nil
            }
            if rank + span < processes {
                let upper = try receive(from: rank + span)
                let start = ContinuousClock.now
                held = merge(held, upper)
                let elapsed = (ContinuousClock.now - start).components
                noteMerge(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
            }
            span *= 2
        }
        return held
    }
}

/// A run that failed in another process of the job, for a reason other than the model's
/// numbers (those come back as the `EngineError` a single process would have thrown).
public struct DistributedRunError: Error, CustomStringConvertible {
    public var rank: Int
    public var processes: Int
    public var message: String
    public var description: String { "process \(rank) of \(processes) failed: \(message)" }
}

extension Ensemble {
    private static let sharedDistribution = Locked<(any MemberDistribution)?>(nil)

    /// The processes every ensemble of more than one member is spread over; nil (the
    /// default) runs every member in this process. Set once, at start-up.
    public static var distribution: (any MemberDistribution)? {
        get { sharedDistribution.withLock { $0 } }
        set { sharedDistribution.withLock { $0 = newValue } }
    }

    /// Tiles `rank` runs: a contiguous share, as even as whole tiles allow.
    static func tiles(of rank: Int, among processes: Int, tileCount: Int) -> Range<Int> {
        (rank * tileCount / processes)..<((rank + 1) * tileCount / processes)
    }
}

/// What one process (or, after merging, several neighbouring ones) produced for a
/// contiguous range of members: the summary state, the slices of per-member stores, and
/// the first failure in member order.
struct EnsemblePartial {
    enum Failure {
        /// The model's numbers (the same error one process would throw).
        case engine(EngineError)
        case other(rank: Int, message: String)
    }

    var members: Range<Int>
    var failure: Failure?
    var summary: SummaryState?
    /// Stocks, flows and outputs of the members, member-major, when trajectories are kept.
    var trajectories: [[Double]]
    var recorded: [Double]

    /// Adds the partial of the members that follow. After a failure nothing later matters.
    mutating func append(_ later: EnsemblePartial) throws {
        guard failure == nil else { return }
        if let laterFailure = later.failure {
            failure = laterFailure
            return
        }
        guard later.members.lowerBound == members.upperBound, (summary == nil) == (later.summary == nil),
              later.trajectories.count == trajectories.count else { throw ByteReader.Malformed() }
        members = members.lowerBound..<later.members.upperBound
        if let laterSummary = later.summary { summary?.append(laterSummary) }
        for k in trajectories.indices { trajectories[k] += later.trajectories[k] }
        recorded += later.recorded
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.int(members.lowerBound)
        writer.int(members.upperBound)
        switch failure {
        case nil: writer.int(0)
        case let .engine(error)?:
            writer.int(1)
            for text in [error.flow, error.group, error.quantity] { writer.string(text) }
            for number in [error.step, error.month.index, error.member] { writer.int(number) }
            writer.double(error.value)
        case let .other(rank, message)?:
            writer.int(2)
            writer.int(rank)
            writer.string(message)
        }
        writer.int(summary == nil ? 0 : 1)
        if let summary {
            writer.int(summary.sums.pending.count)
            for entry in summary.sums.pending {
                writer.int(entry.node.level)
                writer.int(entry.node.index)
                writer.array(entry.payload)
            }
            writer.array(summary.minimum)
            writer.array(summary.maximum)
            for sketch in summary.sketches { sketch.encode(into: &writer) }
        }
        writer.int(trajectories.count)
        for store in trajectories { writer.array(store) }
        writer.array(recorded)
        return writer.bytes
    }

    init(members: Range<Int>, failure: Failure?, summary: SummaryState?, trajectories: [[Double]], recorded: [Double]) {
        self.members = members
        self.failure = failure
        self.summary = summary
        self.trajectories = trajectories
        self.recorded = recorded
    }

    init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        let lower = try reader.int(), upper = try reader.int()
        guard lower <= upper else { throw ByteReader.Malformed() }
        members = lower..<upper
        switch try reader.int() {
        case 0: failure = nil
        case 1:
            let flow = try reader.string(), group = try reader.string(), quantity = try reader.string()
            let step = try reader.int(), month = Month(index: try reader.int()), member = try reader.int()
            failure = .engine(EngineError(flow: flow, group: group, quantity: quantity, step: step, month: month,
                                          member: member, value: try reader.double()))
        case 2: failure = .other(rank: try reader.int(), message: try reader.string())
        default: throw ByteReader.Malformed()
        }
        if try reader.int() == 1 {
            var sums = MemberTreeSums()
            for _ in 0..<(try reader.count()) {
                let node = TreeNode(level: try reader.int(), index: try reader.int())
                sums.push(node, try reader.array(Double.self))
            }
            let minimum = try reader.array(Double.self), maximum = try reader.array(Double.self)
            guard minimum.count == maximum.count else { throw ByteReader.Malformed() }
            let sketches = try (0..<minimum.count).map { _ in try QuantileSketch(decoding: &reader) }
            summary = SummaryState(sums: sums, minimum: minimum, maximum: maximum, sketches: sketches)
        }
        trajectories = try (0..<(try reader.count())).map { _ in try reader.array(Double.self) }
        recorded = try reader.array(Double.self)
        guard reader.isAtEnd else { throw ByteReader.Malformed() }
    }
}
