import CCorridorVectorMath
import RealModule

/// The buffers of one worker, allocated once and reused for every tile it runs.
/// (About 800 lines, kept whole: the step loop and its kernels share these buffers, and
/// splitting them apart would hide the order of one month's work.)
///
/// Every buffer row holds `lanes` values, a multiple of 8: the fused kernels work on eight
/// members at a time (`Wide`; the C kernels of `CCorridorVectorMath` on four or eight), and
/// a tile of fewer members computes its spare lanes harmlessly (nothing reads them).
final class TileRunner {
    let plan: ExecutionPlan
    let lanes: Int
    let registers: UnsafeMutablePointer<Double>
    let remainder: UnsafeMutablePointer<Double>
    let amounts: UnsafeMutablePointer<Double>
    let shares: UnsafeMutablePointer<Double>
    /// `[flow][group]` rows: 1 where the flow's destination weights sum above 0, else 0.
    let masks: UnsafeMutablePointer<Double>
    let draws: UnsafeMutablePointer<Double>
    /// Parameters the same for every member: their registers, and their values step by step
    /// (`[step * uniformFillCount + i]`), read without touching the model's arrays.
    let uniformFillRegisters: UnsafeMutablePointer<Int>
    let uniformFillValues: UnsafeMutablePointer<Double>
    let uniformFillCount: Int
    /// Parameters drawn, adjusted or overridden per member.
    let memberFills: [ExecutionPlan.ParameterFill]
    let ones: UnsafeMutablePointer<Double>
    let zeros: UnsafeMutablePointer<Double>
    /// Per step, `[flow * groups + group]`: the mask row to multiply the flow's amounts by,
    /// or nil when every member's flow may move people (a single destination, or weights
    /// that are the same for all members and sum above 0).
    let moveMasks: UnsafeMutablePointer<UnsafePointer<Double>?>
    /// What step 5 adds to each stock slot, in the order it adds them: the amount rows and
    /// share rows of `incomingStart[slot] ..< incomingStart[slot + 1]`, and the slot's
    /// remainder row when it is a flow's source. A flow with one destination has no share
    /// row (nil: its amount is added as it is); a share the same for every member is read
    /// from lane 0 (`incomingShareIsUniform`) instead of lane by lane.
    let incomingAmounts: UnsafeMutablePointer<UnsafePointer<Double>>
    let incomingShares: UnsafeMutablePointer<UnsafePointer<Double>?>
    let incomingShareIsUniform: UnsafeMutablePointer<Bool>
    let incomingStart: UnsafeMutablePointer<Int>
    let sourceRemainders: UnsafeMutablePointer<UnsafePointer<Double>?>
    /// Scratch tables of one source and group's competing hazards: rate, amount and mask rows.
    let hazardRates: UnsafeMutablePointer<UnsafePointer<Double>>
    let hazardAmounts: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    let hazardMasks: UnsafeMutablePointer<UnsafePointer<Double>>
    /// Scratch of uniform competing hazards: each flow's rate·(1 − e^−H)/H.
    let hazardFactors: UnsafeMutablePointer<Double>
    /// Scratch of competing hazards that differ by member: for each flow, `lane & mask` is
    /// the lane of its rate row to read — the lane itself (mask ~0), or lane 0 of eight
    /// copies of a rate the same for every member (mask 0), held in `uniformRateRows`.
    let hazardLaneMasks: UnsafeMutablePointer<Int>
    let uniformRateRows: UnsafeMutablePointer<Double>
    /// Whether each register, and each share row, holds one value in every lane: then a
    /// step that brings the same value again (a parameter between schedule changes, an
    /// expression of such parameters) leaves it as it is instead of writing it again.
    let registerIsBroadcast: UnsafeMutablePointer<Bool>
    let shareIsBroadcast: UnsafeMutablePointer<Bool>
    /// Scratch tables of one pooled-capacity flow: each group's remainder, starting stock,
    /// amount and mask rows.
    let groupRemainders: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    let groupStarts: UnsafeMutablePointer<UnsafePointer<Double>>
    let groupAmounts: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    let groupMasks: UnsafeMutablePointer<UnsafePointer<Double>>
    /// Scratch tables of one flow and group's destinations: weight and share rows.
    let destinationWeights: UnsafeMutablePointer<UnsafePointer<Double>>
    let destinationShares: UnsafeMutablePointer<UnsafeMutablePointer<Double>>

    /// Every buffer and table above, deallocated together.
    private let allocations: [UnsafeMutableRawPointer]

    /// Whether work is reused: members found to agree at run time computed once (`execute`),
    /// work whose inputs keep their stamps not redone. Off only in tests, which compare the
    /// plain paths with it.
    let reusesWork: Bool

