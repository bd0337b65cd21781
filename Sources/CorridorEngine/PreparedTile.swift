/// One tile of members prepared to run: its plan and buffers are built once, and `run`
/// takes the tile through every step without allocating (benchmarks check this).
public final class PreparedTile {
    let runner: TileRunner
    public let lanes: Int
    private var observer = RunObserver()

    /// A tile of `lanes` members of `model`; members draw their uncertain parameters when `draws`.
    public init(model: EngineModel, lanes: Int, seed: UInt64 = 0, draws: Bool = true) {
        self.lanes = lanes
        runner = TileRunner(plan: ExecutionPlan(model: model, seed: seed, drawsEnabled: draws), lanes: lanes)
    }

    /// Runs members `firstMember ..< firstMember + lanes` over the model's horizon.
    public func run(firstMember: Int = 0) throws {
        try runner.run(first: firstMember, count: lanes, observer: &observer)
    }

    /// A stock of the tile's first member after `run`: keeps the work observable.
    public func firstMemberStock(slot: Int) -> Double { runner.registers[slot * runner.lanes] }
}
