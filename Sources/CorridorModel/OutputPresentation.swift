/// How a report shows a named output: optional keys of an output in a model file
/// (`outputs: {NAME: {expression, unit, label, observed}}`, Docs/model-format.md).
public struct OutputPresentation: Sendable, Equatable, Encodable {
    /// The unit of the output's values, e.g. "people pending, start of month".
    public var unit: String?
    /// A short label for charts and tables.
    public var label: String?
    /// The observed series drawn over the output.
    public var observed: ObservedMatch?

    public init(unit: String? = nil, label: String? = nil, observed: ObservedMatch? = nil) {
        self.unit = unit
        self.label = label
        self.observed = observed
    }
}

/// An observed series that measures an output: `observed: {series, group, at}`.
public struct ObservedMatch: Sendable, Equatable, Encodable {
    public var series: String
    /// Default `ALL`.
    public var group: String
    /// true (`at: end`): each value is a stock at the end of its period, drawn at the next
    /// month; false (`at: month`, the default): monthly values.
    public var endOfPeriod: Bool

    public init(series: String, group: String = "ALL", endOfPeriod: Bool = false) {
        self.series = series
        self.group = group
        self.endOfPeriod = endOfPeriod
    }

    private enum CodingKeys: String, CodingKey { case series, group, at }

    /// As the model file writes it: `{series, group, at: end|month}`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(series, forKey: .series)
        try container.encode(group, forKey: .group)
        try container.encode(endOfPeriod ? "end" : "month", forKey: .at)
    }
}
