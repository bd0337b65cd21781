import Testing
@testable import CorridorAnalysis

@Suite struct FirstOrderShareTests {
    @Test func aNonMonotoneInfluenceIsSeenWhereARegressionSeesNone() {
        let n = 2000
        let x = (0..<n).map { Double($0) / Double(n - 1) }
        let y = x.map { ($0 - 0.5) * ($0 - 0.5) }  // symmetric: no linear trend at all
        let meanX = x.reduce(0, +) / Double(n), meanY = y.reduce(0, +) / Double(n)
        let covariance = zip(x, y).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        #expect(abs(covariance) < 1e-9)
        #expect(Sensitivity.firstOrderShare(x: x, y: y) > 0.99)
    }

    @Test func anUnrelatedDrawGetsOnlyTheBinningBias() {
        // y follows its own order, unrelated to x's: 50 bins of 2,000 members → bias ≈ 0.025.
        let n = 2000
        let x = (0..<n).map { Double(($0 * 7919) % n) }
        let y = (0..<n).map { Double(($0 * 104_729) % 2003) }
        let share = Sensitivity.firstOrderShare(x: x, y: y)
        #expect(share < 0.06, "\(share)")
        #expect(Sensitivity.firstOrderShare(x: x, y: Array(repeating: 3, count: n)) == 0)
    }
}
