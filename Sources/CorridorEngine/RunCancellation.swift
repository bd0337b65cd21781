import Synchronization

/// A switch that stops runs early: every `Ensemble.run` made while it is bound
/// (`RunCancellation.$current.withValue(token) { … }`, on the thread that starts the runs)
/// checks it before each tile and throws `RunCancelledError` once it is set. A comparison
/// or a plan, which make several runs, stop at the next tile of whichever run is going.
public final class RunCancellation: Sendable {
    /// The switch the runs started here obey (none: runs are not cancellable).
    @TaskLocal public static var current: RunCancellation?

    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Stops the runs: tiles already started finish, no other starts.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
