/// Read access to a tile's state during one step, handed to observers.
public struct TileView {
    /// Index of the tile's first member in the ensemble.
    public let firstMember: Int
    /// Members in this tile (lanes in use).
    public let count: Int
    let lanes: Int
    let registers: UnsafeMutablePointer<Double>
    let amounts: UnsafeMutablePointer<Double>
    let shares: UnsafeMutablePointer<Double>
    let plan: ExecutionPlan

    /// Stocks of slot `compartment * groups + group` at the start of the step (people).
    public func stock(slot: Int) -> UnsafePointer<Double> { UnsafePointer(registers + slot * lanes) }
    /// People moved by flow `flow` for group `group` during the step, all destinations.
    public func flowAmount(flow: Int, group: Int) -> UnsafePointer<Double> {
        UnsafePointer(amounts + (flow * plan.groupCount + group) * lanes)
    }
    /// Share of flow `flow` (group `group`) going to its destination number `destination`,
    /// or nil when the flow has a single destination (share 1).
    public func share(flow: Int, destination: Int, group: Int) -> UnsafePointer<Double>? {
        guard let offset = plan.shareOffsets[flow] else { return nil }
        return UnsafePointer(shares + (offset + destination * plan.groupCount + group) * lanes)
    }
    /// Value of named output `output` in the step.
    public func output(_ output: Int) -> UnsafePointer<Double> {
        UnsafePointer(registers + Int(plan.outputRegisters[output]) * lanes)
    }
}

/// Receives a tile's state step by step.
protocol TileObserver {
    /// Called for steps 0 ..< horizon, after the step's flows are known and before they apply.
    mutating func observeStep(_ step: Int, _ view: TileView)
    /// Called once with the end state (step `horizon`); only stocks are meaningful.
    mutating func observeEnd(_ step: Int, _ view: TileView)
}
