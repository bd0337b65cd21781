/// What went wrong while running a model: a number that is not finite appeared.
public struct EngineError: Error, Equatable, CustomStringConvertible {
    public var flow: String
    public var group: String
    /// What was not finite, e.g. "rate", "capacity", "weight of destination court".
    public var quantity: String
    public var step: Int
    public var month: Month
    public var member: Int
    public var value: Double

    public var description: String {
        "flow '\(flow)', group \(group): its \(quantity) is \(value) at step \(step) (\(month)), member \(member). "
            + "Rates, capacities, weights and inflows must be finite numbers: look for a division by zero "
            + "or an overflowing exp() in that flow's expressions or the parameters they use."
    }
}
