import CCorridorVectorMath
import Foundation
import Testing
@testable import CorridorEngine

/// The vector `expm1` against a reference in 80-bit extended precision (64-bit mantissa:
/// exact to far below a double's ulp) and against the C library's double `expm1`.
@Suite struct VectorMathTests {
    /// |value − reference| in units of the last place of the reference rounded to a double.
    static func ulps(_ value: Double, reference: Float80) -> Double {
        let rounded = Double(reference)
        if rounded == 0 { return value == 0 ? 0 : .infinity }
        let ulp = rounded.ulp
        return Double(abs(Float80(value) - reference) / Float80(ulp))
    }

    static func reference(_ x: Double) -> Float80 { Foundation.expm1(Float80(x)) }

    /// Largest error in ulps over `count` points of [low, high] (evenly spaced, plus as many
    /// spaced evenly in the logarithm of the magnitude when the range does not include 0),
    /// computed four at a time as the kernels do.
    static func largestError(from low: Double, to high: Double, count: Int) -> (ulps: Double, at: Double) {
        var points = (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
        if low * high > 0 {
            let a = Foundation.log(abs(low)), b = Foundation.log(abs(high)), sign: Double = low < 0 ? -1 : 1
            points += (0..<count).map { sign * Foundation.exp(a + (b - a) * Double($0) / Double(count - 1)) }
        }
        var worst = (ulps: 0.0, at: 0.0)
        var i = 0
        while i + 4 <= points.count {
            let x = SIMD4(points[i], points[i + 1], points[i + 2], points[i + 3])
            let y = VectorMath.expMinusOne(x)
            for lane in 0..<4 {
                let error = ulps(y[lane], reference: reference(x[lane]))
                if error > worst.ulps { worst = (error, x[lane]) }
            }
            i += 4
        }
        return worst
    }

    @Test func withinOneUlpWhereHazardsLive() {
        // Every hazard kernel argument is −H ≤ 0; H above 40 a month empties a compartment.
        let worst = Self.largestError(from: -40, to: -1e-300, count: 400_000)
        #expect(worst.ulps < 0.9, "\(worst.ulps) ulp at \(worst.at)")
        let nearZero = Self.largestError(from: -0.45, to: 0.45, count: 400_000)
        #expect(nearZero.ulps < 0.9, "\(nearZero.ulps) ulp at \(nearZero.at)")
    }

    @Test func withinOnePointTwoUlpsUpToOverflow() {
        let worst = Self.largestError(from: 0.45, to: 709, count: 400_000)
        #expect(worst.ulps < 1.2, "\(worst.ulps) ulp at \(worst.at)")
    }

    @Test func edgeCasesMatchTheCLibrary() {
        let cases: [Double] = [0, -0.0, 4.9e-324, -4.9e-324, .leastNormalMagnitude, -.leastNormalMagnitude,
                               -40, -40.000001, -745, -1e6, -.infinity, .infinity, 709, 709.7, 709.78, 710, 1e6]
        for x in cases {
            let mine = VectorMath.expMinusOne(x), library = Foundation.expm1(x)
            #expect(mine.bitPattern == library.bitPattern || Self.ulps(mine, reference: Self.reference(x)) <= 1,
                    "expm1(\(x)): \(mine) against \(library)")
        }
        #expect(VectorMath.expMinusOne(-0.0).sign == .minus)
        #expect(VectorMath.expMinusOne(0.0).sign == .plus)
        #expect(VectorMath.expMinusOne(Double.nan).isNaN)
        #expect(VectorMath.expMinusOne(-Double.infinity) == -1)
        #expect(VectorMath.expMinusOne(Double.infinity) == .infinity)
        #expect(VectorMath.expMinusOne(710) == .infinity)
    }

    @Test func aLaneDependsOnItsOwnArgumentOnly() {
        // The same value gives the same bits alone and among any neighbours.
        let values: [Double] = [-3.7e-5, -0.2, -1.3, -35, 0.1, 800, .nan, -.infinity]
        for value in values.filter({ !$0.isNaN }) {
            let alone = VectorMath.expMinusOne(value)
            for neighbour in values {
                let mixed = VectorMath.expMinusOne(SIMD4(neighbour, value, neighbour, value))
                #expect(mixed[1].bitPattern == alone.bitPattern && mixed[3].bitPattern == alone.bitPattern)
            }
        }
    }

    /// Hazards of a row as the kernels meet them: small and large mixed (members on both sides
    /// of 0.45), zeros, and rows all near zero.
    static func hazardRows() -> [[Double]] {
        var rows: [[Double]] = []
        for scale in [0.01, 0.3, 0.5, 2, 60] {
            // 1,027 values spread over [0, scale] in a scrambled order (7,919 is prime).
            rows.append((0..<1_027).map { (i: Int) -> Double in scale * Double(i * 7_919 % 1_027) / 1_026 })
        }
        rows.append((0..<64).map { (i: Int) -> Double in i % 5 == 0 ? 0 : 0.44 + Double(i) * 1e-3 })
        rows.append([0, -0.0, 1e-300, 0.449_999_999, 0.45, 40, 41, 800, .infinity, 3])
        return rows
    }

    @Test func aRowGivesEachHazardTheBitsItGetsAlone() {
        // The row decides once which case of expm1 to take; each value must still get the
        // bits it gets alone (and the factor is −expm1(−H)/H, 0 where H ≤ 0).
        for row in Self.hazardRows() {
            var values = row + [0, 0, 0]
            VectorMath.leavingPerRate(row: &values, count: row.count)
            for (i, hazard) in row.enumerated() {
                let alone = VectorMath.leavingPerRate(hazard)
                let expected = hazard > 0 ? -VectorMath.expMinusOne(-hazard) / hazard : 0
                #expect(values[i].bitPattern == alone.bitPattern, "H = \(hazard): \(values[i]) in a row, \(alone) alone")
                #expect(alone.bitPattern == expected.bitPattern, "H = \(hazard): \(alone) against \(expected)")
            }
        }
    }

    @Test(.enabled(if: corridor_has_avx2() != 0, "the processor has no AVX2"))
    func theAVX2VersionGivesThePortableBits() {
        let edges: [Double] = [0, -0.0, 4.9e-324, -745, -.infinity, .infinity, .nan, 709, 709.7, 710, 1e6]
        let grid = (0..<200_000).map { (i: Int) -> Double in -50 + 50.45 * Double(i) / 199_999 } + edges
        var portable = grid, vector = grid
        corridor_expm1_version(grid, &portable, grid.count, 0)
        corridor_expm1_version(grid, &vector, grid.count, 1)
        #expect(zip(portable, vector).allSatisfy { $0.bitPattern == $1.bitPattern })
        for row in Self.hazardRows() {
            var portable = row + [0, 0, 0], vector = portable
            corridor_leaving_per_rate_version(&portable, row.count, 0)
            corridor_leaving_per_rate_version(&vector, row.count, 1)
            #expect(zip(portable.prefix(row.count), vector).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }
}
