import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How the members of an ensemble differ from one another: the one place that says it.
public enum MemberVariation: Sendable {
    /// By their draws of the uncertain parameters (none when there is one member).
    case draws
    /// Not by draws: member m multiplies parameters by its own factors (`MemberAdjustment`),
    /// how calibration runs a Jacobian's perturbed values side by side.
    case factors([MemberAdjustment])
    /// By candidate values of parameters from a step on (`MemberOverride`), in blocks of
    /// `block` members: member j of every block has member j's draws (common random
    /// numbers across a plan's candidates), when `draws` is true.
    case candidates([MemberOverride], block: Int, draws: Bool)
}

/// How to run an ensemble.
public struct RunOptions: Sendable {
    /// Ensemble size; 1 is a deterministic run with no draws.
    public var members: Int
    /// Seed of the counter-based random streams.
    public var seed: UInt64
    /// Worker threads (at most one per tile).
    public var threads: Int
    /// The most members run together through all steps (a tile); nil takes
    /// `defaultTileSize`. Smaller ensembles get smaller tiles (`Ensemble.lanes`), so that
    /// every thread has work; results do not depend on it.
    public var tileSize: Int?
    /// Keep every member's full trajectory (memory: members × steps × state).
    public var keepTrajectories: Bool
    /// Stream mean, sd and quantiles of every series (ensembles only).
    public var summarize: Bool
    /// Which series the summaries cover.
    public var summaryScope: SeriesCatalog.Scope
    /// Series to keep for every member and step (cheaper than whole trajectories).
    public var record: [SeriesKind]
    /// How members differ.
    public var variation: MemberVariation
    /// Whether the engine reuses work (`TileRunner.reusesWork`): members that agree computed
    /// once, work whose inputs have not changed since the last step not redone. Off only in
    /// tests, which compare the plain paths with it.
    var reusesWork = true

    public init(members: Int = 1, seed: UInt64 = 0, threads: Int = 1, tileSize: Int? = nil,
                keepTrajectories: Bool = false, summarize: Bool = true, summaryScope: SeriesCatalog.Scope = .all,
                record: [SeriesKind] = [], variation: MemberVariation = .draws) {
        self.members = members
        self.seed = seed
        self.threads = threads
        self.tileSize = tileSize
        self.keepTrajectories = keepTrajectories
        self.summarize = summarize
        self.summaryScope = summaryScope
        self.record = record
        self.variation = variation
    }

    /// Members per tile when `tileSize` is nil: 1,024 (the summaries stream each cell's counts
    /// once per tile, so larger tiles cost less per value; with outputs only, 1,024 measured
    /// as fast as 256 or faster). Measured side by side: Docs/engine.md, "Tiles".
    public var defaultTileSize: Int { 1024 }

    /// Whether members draw their uncertain parameters.
    var draws: Bool {
        switch variation {
        case .draws: members > 1
        case .factors: false
        case let .candidates(_, _, draws): draws
        }
    }

    var adjustments: [MemberAdjustment] {
        if case let .factors(adjustments) = variation { return adjustments }
        return []
    }

    var overrides: [MemberOverride] {
        if case let .candidates(overrides, _, _) = variation { return overrides }
        return []
    }

    /// When set, member m draws as member `m % drawBlock`.
    var drawBlock: Int? {
        if case let .candidates(_, block, _) = variation { return block }
        return nil
    }
}

/// The result of running an ensemble.
public struct EnsembleResult: Sendable {
    public let model: EngineModel
    public let members: Int
    /// Every member's trajectory, when kept; under a distribution, on process 0 only
    /// (the one that writes them: the others would receive every member's state for nothing).
    public let trajectories: Trajectories?
    /// Streaming statistics, for ensembles of more than one member when asked.
    public let summary: EnsembleSummary?
    /// The series of `RunOptions.record` for every member and step.
    public let recorded: RecordedSeries?
}

