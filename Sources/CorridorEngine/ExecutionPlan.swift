import RealModule

/// Member-independent facts derived from an `EngineModel` once per run.
final class ExecutionPlan: @unchecked Sendable {
    struct ParameterFill {
        let register: Int
        let parameter: Int
        let group: Int
        let drawSlot: Int?
        /// Member adjustments that apply to this register.
        let adjustments: [MemberAdjustment]
        /// Member overrides that apply, with the value in force the step before each starts.
        let overrides: [(override: MemberOverride, before: Double)]
        /// The same value for every member: no draw, adjustment or override.
        var isUniform: Bool { drawSlot == nil && adjustments.isEmpty && overrides.isEmpty }
    }
    struct DrawSlot { let stream: RandomStream; let distribution: Uncertainty.Distribution }
    /// A compiled program (the flow or output expressions) with, per instruction, what the
    /// runner needs to skip member-by-member work.
    struct ProgramPlan {
        let instructions: [Instruction]
        /// The result is the same for every member (computed from constants and undrawn
        /// parameters only): it is computed once.
        let isUniform: [Bool]
        /// Whether operands a and b are uniform: an instruction computed per member reads a
        /// uniform operand once, from lane 0.
        let uniformOperands: [(a: Bool, b: Bool)]
        /// A uniform result is written to every lane, because a kernel or an observer reads
        /// it member by member before anything writes the register again; other uniform
        /// results are written to lane 0 only (instructions read them there).
        let broadcastsResult: [Bool]
    }
    struct Source {
        let compartment: Int
        let capacityFlows: [Int]
        let hazardFlows: [Int]
    }

    let model: EngineModel
    let groupCount: Int
    let horizon: Int
    let registerCount: Int
    let parameterFills: [ParameterFill]
    let totalFills: [(register: Int, compartment: Int)]
    let constantFills: [(register: Int, value: Double)]
    let flowTotalFills: [(register: Int, flow: Int)]
    let drawSlots: [DrawSlot]
    let sources: [Source]
    /// Offset (in registers) of each multi-destination flow's shares, nil for single-destination flows.
    let shareOffsets: [Int?]
    let shareRegisterCount: Int
    let outputRegisters: [Int32]
    let flowProgram: ProgramPlan
    let outputProgram: ProgramPlan
    /// `[source index][group]`: every hazard rate leaving that compartment is uniform, so
    /// the share leaving, −expm1(−H)/H, is computed once for all members.
    let uniformHazards: [[Bool]]
    /// `[flow][group]`: every destination weight is uniform, so shares are computed once.
    let uniformShares: [[Bool]]
    /// `[flow][group]`: the flow's rate, capacity or inflow is the same for every member;
    /// its register then holds the value in lane 0 only, and the kernels read it there.
    let uniformAmounts: [[Bool]]
    /// Whether the value the kernels or observers find in the register can be read member
    /// by member: a rate, capacity or inflow that differs by member, a weight of a flow
    /// whose weights do, an output. A uniform parameter is written to every lane of such a
    /// register, to lane 0 only of any other (instructions read a uniform operand there).
    let registerIsReadByLane: [Bool]

    let drawBlock: Int?

