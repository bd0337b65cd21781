/// Negative numbers where the format clamps: a rate, capacity or inflow below 0 counts as
/// 0 (MODEL-FORMAT.md, "One step", rule 1). That rule stands, so a negative value is
/// legal, but a parameter with a negative value that such an expression uses is almost
/// always a mistake (`--set judges=-100`): Corridor warns once, naming the parameter and
/// where its value was given.
extension Model {
    /// One warning for each parameter that holds a negative number in its value, schedule
    /// or series and appears in a flow's rate, capacity or inflow.
    public var negativeValueWarnings: [ModelError] {
        let used = flows.reduce(into: Set<String>()) { used, flow in
            switch flow.kind {
            case let .hazard(rate): used.formUnion(rate.expression.parameters)
            case let .capacity(capacity, _): used.formUnion(capacity.expression.parameters)
            case let .inflow(amount): used.formUnion(amount.expression.parameters)
            }
        }
        return parameters.compactMap { parameter in
            guard used.contains(parameter.name), let negative = parameter.mostNegativeValue else { return nil }
            return parameter.origin.error("\(numberText(negative)) is negative, and a rate, capacity or inflow below 0 counts as 0 "
                + "(MODEL-FORMAT.md, \"One step\", rule 1): the flows using '\(parameter.name)' stop instead of reversing; check the sign")
        }
    }
}

extension ParameterSpec {
    /// The most negative number in its value, schedule and series; nil when none is negative.
    var mostNegativeValue: Double? {
        let numbers = (value?.values ?? []) + (schedule ?? []).flatMap(\.value.values) + (series?.points ?? []).flatMap(\.value.values)
        guard let least = numbers.min(), least < 0 else { return nil }
        return least
    }
}

extension Expression {
    /// The names of the parameters it uses.
    var parameters: Set<String> {
        switch self {
        case .number, .stock, .total, .flow: []
        case let .parameter(name, _): [name]
        case let .negate(inner), let .exp(inner): inner.parameters
        case let .binary(_, left, right), let .minimum(left, right), let .maximum(left, right): left.parameters.union(right.parameters)
        }
    }
}
