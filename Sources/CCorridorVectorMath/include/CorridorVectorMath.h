// The engine's vector expm1 and the hazard kernels' factor (1 − e^−H)/H, in C so that one
// source is compiled twice, for SSE2 (every x86-64) and for AVX2, and the AVX2 version is
// chosen at run time where the processor has it: the portable build gets AVX2's speed in the
// kernel where the engine spends most of its time, with the same bits (both versions do the
// same IEEE operations in the same order, and neither uses fused multiply-adds). Swift has no
// way to compile one function for an instruction set the rest of the build does not assume.
#ifndef CORRIDOR_VECTOR_MATH_H
#define CORRIDOR_VECTOR_MATH_H

/// e^x − 1 of `count` values, four at a time (a value's result depends on itself only).
/// Error: below 0.9 ulp for x ≤ 0.45, below 1.2 ulp up to 709 (VectorMathTests).
void corridor_expm1(const double *x, double *result, long count);

/// (1 − e^−H)/H of each value H in place, 0 where H ≤ 0 or NaN compares so: the share of a
/// stock that leaves per unit of total hazard. Works on `count` rounded up to a multiple of
/// 4: the buffer must hold that many values (the spare ones get some value, unread).
void corridor_leaving_per_rate(double *hazards, long count);

/// The same two functions with the version chosen by the caller, for the tests that compare
/// the versions bit for bit: `avx2` nonzero asks for the AVX2 version, which is only run
/// when `corridor_has_avx2()` says the processor has it.
void corridor_expm1_version(const double *x, double *result, long count, int avx2);
void corridor_leaving_per_rate_version(double *hazards, long count, int avx2);

/// Whether the AVX2 version exists in this build and the processor runs it.
int corridor_has_avx2(void);

#endif
