import COpenBLAS

/// Why a BLAS or LAPACK call could not give an answer.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The operands' shapes do not fit the operation.
    case dimensionMismatch(operation: String, detail: String)
    /// LAPACK reported an illegal argument (`info < 0`): a bug in the caller.
    case illegalArgument(routine: String, position: Int)
    /// The least-squares matrix does not have full rank (`dgels`, `info > 0`).
    case rankDeficient(routine: String, diagonalIndex: Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(operation, detail):
            return "\(operation): dimensions do not fit (\(detail))"
        case let .illegalArgument(routine, position):
            return "\(routine): argument \(position) had an illegal value"
        case let .rankDeficient(routine, index):
            return "\(routine): the matrix does not have full rank (diagonal element \(index) of the triangular factor is zero); "
                + "remove linearly dependent columns"
        }
    }
}

/// The BLAS and LAPACK routines Corridor uses, each checked: a failure is a thrown error.
public enum LinearAlgebra {
    /// OpenBLAS runs on one thread: how it splits a product or a factorization among
    /// threads changes the order of additions, so with its default (one thread per core it
    /// may use) a calibration's last digits would depend on the machine's core count and on
    /// how MPI binds a rank to cores. Every routine below touches this first.
    private static let singleThreaded: Void = openblas_set_num_threads(1)

    /// `op(a) * op(b)` with `dgemm`, where `op` transposes when asked.
    public static func multiply(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) throws -> Matrix {
        _ = singleThreaded
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kB = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        guard k == kB else {
            throw LinearAlgebraError.dimensionMismatch(
                operation: "dgemm", detail: "op(A) is \(m)×\(k) but op(B) is \(kB)×\(n)")
        }
        var product = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return product }
        if k == 0 { return product }
        a.elements.withUnsafeBufferPointer { aBuffer in
            b.elements.withUnsafeBufferPointer { bBuffer in
                product.withUnsafeMutableElements { c in
                    cblas_dgemm(
                        CblasColMajor,
                        transposeA ? CblasTrans : CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k),
                        1.0, aBuffer.baseAddress, blasint(max(1, a.rows)),
                        bBuffer.baseAddress, blasint(max(1, b.rows)),
                        0.0, c, blasint(max(1, m)))
                }
            }
        }
        return product
    }

    /// The least-squares solution of `a * x ≈ b` for a tall `a` of full column rank, with `dgels` (QR).
    /// Returns an `a.columns` × `b.columns` matrix.
    public static func leastSquares(_ a: Matrix, _ b: Matrix) throws -> Matrix {
        _ = singleThreaded
        guard b.rows == a.rows, a.rows >= a.columns else {
            throw LinearAlgebraError.dimensionMismatch(
                operation: "dgels", detail: "A is \(a.rows)×\(a.columns), B is \(b.rows)×\(b.columns); need as many rows in B as in A and rows ≥ columns in A")
        }
        var factors = a
        var work = b
        let info = factors.withUnsafeMutableElements { aPointer in
            work.withUnsafeMutableElements { bPointer in
                LAPACKE_dgels(
                    LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")),
                    corridor_lapack_int(a.rows), corridor_lapack_int(a.columns), corridor_lapack_int(b.columns),
                    aPointer, corridor_lapack_int(max(1, a.rows)),
                    bPointer, corridor_lapack_int(max(1, b.rows)))
            }
        }
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: "dgels", position: Int(-info)) }
        if info > 0 { throw LinearAlgebraError.rankDeficient(routine: "dgels", diagonalIndex: Int(info)) }
        var solution = Matrix(rows: a.columns, columns: b.columns)
        for j in 0..<b.columns {
            for i in 0..<a.columns { solution[i, j] = work[i, j] }
        }
        return solution
    }
}
