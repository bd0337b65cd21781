import RealModule

/// `expm1` four lanes at a time, for the hazard kernels: the same arithmetic on every lane,
/// so a lane's result depends on its own argument only (never on its neighbours, the
/// vector width or the build's instruction set: no fused multiply-add is used).
///
/// Method: x = k·ln 2 + r with k = round(x / ln 2) (Cody–Waite, ln 2 in two parts), except
/// that k = 0 for |x| < 0.45, where the reduction would cancel; expm1(r) by its Taylor series
/// to degree 15 (|r| < 0.45: truncation below 0.01 ulp), written r + r·(r·P(r)); then
/// expm1(x) = 2^k·expm1(r) + (2^k − 1), where 2^k·expm1(r) is exact. Below −40 the answer is
/// −1 (e^x is under half an ulp of 1); above 709 (near overflow) and for +∞ a lane falls back
/// to the C library's `expm1`; ±0 give ±0.
/// Error against an 80-bit reference over dense grids (VectorMathTests): below 0.9 ulp for
/// x ≤ 0.45, which covers every hazard the engine meets (its arguments are −H ≤ 0), and
/// below 1.2 ulp up to 709 (Docs/engine.md).
enum VectorMath {
    typealias Lanes = SIMD4<Double>

    private static let ln2High = 6.93147180369123816490e-01  // ln 2 to 32 bits: k·ln2High is exact
    private static let ln2Low = 1.90821492927058770002e-10   // ln 2 − ln2High
    private static let inverseLn2 = 1.44269504088896338700e+00
    /// 1.5·2^52: adding it rounds a double below 2^51 in magnitude to an integer (to even),
    /// which then sits in the low bits of the sum. Needs no SSE4.1 `round`.
    private static let roundingBias = 6_755_399_441_055_744.0

    /// e^x − 1 of every lane.
    @inline(__always)
    static func expMinusOne(_ x: Lanes) -> Lanes {
        let unreduced = (x .< Lanes(repeating: 0.45)) .& (x .> Lanes(repeating: -0.45))
        if all(unreduced) {
            // Every lane has k = 0 (so r = x): the same bits as the general path, sooner.
            // Most hazards are small, so this is the common case.
            var result = nearZero(x)
            result.replace(with: x, where: x .== Lanes(repeating: 0))
            return result
        }
        return reducingExpMinusOne(x, unreduced: unreduced)
    }

    /// The general case of `expMinusOne`, out of line so that the common one stays small
    /// enough to be inlined into the kernels.
    @inline(never)
    private static func reducingExpMinusOne(_ x: Lanes, unreduced: SIMDMask<SIMD4<Int64>>) -> Lanes {
        var reducible = x
        reducible.replace(with: 0, where: unreduced)
        let biased = reducible * Lanes(repeating: inverseLn2) + Lanes(repeating: roundingBias)
        let k = biased - Lanes(repeating: roundingBias)
        let r = (x - k * Lanes(repeating: ln2High)) - k * Lanes(repeating: ln2Low)
        let reduced = nearZero(r)
        // 2^k from k's bits (k sits in the low bits of `biased`); any k, even from NaN, gives
        // some double, and the lanes where k is out of range are replaced below.
        let kBits = SIMD4<Int64>(truncatingIfNeeded: unsafeBitCast(biased, to: SIMD4<UInt64>.self))
            &- SIMD4<Int64>(repeating: Int64(bitPattern: roundingBias.bitPattern))
        let scale = unsafeBitCast((kBits &+ 1023) &<< 52, to: Lanes.self)
        var result = scale * reduced + (scale - Lanes(repeating: 1))
        result.replace(with: reduced, where: k .== Lanes(repeating: 0))
        result.replace(with: Lanes(repeating: -1), where: x .< Lanes(repeating: -40))
        result.replace(with: x, where: x .== Lanes(repeating: 0))
        let large = x .> Lanes(repeating: 709)
        return any(large) ? nearOverflow(x, large, result) : result
    }

    /// expm1(r) for |r| < 0.45: r + r·(r·P(r)) (the form keeps the leading term exact).
    @inline(__always)
    private static func nearZero(_ r: Lanes) -> Lanes {
        // P(r) = 1/2! + r/3! + … + r^13/15!: Horner for the four leading terms, which carry
        // the accuracy, on a tail from 1/6! up evaluated in pairs (Estrin) — a shorter chain of
        // dependent operations than Horner throughout, with the same error.
        let r2 = r * r, r4 = r2 * r2
        let q6 = Lanes(repeating: 1.0 / 720) + Lanes(repeating: 1.0 / 5040) * r
        let q8 = Lanes(repeating: 1.0 / 40320) + Lanes(repeating: 1.0 / 362_880) * r
        let q10 = Lanes(repeating: 1.0 / 3_628_800) + Lanes(repeating: 1.0 / 39_916_800) * r
        let q12 = Lanes(repeating: 1.0 / 479_001_600) + Lanes(repeating: 1.0 / 6_227_020_800) * r
        let q14 = Lanes(repeating: 1.0 / 87_178_291_200) + Lanes(repeating: 1.0 / 1_307_674_368_000) * r
        let tail = (q6 + q8 * r2) + ((q10 + q12 * r2) + q14 * r4) * r4
        var p = tail * r + Lanes(repeating: 1.0 / 120)
        p = p * r + Lanes(repeating: 1.0 / 24)
        p = p * r + Lanes(repeating: 1.0 / 6)
        p = p * r + Lanes(repeating: 1.0 / 2)
        return r + r * (r * p)
    }

    /// The lanes above 709 from the C library (2^k would overflow), the others as computed.
    @inline(never)
    private static func nearOverflow(_ x: Lanes, _ large: SIMDMask<SIMD4<Int64>>, _ computed: Lanes) -> Lanes {
        var result = computed
        for lane in 0..<4 where large[lane] { result[lane] = Double.expMinusOne(x[lane]) }
        return result
    }

    /// e^x − 1 of one value: lane 0 of the vector function, so that a value gives the same
    /// bits whether it is computed alone or among others.
    @inline(__always)
    static func expMinusOne(_ x: Double) -> Double {
        expMinusOne(Lanes(repeating: x))[0]
    }
}
