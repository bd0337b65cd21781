import CorridorEngine
import CorridorLinearAlgebra
import CorridorModel

/// Which uncertain parameters move an output most: standardized regression coefficients
/// of the output at a month on the members' draws (least squares with LAPACK dgels).
public struct Sensitivity {
    public struct Coefficient: Sendable {
        /// The parameter, with its group when drawn per group.
        public var label: String
        /// Change of the output in standard deviations per standard deviation of the draw.
        public var standardized: Double
        /// Variance-based first-order share: Var(E[output | draw]) / Var(output), estimated
        /// from the same members by binning the draw into equal-count bins.
        public var firstOrder: Double
    }

    public var output: String
    public var month: Month
    public var members: Int
    /// Ranked by absolute size.
    public var coefficients: [Coefficient]
    /// Share of the output's variance over members that the linear fit explains.
    public var rSquared: Double

    /// Runs `scenario`'s members (with their draws, to `month`) and regresses `output` on the draws.
    public static func run(scenario: Scenario, output: String, month: Month,
                           threads: Int, progress: (@Sendable (Int) -> Void)? = nil) throws -> Sensitivity {
        let definition = scenario.definition, members = scenario.members, seed = scenario.seed
        let model = definition.model
        guard let outputIndex = model.outputNames.firstIndex(of: output) else {
            throw ModelError(file: definition.file, message: "the model has no output '\(output)'; its outputs are \(model.outputNames.joined(separator: ", "))")
        }
        let step = try scenario.step(of: month, "the month")
        guard members >= 10 else { throw AnalysisError.tooFewMembers(members, needed: 10) }
        let engineModel = model.compile(horizon: step + 1)
        let draws = Ensemble.draws(engineModel, seed: seed, members: members)
        guard !draws.isEmpty else {
            throw ModelError(file: definition.file, message: "no parameter has an `uncertainty` block: there is nothing to rank")
        }
        var options = scenario.runOptions(threads: threads)
        options.summarize = false
        options.record = [.output(outputIndex)]
        let result = try Ensemble.run(engineModel, options: options, progress: progress)
        let y = (0..<members).map { result.recorded!.value(member: $0, step: step, series: 0) }
        func standardize(_ values: [Double]) -> (values: [Double], sd: Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
            return (values.map { sd > 0 ? ($0 - mean) / sd : 0 }, sd)
        }
        let (yStandard, ySD) = standardize(y)
        guard ySD > 0 else {
            throw ModelError(file: definition.file, message: "\(output) is the same in every member at \(month): the uncertain parameters do not reach it")
        }
        let columns = draws.map { standardize($0.values) }.filter { $0.sd > 0 }
        let labels = zip(draws, draws.map { standardize($0.values).sd }).filter { $0.1 > 0 }.map { $0.0.label }
        var design = Matrix(rows: members, columns: columns.count)
        for (j, column) in columns.enumerated() {
            for i in 0..<members { design[i, j] = column.values[i] }
        }
        let coefficients = try LinearAlgebra.leastSquares(design, Matrix(rows: members, columns: 1, columnMajor: yStandard))
        let fitted = try LinearAlgebra.multiply(design, coefficients)
        let residual = (0..<members).reduce(0) { $0 + (yStandard[$1] - fitted[$1, 0]) * (yStandard[$1] - fitted[$1, 0]) }
        let ranked = labels.enumerated().map {
            Coefficient(label: $0.element, standardized: coefficients[$0.offset, 0],
                        firstOrder: firstOrderShare(x: columns[$0.offset].values, y: yStandard))
        }.sorted { abs($0.standardized) > abs($1.standardized) }
        return Sensitivity(output: output, month: month, members: members, coefficients: ranked,
                           rSquared: 1 - residual / Double(members - 1))
    }

    /// Var(E[y | x]) / Var(y) with x cut into equal-count bins (about 20 members a bin,
    /// 5 to 50 bins): the "given data" estimate of a first-order variance-based index.
    /// It catches non-linear and non-monotone influence the regression misses; with few
    /// members a bin it is biased upwards by about (bins − 1) / members.
    public static func firstOrderShare(x: [Double], y: [Double]) -> Double {
        let n = x.count
        let bins = Swift.max(5, Swift.min(50, n / 20))
        let order = x.indices.sorted { x[$0] < x[$1] }
        let mean = y.reduce(0, +) / Double(n)
        let total = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard total > 0 else { return 0 }
        var between = 0.0
        for b in 0..<bins {
            let members = order[(b * n / bins)..<((b + 1) * n / bins)]
            guard !members.isEmpty else { continue }
            let binMean = members.reduce(0) { $0 + y[$1] } / Double(members.count)
            between += Double(members.count) * (binMean - mean) * (binMean - mean)
        }
        return between / total
    }
}
