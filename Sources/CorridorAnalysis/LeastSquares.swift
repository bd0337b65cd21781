import CorridorLinearAlgebra
import RealModule

/// Levenberg–Marquardt minimization of a sum of squared residuals, on its own: it knows
/// nothing of models, only a function from parameter vectors to residual vectors.
///
/// The residual function takes a **batch** of parameter vectors and returns their residual
/// vectors, so a caller can evaluate a whole finite-difference Jacobian in one go (the
/// calibration runs it as one ensemble with a member per vector). Each step solves the
/// damped linear least-squares problem `min ‖J δ + r‖² + λ‖D δ‖²` as the stacked system
/// `[J; √λ D] δ ≈ [−r; 0]` by QR (LAPACK `dgels` on OpenBLAS), never forming `JᵀJ`, whose
/// condition number is the square of `J`'s. `D` holds the largest column norms of `J` seen
/// so far (Moré's scaling), so the damping does not depend on the parameters' units.
public struct LevenbergMarquardt: Sendable {
    /// How the Jacobian is approximated.
    public enum Differences: Sendable {
        /// One step forward per parameter (p + 1 vectors a Jacobian), of size `step` × |x|
        /// (`step` where x is 0).
        case forward(step: Double)
        /// One step each way (2p + 1 vectors), more accurate where residuals curve.
        case central(step: Double)
    }

    public var maximumIterations: Int
    public var differences: Differences
    /// The search stops when an accepted step lowers the cost by less than this share.
    public var relativeTolerance: Double
    /// Largest change of one coordinate in one step (nil: none).
    public var maximumStep: Double?
    /// λ of the first step and after a stall, relative to the scaled Jacobian (1 weighs the
    /// damping like the data).
    public var initialDamping: Double

    public init(maximumIterations: Int = 200, differences: Differences = .forward(step: 1e-7),
                relativeTolerance: Double = 1e-15, maximumStep: Double? = nil, initialDamping: Double = 1e-3) {
        self.maximumIterations = maximumIterations
        self.differences = differences
        self.relativeTolerance = relativeTolerance
        self.maximumStep = maximumStep
        self.initialDamping = initialDamping
    }

    /// The result of a minimization.
    public struct Solution: Sendable {
        public var parameters: [Double]
        public var residuals: [Double]
        /// Sum of squared residuals at the start and at the solution.
        public var initialCost: Double
        public var cost: Double
        public var iterations: Int
    }

    public static func cost(_ residuals: [Double]) -> Double { residuals.reduce(0) { $0 + $1 * $1 } }

