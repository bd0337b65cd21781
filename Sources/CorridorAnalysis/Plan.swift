import CorridorEngine
import CorridorModel
import Foundation

/// "OUTPUT <= VALUE by YYYY-MM" (or >=): a condition on a named output in a month.
public struct PlanTarget: Sendable, CustomStringConvertible {
    public var output: String
    public var atMost: Bool
    public var value: Double
    public var month: Month

    /// Parses `courtBacklog <= 1000000 by 2032-09`; underscores and commas in the number are allowed.
    public init(parsing text: String) throws {
        let parts = text.split(separator: " ").map(String.init).filter { !$0.isEmpty }
        guard parts.count == 5, parts[1] == "<=" || parts[1] == ">=", parts[3] == "by",
              let value = Double(parts[2].replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")),
              let month = Month(parsing: parts[4]) else {
            throw AnalysisError.malformedTarget(text)
        }
        output = parts[0]
        atMost = parts[1] == "<="
        self.value = value
        self.month = month
    }

    public func isMet(by value: Double) -> Bool { atMost ? value <= self.value : value >= self.value }

    public var description: String { "\(output) \(atMost ? "<=" : ">=") \(value) by \(month)" }
}

/// The least value of a lever that meets a target with a stated probability. Candidate
/// values run side by side as members of one ensemble: candidate k's members are
/// `k·N ..< (k+1)·N`, and every candidate's member j has member j's draws.
public struct Plan {
    public struct Point: Sendable {
        public var value: Double
        /// Share of members meeting the target.
        public var probability: Double
    }

    public var parameter: String
    public var target: PlanTarget
    public var confidence: Double
    /// Probability against lever value, ascending in value.
    public var curve: [Point]
    /// The least value meeting the target with `confidence`, nil when none in the range does.
    public var answer: Double?

    /// Whether a range reads as a headcount: both ends whole numbers and at least as many
    /// units wide as there are candidates per batch.
    public static func isWholeNumberRange(_ range: ClosedRange<Double>, candidates: Int) -> Bool {
        range.lowerBound == range.lowerBound.rounded() && range.upperBound == range.upperBound.rounded()
            && range.upperBound - range.lowerBound >= Double(candidates)
    }

    /// - Parameters:
    ///   - from, ramp: the lever moves to the candidate value from `from`, linearly over `ramp` months.
    ///   - candidates: values per batch; a second batch refines between the last failing and
    ///     the first succeeding candidate.
    ///   - wholeNumbers: candidates are whole numbers (a headcount), and batches refine until
    ///     the last failing and the first succeeding candidate are 1 apart.
    ///   - scenario: what is planned; its members run for each candidate, with its seed.
    public static func run(scenario: Scenario, parameter: String, target: PlanTarget, confidence: Double,
                           range: ClosedRange<Double>, from: Month, ramp: Int,
                           candidates: Int = 21, wholeNumbers: Bool = false, threads: Int,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Plan {
        let definition = scenario.definition, members = scenario.members
        let model = definition.model
        _ = try scenario.tryingCandidates([], of: parameter, from: from, ramp: ramp)  // an unknown parameter fails here, before any run
        guard let output = model.outputNames.firstIndex(of: target.output) else {
            throw ModelError(file: definition.file, message: "the model has no output '\(target.output)'; its outputs are \(model.outputNames.joined(separator: ", "))")
        }
        let targetStep = try scenario.step(of: target.month, "the target month")
        let fromStep = try scenario.step(of: from, "the lever's first month")
        guard fromStep <= targetStep else {
            throw ModelError(file: definition.file, message: "the lever must move (from \(from)) no later than the target month \(target.month)")
        }
        guard range.lowerBound < range.upperBound else {
            throw AnalysisError.emptyRange(low: range.lowerBound, high: range.upperBound)
        }
        let engineModel = model.compile(horizon: targetStep + 1)
        var evaluated: [Double: Double] = [:]
        func evaluate(_ values: [Double], batch: Int) throws {
            var options = try scenario.tryingCandidates(values, of: parameter, from: from, ramp: ramp).runOptions(threads: threads)
            options.tileSize = 64
            options.summarize = false
            options.record = [.output(output)]
            let result = try Ensemble.run(engineModel, options: options) { done in progress?(batch, done) }
            let recorded = result.recorded!
            for (k, value) in values.enumerated() {
                let met = (0..<members).filter { target.isMet(by: recorded.value(member: k * members + $0, step: targetStep, series: 0)) }.count
                evaluated[value] = Double(met) / Double(members)
            }
        }
        let count = Swift.max(2, candidates)
        func spread(_ low: Double, _ high: Double, _ values: [Double]) -> [Double] {
            guard wholeNumbers else { return values }
            return Array(Set(values.map { $0.rounded() }).filter { $0 > low && $0 < high }).sorted()
        }
        let grid = spread(-.infinity, .infinity, (0..<count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count - 1) })
        try evaluate(grid, batch: 0)
        var tried = grid
        var batch = 1
        // Refine between the last failing and the first meeting candidate: once, or, for
        // whole numbers, until they are 1 apart.
        while let firstMet = tried.firstIndex(where: { evaluated[$0]! >= confidence }), firstMet > 0 {
            let low = tried[firstMet - 1], high = tried[firstMet]
            let finer = spread(low, high, (1..<count).map { low + (high - low) * Double($0) / Double(count) })
            guard !finer.isEmpty else { break }
            try evaluate(finer, batch: batch)
            batch += 1
            tried = evaluated.keys.sorted()
            if !wholeNumbers { break }
        }
        let curve = evaluated.keys.sorted().map { Point(value: $0, probability: evaluated[$0]!) }
        // The least value from which every larger candidate meets the target too.
        var answer: Double?
        for point in curve.reversed() {
            if point.probability >= confidence { answer = point.value } else { break }
        }
        return Plan(parameter: parameter, target: target, confidence: confidence, curve: curve, answer: answer)
    }
}