    init(model: EngineModel, seed: UInt64, drawsEnabled: Bool, adjustments: [MemberAdjustment] = [],
         overrides: [MemberOverride] = [], members: Int = 1, drawBlock: Int? = nil) {
        precondition(adjustments.allSatisfy { $0.factors.count >= members }, "an adjustment needs a factor for every member")
        precondition(overrides.allSatisfy { $0.values.count >= members }, "an override needs a value for every member")
        self.drawBlock = drawBlock
        self.model = model
        groupCount = model.groupCount
        horizon = model.horizon
        registerCount = model.registers.count
        outputRegisters = model.outputRegisters
        var drawSlots: [DrawSlot] = []
        var slotOfKey: [String: Int] = [:]
        var parameterFills: [ParameterFill] = []
        var totals: [(Int, Int)] = []
        var constants: [(Int, Double)] = []
        var flowTotals: [(Int, Int)] = []
        for (register, source) in model.registers.enumerated() {
            switch source {
            case let .parameter(index, group):
                var slot: Int?
                if drawsEnabled, let uncertainty = model.parameters[index].uncertainty {
                    let name = model.parameters[index].name
                    let label = uncertainty.perGroup ? "\(name)\u{0}\(model.groupNames[group])" : name
                    if let existing = slotOfKey[label] {
                        slot = existing
                    } else {
                        drawSlots.append(DrawSlot(stream: RandomStream(seed: seed, label: label), distribution: uncertainty.distribution))
                        slotOfKey[label] = drawSlots.count - 1
                        slot = drawSlots.count - 1
                    }
                }
                let track = model.parameters[index].values
                parameterFills.append(ParameterFill(
                    register: register, parameter: index, group: group, drawSlot: slot,
                    adjustments: adjustments.filter { $0.parameter == index && $0.groups.contains(group) },
                    overrides: overrides.filter { $0.parameter == index && $0.groups.contains(group) }.map { override in
                        let step = Swift.min(Swift.max(override.from - 1, 0), Swift.max(model.horizon - 1, 0))
                        return (override, track.isEmpty ? 0 : track[step * model.groupCount + group])
                    }))
            case let .total(compartment): totals.append((register, compartment))
            case let .constant(value): constants.append((register, value))
            case let .flowTotal(flow): flowTotals.append((register, flow))
            case .stock, .computed: break
            }
        }
        self.drawSlots = drawSlots
        self.parameterFills = parameterFills
        totalFills = totals
        constantFills = constants
        flowTotalFills = flowTotals
        var sources: [Source] = []
        for c in 0..<model.compartmentCount {
            let leaving = model.flows.indices.filter { model.flows[$0].source == c }
            guard !leaving.isEmpty else { continue }
            sources.append(Source(
                compartment: c,
                capacityFlows: leaving.filter { model.flows[$0].kind == .pooledCapacity || model.flows[$0].kind == .perGroupCapacity },
                hazardFlows: leaving.filter { model.flows[$0].kind == .hazard }))
        }
        self.sources = sources
        var offsets: [Int?] = []
        var next = 0
        for flow in model.flows {
            if flow.destinations.count > 1 {
                offsets.append(next)
                next += flow.destinations.count * model.groupCount
            } else {
                offsets.append(nil)
            }
        }
        shareOffsets = offsets
        shareRegisterCount = next
        // Which registers hold one value for all members, following the programs in order
        // (temporary registers are reused, so this is tracked instruction by instruction).
        var uniform = model.registers.map { source -> Bool in
            switch source {
            case .constant: return true
            case .stock, .total, .flowTotal, .computed: return false
            case .parameter: return false
            }
        }
        for fill in parameterFills where fill.isUniform {
            uniform[fill.register] = true
        }
        func simulate(_ program: [Instruction]) -> (results: [Bool], operands: [(a: Bool, b: Bool)]) {
            var results: [Bool] = [], operands: [(a: Bool, b: Bool)] = []
            for instruction in program {
                let operand = (a: uniform[Int(instruction.a)], b: uniform[Int(instruction.b)])
                operands.append(operand)
                results.append(operand.a && operand.b)
                uniform[Int(instruction.destination)] = operand.a && operand.b
            }
            return (results, operands)
        }
        let (uniformFlowInstructions, uniformFlowOperands) = simulate(model.flowProgram)
        let uniformAmounts = model.flows.map { flow in flow.amountRegisters.map { uniform[Int($0)] } }
        self.uniformAmounts = uniformAmounts
        uniformHazards = sources.map { source in
            (0..<model.groupCount).map { g in source.hazardFlows.allSatisfy { uniformAmounts[$0][g] } }
        }
        uniformShares = model.flows.map { flow in
            (0..<model.groupCount).map { g in flow.weightRegisters.allSatisfy { uniform[Int($0[g])] } }
        }
        let (uniformOutputInstructions, uniformOutputOperands) = simulate(model.outputProgram)
        // Instructions need no entry: one computed per member reads an operand that holds a
        // uniform value at that point from lane 0, and any other operand was written member
        // by member.
        var readByLane = Array(repeating: false, count: model.registers.count)
        for (index, flow) in model.flows.enumerated() {
            for g in 0..<model.groupCount {
                if !uniformAmounts[index][g] { readByLane[Int(flow.amountRegisters[g])] = true }
                if !uniformShares[index][g] {
                    for weights in flow.weightRegisters { readByLane[Int(weights[g])] = true }
                }
            }
        }
        let readByKernel = readByLane
        for register in model.outputRegisters { readByLane[Int(register)] = true }
        registerIsReadByLane = readByLane
        // Temporary registers are reused, so a register read member by member may be written
        // by other expressions too: only the write whose value the reader finds broadcasts —
        // the last in the flow program for the kernels, the last in the output program for
        // outputs (an output is either a register no instruction writes or the output
        // program's own result).
        let outputs = Set(model.outputRegisters.map(Int.init))
        func lastWrites(_ program: [Instruction]) -> [Int: Int] {
            var last: [Int: Int] = [:]
            for (index, instruction) in program.enumerated() { last[Int(instruction.destination)] = index }
            return last
        }
        let lastFlowWrite = lastWrites(model.flowProgram), lastOutputWrite = lastWrites(model.outputProgram)
        flowProgram = ProgramPlan(
            instructions: model.flowProgram, isUniform: uniformFlowInstructions, uniformOperands: uniformFlowOperands,
            broadcastsResult: model.flowProgram.enumerated().map { index, instruction in
                let register = Int(instruction.destination)
                return lastFlowWrite[register] == index && readByKernel[register]
            })
        outputProgram = ProgramPlan(
            instructions: model.outputProgram, isUniform: uniformOutputInstructions, uniformOperands: uniformOutputOperands,
            broadcastsResult: model.outputProgram.enumerated().map { index, instruction in
                let register = Int(instruction.destination)
                return lastOutputWrite[register] == index && outputs.contains(register)
            })
    }
}
