/// One tile of members prepared to run: its plan and buffers are built once, and `run`
/// takes the tile through every step without allocating (benchmarks check this). With
/// `summarizedTiles`, runs also stream the tile into the summary of every series, as a worker
/// of `Ensemble.run` does: once the summary's sketches hold their cells' ranges, that too
/// allocates nothing.
public final class PreparedTile {
    let runner: TileRunner
    public let lanes: Int
    private var observer = RunObserver()

    /// A tile of `lanes` members of `model`; members draw their uncertain parameters when
    /// `draws`. With `summarizedTiles` > 0, the runs of members `0 ..< summarizedTiles × lanes`,
    /// tile after tile, are summarized (any other run is a programming error).
    public init(model: EngineModel, lanes: Int, seed: UInt64 = 0, draws: Bool = true, summarizedTiles: Int = 0) throws {
        self.lanes = lanes
        runner = TileRunner(plan: ExecutionPlan(model: model, seed: seed, drawsEnabled: draws), lanes: lanes)
        if summarizedTiles > 0 {
            observer.summary = SummaryWorker(catalog: SeriesCatalog(model: model, scope: .all), horizon: model.horizon,
                                             reference: try Ensemble.referenceValues(model, scope: .all), lanes: lanes,
                                             members: 0..<summarizedTiles * lanes)
        }
    }

    /// Runs members `firstMember ..< firstMember + lanes` over the model's horizon.
    public func run(firstMember: Int = 0) throws {
        observer.summary?.beginTile(first: firstMember, count: lanes)
        try runner.run(first: firstMember, count: lanes, observer: &observer)
        observer.summary?.endTile()
    }

    /// A stock of the tile's first member after `run`: keeps the work observable.
    public func firstMemberStock(slot: Int) -> Double { runner.registers[slot * runner.lanes] }
}