    /// Change stamps: `registerStamp[r]` takes a value never used before whenever a write may
    /// change register r's bytes (`stamp`). Work that finds its inputs, and its own results,
    /// with the stamps they had when it last ran is not redone: the same inputs give the same
    /// bits. A parameter that keeps its value from one month to the next (a drawn factor
    /// times an unchanged value) keeps its stamp, and so does everything computed from it.
    let registerStamp: UnsafeMutablePointer<UInt64>
    private var lastStamp: UInt64 = 0
    /// The stamps of each instruction's operands a and b and destination d when it last ran,
    /// `[instruction]` of the flow program, then of the output program.
    let flowInstructionSeen: UnsafeMutablePointer<SeenStamps>
    let outputInstructionSeen: UnsafeMutablePointer<SeenStamps>
    /// Per share row: the stamp of the weight it was computed from.
    let shareSeen: UnsafeMutablePointer<UInt64>
    /// Competing hazards that differ by member keep their factors (1 − e^−H)/H, one row per
    /// source and group (`hazardFactorRows[source * groups + group]`, nil where the plan finds
    /// the rates uniform), and the stamps of the rates they came from (`hazardSeen`,
    /// `[(source * groups + group) * mostHazards + k]`).
    let hazardFactorRows: UnsafeMutablePointer<UnsafeMutablePointer<Double>?>
    let hazardSeen: UnsafeMutablePointer<UInt64>
    let mostHazards: Int

    struct SeenStamps { var a: UInt64 = 0, b: UInt64 = 0, d: UInt64 = 0 }

