/// An operation of a compiled expression. Every operand is a register: a vector of one
/// value per member of the tile being run.
public enum OpCode: UInt8, Sendable {
    case add, subtract, multiply, divide, minimum, maximum, exp, negate
}

/// One instruction: `destination = a op b` lane by lane (`b` unused by unary operations).
public struct Instruction: Sendable, Equatable {
    public let op: OpCode
    public let destination: Int32
    public let a: Int32
    public let b: Int32
}

/// Where a register's values come from before a step's instructions run.
public enum RegisterSource: Sendable, Hashable {
    /// The stock of a group in a compartment at the start of the step (people).
    case stock(compartment: Int, group: Int)
    /// The sum of a compartment over groups at the start of the step (people).
    case total(compartment: Int)
    /// A parameter's value for a group in the step, with the member's draw applied.
    case parameter(index: Int, group: Int)
    /// A number fixed for the whole run.
    case constant(Double)
    /// A flow's total over groups and destinations during the step (people per month).
    case flowTotal(flow: Int)
    /// The result of an instruction.
    case computed
}

/// Builds the register table and instruction list of a model's expressions. The model
/// layer translates its expression trees into calls on this builder; the engine runs
/// the result.
public struct ProgramBuilder: Sendable {
    public private(set) var sources: [RegisterSource]
    public private(set) var instructions: [Instruction] = []
    private var freeTemporaries: [Int32] = []
    private var lookup: [RegisterSource: Int32] = [:]
    private var temporariesSinceMark: [Int32] = []
    /// Registers whose value follows the state (a stock, a total, a flow's total, or computed
    /// from one): it changes every step.
    private var followsState: Set<Int32> = []
    let groupCount: Int

    /// Registers 0 ..< groups × compartments hold the stocks: register `c * groups + g`.
    public init(groupCount: Int, compartmentCount: Int) {
        self.groupCount = groupCount
        sources = []
        for c in 0..<compartmentCount {
            for g in 0..<groupCount {
                sources.append(.stock(compartment: c, group: g))
                lookup[.stock(compartment: c, group: g)] = Int32(sources.count - 1)
            }
        }
    }

    /// The register holding a value of the given source, shared by every use.
    public mutating func register(for source: RegisterSource) -> Int32 {
        precondition(source != .computed)
        if let existing = lookup[source] { return existing }
        sources.append(source)
        let index = Int32(sources.count - 1)
        lookup[source] = index
        return index
    }

    /// Emits `op(a, b)` into a new register and returns it. A result that follows the state
    /// may reuse a register an earlier expression no longer needs; any other result (computed
    /// from parameters and constants only) gets a register of its own, so that it is still
    /// there in the next step and the engine need not compute it again while its inputs keep
    /// their values (`TileRunner`'s change stamps).
    public mutating func emit(_ op: OpCode, _ a: Int32, _ b: Int32 = -1) -> Int32 {
        let destination: Int32
        let stateDependent = depends(onState: a) || (b != -1 && depends(onState: b))
        if stateDependent, let reused = freeTemporaries.popLast() {
            destination = reused
        } else {
            sources.append(.computed)
            destination = Int32(sources.count - 1)
        }
        if stateDependent {
            followsState.insert(destination)
            temporariesSinceMark.append(destination)
        }
        instructions.append(Instruction(op: op, destination: destination, a: a, b: b == -1 ? a : b))
        return destination
    }

    private func depends(onState register: Int32) -> Bool {
        switch sources[Int(register)] {
        case .stock, .total, .flowTotal: true
        case .computed: followsState.contains(register)
        case .parameter, .constant: false
        }
    }

    /// Ends one expression: its intermediate registers that follow the state become free for
    /// the next one, while its result (which flows read later in the step) stays reserved.
    public mutating func finishExpression(result: Int32) {
        for temporary in temporariesSinceMark where temporary != result {
            freeTemporaries.append(temporary)
        }
        temporariesSinceMark.removeAll()
    }

    /// Splits off the instructions emitted so far, e.g. the flow expressions, so that the
    /// next ones (the outputs) run as a separate program later in the step.
    public mutating func takeInstructions() -> [Instruction] {
        defer { instructions.removeAll() }
        return instructions
    }
}
