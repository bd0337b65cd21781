import Testing
import Numerics
@testable import CorridorLinearAlgebra

@Suite struct LinearAlgebraTests {
    @Test func dgemmMultipliesAHandWorkedExample() throws {
        let a = Matrix(rowMajor: [[1, 2, 3], [4, 5, 6]])
        let b = Matrix(rowMajor: [[7, 8], [9, 10], [11, 12]])
        let product = try LinearAlgebra.multiply(a, b)
        #expect(product == Matrix(rowMajor: [[58, 64], [139, 154]]))
    }

    @Test func dgemmHonoursTransposes() throws {
        let a = Matrix(rowMajor: [[1, 2], [3, 4], [5, 6]])
        // aᵀ a = [[35, 44], [44, 56]]
        let gram = try LinearAlgebra.multiply(a, a, transposeA: true)
        #expect(gram == Matrix(rowMajor: [[35, 44], [44, 56]]))
        let outer = try LinearAlgebra.multiply(a, a, transposeB: true)
        #expect(outer[2, 0] == 5 * 1 + 6 * 2)
    }

    @Test func dgemmRejectsShapesThatDoNotFit() {
        let a = Matrix(rows: 2, columns: 3)
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.multiply(a, a) }
    }

    @Test func dgelsFitsALineThroughNoisyPointsLikeTheNormalEquations() throws {
        // y = 1 + 2x exactly at x = 0…3, plus a known residual pattern orthogonal to [1, x].
        let xs: [Double] = [0, 1, 2, 3]
        let residual: [Double] = [1, -1, -1, 1]  // orthogonal to 1 and to x
        let design = Matrix(rowMajor: xs.map { [1, $0] })
        let observed = Matrix(rowMajor: zip(xs, residual).map { [1 + 2 * $0 + 0.1 * $1] })
        let coefficients = try LinearAlgebra.leastSquares(design, observed)
        #expect(coefficients.rows == 2 && coefficients.columns == 1)
        #expect(coefficients[0, 0].isApproximatelyEqual(to: 1, relativeTolerance: 1e-12))
        #expect(coefficients[1, 0].isApproximatelyEqual(to: 2, relativeTolerance: 1e-12))
    }

    @Test func dgelsReportsRankDeficiency() {
        let design = Matrix(rowMajor: [[1, 0], [2, 0], [3, 0]])  // second column is zero: rank 1
        #expect(throws: LinearAlgebraError.self) {
            try LinearAlgebra.leastSquares(design, Matrix(rowMajor: [[1], [2], [3]]))
        }
    }
}
