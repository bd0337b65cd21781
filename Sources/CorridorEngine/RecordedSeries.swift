/// Multiplies one parameter by a factor that differs between members, for some groups
/// and steps: member m's value is `factors[m]` times what it would otherwise be.
public struct MemberAdjustment: Sendable {
    public var parameter: Int
    /// Groups affected; a parameter with one value for all groups uses group 0.
    public var groups: [Int]
    public var steps: Range<Int>
    /// One factor per member of the run.
    public var factors: [Double]

    public init(parameter: Int, groups: [Int], steps: Range<Int>, factors: [Double]) {
        self.parameter = parameter
        self.groups = groups
        self.steps = steps
        self.factors = factors
    }
}

/// Sets one parameter to a value that differs between members, from a step on, reached
/// linearly over `ramp` steps from the value in force the step before (as a schedule
/// entry does). Member draws still apply on top. This is how `plan` runs many candidate
/// values of a lever side by side.
public struct MemberOverride: Sendable {
    public var parameter: Int
    public var groups: [Int]
    public var from: Int
    public var ramp: Int
    /// One value per member of the run.
    public var values: [Double]

    public init(parameter: Int, groups: [Int], from: Int, ramp: Int, values: [Double]) {
        self.parameter = parameter
        self.groups = groups
        self.from = from
        self.ramp = Swift.max(1, ramp)
        self.values = values
    }
}

/// Chosen series for every member and step: stocks at steps 0…horizon, flows and
/// outputs at 0…horizon−1 (step `horizon` holds NaN for them).
public final class RecordedSeries: @unchecked Sendable {
    public let kinds: [SeriesKind]
    public let members: Int
    public let horizon: Int
    private let values: UnsafeMutablePointer<Double>

    init(kinds: [SeriesKind], members: Int, horizon: Int) {
        self.kinds = kinds
        self.members = members
        self.horizon = horizon
        let count = members * (horizon + 1) * kinds.count
        values = .allocate(capacity: Swift.max(1, count))
        values.initialize(repeating: .nan, count: Swift.max(1, count))
    }

    deinit { values.deallocate() }

    /// Value of series number `series` (in `kinds` order) for a member at a step.
    public func value(member: Int, step: Int, series: Int) -> Double {
        values[(member * (horizon + 1) + step) * kinds.count + series]
    }

    private var perMember: Int { (horizon + 1) * kinds.count }

    /// The values of `members`, for a message to another process.
    func slice(members: Range<Int>) -> [Double] {
        Array(UnsafeBufferPointer(start: values + members.lowerBound * perMember, count: members.count * perMember))
    }

    /// Sets the values of `members` from `slice`.
    func fill(members: Range<Int>, from slice: [Double]) throws {
        guard slice.count == members.count * perMember else { throw ByteReader.Malformed() }
        guard !slice.isEmpty else { return }
        slice.withUnsafeBufferPointer { (values + members.lowerBound * perMember).update(from: $0.baseAddress!, count: slice.count) }
    }

    func record(step: Int, view: TileView, includeFlows: Bool) {
        for (k, kind) in kinds.enumerated() {
            if case .stock = kind {} else if !includeFlows { continue }
            let source = SeriesCatalog.values(of: kind, in: view)
            for l in 0..<view.count {
                values[((view.firstMember + l) * (horizon + 1) + step) * kinds.count + k] = source[l]
            }
        }
    }
}
