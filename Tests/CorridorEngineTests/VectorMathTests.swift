import CCorridorVectorMath
import Foundation
import Testing
@testable import CorridorEngine

/// The vector `expm1` of the C kernels (`corridor_expm1`), four values at a time as the
/// kernels compute it, and one value as lane 0 of four equal ones.
extension VectorMath {
    static func expMinusOne(_ x: Lanes) -> Lanes {
        var x = x, result = Lanes()
        withUnsafePointer(to: &x) { x in
            withUnsafeMutablePointer(to: &result) { result in
                x.withMemoryRebound(to: Double.self, capacity: 4) { x in
                    result.withMemoryRebound(to: Double.self, capacity: 4) { corridor_expm1(x, $0, 4) }
                }
            }
        }
        return result
    }

    static func expMinusOne(_ x: Double) -> Double { expMinusOne(Lanes(repeating: x))[0] }
}

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
            corridor_leaving_per_rate(&values, row.count)
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

    /// One source's competing hazards, as `corridor_member_hazards` computes them for 24
    /// members in the given version: the amounts of its three flows and the remainder. With
    /// `knownFactor`, the factor row holds that value for every member and the kernel is told
    /// it is known (it must not compute it).
    static func memberHazards(avx2: Int32, knownFactor: Double? = nil) -> (amounts: [[Double]], remainder: [Double]) {
        let n = 24
        // Rows of one buffer: the stocks; a rate per member (some negative: clamped to 0),
        // one for all members (in the first 8 lanes of its row, lane mask 0), large rates
        // (expm1's general case); masks of ones and of 0, 1, 0, 1, …; three amounts, the
        // remainder and the scratch row.
        let rows = UnsafeMutablePointer<Double>.allocate(capacity: 11 * n)
        defer { rows.deallocate() }
        rows.initialize(repeating: 0, count: 11 * n)
        func row(_ i: Int) -> UnsafeMutablePointer<Double> { rows + i * n }
        for l in 0..<n {
            row(0)[l] = 1_000 + 37 * Double(l)
            row(1)[l] = 0.05 * Double(l % 7) - 0.05
            row(2)[l] = l < 8 ? 0.3 : .nan
            row(3)[l] = 0.8 + 0.1 * Double(l)
            row(4)[l] = 1
            row(5)[l] = Double(l % 2)
        }
        let rates = [UnsafePointer(row(1)), UnsafePointer(row(2)), UnsafePointer(row(3))]
        let masks = [UnsafePointer(row(4)), UnsafePointer(row(5)), UnsafePointer(row(4))]
        if let knownFactor { row(10).update(repeating: knownFactor, count: n) }
        corridor_member_hazards_version(row(0), row(9), row(10), knownFactor == nil ? 0 : 1, rates, [~0, 0, ~0],
                                        [row(6), row(7), row(8)], masks, 1, 3, n, avx2)
        return ((6...8).map { Array(UnsafeBufferPointer(start: row($0), count: n)) },
                Array(UnsafeBufferPointer(start: row(9), count: n)))
    }

    @Test func memberHazardsFollowTheFormatsRule() {
        // Step 3 worked member by member: H = Σ max(rate, 0), each flow R·(max(rate, 0)·
        // (1 − e^−H)/H) times its mask, the remainder R minus the amounts in flow order.
        let (amounts, remainder) = Self.memberHazards(avx2: 1)
        for l in 0..<24 {
            let stock = 1_000 + 37 * Double(l)
            let rates = [Swift.max(0.05 * Double(l % 7) - 0.05, 0), 0.3, 0.8 + 0.1 * Double(l)]
            let perRate = VectorMath.leavingPerRate(rates[0] + rates[1] + rates[2])
            var left = stock
            for k in 0..<3 {
                let moved = (stock * (rates[k] * perRate)) * (k == 1 ? Double(l % 2) : 1)
                #expect(amounts[k][l].bitPattern == moved.bitPattern, "member \(l), flow \(k)")
                left -= moved
            }
            #expect(remainder[l].bitPattern == left.bitPattern, "member \(l)")
        }
        // People leave in proportion to the rates, all of them at most once.
        #expect(amounts[2][23] > amounts[1][23] && remainder.allSatisfy { $0 > 0 })
    }

    /// Factors kept from an earlier step are used as they are: only the third pass runs.
    @Test func memberHazardsUseKnownFactors() {
        for avx2: Int32 in [0, 1] {
            let (amounts, remainder) = Self.memberHazards(avx2: avx2, knownFactor: 0.25)
            for l in 0..<24 {
                let stock = 1_000 + 37 * Double(l)
                let rates = [Swift.max(0.05 * Double(l % 7) - 0.05, 0), 0.3, 0.8 + 0.1 * Double(l)]
                var left = stock
                for k in 0..<3 {
                    let moved = (stock * (rates[k] * 0.25)) * (k == 1 ? Double(l % 2) : 1)
                    #expect(amounts[k][l].bitPattern == moved.bitPattern, "member \(l), flow \(k), AVX2 \(avx2)")
                    left -= moved
                }
                #expect(remainder[l].bitPattern == left.bitPattern, "member \(l), AVX2 \(avx2)")
            }
        }
    }

    @Test(.enabled(if: corridor_has_avx2() != 0, "the processor has no AVX2"))
    func theAVX2HazardsGiveThePortableBits() {
        let portable = Self.memberHazards(avx2: 0), vector = Self.memberHazards(avx2: 1)
        #expect(zip(portable.remainder, vector.remainder).allSatisfy { $0.bitPattern == $1.bitPattern })
        for k in 0..<3 {
            #expect(zip(portable.amounts[k], vector.amounts[k]).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
    }
}