    init(plan: ExecutionPlan, lanes requested: Int, reusesWork: Bool = true) {
        self.plan = plan
        self.reusesWork = reusesWork
        // Rows of a multiple of 8 members, plus 8 spare: rows of a power-of-two size would
        // put the same lane of many rows 4 KB apart, where the core mistakes a load for one
        // depending on an earlier store to another row (4K aliasing); measured, the generic
        // engine's benchmark ran 1.6× slower in some runs than in others with such rows.
        let lanes = ((requested + 7) & ~7) + 8
        self.lanes = lanes
        let model = plan.model
        let groups = model.groupCount
        // Every row buffer (registers, remainder, amounts, shares, masks, draws, ones, zeros,
        // the hazards' factor rows) is a part of one allocation, one after the other.
        let memberHazardSlots = plan.sources.indices.flatMap { s in (0..<groups).map { (s, $0) } }
            .filter { !plan.sources[$0.0].hazardFlows.isEmpty && !plan.uniformHazards[$0.0][$0.1] }
        let rows = plan.registerCount + model.stockCount + 2 * model.flows.count * groups + plan.shareRegisterCount
            + plan.drawSlots.count + 2 + memberHazardSlots.count
        let arena = UnsafeMutablePointer<Double>.allocate(capacity: rows * lanes)
        arena.initialize(repeating: 0, count: rows * lanes)
        var allocations: [UnsafeMutableRawPointer] = [UnsafeMutableRawPointer(arena)]
        var nextRow = 0
        func buffer(_ registers: Int, _ value: Double = 0) -> UnsafeMutablePointer<Double> {
            precondition(nextRow + registers <= rows, "the arena holds every row buffer")
            let pointer = arena + nextRow * lanes
            pointer.update(repeating: value, count: registers * lanes)
            nextRow += registers
            return pointer
        }
        func table<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
            if !values.isEmpty { pointer.initialize(from: values, count: values.count) }
            allocations.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }
        registers = buffer(plan.registerCount)
        remainder = buffer(model.stockCount)
        amounts = buffer(model.flows.count * groups)
        shares = buffer(plan.shareRegisterCount)
        masks = buffer(model.flows.count * groups)
        draws = buffer(plan.drawSlots.count)
        let uniformFills = plan.parameterFills.filter(\.isUniform)
        uniformFillCount = uniformFills.count
        uniformFillRegisters = table(uniformFills.map(\.register))
        let fillValues = table(Array(repeating: 0.0, count: plan.horizon * uniformFills.count))
        for (i, fill) in uniformFills.enumerated() {
            model.parameters[fill.parameter].values.withUnsafeBufferPointer { track in
                for step in 0..<plan.horizon { fillValues[step * uniformFills.count + i] = track[step * groups + fill.group] }
            }
        }
        uniformFillValues = fillValues
        memberFills = plan.parameterFills.filter { !$0.isUniform }
        ones = buffer(1, 1)
        zeros = buffer(1)
        var factorRows: [UnsafeMutablePointer<Double>?] = Array(repeating: nil, count: plan.sources.count * groups)
        for (source, group) in memberHazardSlots { factorRows[source * groups + group] = buffer(1) }
        for fill in plan.constantFills {
            (registers + fill.register * lanes).update(repeating: fill.value, count: lanes)
        }
        registerIsBroadcast = table(Array(repeating: false, count: plan.registerCount))
        shareIsBroadcast = table(Array(repeating: false, count: plan.shareRegisterCount))
        moveMasks = table(Array(repeating: nil, count: model.flows.count * groups))
        var amountRows: [UnsafePointer<Double>] = [], shareRows: [UnsafePointer<Double>?] = [], starts = [0]
        var shareIsUniform: [Bool] = []
        var kept: [UnsafePointer<Double>?] = Array(repeating: nil, count: model.stockCount)
        for source in plan.sources {
            for g in 0..<groups {
                let slot = source.compartment * groups + g
                kept[slot] = UnsafePointer(remainder + slot * lanes)
            }
        }
        sourceRemainders = table(kept)
        for slot in 0..<model.stockCount {
            let compartment = slot / max(1, groups), g = slot % max(1, groups)
            for (index, flow) in model.flows.enumerated() {
                guard let d = flow.destinations.firstIndex(of: compartment) else { continue }
                amountRows.append(UnsafePointer(amounts + (index * groups + g) * lanes))
                if let offset = plan.shareOffsets[index] {
                    shareRows.append(UnsafePointer(shares + (offset + d * groups + g) * lanes))
                    shareIsUniform.append(plan.uniformShares[index][g])
                } else {
                    shareRows.append(nil)
                    shareIsUniform.append(false)
                }
            }
            starts.append(amountRows.count)
        }
        incomingAmounts = table(amountRows)
        incomingShares = table(shareRows)
        incomingShareIsUniform = table(shareIsUniform)
        incomingStart = table(starts)
        let mostHazards = plan.sources.map(\.hazardFlows.count).max() ?? 0
        self.mostHazards = mostHazards
        hazardFactorRows = table(factorRows)
        hazardSeen = table(Array(repeating: 0, count: plan.sources.count * groups * mostHazards))
        registerStamp = table(Array(repeating: 0, count: plan.registerCount))
        flowInstructionSeen = table(Array(repeating: SeenStamps(), count: plan.flowProgram.instructions.count))
        outputInstructionSeen = table(Array(repeating: SeenStamps(), count: plan.outputProgram.instructions.count))
        shareSeen = table(Array(repeating: 0, count: plan.shareRegisterCount))
        hazardRates = table(Array(repeating: UnsafePointer(zeros), count: mostHazards))
        hazardAmounts = table(Array(repeating: zeros, count: mostHazards))
        hazardMasks = table(Array(repeating: UnsafePointer(ones), count: mostHazards))
        hazardFactors = table(Array(repeating: 0.0, count: mostHazards))
        hazardLaneMasks = table(Array(repeating: 0, count: mostHazards))
        uniformRateRows = table(Array(repeating: 0.0, count: 8 * mostHazards))
        groupRemainders = table(Array(repeating: zeros, count: groups))
        groupStarts = table(Array(repeating: UnsafePointer(zeros), count: groups))
        groupAmounts = table(Array(repeating: zeros, count: groups))
        groupMasks = table(Array(repeating: UnsafePointer(ones), count: groups))
        let mostDestinations = model.flows.map(\.destinations.count).max() ?? 0
        destinationWeights = table(Array(repeating: UnsafePointer(zeros), count: mostDestinations))
        destinationShares = table(Array(repeating: zeros, count: mostDestinations))
        self.allocations = allocations
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }

    typealias Wide = SIMD8<Double>

    @inline(__always) static func load8(_ row: UnsafePointer<Double>, _ l: Int) -> Wide {
        UnsafeRawPointer(row + l).loadUnaligned(as: Wide.self)
    }

    @inline(__always) static func store8(_ values: Wide, _ row: UnsafeMutablePointer<Double>, _ l: Int) {
        UnsafeMutableRawPointer(row + l).storeBytes(of: values, as: Wide.self)
    }

    /// `Swift.min(x, y)` lane by lane: y where y < x, else x.
    @inline(__always) static func minimum(_ x: Wide, _ y: Wide) -> Wide {
        x.replacing(with: y, where: y .< x)
    }

    /// `Swift.max(x, y)` lane by lane: y where y ≥ x, else x.
    @inline(__always) static func maximum(_ x: Wide, _ y: Wide) -> Wide {
        x.replacing(with: y, where: y .>= x)
    }

    /// `Swift.max(x, 0)` lane by lane: 0 for −0 and negatives, NaN kept.
    @inline(__always) static func nonNegative(_ x: Wide) -> Wide {
        x.replacing(with: 0, where: x .<= Wide(repeating: 0))
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
        // Run-time agreement (`execute`) was found over the previous tile's members, and every
        // register now holds this tile's members: new to all the work that last read it.
        registerIsBroadcast.update(repeating: false, count: plan.registerCount)
        stamp(0..<plan.registerCount)
        let tileView = TileView(firstMember: first, count: n, lanes: lanes, registers: registers,
                                amounts: amounts, shares: shares, plan: plan)
        #if CORRIDOR_INVARIANTS
        let before = UnsafeMutablePointer<Double>.allocate(capacity: lanes), after = UnsafeMutablePointer<Double>.allocate(capacity: lanes)
        defer { before.deallocate(); after.deallocate() }
        #endif
        for step in 0..<plan.horizon {
            fillStepInputs(step: step, first: first, count: n)
            execute(plan.flowProgram, seen: flowInstructionSeen, count: n)
            computeFlows(count: n)
            for fill in plan.flowTotalFills {
                sumOverGroups(from: amounts + fill.flow * groups * lanes, into: register(fill.register), count: n)
                stamp(fill.register)
            }
            execute(plan.outputProgram, seen: outputInstructionSeen, count: n)
            observer.observeStep(step, tileView)
            #if CORRIDOR_INVARIANTS
            stockTotals(count: n, into: before)
            #endif
            applyFlows(count: n)
            stamp(0..<model.stockCount)
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

    /// Marks register `index` as written with new bytes.
    @inline(__always) private func stamp(_ index: Int) {
        lastStamp &+= 1
        registerStamp[index] = lastStamp
    }

    /// Marks registers `indices` as written with new bytes (one new stamp for all of them).
    private func stamp(_ indices: Range<Int>) {
        lastStamp &+= 1
        (registerStamp + indices.lowerBound).update(repeating: lastStamp, count: indices.count)
    }

    /// Whether a parameter filled member by member may hold other values at `step` than at the
    /// step before: the first step of a tile, a new value of the parameter, an override
    /// ramping in, an adjustment starting or ending.
    private func memberFillChanges(_ fill: ExecutionPlan.ParameterFill, step: Int) -> Bool {
        guard step > 0, reusesWork else { return true }
        let groups = plan.groupCount
        let values = plan.model.parameters[fill.parameter].values
        if values[step * groups + fill.group].bitPattern != values[(step - 1) * groups + fill.group].bitPattern { return true }
        for (override, _) in fill.overrides where step >= override.from && step < override.from + override.ramp { return true }
        for adjustment in fill.adjustments where adjustment.steps.contains(step) != adjustment.steps.contains(step - 1) {
            return true
        }
        return false
    }

    /// Fills parameter and total registers for a step; a parameter filled member by member is
    /// left as it is when it cannot have changed (`memberFillChanges`).
    private func fillStepInputs(step: Int, first: Int, count n: Int) {
        let groups = plan.groupCount
        let values = uniformFillValues + step * uniformFillCount
        for i in 0..<uniformFillCount { setUniform(values[i], register: uniformFillRegisters[i]) }
        for fill in memberFills where memberFillChanges(fill, step: step) {
            stamp(fill.register)
            let base = plan.model.parameters[fill.parameter].values[step * groups + fill.group]
            let out = register(fill.register)
            // Whether `out` holds each member's value yet (else every member's is `base`).
            var written = !fill.overrides.isEmpty
            if written { out.update(repeating: base, count: n) }
            for (override, before) in fill.overrides where step >= override.from {
                let weight = Swift.min(1, Double(step - override.from + 1) / Double(override.ramp))
                override.values.withUnsafeBufferPointer { values in
                    for l in 0..<n { out[l] = before + (values[first + l] - before) * weight }
                }
            }
            if let slot = fill.drawSlot {
                let draw = draws + slot * lanes
                let bases = Wide(repeating: base)
                switch plan.drawSlots[slot].distribution {
                case .lognormal, .uniform:
                    for l in stride(from: 0, to: n, by: 8) {
                        Self.store8((written ? Self.load8(out, l) : bases) * Self.load8(draw, l), out, l)
                    }
                case let .normal(_, low, high):
                    for l in stride(from: 0, to: n, by: 8) {
                        let offset = (written ? Self.load8(out, l) : bases) + Self.load8(draw, l)
                        Self.store8(Self.minimum(Self.maximum(offset, Wide(repeating: low)), Wide(repeating: high)), out, l)
                    }
                }
                written = true
            }
            if !written { out.update(repeating: base, count: n) }
            for adjustment in fill.adjustments where adjustment.steps.contains(step) {
                adjustment.factors.withUnsafeBufferPointer { factors in
                    for l in 0..<n { out[l] *= factors[first + l] }
                }
            }
        }
        for fill in plan.totalFills {
            sumOverGroups(from: register(fill.compartment * groups), into: register(fill.register), count: n)
            stamp(fill.register)
        }
    }

    /// `total` = the sum of the group rows starting at `first` (one row per group, in group
    /// order), eight members at a time.
    private func sumOverGroups(from first: UnsafePointer<Double>, into total: UnsafeMutablePointer<Double>, count n: Int) {
        let groups = plan.groupCount
        for l in stride(from: 0, to: n, by: 8) {
            var sum = Self.load8(first, l)
            for g in 1..<Swift.max(1, groups) { sum += Self.load8(first + g * lanes, l) }
            Self.store8(sum, total, l)
        }
    }

    /// Sets a parameter's register to a value the same for every member: into every lane
    /// when something reads the register member by member, else into lane 0 only (all that
    /// is read).
    @inline(__always)
    private func setUniform(_ value: Double, register index: Int) {
        if plan.registerIsReadByLane[index] {
            if broadcast(value, row: register(index), flag: registerIsBroadcast + index) { stamp(index) }
        } else {
            setLaneZero(value, register: index)
        }
    }

    /// Writes `value` into lane 0 of a register, all that is read of it, stamped when its bits change.
    @inline(__always)
    private func setLaneZero(_ value: Double, register index: Int) {
        let row = register(index)
        if row[0].bitPattern == value.bitPattern { return }
        row[0] = value
        stamp(index)
    }

    /// Writes `value` into every lane of `row` unless `flag` says it already holds it; returns
    /// whether it wrote.
    @inline(__always) @discardableResult
    private func broadcast(_ value: Double, row: UnsafeMutablePointer<Double>, flag: UnsafeMutablePointer<Bool>) -> Bool {
        if flag.pointee && row[0].bitPattern == value.bitPattern { return false }
        row.update(repeating: value, count: lanes)
        flag.pointee = true
        return true
    }

    /// Runs compiled instructions lane by lane; an instruction whose operands are the same
    /// for every member is computed once, on lane 0's values (the same bits every lane would
    /// give), and written to every lane only where something reads it member by member; an
    /// operand the same for every member is read once, from lane 0.
    ///
    /// "The same for every member" is known from the plan (constants and undrawn parameters)
    /// or found at run time: a register whose members all agree this step (`registerIsBroadcast`,
    /// set where an instruction's results all have the same bits — `(1 + shock · projection)`
    /// while `projection` is 0). Its consumers then run once too, and written to every lane.
    ///
    /// An instruction whose operands and destination carry the stamps they had when it last
    /// ran (`seen[index]`) is skipped: it would write the same bits again.
    private func execute(_ program: ExecutionPlan.ProgramPlan, seen: UnsafeMutablePointer<SeenStamps>, count n: Int) {
        let operands = program.uniformOperands
        for (index, instruction) in program.instructions.enumerated() {
            let destination = Int(instruction.destination), first = Int(instruction.a), second = Int(instruction.b)
            let last = seen[index]
            if reusesWork && last.a == registerStamp[first] && last.b == registerStamp[second]
                && last.d == registerStamp[destination] {
                continue
            }
            defer { seen[index] = SeenStamps(a: registerStamp[first], b: registerStamp[second], d: registerStamp[destination]) }
            let d = register(destination), a = register(first), b = register(second)
            let unary = instruction.op == .exp || instruction.op == .negate
            let uniformA = operands[index].a || registerIsBroadcast[first]
            let uniformB = unary || operands[index].b || registerIsBroadcast[second]
            if program.isUniform[index] || (uniformA && uniformB) {
                let value: Double
                switch instruction.op {
                case .add: value = a[0] + b[0]
                case .subtract: value = a[0] - b[0]
                case .multiply: value = a[0] * b[0]
                case .divide: value = a[0] / b[0]
                case .minimum: value = Swift.min(a[0], b[0])
                case .maximum: value = Swift.max(a[0], b[0])
                case .exp: value = Double.exp(a[0])
                case .negate: value = -a[0]
                }
                if program.broadcastsResult[index] || !program.isUniform[index] {
                    if broadcast(value, row: d, flag: registerIsBroadcast + destination) { stamp(destination) }
                } else {
                    registerIsBroadcast[destination] = false
                    setLaneZero(value, register: destination)
                }
                continue
            }
            let agree = corridor_operate(Self.operation(instruction.op), d, a, b, uniformA ? 1 : 0, uniformB ? 1 : 0, n)
            registerIsBroadcast[destination] = reusesWork && agree != 0
            stamp(destination)
        }
    }

    /// The C kernels' code of an operation.
    @inline(__always)
    private static func operation(_ op: OpCode) -> CorridorOperation {
        switch op {
        case .add: return CORRIDOR_ADD
        case .subtract: return CORRIDOR_SUBTRACT
        case .multiply: return CORRIDOR_MULTIPLY
        case .divide: return CORRIDOR_DIVIDE
        case .minimum: return CORRIDOR_MINIMUM
        case .maximum: return CORRIDOR_MAXIMUM
        case .exp: return CORRIDOR_EXP
        case .negate: return CORRIDOR_NEGATE
        }
    }

    /// Computes destination shares of multi-destination flows into `shares`, and sets each
    /// flow's `moveMasks` entry; a group whose weights sum to 0 gets all shares 0 (the flow
    /// moves nobody). Shares that differ by member are kept while their weights keep their
    /// stamps (`shareSeen`).
    private func computeShares(flow index: Int, count n: Int) {
        guard let offset = plan.shareOffsets[index] else { return }
        let flow = plan.model.flows[index]
        let groups = plan.groupCount
        for g in 0..<groups {
            if plan.uniformShares[index][g] {
                // The same weights for every member: the shares of lane 0, broadcast.
                var total = 0.0
                for d in flow.destinations.indices { total += Swift.max(register(flow.weightRegisters[d][g])[0], 0) }
                for d in flow.destinations.indices {
                    let weight = Swift.max(register(flow.weightRegisters[d][g])[0], 0)
                    let row = offset + d * groups + g
                    broadcast(total > 0 ? weight / total : 0, row: shares + row * lanes, flag: shareIsBroadcast + row)
                }
                moveMasks[index * groups + g] = total > 0 ? nil : UnsafePointer(zeros)
                continue
            }
            // Weights that differ by member: sums, shares and mask in one pass, eight at a time.
            let mask = masks + (index * groups + g) * lanes
            moveMasks[index * groups + g] = UnsafePointer(mask)
            let destinations = flow.destinations.count
            let unchanged = (0..<destinations).allSatisfy { d in
                shareSeen[offset + d * groups + g] == registerStamp[Int(flow.weightRegisters[d][g])]
            }
            if unchanged && reusesWork { continue }
            for d in 0..<destinations {
                shareSeen[offset + d * groups + g] = registerStamp[Int(flow.weightRegisters[d][g])]
                destinationWeights[d] = UnsafePointer(register(flow.weightRegisters[d][g]))
                destinationShares[d] = shares + (offset + d * groups + g) * lanes
            }
            let weights = destinationWeights, shareRows = destinationShares
            for l in stride(from: 0, to: n, by: 8) {
                var sum = Wide(repeating: 0)
                for d in 0..<destinations { sum += Self.nonNegative(Self.load8(weights[d], l)) }
                let moves = sum .> Wide(repeating: 0)
                for d in 0..<destinations {
                    var share = Self.nonNegative(Self.load8(weights[d], l)) / sum
                    share.replace(with: 0, where: .!moves)
                    Self.store8(share, shareRows[d], l)
                }
                Self.store8(Wide(repeating: 0).replacing(with: 1, where: moves), mask, l)
            }
        }
    }

    /// Steps 2–4 of MODEL-FORMAT.md: capacity flows in order, then competing hazards, then
    /// inflows. Writes each flow's amount per group and each source's remaining stock.
    private func computeFlows(count n: Int) {
        let model = plan.model
        let groups = plan.groupCount
        for index in model.flows.indices { computeShares(flow: index, count: n) }
        for (sourceIndex, source) in plan.sources.enumerated() {
            // The first capacity flow reads the stocks and writes the remainder; later ones
            // read and write the remainder.
            for (position, index) in source.capacityFlows.enumerated() {
                let flow = model.flows[index]
                let fromStocks = position == 0
                if flow.kind == .pooledCapacity {
                    pooledCapacity(flow: index, source: source.compartment, fromStocks: fromStocks, count: n)
                } else {
                    for g in 0..<groups {
                        let slot = source.compartment * groups + g
                        let rem = remainder + slot * lanes
                        let left = fromStocks ? UnsafePointer(register(slot)) : UnsafePointer(rem)
                        let amount = amounts + (index * groups + g) * lanes
                        let capacity = register(flow.amountRegisters[g])
                        let uniformCapacity = plan.uniformAmounts[index][g]
                        let mask = moveMasks[index * groups + g]
                        for l in stride(from: 0, to: n, by: 8) {
                            let start = Self.load8(left, l)
                            let offered = uniformCapacity ? Wide(repeating: capacity[0]) : Self.load8(capacity, l)
                            var served = Self.minimum(start, Self.nonNegative(offered))
                            if let mask { served *= Self.load8(mask, l) }
                            Self.store8(served, amount, l)
                            Self.store8(start - served, rem, l)
                        }
                    }
                }
            }
            guard !source.hazardFlows.isEmpty else { continue }
            for g in 0..<groups {
                let slot = source.compartment * groups + g
                let start = source.capacityFlows.isEmpty ? UnsafePointer(register(slot)) : UnsafePointer(remainder + slot * lanes)
                competingHazards(source: sourceIndex, group: g, from: start, count: n)
            }
        }
        for (index, flow) in model.flows.enumerated() where flow.kind == .inflow {
            for g in 0..<groups {
                let inflow = register(flow.amountRegisters[g])
                let amount = amounts + (index * groups + g) * lanes
                let uniformInflow = plan.uniformAmounts[index][g]
                let mask = moveMasks[index * groups + g]
                for l in stride(from: 0, to: n, by: 8) {
                    var moved = Self.nonNegative(uniformInflow ? Wide(repeating: inflow[0]) : Self.load8(inflow, l))
                    if let mask { moved *= Self.load8(mask, l) }
                    Self.store8(moved, amount, l)
                }
            }
        }
    }

    /// Step 2 for one pooled-capacity flow, fused: per member, the demand D (the source's
    /// remainder summed over groups), the share served min(D, C) / D (≤ 1, so nobody is
    /// served twice) and each group's people served — eight members at a time, in one pass.
    /// The remainder starts from the stocks when `fromStocks` (the source's first capacity
    /// flow). A mask of all ones is not multiplied by (the same bits).
    private func pooledCapacity(flow index: Int, source compartment: Int, fromStocks: Bool, count n: Int) {
        let groups = plan.groupCount
        let capacity = register(plan.model.flows[index].amountRegisters[0])
        let uniformCapacity = plan.uniformAmounts[index][0]
        var masked = false
        for g in 0..<groups {
            let slot = compartment * groups + g
            groupRemainders[g] = remainder + slot * lanes
            groupStarts[g] = fromStocks ? UnsafePointer(register(slot)) : UnsafePointer(remainder + slot * lanes)
            groupAmounts[g] = amounts + (index * groups + g) * lanes
            groupMasks[g] = moveMasks[index * groups + g] ?? UnsafePointer(ones)
            masked = masked || moveMasks[index * groups + g] != nil
        }
        let remainders = groupRemainders, starts = groupStarts, amounts = groupAmounts, masks = groupMasks
        for l in stride(from: 0, to: n, by: 8) {
            var demand = Wide(repeating: 0)
            for g in 0..<groups { demand += Self.load8(starts[g], l) }
            let offered = uniformCapacity ? Wide(repeating: capacity[0]) : Self.load8(capacity, l)
            var ratio = Self.minimum(demand, Self.nonNegative(offered)) / demand
            ratio.replace(with: 0, where: .!(demand .> 0))
            for g in 0..<groups {
                let left = Self.load8(starts[g], l)
                var served = left * ratio
                if masked { served *= Self.load8(masks[g], l) }
                Self.store8(served, amounts[g], l)
                Self.store8(left - served, remainders[g], l)
            }
        }
    }

    /// Step 3 for one source compartment and group: per member, the total hazard H of the
    /// flows leaving, the factor (1 − e^−H) / H, each flow's part R·(rate·(1 − e^−H)/H) of the
    /// people leaving R·(1 − e^−H) (R the remainder after capacity flows), and the new
    /// remainder — in three passes over the tile (hazards, factors, parts), each short enough
    /// to keep its values in registers (one pass spilled them and ran 2–3 % slower in the
    /// regional model). A rate the same for every member is read from lane 0. When every rate
    /// is, rate·(1 − e^−H)/H is computed once per flow (with the operations a lane would do,
    /// so the same bits) and a member's part is one multiplication: no division per member.
    /// A mask of all ones is not multiplied by (the same bits).
    private func competingHazards(source sourceIndex: Int, group g: Int, from start: UnsafePointer<Double>, count n: Int) {
        let model = plan.model
        let groups = plan.groupCount
        let source = plan.sources[sourceIndex]
        let rem = remainder + (source.compartment * groups + g) * lanes
        let flowCount = source.hazardFlows.count
        var masked = false, uniform = plan.uniformHazards[sourceIndex][g]
        if !uniform {
            // Rates that differ by member in general but agree this step are treated as uniform.
            uniform = source.hazardFlows.allSatisfy { index in
                plan.uniformAmounts[index][g] || registerIsBroadcast[Int(model.flows[index].amountRegisters[g])]
            }
        }
        for (k, index) in source.hazardFlows.enumerated() {
            hazardRates[k] = UnsafePointer(register(model.flows[index].amountRegisters[g]))
            hazardAmounts[k] = amounts + (index * groups + g) * lanes
            hazardMasks[k] = moveMasks[index * groups + g] ?? UnsafePointer(ones)
            masked = masked || moveMasks[index * groups + g] != nil
        }
        let rates = hazardRates, amounts = hazardAmounts, masks = hazardMasks
        if uniform {
            // Factors kept for members (`memberHazards`) are out of date from now on.
            hazardSeen[(sourceIndex * groups + g) * mostHazards] = 0
            // The operations a member's lane does in `corridor_member_hazards`, on one value.
            var hazard = 0.0
            for k in 0..<flowCount { hazard += Swift.max(rates[k][0], 0) }
            let perRate = VectorMath.leavingPerRate(hazard)
            let factors = hazardFactors
            for k in 0..<flowCount { factors[k] = Swift.max(rates[k][0], 0) * perRate }
            for l in stride(from: 0, to: n, by: 8) {
                let remainder = Self.load8(start, l)
                var left = remainder
                for k in 0..<flowCount {
                    var moved = remainder * Wide(repeating: factors[k])
                    if masked { moved *= Self.load8(masks[k], l) }
                    Self.store8(moved, amounts[k], l)
                    left -= moved
                }
                Self.store8(left, rem, l)
            }
            return
        }
        memberHazards(source: sourceIndex, group: g, from: start, into: rem, masked: masked, count: n)
    }

    /// The competing hazards of one source and group whose rates differ by member, in three
    /// passes (see `competingHazards`); the rate, amount and mask tables are set. The factors
    /// (1 − e^−H)/H of the first two passes are kept in the source and group's own row and
    /// computed again only when a rate's stamp has changed since (`hazardSeen`). Kept out of
    /// line (version 43d9140: inlined into `competingHazards`, the uniform path compiled slower,
    /// the kernel-hazard benchmark 451 against 304 µs).
    @inline(never)
    private func memberHazards(source sourceIndex: Int, group g: Int, from start: UnsafePointer<Double>,
                               into rem: UnsafeMutablePointer<Double>, masked: Bool, count n: Int) {
        let source = plan.sources[sourceIndex]
        let flowCount = source.hazardFlows.count
        let rates = hazardRates, amounts = hazardAmounts, masks = hazardMasks
        let laneMasks = hazardLaneMasks
        let seen = hazardSeen + (sourceIndex * plan.groupCount + g) * mostHazards
        var factorsKnown = reusesWork
        for (k, index) in source.hazardFlows.enumerated() {
            let rateStamp = registerStamp[Int(plan.model.flows[index].amountRegisters[g])]
            factorsKnown = factorsKnown && seen[k] == rateStamp
            seen[k] = rateStamp
            let uniform = plan.uniformAmounts[index][g]
            laneMasks[k] = uniform ? 0 : ~0
            if uniform {
                Self.store8(Wide(repeating: rates[k][0]), uniformRateRows, 8 * k)
                rates[k] = UnsafePointer(uniformRateRows + 8 * k)
            }
        }
        // Three passes (C, CCorridorVectorMath: AVX2 where the processor has it), each small
        // enough to keep its values in registers: total hazards, the share leaving per unit
        // of hazard (where the exponentials are), each flow's part.
        corridor_member_hazards(start, rem, hazardFactorRows[sourceIndex * plan.groupCount + g]!, factorsKnown ? 1 : 0,
                                rates, laneMasks, amounts, masks, masked ? 1 : 0, flowCount, (n + 7) & ~7)
    }

    /// Step 5, fused per stock slot (`corridor_apply_flows`, C: AVX2 where the processor has
    /// it): a source keeps its remainder (clamped at 0), then every flow into the slot adds
    /// its amount times the destination's share, in flow order (times 1 skipped: the same
    /// bits).
    private func applyFlows(count n: Int) {
        corridor_apply_flows(registers, lanes, plan.model.stockCount, incomingStart, incomingAmounts, incomingShares,
                             incomingShareIsUniform, sourceRemainders, (n + 7) & ~7)
    }

    /// Whether every stock of the tile's members is finite.
    private func stateIsFinite(count n: Int) -> Bool {
        // x − x is 0 for a finite x and NaN for NaN or ±∞, and NaN stays in a sum: eight
        // independent lanes, and no false alarm from finite stocks summing past the largest
        // double. Spare lanes (≥ n) are not looked at.
        let whole = n & ~7
        var vector = Wide(repeating: 0), scalar = 0.0
        for slot in 0..<plan.model.stockCount {
            let stock = register(slot)
            for l in stride(from: 0, to: whole, by: 8) {
                let value = Self.load8(stock, l)
                vector += value - value
            }
            for l in whole..<n { scalar += stock[l] - stock[l] }
        }
        return all(vector .== 0) && scalar == 0
    }

    /// Throws when a stock became NaN or infinite, naming the flow expression responsible.
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
                    // A register nothing reads member by member holds its value in lane 0 only.
                    for l in 0..<(plan.registerIsReadByLane[Int(registerIndex)] ? n : 1) where !values[l].isFinite {
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
