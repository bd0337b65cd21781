// The engine's vector expm1 and the hazard kernels' factor (1 − e^−H)/H, in C so that one
// source is compiled twice, for SSE2 (every x86-64) and for AVX2, and the AVX2 version is
// chosen at run time where the processor has it: the portable build gets AVX2's speed in the
// kernel where the engine spends most of its time, with the same bits (both versions do the
// same IEEE operations in the same order, and neither uses fused multiply-adds). Swift has no
// way to compile one function for an instruction set the rest of the build does not assume.
#ifndef CORRIDOR_VECTOR_MATH_H
#define CORRIDOR_VECTOR_MATH_H

// Every pointer here is to memory the caller owns: never null (the pragma does not cover
// pointers to pointers: those say so themselves).
#pragma clang assume_nonnull begin

/// e^x − 1 of `count` values, four at a time (a value's result depends on itself only).
/// Error: below 0.9 ulp for x ≤ 0.45, below 1.2 ulp up to 709 (VectorMathTests).
void corridor_expm1(const double *x, double *result, long count);

/// (1 − e^−H)/H of each value H in place, 0 where H ≤ 0 or NaN compares so: the share of a
/// stock that leaves per unit of total hazard. Works on `count` rounded up to a multiple of
/// 4: the buffer must hold that many values (the spare ones get some value, unread).
void corridor_leaving_per_rate(double *hazards, long count);

/// The competing hazards of one source compartment and group whose rates differ by member
/// (step 3 of MODEL-FORMAT.md), for `count` members (a multiple of 4): per member, the total
/// hazard H = Σ max(rate, 0) into `factors`, then (1 − e^−H)/H there (as
/// `corridor_leaving_per_rate`) — both left out when `factorsKnown`: `factors` then holds them
/// from an earlier call with the same rates — then each flow's amount R·(max(rate, 0)·(1 − e^−H)/H) (times
/// its mask row when `masked`) and the remainder R minus the amounts in flow order, R read
/// from `start`. Flow k's rate for member l is `rates[k][l & laneMasks[k]]`: a mask of ~0
/// reads the member's own lane, a mask of 0 the first lanes of a row holding one rate in (at
/// least) its first 4 lanes. Three passes over the members, each short enough to keep its
/// values in registers.
void corridor_member_hazards(const double *start, double *remainder, double *factors, int factorsKnown,
                             const double *_Nonnull const *_Nonnull rates, const long *laneMasks,
                             double *_Nonnull const *_Nonnull amounts, const double *_Nonnull const *_Nonnull masks,
                             int masked, long flowCount, long count);

/// What `corridor_block_moments` finds in a block of values.
typedef struct {
    double lowest, highest; ///< the smallest and largest value (unspecified with a NaN among them)
    double sum, squares;    ///< the sums of the deviations from the center and of their squares
    unsigned long long bits; ///< the OR of the values' bit patterns: 0 when every value is +0
} CorridorMoments;

/// The moments of `count` values (a power of two, at least 8) for the streaming summaries, in
/// one pass: the sums are added as the fixed member tree adds them (pairs, pairs of pairs, …;
/// each 8 values yield their three lowest levels, each 32 the next two), the rest summed from
/// `sums` and `squares` (scratch, count / 8 values each) by `corridor_pairwise_sum`.
void corridor_block_moments(const double *values, long count, double center, double *sums,
                            double *squares, CorridorMoments *moments);

/// The sum of `count` values (a power of two) as the fixed tree adds them: pairs, then pairs of
/// pairs. Overwrites `values`.
double corridor_pairwise_sum(double *values, long count);

/// The operations of an expression instruction, in the order of the engine's `OpCode`.
typedef enum {
    CORRIDOR_ADD, CORRIDOR_SUBTRACT, CORRIDOR_MULTIPLY, CORRIDOR_DIVIDE,
    CORRIDOR_MINIMUM, CORRIDOR_MAXIMUM, CORRIDOR_EXP, CORRIDOR_NEGATE
} CorridorOperation;

/// One expression instruction over `count` members: d[l] = a[l] ∘ b[l] (exp and negate read
/// `a` only), with a[0] for every member when `uniformA`, b[0] when `uniformB`. Minimum and
/// maximum are Swift's: min(x, y) = y < x ? y : x, max(x, y) = y ≥ x ? y : x; exp is the C
/// library's. `d` may be `a` or `b`. Returns nonzero when every result has the bits of d[0]
/// (members that agree: the engine then treats the register as one value for all).
int corridor_operate(CorridorOperation operation, double *d, const double *a, const double *b, int uniformA,
                     int uniformB, long count);

/// Step 5 of MODEL-FORMAT.md for every stock slot, `count` members (a multiple of 8): slot s's
/// row (`stocks + s·lanes`) becomes its source remainder clamped at 0 (`remainders[s]`, when
/// the slot is a flow's source) or keeps its value, plus, in order, each incoming amount
/// row `amounts[t]` times its share row `shares[t]` (t from `starts[s]` to `starts[s + 1]`;
/// a null share: the amount as it is; `shareIsUniform[t]`: the share's lane 0 for everyone).
void corridor_apply_flows(double *stocks, long lanes, long slotCount, const long *starts,
                          const double *_Nonnull const *_Nonnull amounts, const double *_Nullable const *_Nonnull shares,
                          const _Bool *shareIsUniform, const double *_Nullable const *_Nonnull remainders, long count);

/// The kernels with the version chosen by the caller, for the tests that
/// compare the versions bit for bit: `avx2` nonzero asks for the AVX2 version, which is only
/// run when `corridor_has_avx2()` says the processor has it.
void corridor_expm1_version(const double *x, double *result, long count, int avx2);
void corridor_leaving_per_rate_version(double *hazards, long count, int avx2);
void corridor_block_moments_version(const double *values, long count, double center,
                                    double *sums, double *squares,
                                    CorridorMoments *moments, int avx2);
int corridor_operate_version(CorridorOperation operation, double *d, const double *a, const double *b, int uniformA,
                             int uniformB, long count, int avx2);
void corridor_apply_flows_version(double *stocks, long lanes, long slotCount, const long *starts,
                                  const double *_Nonnull const *_Nonnull amounts,
                                  const double *_Nullable const *_Nonnull shares, const _Bool *shareIsUniform,
                                  const double *_Nullable const *_Nonnull remainders, long count, int avx2);
void corridor_member_hazards_version(const double *start, double *remainder, double *factors, int factorsKnown,
                                     const double *_Nonnull const *_Nonnull rates,
                                     const long *laneMasks, double *_Nonnull const *_Nonnull amounts,
                                     const double *_Nonnull const *_Nonnull masks, int masked, long flowCount,
                                     long count, int avx2);

/// Whether the AVX2 version exists in this build and the processor runs it.
int corridor_has_avx2(void);

#pragma clang assume_nonnull end

#endif