    /// Minimizes `Σ r(x)²` from `start`. `progress` receives each iteration and its cost.
    public func minimize(start: [Double], residuals: ([[Double]]) throws -> [[Double]],
                         progress: ((Int, Double) -> Void)? = nil) throws -> Solution {
        let p = start.count
        var x = start
        var r = try residuals([x])[0]
        let initialCost = Self.cost(r)
        var cost = initialCost
        var lambda = initialDamping
        var scale = [Double](repeating: 0, count: p)
        var iterations = 0
        var stalls = 0
        var radius = 0.0
        while iterations < maximumIterations {
            iterations += 1
            let jacobian = try self.jacobian(at: x, residuals: r, evaluate: residuals)
            let m = r.count
            for j in 0..<p {
                var norm = 0.0
                for i in 0..<m { norm += jacobian[i, j] * jacobian[i, j] }
                scale[j] = Swift.max(scale[j], norm.squareRoot(), 1e-300)
            }
            func scaledNorm(_ v: [Double]) -> Double { (0..<p).reduce(0) { $0 + scale[$1] * scale[$1] * v[$1] * v[$1] }.squareRoot() }
            // A trust region as in MINPACK's lmder: steps longer than `radius` (in the scaled
            // norm) are damped more before they are tried; it starts at 100 ‖D x‖.
            if radius == 0 { radius = 100 * Swift.max(scaledNorm(x), 1) }
            // Nielsen's damping update: shrink λ by how well the linear model predicted the
            // step's gain, grow it geometrically while steps fail.
            var accepted = false
            var growth = 2.0
            for _ in 0..<30 {
                let delta = try step(jacobian: jacobian, residuals: r, scale: scale, lambda: lambda)
                let length = scaledNorm(delta)
                if length > radius {
                    lambda *= growth
                    growth *= 2
                    if lambda > 1e16 { break }
                    continue
                }
                let candidate = (0..<p).map { x[$0] + delta[$0] }
                let candidateResiduals = try residuals([candidate])[0]
                let candidateCost = Self.cost(candidateResiduals)
                var predicted = 0.0
                for i in 0..<m {
                    var value = r[i]
                    for j in 0..<p { value += jacobian[i, j] * delta[j] }
                    predicted += value * value
                }
                let gain = (cost - candidateCost) / Swift.max(cost - predicted, .leastNormalMagnitude)
                if !(gain > 0.25) { radius = 0.5 * Swift.min(radius, length) }
                if gain > 0.75 { radius = Swift.max(radius, 2 * length) }
                if candidateCost.isFinite && candidateCost < cost && gain > 0 {
                    let improvement = (cost - candidateCost) / Swift.max(cost, .leastNormalMagnitude)
                    x = candidate
                    r = candidateResiduals
                    cost = candidateCost
                    lambda = Swift.max(lambda * Swift.max(1.0 / 3, 1 - Double.pow(2 * gain - 1, 3)), 1e-15)
                    accepted = improvement > relativeTolerance
                    break
                }
                lambda *= growth
                growth *= 2
                if lambda > 1e16 { break }
            }
            progress?(iterations, cost)
            if !accepted {
                // A kink (a capacity that starts or stops binding) can stall the damped step:
                // start again from light damping a few times before giving up.
                stalls += 1
                guard stalls <= 10, cost > 0 else { break }
                lambda = initialDamping
            }
        }
        return Solution(parameters: x, residuals: r, initialCost: initialCost, cost: cost, iterations: iterations)
    }

    /// The step δ of `[J; √λ D] δ ≈ [−r; 0]`, by QR.
    func step(jacobian: Matrix, residuals r: [Double], scale: [Double], lambda: Double) throws -> [Double] {
        let m = jacobian.rows, p = jacobian.columns
        var stacked = Matrix(rows: m + p, columns: p)
        var right = Matrix(rows: m + p, columns: 1)
        for j in 0..<p {
            for i in 0..<m { stacked[i, j] = jacobian[i, j] }
            stacked[m + j, j] = lambda.squareRoot() * scale[j]
        }
        for i in 0..<m { right[i, 0] = -r[i] }
        let solution = try LinearAlgebra.leastSquares(stacked, right)
        return (0..<p).map { j in
            let value = solution[j, 0]
            guard let limit = maximumStep else { return value }
            return Swift.min(Swift.max(value, -limit), limit)
        }
    }

    static func differenceStep(_ size: Double, _ x: Double) -> Double { x == 0 ? size : size * abs(x) }

    /// The finite-difference Jacobian at `x` (whose residuals are `r`), in one batch.
    func jacobian(at x: [Double], residuals r: [Double], evaluate: ([[Double]]) throws -> [[Double]]) throws -> Matrix {
        let p = x.count, m = r.count
        var batch: [[Double]] = []
        var steps: [Double] = []
        switch differences {
        case let .forward(size):
            for j in 0..<p {
                var moved = x
                moved[j] += Self.differenceStep(size, x[j])
                steps.append(moved[j] - x[j])
                batch.append(moved)
            }
        case let .central(size):
            for j in 0..<p {
                let h = Self.differenceStep(size, x[j])
                var up = x, down = x
                up[j] += h
                down[j] -= h
                steps.append(up[j] - down[j])
                batch.append(up)
                batch.append(down)
            }
        }
        let values = try evaluate(batch)
        var jacobian = Matrix(rows: m, columns: p)
        for j in 0..<p {
            switch differences {
            case .forward:
                for i in 0..<m { jacobian[i, j] = (values[j][i] - r[i]) / steps[j] }
            case .central:
                for i in 0..<m { jacobian[i, j] = (values[2 * j][i] - values[2 * j + 1][i]) / steps[j] }
            }
        }
        return jacobian
    }
}
