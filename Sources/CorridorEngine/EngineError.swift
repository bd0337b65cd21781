/// What went wrong while running a model: a number that is not finite appeared.
public struct EngineError: Error, Equatable, CustomStringConvertible {
    public var flow: String
    public var group: String
    /// What was not finite, e.g. "rate", "capacity", "weight of destination court".
    public var quantity: String
    public var step: Int
    public var month: Month
    public var member: Int
    public var value: Double

    public var description: String {
        "flow '\(flow)', group \(group): its \(quantity) is \(value) at step \(step) (\(month)), member \(member). "
            + "Rates, capacities, weights and inflows must be finite numbers: look for a division by zero "
            + "or an overflowing exp() in that flow's expressions or the parameters they use."
    }
}

/// A run that would need more memory than the machine has: refused before anything is allocated.
public struct MemoryLimitError: Error, Equatable, CustomStringConvertible {
    /// What would be kept, e.g. "every member's trajectory".
    public var what: String
    /// Bytes the run would allocate, and the most it may (three quarters of physical memory).
    public var needed: Double
    public var available: Double

    public var description: String {
        "keeping \(what) needs about \(gigabytes(needed)) GB, more than the \(gigabytes(available)) GB a run may use here "
            + "(three quarters of this machine's memory); run fewer members or a shorter horizon, or keep less "
            + "(summaries of an ensemble need no memory per member)"
    }

    private func gigabytes(_ bytes: Double) -> String { "\((bytes / 1e8).rounded() / 10)" }
}

/// A run stopped because its caller cancelled it (`RunCancellation`): nothing is returned.
public struct RunCancelledError: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "the run was cancelled" }
}
