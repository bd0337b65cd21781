import CorridorEngine
import RealModule

extension Model {
    /// Compiles the model for the engine over `horizon` steps: parameter values resolved
    /// month by month, expressions turned into register instructions once.
    public func compile(horizon: Int) -> EngineModel {
        precondition(horizon >= 1, "horizon must be at least one step")
        let groupCount = groups.count
        let tracks = parameters.map { spec in
            ParameterTrack(name: spec.name, values: Self.resolve(spec, start: start, horizon: horizon, groupCount: groupCount),
                           uncertainty: spec.uncertainty)
        }
        var builder = ProgramBuilder(groupCount: groupCount, compartmentCount: compartments.count)
        var flows: [EngineFlow] = []
        for flow in self.flows {
            var amountRegisters: [Int32] = []
            let kind: EngineFlow.Kind
            switch flow.kind {
            case let .hazard(rate):
                kind = .hazard
                amountRegisters = groups.indices.map { compileTop(rate.expression, group: $0, &builder) }
            case let .capacity(capacity, pooled):
                if pooled {
                    kind = .pooledCapacity
                    let register = compileTop(capacity.expression, group: nil, &builder)
                    amountRegisters = Array(repeating: register, count: groupCount)
                } else {
                    kind = .perGroupCapacity
                    amountRegisters = groups.indices.map { compileTop(capacity.expression, group: $0, &builder) }
                }
            case let .inflow(amount):
                kind = .inflow
                amountRegisters = groups.indices.map { compileTop(amount.expression, group: $0, &builder) }
            }
            var weightRegisters: [[Int32]] = []
            if flow.destinations.count > 1 {
                weightRegisters = flow.destinations.map { destination in
                    groups.indices.map { compileTop(destination.weight!.expression, group: $0, &builder) }
                }
            }
            flows.append(EngineFlow(name: flow.name, kind: kind, source: flow.source,
                                    destinations: flow.destinations.map(\.compartment),
                                    amountRegisters: amountRegisters, weightRegisters: weightRegisters))
        }
        let flowProgram = builder.takeInstructions()
        let outputRegisters = outputs.map { compileTop($0.expression.expression, group: nil, &builder) }
        let outputProgram = builder.takeInstructions()
        return EngineModel(groupNames: groups, compartmentNames: compartments, start: start, horizon: horizon,
                           initial: initial, parameters: tracks, program: builder, flowProgram: flowProgram,
                           outputProgram: outputProgram, flows: flows, outputNames: outputs.map(\.name),
                           outputRegisters: outputRegisters)
    }

    private func compileTop(_ expression: Expression, group: Int?, _ builder: inout ProgramBuilder) -> Int32 {
        let result = compile(expression, group: group, &builder)
        builder.finishExpression(result: result)
        return result
    }

    /// Emits instructions for an expression evaluated for `group` (nil: pooled or output).
    /// Sub-expressions of numbers only are folded into one constant.
    private func compile(_ expression: Expression, group: Int?, _ builder: inout ProgramBuilder) -> Int32 {
        if let constant = Self.constantValue(expression) {
            return builder.register(for: .constant(constant))
        }
        switch expression {
        case let .number(value):
            return builder.register(for: .constant(value))
        case let .parameter(name, _):
            let index = parameterIndex(name)!
            // A parameter with one value for all groups shares one register.
            let groupIndex = parameters[index].isPerGroup ? (group ?? 0) : 0
            return builder.register(for: .parameter(index: index, group: groupIndex))
        case let .negate(inner):
            return builder.emit(.negate, compile(inner, group: group, &builder))
        case let .exp(inner):
            return builder.emit(.exp, compile(inner, group: group, &builder))
        case let .binary(op, a, b):
            let left = compile(a, group: group, &builder), right = compile(b, group: group, &builder)
            let code: OpCode
            switch op {
            case .add: code = .add
            case .subtract: code = .subtract
            case .multiply: code = .multiply
            case .divide: code = .divide
            }
            return builder.emit(code, left, right)
        case let .minimum(a, b):
            return builder.emit(.minimum, compile(a, group: group, &builder), compile(b, group: group, &builder))
        case let .maximum(a, b):
            return builder.emit(.maximum, compile(a, group: group, &builder), compile(b, group: group, &builder))
        case let .stock(name, _):
            return builder.register(for: .stock(compartment: compartments.firstIndex(of: name)!, group: group!))
        case let .total(name, _):
            return builder.register(for: .total(compartment: compartments.firstIndex(of: name)!))
        case let .flow(name, _):
            return builder.register(for: .flowTotal(flow: flows.firstIndex { $0.name == name }!))
        }
    }

    /// The value of an expression made of numbers only, evaluated as the engine would.
    static func constantValue(_ expression: Expression) -> Double? {
        switch expression {
        case let .number(value): return value
        case let .negate(inner): return constantValue(inner).map { -$0 }
        case let .exp(inner): return constantValue(inner).map { Double.exp($0) }
        case let .binary(op, a, b):
            guard let x = constantValue(a), let y = constantValue(b) else { return nil }
            switch op {
            case .add: return x + y
            case .subtract: return x - y
            case .multiply: return x * y
            case .divide: return x / y
            }
        case let .minimum(a, b):
            guard let x = constantValue(a), let y = constantValue(b) else { return nil }
            return Swift.min(x, y)
        case let .maximum(a, b):
            guard let x = constantValue(a), let y = constantValue(b) else { return nil }
            return Swift.max(x, y)
        case .parameter, .stock, .total, .flow: return nil
        }
    }

    /// A parameter's value at each step (step-major, `t * groups + g`) from its value,
    /// schedule (with ramps) or series.
    static func resolve(_ spec: ParameterSpec, start: Month, horizon: Int, groupCount: Int) -> [Double] {
        var values = Array(repeating: 0.0, count: horizon * groupCount)
        for step in 0..<horizon {
            let month = start.advanced(by: step)
            let current: [Double]
            if let series = spec.series {
                current = series.points.last(where: { $0.month <= month })?.value.values ?? spec.value!.values
            } else if let schedule = spec.schedule {
                current = scheduleValue(schedule, base: spec.value!.values, at: month, upTo: schedule.count)
            } else {
                current = spec.value!.values
            }
            for g in 0..<groupCount { values[step * groupCount + g] = current[g] }
        }
        return values
    }

    /// The value at `month` using the first `count` schedule entries: an entry from
    /// month F with ramp r gives, at F + j, `prev + (v - prev) * min(1, (j + 1) / r)`,
    /// where prev is the value in force at F - 1.
    static func scheduleValue(_ schedule: [ScheduleEntry], base: [Double], at month: Month, upTo count: Int) -> [Double] {
        guard let index = schedule.prefix(count).lastIndex(where: { $0.from <= month }) else { return base }
        let entry = schedule[index]
        guard let ramp = entry.ramp else { return entry.value.values }
        let previous = scheduleValue(schedule, base: base, at: entry.from.advanced(by: -1), upTo: index)
        let progress = Swift.min(1, Double(month.months(since: entry.from) + 1) / Double(ramp))
        return zip(previous, entry.value.values).map { prev, target in prev + (target - prev) * progress }
    }
}