/// Runs ensembles of a compiled model.
public enum Ensemble {
    /// Refuses a run whose per-member results (trajectories, recorded series) would not fit
    /// in three quarters of physical memory; summaries do not grow with members.
    static func checkMemory(_ model: EngineModel, options: RunOptions) throws {
        let members = Double(options.members), steps = Double(model.horizon)
        let flowEntries = model.flows.reduce(0) { $0 + $1.destinations.count } * model.groupCount
        let perMemberValues = options.keepTrajectories || options.members == 1
            ? (steps + 1) * Double(model.stockCount) + steps * Double(flowEntries + model.outputNames.count) : 0
        let recordedValues = (steps + 1) * Double(options.record.count)
        let needed = members * 8 * (perMemberValues + recordedValues)
        let available = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE))) * 0.75
        guard needed <= available else {
            let what = perMemberValues > 0 ? "every member's trajectory (\(options.members) members × \(model.horizon) months)"
                : "\(options.record.count) series of every member (\(options.members) members × \(model.horizon) months)"
            throw MemoryLimitError(what: what, needed: needed, available: available)
        }
    }

    /// Runs `options.members` members over `model.horizon` steps. Members are split into
    /// tiles; contiguous runs of tiles go to worker threads. Results are bit-identical
    /// for any thread count and tile size, and for any number of processes sharing the
    /// members (`distribution`). `progress` receives members completed so far. A run
    /// started while a `RunCancellation` is bound stops with `RunCancelledError` once it is set.
    public static func run(
        _ model: EngineModel, options: RunOptions, progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> EnsembleResult {
        try run(model, options: options, distribution: options.members > 1 ? distribution : nil, progress: progress)
    }

    static func run(
        _ model: EngineModel, options: RunOptions, distribution: (any MemberDistribution)?, progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> EnsembleResult {
        precondition(options.members >= 1 && options.threads >= 1 && (options.tileSize ?? 1) >= 1)
        try checkMemory(model, options: options)
        let summarize = options.summarize && options.members > 1
        let trajectories = options.keepTrajectories || options.members == 1
            ? Trajectories(model: model, members: options.members) : nil
        var reference: [Double] = []
        if summarize {
            reference = try referenceValues(model, scope: options.summaryScope)
        }
        let plan = ExecutionPlan(model: model, seed: options.seed, drawsEnabled: options.draws,
                                 adjustments: options.adjustments, overrides: options.overrides,
                                 members: options.members, drawBlock: options.drawBlock)
        let catalog = SeriesCatalog(model: model, scope: options.summaryScope)
        let recorded = options.record.isEmpty ? nil : RecordedSeries(kinds: options.record, members: options.members, horizon: model.horizon)
        let lanes = Self.lanes(options, processes: distribution?.processes ?? 1)
        let tileCount = (options.members + lanes - 1) / lanes
        let share = distribution.map { tiles(of: $0.rank, among: $0.processes, tileCount: tileCount) } ?? 0..<tileCount
        let workerCount = Swift.min(options.threads, share.count)
        // Each worker's summary and failure in a slot of its own: written by that worker alone,
        // read once every worker has finished (concurrentPerform returns), so no lock is needed.
        nonisolated(unsafe) let outcomes = UnsafeMutableBufferPointer<WorkerOutcome>.allocate(capacity: workerCount)
        outcomes.initialize(repeating: WorkerOutcome())
        defer {
            outcomes.deinitialize()
            outcomes.deallocate()
        }
        // The earliest tile that failed so far: a worker stops before any later tile, as one
        // thread running the tiles in order would.
        let earliestFailedTile = Atomic<Int>(Int.max)
        let completed = Atomic<Int>(0)
        let members = options.members
        // Progress under a distribution: this process's share, scaled to the whole.
        let progressScale = distribution?.processes ?? 1
        let sendableReference = reference
        let cancellation = RunCancellation.current

        DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
            let runner = TileRunner(plan: plan, lanes: lanes, reusesWork: options.reusesWork)
            let firstTile = share.lowerBound + worker * share.count / workerCount
            let endTile = share.lowerBound + (worker + 1) * share.count / workerCount
            let workerMembers = firstTile * lanes..<Swift.min(endTile * lanes, members)
            var observer = RunObserver(
                trajectories: trajectories.map { TrajectoryRecorder(store: $0) },
                summary: summarize ? SummaryWorker(catalog: catalog, horizon: model.horizon, reference: sendableReference,
                                                   lanes: lanes, members: workerMembers) : nil,
                recorded: recorded)
            var failure: (tile: Int, error: any Error)? = nil
            for tile in firstTile..<endTile {
                if earliestFailedTile.load(ordering: .relaxed) < tile { break }
                if cancellation?.isCancelled == true {
                    failure = (tile, RunCancelledError())
                    break
                }
                let first = tile * lanes
                let count = Swift.min(lanes, members - first)
                do {
                    observer.summary?.beginTile(first: first, count: count)
                    try runner.run(first: first, count: count, observer: &observer)
                    observer.summary?.endTile()
                } catch {
                    failure = (tile, error)
                    break
                }
                let done = completed.add(count, ordering: .relaxed).newValue
                progress?(Swift.min(members, done * progressScale))
            }
            if let failure { earliestFailedTile.min(failure.tile, ordering: .relaxed) }
            outcomes[worker] = WorkerOutcome(summary: observer.summary, failure: failure)
        }
        // Each worker runs its tiles in order and stops at its first failure, so the earliest
        // failed tile of the run is the earliest of the workers'.
        let localFailure = outcomes.compactMap(\.failure).min { $0.tile < $1.tile }
        var keptTrajectories = trajectories
        var summaryState: SummaryState? = nil
        if summarize {
            let workers = outcomes.compactMap(\.summary)
            var state = workers.first?.state() ?? SummaryState(cellCount: (model.horizon + 1) * catalog.count)
            for worker in workers.dropFirst() { state.append(worker.state()) }
            summaryState = state
        }
        if let distribution {
            let own = Swift.min(members, share.lowerBound * lanes)..<Swift.min(members, share.upperBound * lanes)
            let partial = EnsemblePartial(
                members: own,
                failure: localFailure.map { failed in
                    (failed.error as? EngineError).map { .engine($0) } ?? .other(rank: distribution.rank, message: "\(failed.error)")
                },
                summary: summaryState, trajectories: trajectories?.slices(members: own) ?? [],
                recorded: recorded?.slice(members: own) ?? [])
            let whole = try combine(partial, over: distribution)
            switch whole.failure {
            case let .engine(error)?: throw error
            case let .other(rank, message)?: throw DistributedRunError(rank: rank, processes: distribution.processes, message: message)
            case nil: break
            }
            if distribution.rank == 0 {
                try trajectories?.fill(members: whole.members, from: whole.trajectories)
            } else {
                keptTrajectories = nil
            }
            try recorded?.fill(members: whole.members, from: whole.recorded)
            summaryState = whole.summary
        } else if let failed = localFailure {
            throw failed.error
        }
        let summary = summaryState?.finish(catalog: catalog, horizon: model.horizon, reference: reference, members: members)
        return EnsembleResult(model: model, members: members, trajectories: keptTrajectories, summary: summary, recorded: recorded)
    }

    /// Members per tile: `tileSize` (or `defaultTileSize`), or less when the ensemble is
    /// small — the largest power of two at most its share per thread and process, so that
    /// every thread has tiles and a tile is one aligned block of the summaries' member tree
    /// (their fast path).
    static func lanes(_ options: RunOptions, processes: Int) -> Int {
        let share = (options.members + options.threads * processes - 1) / (options.threads * processes)
        var powerOfTwo = 1
        while powerOfTwo * 2 <= share { powerOfTwo *= 2 }
        return Swift.min(options.tileSize ?? options.defaultTileSize, options.members, powerOfTwo)
    }

    /// Every process's partial, merged in member order up a tree over the ranks; process 0
    /// sends the whole back to all of them but for the trajectories, which it alone keeps. A
    /// merge that fails becomes the failure carried on, so every process still takes part
    /// in every exchange (none is left waiting).
    static func combine(_ partial: EnsemblePartial, over distribution: any MemberDistribution) throws -> EnsemblePartial {
        let merged = try distribution.reduce(partial.encoded()) { lower, upper in
            do {
                var combined = try EnsemblePartial(decoding: lower)
                try combined.append(EnsemblePartial(decoding: upper))
                return combined.encoded()
            } catch {
                return EnsemblePartial(members: 0..<0, failure: .other(rank: distribution.rank, message: "\(error)"),
                                       summary: nil, trajectories: [], recorded: []).encoded()
            }
        }
        let whole = try merged.map(EnsemblePartial.init(decoding:))
        // The merged bytes go out as they are unless trajectories must be left out.
        var shared = merged
        if var withoutTrajectories = whole, !withoutTrajectories.trajectories.isEmpty {
            withoutTrajectories.trajectories = []
            shared = withoutTrajectories.encoded()
        }
        let received = try EnsemblePartial(decoding: distribution.broadcast(shared))
        return whole ?? received
    }

    /// The draw of every uncertain parameter for every member: the factor it multiplies
    /// by (lognormal, uniform) or the number it adds before clamping (normal), with the
    /// parameter's index and name and the group it is drawn for (nil: shared by all groups).
    public static func draws(_ model: EngineModel, seed: UInt64, members: Int, drawBlock: Int? = nil)
        -> [(parameter: Int, label: String, group: Int?, values: [Double])] {
        var result: [(Int, String, Int?, [Double])] = []
        for (index, parameter) in model.parameters.enumerated() {
            guard let uncertainty = parameter.uncertainty else { continue }
            let groups: [Int?] = uncertainty.perGroup ? Array(0..<model.groupCount) : [nil]
            for group in groups {
                let label = group.map { "\(parameter.name)\u{0}\(model.groupNames[$0])" } ?? parameter.name
                let stream = RandomStream(seed: seed, label: label)
                let values = (0..<members).map { member in
                    TileRunner.draw(uncertainty.distribution, stream: stream, member: drawBlock.map { member % $0 } ?? member)
                }
                result.append((index, group.map { "\(parameter.name)[\(model.groupNames[$0])]" } ?? parameter.name, group, values))
            }
        }
        return result.map { (parameter: $0.0, label: $0.1, group: $0.2, values: $0.3) }
    }

    /// The deterministic run's value of every summary cell (0 where it is not finite).
    static func referenceValues(_ model: EngineModel, scope: SeriesCatalog.Scope) throws -> [Double] {
        let plan = ExecutionPlan(model: model, seed: 0, drawsEnabled: false)
        var recorder = ReferenceRecorder(catalog: SeriesCatalog(model: model, scope: scope), horizon: model.horizon)
        try TileRunner(plan: plan, lanes: 1).run(first: 0, count: 1, observer: &recorder)
        return recorder.values
    }
}

