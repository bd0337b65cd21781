/// One recorded quantity of a run, as named in summaries: `stock:court:SLV`,
/// `flow:completions:SLV` (people moved in the month, all destinations) or `output:backlog`.
public enum SeriesKind: Sendable, Equatable {
    case stock(slot: Int)
    case flow(flow: Int, group: Int)
    case output(Int)
}

/// The recorded series of a model, in summary order: stocks by compartment then group,
/// flows by flow then group, then the named outputs.
public struct SeriesCatalog: Sendable {
    public let kinds: [SeriesKind]
    public let names: [String]

    /// The series to summarize: every stock, flow and output, or the named outputs alone
    /// (much cheaper for large ensembles: summaries cost per series and member).
    public enum Scope: String, Sendable, CaseIterable {
        case all, outputs
    }

    public init(model: EngineModel, scope: Scope = .all) {
        var kinds: [SeriesKind] = []
        var names: [String] = []
        for (c, compartment) in model.compartmentNames.enumerated() {
            for (g, group) in model.groupNames.enumerated() {
                kinds.append(.stock(slot: c * model.groupCount + g))
                names.append("stock:\(compartment):\(group)")
            }
        }
        for (f, flow) in model.flows.enumerated() {
            for (g, group) in model.groupNames.enumerated() {
                kinds.append(.flow(flow: f, group: g))
                names.append("flow:\(flow.name):\(group)")
            }
        }
        if scope == .outputs {
            kinds.removeAll()
            names.removeAll()
        }
        for (o, output) in model.outputNames.enumerated() {
            kinds.append(.output(o))
            names.append("output:\(output)")
        }
        self.kinds = kinds
        self.names = names
    }

    public var count: Int { kinds.count }

    /// Whether the series has a value at `step` of a run over `horizon` steps: stocks at
    /// 0…horizon, flows and outputs at 0…horizon-1.
    public func isRecorded(_ series: Int, step: Int, horizon: Int) -> Bool {
        if case .stock = kinds[series] { return step <= horizon }
        return step < horizon
    }

    func values(_ series: Int, in view: TileView) -> UnsafePointer<Double> {
        Self.values(of: kinds[series], in: view)
    }

    static func values(of kind: SeriesKind, in view: TileView) -> UnsafePointer<Double> {
        switch kind {
        case let .stock(slot): return view.stock(slot: slot)
        case let .flow(flow, group): return view.flowAmount(flow: flow, group: group)
        case let .output(index): return view.output(index)
        }
    }
}
