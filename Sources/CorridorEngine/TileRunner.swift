import RealModule

/// The buffers of one worker, allocated once and reused for every tile it runs.
/// (About 400 lines, kept whole: the step loop and its kernels share these buffers, and
/// splitting them apart would hide the order of one month's work.)
final class TileRunner {
    let plan: ExecutionPlan
    let lanes: Int
    let registers: UnsafeMutablePointer<Double>
    let remainder: UnsafeMutablePointer<Double>
    let amounts: UnsafeMutablePointer<Double>
    let shares: UnsafeMutablePointer<Double>
    let scratch: UnsafeMutablePointer<Double>
    let draws: UnsafeMutablePointer<Double>

    init(plan: ExecutionPlan, lanes: Int) {
        self.plan = plan
        self.lanes = lanes
        let model = plan.model
        func buffer(_ registers: Int) -> UnsafeMutablePointer<Double> {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, registers * lanes))
            pointer.initialize(repeating: 0, count: max(1, registers * lanes))
            return pointer
        }
        registers = buffer(plan.registerCount)
        remainder = buffer(model.stockCount)
        amounts = buffer(model.flows.count * model.groupCount)
        shares = buffer(plan.shareRegisterCount)
        scratch = buffer(2)
        draws = buffer(plan.drawSlots.count)
        for fill in plan.constantFills {
            (registers + fill.register * lanes).update(repeating: fill.value, count: lanes)
        }
    }

    deinit {
        for pointer in [registers, remainder, amounts, shares, scratch, draws] { pointer.deallocate() }
    }

    @inline(__always) func register(_ index: Int32) -> UnsafeMutablePointer<Double> { registers + Int(index) * lanes }
    @inline(__always) func register(_ index: Int) -> UnsafeMutablePointer<Double> { registers + index * lanes }

    /// Runs members `first ..< first + count` (count ≤ lanes) through every step.
    /// A non-finite stock never becomes finite again (NaN and infinity propagate through
    /// every flow and the clamp at 0), so the state is checked every `checkInterval` steps
    /// and at the end; when a check fails, the tile runs again checking every step to name
    /// the flow, step and member where it began.
    static let checkInterval = 12

    func run<Observer: TileObserver>(first: Int, count n: Int, observer: inout Observer) throws {
        try run(first: first, count: n, observer: &observer, checkEveryStep: false)
    }

    private func run<Observer: TileObserver>(first: Int, count n: Int, observer: inout Observer, checkEveryStep: Bool) throws {
        let model = plan.model
        let groups = plan.groupCount
        for slot in 0..<model.stockCount {
            register(slot).update(repeating: model.initial[slot], count: lanes)
        }
        drawMembers(first: first, count: n)
        let tileView = TileView(firstMember: first, count: n, lanes: lanes, registers: registers,
                                amounts: amounts, shares: shares, plan: plan)
        #if CORRIDOR_INVARIANTS
        let before = UnsafeMutablePointer<Double>.allocate(capacity: lanes), after = UnsafeMutablePointer<Double>.allocate(capacity: lanes)
        defer { before.deallocate(); after.deallocate() }
        #endif
        for step in 0..<plan.horizon {
            fillStepInputs(step: step, first: first, count: n)
            execute(model.flowProgram, uniform: plan.uniformFlowInstructions, count: n)
            computeFlows(count: n)
            for fill in plan.flowTotalFills {
                let total = register(fill.register)
                let first = amounts + fill.flow * groups * lanes
                for l in 0..<n { total[l] = first[l] }
                for g in 1..<max(1, groups) {
                    let amount = first + g * lanes
                    for l in 0..<n { total[l] += amount[l] }
                }
            }
            execute(model.outputProgram, uniform: plan.uniformOutputInstructions, count: n)
            observer.observeStep(step, tileView)
            #if CORRIDOR_INVARIANTS
            stockTotals(count: n, into: before)
            #endif
            applyFlows(count: n)
            #if CORRIDOR_INVARIANTS
            checkInvariants(step: step, first: first, count: n, before: before, after: after)
            #endif
            if checkEveryStep {
                try checkFinite(step: step, first: first, count: n)
            } else if (step + 1) % Self.checkInterval == 0 || step == plan.horizon - 1, !stateIsFinite(count: n) {
                var none = RunObserver()
                try run(first: first, count: n, observer: &none, checkEveryStep: true)
                // The checked run must have thrown; if it did not, still refuse the numbers.
                throw EngineError(flow: "(unknown)", group: "", quantity: "state", step: step,
                                  month: plan.model.start.advanced(by: step), member: first, value: .nan)
            }
        }
        observer.observeEnd(plan.horizon, tileView)
    }

    /// Draws each member's random factor (or offset) for every uncertain parameter.
    private func drawMembers(first: Int, count n: Int) {
        for (slot, draw) in plan.drawSlots.enumerated() {
            let out = draws + slot * lanes
            for l in 0..<n {
                let member = plan.drawBlock.map { (first + l) % $0 } ?? first + l
                out[l] = Self.draw(draw.distribution, stream: draw.stream, member: member)
            }
        }
    }

    /// A member's draw: the factor (lognormal, uniform) or the offset before clamping (normal).
    static func draw(_ distribution: Uncertainty.Distribution, stream: RandomStream, member: Int) -> Double {
        switch distribution {
        case let .lognormal(cv): return Double.exp(Double.log(1 + cv * cv).squareRoot() * stream.standardNormal(member: member))
        case let .normal(sd, _, _): return sd * stream.standardNormal(member: member)
        case let .uniform(low, high): return low + (high - low) * stream.uniform(member: member)
        }
    }

    /// Fills parameter and total registers for a step.
    private func fillStepInputs(step: Int, first: Int, count n: Int) {
        let groups = plan.groupCount
        for fill in plan.parameterFills {
            let track = plan.model.parameters[fill.parameter]
            let base = track.values[step * groups + fill.group]
            let out = register(fill.register)
            for l in 0..<n { out[l] = base }
            for (override, before) in fill.overrides where step >= override.from {
                let weight = Swift.min(1, Double(step - override.from + 1) / Double(override.ramp))
                override.values.withUnsafeBufferPointer { values in
                    for l in 0..<n { out[l] = before + (values[first + l] - before) * weight }
                }
            }
            if let slot = fill.drawSlot {
                let draw = draws + slot * lanes
                switch plan.drawSlots[slot].distribution {
                case .lognormal, .uniform:
                    for l in 0..<n { out[l] *= draw[l] }
                case let .normal(_, low, high):
                    for l in 0..<n { out[l] = Swift.min(Swift.max(out[l] + draw[l], low), high) }
                }
            }
            for adjustment in fill.adjustments where adjustment.steps.contains(step) {
                adjustment.factors.withUnsafeBufferPointer { factors in
                    for l in 0..<n { out[l] *= factors[first + l] }
                }
            }
        }
        for fill in plan.totalFills {
            let out = register(fill.register)
            let first = register(fill.compartment * groups)
            for l in 0..<n { out[l] = first[l] }
            for g in 1..<max(1, groups) {
                let stock = register(fill.compartment * groups + g)
                for l in 0..<n { out[l] += stock[l] }
            }
        }
    }

    /// Runs compiled instructions lane by lane; an `exp` whose operand is the same for
    /// every member is computed once.
    private func execute(_ program: [Instruction], uniform: [Bool], count n: Int) {
        for (index, instruction) in program.enumerated() {
            let d = register(instruction.destination), a = register(instruction.a), b = register(instruction.b)
            if instruction.op == .exp && uniform[index] {
                let value = Double.exp(a[0])
                for l in 0..<n { d[l] = value }
                continue
            }
            switch instruction.op {
            case .add: for l in 0..<n { d[l] = a[l] + b[l] }
            case .subtract: for l in 0..<n { d[l] = a[l] - b[l] }
            case .multiply: for l in 0..<n { d[l] = a[l] * b[l] }
            case .divide: for l in 0..<n { d[l] = a[l] / b[l] }
            case .minimum: for l in 0..<n { d[l] = Swift.min(a[l], b[l]) }
            case .maximum: for l in 0..<n { d[l] = Swift.max(a[l], b[l]) }
            case .exp: for l in 0..<n { d[l] = Double.exp(a[l]) }
            case .negate: for l in 0..<n { d[l] = -a[l] }
            }
        }
    }

    /// Computes destination shares of multi-destination flows into `shares`, and returns
    /// nothing; a group whose weights sum to 0 gets all shares 0 (the flow moves nobody).
    private func computeShares(flow index: Int, count n: Int) {
        guard let offset = plan.shareOffsets[index] else { return }
        let flow = plan.model.flows[index]
        let groups = plan.groupCount
        let sum = scratch
        for g in 0..<groups {
            if plan.uniformShares[index][g] {
                // The same weights for every member: the shares of lane 0, broadcast.
                var total = 0.0
                for d in flow.destinations.indices { total += Swift.max(register(flow.weightRegisters[d][g])[0], 0) }
                for d in flow.destinations.indices {
                    let weight = Swift.max(register(flow.weightRegisters[d][g])[0], 0)
                    let value = total > 0 ? weight / total : 0
                    let share = shares + (offset + d * groups + g) * lanes
                    for l in 0..<n { share[l] = value }
                }
                continue
            }
            for l in 0..<n { sum[l] = 0 }
            for d in flow.destinations.indices {
                let weight = register(flow.weightRegisters[d][g])
                for l in 0..<n { sum[l] += Swift.max(weight[l], 0) }
            }
            for d in flow.destinations.indices {
                let weight = register(flow.weightRegisters[d][g])
                let share = shares + (offset + d * groups + g) * lanes
                for l in 0..<n { share[l] = sum[l] > 0 ? Swift.max(weight[l], 0) / sum[l] : 0 }
            }
        }
    }

    /// Writes into `mask` 1 where the flow may move people for group g (its weights sum
    /// above 0), else 0, and returns true; returns false, writing nothing, for a flow with a
    /// single destination, which always may.
    private func movesPeople(flow index: Int, group g: Int, count n: Int, into mask: UnsafeMutablePointer<Double>) -> Bool {
        guard let offset = plan.shareOffsets[index] else { return false }
        let groups = plan.groupCount
        for l in 0..<n { mask[l] = 0 }
        for d in plan.model.flows[index].destinations.indices {
            let share = shares + (offset + d * groups + g) * lanes
            for l in 0..<n { mask[l] = share[l] > 0 ? 1 : mask[l] }
        }
        return true
    }

    /// Steps 2–4 of MODEL-FORMAT.md: capacity flows in order, then competing hazards, then
    /// inflows. Writes each flow's amount per group and each source's remaining stock.
    private func computeFlows(count n: Int) {
        let model = plan.model
        let groups = plan.groupCount
        for index in model.flows.indices { computeShares(flow: index, count: n) }
        let mask = scratch + lanes
        for (sourceIndex, source) in plan.sources.enumerated() {
            for g in 0..<groups {
                let slot = source.compartment * groups + g
                let rem = remainder + slot * lanes, stock = register(slot)
                for l in 0..<n { rem[l] = stock[l] }
            }
            for index in source.capacityFlows {
                let flow = model.flows[index]
                if flow.kind == .pooledCapacity {
                    let capacity = register(flow.amountRegisters[0])
                    let ratio = scratch
                    for l in 0..<n { ratio[l] = 0 }
                    for g in 0..<groups {
                        let rem = remainder + (source.compartment * groups + g) * lanes
                        for l in 0..<n { ratio[l] += rem[l] }
                    }
                    // served share S / D with S = min(D, C); S / D ≤ 1, so served ≤ remainder.
                    for l in 0..<n {
                        let demand = ratio[l]
                        ratio[l] = demand > 0 ? Swift.min(demand, Swift.max(capacity[l], 0)) / demand : 0
                    }
                    for g in 0..<groups {
                        let rem = remainder + (source.compartment * groups + g) * lanes
                        let amount = amounts + (index * groups + g) * lanes
                        if movesPeople(flow: index, group: g, count: n, into: mask) {
                            for l in 0..<n {
                                let served = rem[l] * ratio[l] * mask[l]
                                amount[l] = served
                                rem[l] -= served
                            }
                        } else {
                            for l in 0..<n {
                                let served = rem[l] * ratio[l]
                                amount[l] = served
                                rem[l] -= served
                            }
                        }
                    }
                } else {
                    for g in 0..<groups {
                        let rem = remainder + (source.compartment * groups + g) * lanes
                        let amount = amounts + (index * groups + g) * lanes
                        let capacity = register(flow.amountRegisters[g])
                        let masked = movesPeople(flow: index, group: g, count: n, into: mask)
                        for l in 0..<n {
                            let served = Swift.min(rem[l], Swift.max(capacity[l], 0)) * (masked ? mask[l] : 1)
                            amount[l] = served
                            rem[l] -= served
                        }
                    }
                }
            }
            guard !source.hazardFlows.isEmpty else { continue }
            let perRate = scratch
            for g in 0..<groups {
                let rem = remainder + (source.compartment * groups + g) * lanes
                for l in 0..<n { perRate[l] = 0 }
                for index in source.hazardFlows {
                    let rate = register(model.flows[index].amountRegisters[g])
                    for l in 0..<n { perRate[l] += Swift.max(rate[l], 0) }
                }
                // perRate becomes (people leaving) / H: R (1 - e^-H) / H, or 0 when H = 0.
                if plan.uniformHazards[sourceIndex][g] {
                    let hazard = perRate[0]
                    let share = hazard > 0 ? -Double.expMinusOne(-hazard) : 0
                    for l in 0..<n { perRate[l] = hazard > 0 ? rem[l] * share / hazard : 0 }
                } else {
                    // An empty compartment needs no expm1 (0 × anything finite is 0).
                    for l in 0..<n {
                        let hazard = perRate[l]
                        perRate[l] = hazard > 0 && rem[l] != 0 ? rem[l] * -Double.expMinusOne(-hazard) / hazard : 0
                    }
                }
                for index in source.hazardFlows {
                    let rate = register(model.flows[index].amountRegisters[g])
                    let amount = amounts + (index * groups + g) * lanes
                    if movesPeople(flow: index, group: g, count: n, into: mask) {
                        for l in 0..<n {
                            let moved = Swift.max(rate[l], 0) * perRate[l] * mask[l]
                            amount[l] = moved
                            rem[l] -= moved
                        }
                    } else {
                        for l in 0..<n {
                            let moved = Swift.max(rate[l], 0) * perRate[l]
                            amount[l] = moved
                            rem[l] -= moved
                        }
                    }
                }
            }
        }
        for (index, flow) in model.flows.enumerated() where flow.kind == .inflow {
            for g in 0..<groups {
                let inflow = register(flow.amountRegisters[g])
                let amount = amounts + (index * groups + g) * lanes
                let masked = movesPeople(flow: index, group: g, count: n, into: mask)
                for l in 0..<n { amount[l] = Swift.max(inflow[l], 0) * (masked ? mask[l] : 1) }
            }
        }
    }

    /// Step 5: sources keep their remainder; destinations receive each flow's amount by share.
    private func applyFlows(count n: Int) {
        let model = plan.model
        let groups = plan.groupCount
        for source in plan.sources {
            for g in 0..<groups {
                let slot = source.compartment * groups + g
                let rem = remainder + slot * lanes, stock = register(slot)
                for l in 0..<n { stock[l] = Swift.max(rem[l], 0) }
            }
        }
        for (index, flow) in model.flows.enumerated() {
            for g in 0..<groups {
                let amount = amounts + (index * groups + g) * lanes
                for (d, destination) in flow.destinations.enumerated() {
                    let stock = register(destination * groups + g)
                    if let offset = plan.shareOffsets[index] {
                        let share = shares + (offset + d * groups + g) * lanes
                        for l in 0..<n { stock[l] += amount[l] * share[l] }
                    } else {
                        for l in 0..<n { stock[l] += amount[l] }
                    }
                }
            }
        }
    }

    /// Throws when a stock became NaN or infinite, naming the flow expression responsible.
    private func stateIsFinite(count n: Int) -> Bool {
        var sum = 0.0
        for slot in 0..<plan.model.stockCount {
            let stock = register(slot)
            for l in 0..<n { sum += stock[l] }
        }
        return sum.isFinite
    }

    private func checkFinite(step: Int, first: Int, count n: Int) throws {
        guard !stateIsFinite(count: n) else { return }
        let model = plan.model
        let groups = plan.groupCount
        for flow in model.flows {
            for g in 0..<groups {
                var checks: [(String, Int32)] = []
                let what: String
                switch flow.kind {
                case .hazard: what = "rate"
                case .pooledCapacity, .perGroupCapacity: what = "capacity"
                case .inflow: what = "inflow"
                }
                checks.append((what, flow.amountRegisters[g]))
                for (d, registers) in flow.weightRegisters.enumerated() {
                    checks.append(("weight of destination \(model.compartmentNames[flow.destinations[d]])", registers[g]))
                }
                for (quantity, registerIndex) in checks {
                    let values = register(registerIndex)
                    for l in 0..<n where !values[l].isFinite {
                        throw EngineError(flow: flow.name, group: model.groupNames[g], quantity: quantity, step: step,
                                          month: model.start.advanced(by: step), member: first + l, value: values[l])
                    }
                }
            }
        }
        for slot in 0..<model.stockCount {
            let stock = register(slot)
            for l in 0..<n where !stock[l].isFinite {
                let c = slot / groups, g = slot % groups
                throw EngineError(flow: "(initial state)", group: model.groupNames[g],
                                  quantity: "stock of \(model.compartmentNames[c])", step: step,
                                  month: model.start.advanced(by: step), member: first + l, value: stock[l])
            }
        }
    }
}