/// Records lane 0 of every series: the deterministic run that summaries centre on.
struct ReferenceRecorder: TileObserver {
    let catalog: SeriesCatalog
    let horizon: Int
    var values: [Double]

    init(catalog: SeriesCatalog, horizon: Int) {
        self.catalog = catalog
        self.horizon = horizon
        values = Array(repeating: 0, count: (horizon + 1) * catalog.count)
    }

    mutating func observeStep(_ step: Int, _ view: TileView) {
        for series in 0..<catalog.count where catalog.isRecorded(series, step: step, horizon: horizon) {
            let value = catalog.values(series, in: view)[0]
            values[step * catalog.count + series] = value.isFinite ? value : 0
        }
    }

    mutating func observeEnd(_ step: Int, _ view: TileView) { observeStep(step, view) }
}

/// What one worker of a run leaves: its summary, and the tile where it stopped on an error.
struct WorkerOutcome {
    var summary: SummaryWorker?
    var failure: (tile: Int, error: any Error)?
}

/// What a worker hands each tile to: whole trajectories, the streaming summary and
/// selected series, each when asked for.
struct RunObserver: TileObserver {
    var trajectories: TrajectoryRecorder?
    var summary: SummaryWorker?
    var recorded: RecordedSeries?

    init(trajectories: TrajectoryRecorder? = nil, summary: SummaryWorker? = nil, recorded: RecordedSeries? = nil) {
        self.trajectories = trajectories
        self.summary = summary
        self.recorded = recorded
    }

    mutating func observeStep(_ step: Int, _ view: TileView) {
        trajectories?.observeStep(step, view)
        summary?.observeStep(step, view)
        recorded?.record(step: step, view: view, includeFlows: true)
    }

    mutating func observeEnd(_ step: Int, _ view: TileView) {
        trajectories?.observeEnd(step, view)
        summary?.observeEnd(step, view)
        recorded?.record(step: step, view: view, includeFlows: false)
    }
}
