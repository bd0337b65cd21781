/// How a parameter varies between ensemble members: one draw per member (and per group
/// when `perGroup`), fixed for the whole run.
public struct Uncertainty: Sendable, Equatable {
    public enum Distribution: Sendable, Equatable {
        /// Multiplies by `exp(s Z)`, `s = sqrt(ln(1 + cv²))` (median 1).
        case lognormal(cv: Double)
        /// Adds `sd Z`, then clamps to `[min, max]`.
        case normal(sd: Double, min: Double, max: Double)
        /// Multiplies by a uniform factor in `[low, high]`.
        case uniform(low: Double, high: Double)
    }
    public var distribution: Distribution
    public var perGroup: Bool

    public init(distribution: Distribution, perGroup: Bool) {
        self.distribution = distribution
        self.perGroup = perGroup
    }
}

/// A parameter's value in every step for every group, before member draws.
public struct ParameterTrack: Sendable {
    public var name: String
    /// Step-major values: step t, group g at `t * groupCount + g`, for t in 0 ..< horizon.
    public var values: [Double]
    public var uncertainty: Uncertainty?

    public init(name: String, values: [Double], uncertainty: Uncertainty?) {
        self.name = name
        self.values = values
        self.uncertainty = uncertainty
    }
}

/// A flow as the engine runs it.
public struct EngineFlow: Sendable {
    public enum Kind: Sendable, Equatable {
        case hazard, pooledCapacity, perGroupCapacity, inflow
    }
    public var name: String
    public var kind: Kind
    /// Source compartment; nil for an inflow.
    public var source: Int?
    /// Destination compartments.
    public var destinations: [Int]
    /// Register of the rate (per month), capacity (people per month) or inflow (people
    /// per month) for each group; a pooled capacity repeats its one register.
    public var amountRegisters: [Int32]
    /// Register of each destination's weight for each group, `[destination][group]`;
    /// empty when the flow has a single destination.
    public var weightRegisters: [[Int32]]

    public init(name: String, kind: Kind, source: Int?, destinations: [Int], amountRegisters: [Int32], weightRegisters: [[Int32]]) {
        self.name = name
        self.kind = kind
        self.source = source
        self.destinations = destinations
        self.amountRegisters = amountRegisters
        self.weightRegisters = weightRegisters
    }
}

/// A model compiled for the engine: numbers and instructions only, no files.
public struct EngineModel: Sendable {
    public var groupNames: [String]
    public var compartmentNames: [String]
    public var start: Month
    /// Number of steps (months) to run.
    public var horizon: Int
    /// Stocks at step 0 (people), compartment-major: `c * groups + g`.
    public var initial: [Double]
    public var parameters: [ParameterTrack]
    public var registers: [RegisterSource]
    /// Evaluates every flow expression at the start of a step.
    public var flowProgram: [Instruction]
    /// Evaluates the named outputs once the step's flows are known.
    public var outputProgram: [Instruction]
    public var flows: [EngineFlow]
    public var outputNames: [String]
    public var outputRegisters: [Int32]

    public var groupCount: Int { groupNames.count }
    public var compartmentCount: Int { compartmentNames.count }
    public var stockCount: Int { groupNames.count * compartmentNames.count }

    public init(
        groupNames: [String], compartmentNames: [String], start: Month, horizon: Int, initial: [Double],
        parameters: [ParameterTrack], program: ProgramBuilder, flowProgram: [Instruction], outputProgram: [Instruction],
        flows: [EngineFlow], outputNames: [String], outputRegisters: [Int32]
    ) {
        self.groupNames = groupNames
        self.compartmentNames = compartmentNames
        self.start = start
        self.horizon = horizon
        self.initial = initial
        self.parameters = parameters
        self.registers = program.sources
        self.flowProgram = flowProgram
        self.outputProgram = outputProgram
        self.flows = flows
        self.outputNames = outputNames
        self.outputRegisters = outputRegisters
    }
}
