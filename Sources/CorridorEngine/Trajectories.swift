/// Every member's full trajectory, kept only when asked for (per-member files, a
/// deterministic run): members × steps × state.
public final class Trajectories: @unchecked Sendable {
    public let members: Int
    public let horizon: Int
    public let stockCount: Int
    /// Flow entries per step: one per flow, group and destination, in that order.
    public let flowEntries: [(flow: Int, group: Int, destination: Int)]
    public let outputCount: Int
    let stocks: UnsafeMutablePointer<Double>
    let flows: UnsafeMutablePointer<Double>
    let outputs: UnsafeMutablePointer<Double>

    init(model: EngineModel, members: Int) {
        self.members = members
        horizon = model.horizon
        stockCount = model.stockCount
        var entries: [(Int, Int, Int)] = []
        for (f, flow) in model.flows.enumerated() {
            for g in 0..<model.groupCount {
                for d in flow.destinations.indices { entries.append((f, g, d)) }
            }
        }
        flowEntries = entries
        outputCount = model.outputNames.count
        func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, count))
            pointer.initialize(repeating: 0, count: max(1, count))
            return pointer
        }
        stocks = allocate(members * (horizon + 1) * stockCount)
        flows = allocate(members * horizon * entries.count)
        outputs = allocate(members * horizon * outputCount)
    }

    deinit {
        stocks.deallocate()
        flows.deallocate()
        outputs.deallocate()
    }

    /// The three stores (stocks, flows, outputs) and the values each holds per member.
    private var stores: [(values: UnsafeMutablePointer<Double>, perMember: Int)] {
        [(stocks, (horizon + 1) * stockCount), (flows, horizon * flowEntries.count), (outputs, horizon * outputCount)]
    }

    /// The values of `members` in each store, for a message to another process.
    func slices(members: Range<Int>) -> [[Double]] {
        stores.map { Array(UnsafeBufferPointer(start: $0.values + members.lowerBound * $0.perMember, count: members.count * $0.perMember)) }
    }

    /// Sets the values of `members` in each store from `slices`.
    func fill(members: Range<Int>, from slices: [[Double]]) throws {
        guard slices.count == stores.count else { throw ByteReader.Malformed() }
        for (store, slice) in zip(stores, slices) {
            guard slice.count == members.count * store.perMember else { throw ByteReader.Malformed() }
            if !slice.isEmpty { slice.withUnsafeBufferPointer { (store.values + members.lowerBound * store.perMember).update(from: $0.baseAddress!, count: slice.count) } }
        }
    }

    /// Stock of slot `compartment * groups + group` at the start of `step` (people).
    public func stock(member: Int, step: Int, slot: Int) -> Double {
        stocks[(member * (horizon + 1) + step) * stockCount + slot]
    }

    /// People moved by flow entry `entry` (see `flowEntries`) during `step`.
    public func flow(member: Int, step: Int, entry: Int) -> Double {
        flows[(member * horizon + step) * flowEntries.count + entry]
    }

    /// Value of output `output` during `step`.
    public func output(member: Int, step: Int, output: Int) -> Double {
        outputs[(member * horizon + step) * outputCount + output]
    }
}

/// Copies a tile's lanes into the member-major trajectory store.
struct TrajectoryRecorder: TileObserver {
    let store: Trajectories

    func observeStep(_ step: Int, _ view: TileView) {
        recordStocks(step, view)
        let entries = store.flowEntries
        for l in 0..<view.count {
            let member = view.firstMember + l
            let flowRow = store.flows + (member * store.horizon + step) * entries.count
            for (k, entry) in entries.enumerated() {
                let amount = view.flowAmount(flow: entry.flow, group: entry.group)[l]
                let share = view.share(flow: entry.flow, destination: entry.destination, group: entry.group)?[l] ?? 1
                flowRow[k] = amount * share
            }
            let outputRow = store.outputs + (member * store.horizon + step) * store.outputCount
            for o in 0..<store.outputCount { outputRow[o] = view.output(o)[l] }
        }
    }

    func observeEnd(_ step: Int, _ view: TileView) { recordStocks(step, view) }

    private func recordStocks(_ step: Int, _ view: TileView) {
        for slot in 0..<store.stockCount {
            let values = view.stock(slot: slot)
            for l in 0..<view.count {
                store.stocks[((view.firstMember + l) * (store.horizon + 1) + step) * store.stockCount + slot] = values[l]
            }
        }
    }
}
