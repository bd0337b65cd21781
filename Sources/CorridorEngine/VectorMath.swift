import CCorridorVectorMath

/// The hazard kernels' factor (1 − e^−H)/H on one value, from the vector `expm1` of the C
/// kernels (VectorMathTests tests that `expm1` itself, `corridor_expm1`): the same
/// arithmetic on every lane, so a lane's result depends on its own argument only (never
/// on its neighbours, the vector width or the instruction set: no fused multiply-add is used).
///
/// Implemented in C (`CCorridorVectorMath`, where the method is described), compiled for SSE2
/// and for AVX2 and chosen at run time: the portable build runs AVX2 where the processor has
/// it, with the same bits (VectorMathTests compares the two versions bit for bit).
/// Error against an 80-bit reference over dense grids (VectorMathTests): below 0.9 ulp for
/// x ≤ 0.45, which covers every hazard the engine meets (its arguments are −H ≤ 0), and
/// below 1.2 ulp up to 709 (Docs/engine.md).
enum VectorMath {
    typealias Lanes = SIMD4<Double>

    /// (1 − e^−H)/H of one hazard (0 where H ≤ 0), with the bits a member's lane gets in
    /// `corridor_member_hazards`: the share of a stock leaving per unit of total hazard H.
    static func leavingPerRate(_ hazard: Double) -> Double {
        var lanes = Lanes(repeating: hazard)
        withUnsafeMutablePointer(to: &lanes) {
            $0.withMemoryRebound(to: Double.self, capacity: 4) { corridor_leaving_per_rate($0, 4) }
        }
        return lanes[0]
    }
}
