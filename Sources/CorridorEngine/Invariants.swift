#if CORRIDOR_INVARIANTS
/// Checks of the step's invariants, compiled only with `-D CORRIDOR_INVARIANTS` (on in debug
/// builds, so the tests run with them; off in release, where they would cost time): after
/// every step no stock is negative, and people are conserved except by inflows
/// (MODEL-FORMAT.md, "One step", rule 5). A violation is a bug in the engine, not in a
/// model, so it stops the process with the step, member and numbers.
extension TileRunner {
    /// The sum over every stock of each lane's members, into `totals`.
    func stockTotals(count n: Int, into totals: UnsafeMutablePointer<Double>) {
        totals.update(repeating: 0, count: n)
        for slot in 0..<plan.model.stockCount {
            let stock = register(slot)
            for l in 0..<n { totals[l] += stock[l] }
        }
    }

    /// After `applyFlows`: stocks ≥ 0, and the total changed by exactly the inflows' amounts
    /// (to a relative 1e-9, for rounding) from `before`.
    func checkInvariants(step: Int, first: Int, count n: Int, before: UnsafeMutablePointer<Double>, after: UnsafeMutablePointer<Double>) {
        let model = plan.model, groups = plan.groupCount
        for slot in 0..<model.stockCount {
            let stock = register(slot)
            for l in 0..<n where !(stock[l] >= 0) && stock[l].isFinite {
                fatalError("invariant: stock \(model.compartmentNames[slot / groups])[\(model.groupNames[slot % groups])] is \(stock[l]) after step \(step), member \(first + l)")
            }
        }
        stockTotals(count: n, into: after)
        for l in 0..<n {
            var added = 0.0
            for (index, flow) in model.flows.enumerated() where flow.kind == .inflow {
                for g in 0..<groups { added += amounts[(index * groups + g) * lanes + l] }
            }
            let expected = before[l] + added
            guard expected.isFinite, after[l].isFinite else { continue }  // non-finite states are EngineErrors
            if abs(after[l] - expected) > 1e-9 * Swift.max(1, abs(expected)) {
                fatalError("invariant: people not conserved in step \(step), member \(first + l): \(before[l]) + inflows \(added) = \(expected), but the stocks sum to \(after[l])")
            }
        }
    }
}
#endif
