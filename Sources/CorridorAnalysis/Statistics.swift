/// Quantiles of a sample, interpolated linearly between order statistics (NumPy's default).
public func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return fraction == 0 ? sorted[lower] : sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

/// Mean, p05, p50 and p95 of a sample.
public struct Band: Sendable, Equatable {
    public var mean: Double
    public var p05: Double
    public var p50: Double
    public var p95: Double

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        mean = values.reduce(0, +) / Double(Swift.max(1, values.count))
        p05 = quantile(sorted, 0.05)
        p50 = quantile(sorted, 0.5)
        p95 = quantile(sorted, 0.95)
    }
}

/// Mean absolute percentage error of (observed, model) pairs, percent; observations of 0
/// are left out (nan when none is left).
public func meanAbsolutePercentageError(_ pairs: [(observed: Double, model: Double)]) -> Double {
    let nonzero = pairs.filter { $0.observed != 0 }
    return nonzero.isEmpty ? .nan : 100 * nonzero.reduce(0) { $0 + abs($1.model - $1.observed) / abs($1.observed) } / Double(nonzero.count)
}
