// See include/CorridorVectorMath.h. Method of expm1 (the engine's since its first vector
// version, Docs/engine.md): x = k·ln 2 + r with k = round(x / ln 2) (Cody–Waite, ln 2 in two
// parts), except that k = 0 for |x| < 0.45, where the reduction would cancel; expm1(r) by its
// Taylor series to degree 15 (|r| < 0.45: truncation below 0.01 ulp), written r + r·(r·P(r));
// then expm1(x) = 2^k·expm1(r) + (2^k − 1), where 2^k·expm1(r) is exact. Below −40 the answer
// is −1 (e^x is under half an ulp of 1); above 709 (near overflow) and for +∞ a lane falls
// back to the C library's expm1; ±0 give ±0.
#include "CorridorVectorMath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// Every multiplication and addition rounded on its own: no fused multiply-add, whatever the
// compiler's default, so that every version and build gives the same bits.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

// Vectors passed between functions compiled with and without AVX would be passed
// differently on each side (-Wpsabi): every function taking or returning one is inlined into
// its caller, so none is ever passed; the one out-of-line helper takes pointers.
#pragma clang diagnostic ignored "-Wpsabi"

typedef double f64x4 __attribute__((vector_size(32), aligned(8)));
typedef int64_t i64x4 __attribute__((vector_size(32), aligned(8)));

#define INLINE static inline __attribute__((always_inline))

static const double ln2High = 6.93147180369123816490e-01; // ln 2 to 32 bits: k·ln2High is exact
static const double ln2Low = 1.90821492927058770002e-10;  // ln 2 − ln2High
static const double inverseLn2 = 1.44269504088896338700e+00;
// 1.5·2^52: adding it rounds a double below 2^51 in magnitude to an integer (to even), which
// then sits in the low bits of the sum.
static const double roundingBias = 6755399441055744.0;

INLINE f64x4 splat(double value) { return (f64x4){value, value, value, value}; }

/// `yes` where `mask` (all ones or all zeros per lane), else `no`.
INLINE f64x4 choose(i64x4 mask, f64x4 yes, f64x4 no) {
    return (f64x4)(((i64x4)yes & mask) | ((i64x4)no & ~mask));
}

INLINE int every(i64x4 mask) { return (mask[0] & mask[1] & mask[2] & mask[3]) != 0; }
INLINE int some(i64x4 mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }

INLINE f64x4 load(const double *values) { f64x4 v; memcpy(&v, values, sizeof v); return v; }
INLINE void store(double *values, f64x4 v) { memcpy(values, &v, sizeof v); }

/// The lanes where k = 0 (|x| < 0.45); false for NaN.
INLINE i64x4 near_zero_lanes(f64x4 x) { return (x < splat(0.45)) & (x > splat(-0.45)); }

/// expm1(r) for |r| < 0.45: r + r·(r·P(r)), P(r) = 1/2! + r/3! + … + r^13/15!: Horner for the
/// four leading terms, which carry the accuracy, on a tail from 1/6! up evaluated in pairs
/// (Estrin): a shorter chain of dependent operations than Horner throughout, the same error.
INLINE f64x4 near_zero(f64x4 r) {
    f64x4 r2 = r * r, r4 = r2 * r2;
    f64x4 q6 = splat(1.0 / 720) + splat(1.0 / 5040) * r;
    f64x4 q8 = splat(1.0 / 40320) + splat(1.0 / 362880) * r;
    f64x4 q10 = splat(1.0 / 3628800) + splat(1.0 / 39916800) * r;
    f64x4 q12 = splat(1.0 / 479001600) + splat(1.0 / 6227020800.0) * r;
    f64x4 q14 = splat(1.0 / 87178291200.0) + splat(1.0 / 1307674368000.0) * r;
    f64x4 tail = (q6 + q8 * r2) + ((q10 + q12 * r2) + q14 * r4) * r4;
    f64x4 p = tail * r + splat(1.0 / 120);
    p = p * r + splat(1.0 / 24);
    p = p * r + splat(1.0 / 6);
    p = p * r + splat(1.0 / 2);
    return r + r * (r * p);
}

/// expm1 of lanes that are all near zero: r = x, the same bits as the general case gives.
INLINE f64x4 near_zero_expm1(f64x4 x) {
    return choose(x == splat(0), x, near_zero(x));
}

/// The lanes above 709 from the C library (2^k would overflow), the others as computed. Out
/// of line and through memory: a 256-bit vector passed between the AVX2 version and a
/// function compiled without AVX would be passed differently on each side.
static __attribute__((noinline)) void near_overflow(const double *x, double *result) {
    for (int lane = 0; lane < 4; lane++) {
        if (x[lane] > 709) result[lane] = expm1(x[lane]);
    }
}

/// expm1 of every lane by the general case (k = 0 where `unreduced`).
INLINE f64x4 general_expm1(f64x4 x, i64x4 unreduced) {
    f64x4 reducible = choose(unreduced, splat(0), x);
    f64x4 biased = reducible * splat(inverseLn2) + splat(roundingBias);
    f64x4 k = biased - splat(roundingBias);
    f64x4 r = (x - k * splat(ln2High)) - k * splat(ln2Low);
    f64x4 reduced = near_zero(r);
    // 2^k from k's bits (k sits in the low bits of `biased`); any k, even from NaN, gives
    // some double, and the lanes where k is out of range are replaced below. Unsigned
    // arithmetic: it wraps.
    typedef uint64_t u64x4 __attribute__((vector_size(32), aligned(8)));
    u64x4 biasBits;
    double bias = roundingBias;
    uint64_t bits;
    memcpy(&bits, &bias, sizeof bits);
    biasBits = (u64x4){bits, bits, bits, bits};
    u64x4 kBits = (u64x4)biased - biasBits;
    f64x4 scale = (f64x4)((kBits + 1023) << 52);
    f64x4 result = scale * reduced + (scale - splat(1));
    result = choose(k == splat(0), reduced, result);
    result = choose(x < splat(-40), splat(-1), result);
    result = choose(x == splat(0), x, result);
    if (some(x > splat(709))) {
        double values[4], results[4];
        store(values, x);
        store(results, result);
        near_overflow(values, results);
        result = load(results);
    }
    return result;
}

/// expm1 of four values: the general case only when some lane needs it.
INLINE f64x4 expm1x4(f64x4 x) {
    i64x4 unreduced = near_zero_lanes(x);
    return every(unreduced) ? near_zero_expm1(x) : general_expm1(x, unreduced);
}

/// (1 − e^−H)/H from the share leaving, 1 − e^−H; 0 where H is not above 0.
INLINE f64x4 per_rate(f64x4 hazard, f64x4 leaving) {
    return choose(hazard > splat(0), leaving / hazard, splat(0));
}

INLINE void expm1_values(const double *x, double *result, long count) {
    long whole = count & ~3L;
    for (long i = 0; i < whole; i += 4) store(result + i, expm1x4(load(x + i)));
    if (whole < count) {
        double padded[4] = {0, 0, 0, 0}, out[4];
        for (long i = whole; i < count; i++) padded[i - whole] = x[i];
        store(out, expm1x4(load(padded)));
        for (long i = whole; i < count; i++) result[i] = out[i - whole];
    }
}

/// Which case of expm1 applies is decided once for the values, not per four: where hazards
/// lie on both sides of 0.45, a branch per four values is mispredicted about as often as
/// taken. Lanes near zero take the same bits from either case.
INLINE void leaving_per_rate_values(double *hazards, long count) {
    long whole = count & ~3L;
    i64x4 nearZero = {-1, -1, -1, -1};
    for (long i = 0; i < whole; i += 4) nearZero &= near_zero_lanes(-load(hazards + i));
    int everyNearZero = every(nearZero);
    for (long i = whole; i < count; i++) everyNearZero = everyNearZero && -hazards[i] < 0.45 && -hazards[i] > -0.45;
    if (everyNearZero) {
        for (long i = 0; i < count; i += 4) {
            f64x4 hazard = load(hazards + i);
            store(hazards + i, per_rate(hazard, -near_zero_expm1(-hazard)));
        }
    } else {
        for (long i = 0; i < count; i += 4) {
            f64x4 hazard = load(hazards + i), x = -hazard;
            store(hazards + i, per_rate(hazard, -general_expm1(x, near_zero_lanes(x))));
        }
    }
}

/// max(x, 0) lane by lane as Swift's max gives it: 0 for −0 and negatives, NaN kept.
INLINE f64x4 non_negative(f64x4 x) { return choose(x <= splat(0), splat(0), x); }

INLINE void member_hazards(const double *start, double *remainder, double *factors, int factorsKnown,
                           const double *const *rates, const long *laneMasks, double *const *amounts,
                           const double *const *masks, int masked, long flowCount, long count) {
    if (!factorsKnown) {
        for (long l = 0; l < count; l += 4) {
            f64x4 hazard = splat(0);
            for (long k = 0; k < flowCount; k++) hazard = hazard + non_negative(load(rates[k] + (l & laneMasks[k])));
            store(factors + l, hazard);
        }
        leaving_per_rate_values(factors, count);
    }
    for (long l = 0; l < count; l += 4) {
        f64x4 stock = load(start + l), left = stock, perRate = load(factors + l);
        for (long k = 0; k < flowCount; k++) {
            f64x4 moved = stock * (non_negative(load(rates[k] + (l & laneMasks[k]))) * perRate);
            if (masked) moved = moved * load(masks[k] + l);
            store(amounts[k] + l, moved);
            left = left - moved;
        }
        store(remainder + l, left);
    }
}

INLINE double pairwise_sum(double *values, long count) {
    for (long width = count / 2; width >= 1; width /= 2) {
        for (long i = 0; i < width; i++) values[i] = values[2 * i] + values[2 * i + 1];
    }
    return values[0];
}

/// The sum of 8 values' three lowest tree levels: ((v0 + v1) + (v2 + v3)) + ((v4 + v5) + (v6 + v7)).
INLINE double tree_of_eight(f64x4 low, f64x4 high) {
    f64x4 pairs = __builtin_shufflevector(low, high, 0, 2, 4, 6) + __builtin_shufflevector(low, high, 1, 3, 5, 7);
    return (pairs[0] + pairs[1]) + (pairs[2] + pairs[3]);
}

typedef struct {
    f64x4 lowest, highest;
    i64x4 bits;
    f64x4 center;
} MomentsState;

/// Folds values 8·chunk ..< 8·chunk + 8 into the minimum, maximum and OR (each vector's
/// halves folded first: the result does not depend on the order) and returns their tree's
/// level-3 sums of deviations and of squared deviations.
INLINE void chunk_sums(const double *values, long chunk, MomentsState *state, double *sum, double *squares) {
    f64x4 low = load(values + 8 * chunk), high = load(values + 8 * chunk + 4);
    f64x4 smaller = choose(low < high, low, high), larger = choose(low > high, low, high);
    state->lowest = choose(smaller < state->lowest, smaller, state->lowest);
    state->highest = choose(larger > state->highest, larger, state->highest);
    state->bits |= (i64x4)low | (i64x4)high;
    f64x4 deviationLow = low - state->center, deviationHigh = high - state->center;
    *sum = tree_of_eight(deviationLow, deviationHigh);
    *squares = tree_of_eight(deviationLow * deviationLow, deviationHigh * deviationHigh);
}

/// Lanes j of rows a, b, c, d as row j (a 4 × 4 transpose): `rows[j] = (a[j], b[j], c[j], d[j])`.
INLINE void transpose(f64x4 a, f64x4 b, f64x4 c, f64x4 d, f64x4 *rows) {
    f64x4 ab02 = __builtin_shufflevector(a, b, 0, 4, 2, 6), ab13 = __builtin_shufflevector(a, b, 1, 5, 3, 7);
    f64x4 cd02 = __builtin_shufflevector(c, d, 0, 4, 2, 6), cd13 = __builtin_shufflevector(c, d, 1, 5, 3, 7);
    rows[0] = __builtin_shufflevector(ab02, cd02, 0, 1, 4, 5);
    rows[1] = __builtin_shufflevector(ab13, cd13, 0, 1, 4, 5);
    rows[2] = __builtin_shufflevector(ab02, cd02, 2, 3, 6, 7);
    rows[3] = __builtin_shufflevector(ab13, cd13, 2, 3, 6, 7);
}

/// ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) lane by lane.
INLINE f64x4 tree_of_rows(const f64x4 *x) {
    return ((x[0] + x[1]) + (x[2] + x[3])) + ((x[4] + x[5]) + (x[6] + x[7]));
}

/// Values 32·group ..< 32·group + 32 (four chunks of 8): folds them into the minimum, maximum
/// and OR, and stores the group's tree sums (a + b) + (c + d) of its chunks' level-3 sums a,
/// b, c, d. The chunks are transposed, so that lane c of row j holds value j of chunk c and
/// every chunk's tree is formed by additions of whole rows: the same additions as
/// `chunk_sums`, without a horizontal one per chunk.
INLINE void group_sums(const double *values, long group, MomentsState *state, double *sum, double *squares) {
    f64x4 v[8];
    for (int j = 0; j < 8; j++) v[j] = load(values + 32 * group + 4 * j);
    for (int chunk = 0; chunk < 4; chunk++) {
        f64x4 low = v[2 * chunk], high = v[2 * chunk + 1];
        f64x4 smaller = choose(low < high, low, high), larger = choose(low > high, low, high);
        state->lowest = choose(smaller < state->lowest, smaller, state->lowest);
        state->highest = choose(larger > state->highest, larger, state->highest);
        state->bits |= (i64x4)low | (i64x4)high;
    }
    f64x4 rows[8], deviations[8], squared[8];
    transpose(v[0], v[2], v[4], v[6], rows);
    transpose(v[1], v[3], v[5], v[7], rows + 4);
    for (int j = 0; j < 8; j++) {
        deviations[j] = rows[j] - state->center;
        squared[j] = deviations[j] * deviations[j];
    }
    f64x4 chunkSums = tree_of_rows(deviations), chunkSquares = tree_of_rows(squared);
    *sum = (chunkSums[0] + chunkSums[1]) + (chunkSums[2] + chunkSums[3]);
    *squares = (chunkSquares[0] + chunkSquares[1]) + (chunkSquares[2] + chunkSquares[3]);
}

INLINE void block_moments(const double *values, long count, double center, double *sums, double *squares,
                          CorridorMoments *moments) {
    MomentsState state = {splat(INFINITY), splat(-INFINITY), {0, 0, 0, 0}, splat(center)};
    long stored;
    if (count >= 32) {
        stored = count / 32;
        for (long group = 0; group < stored; group++) group_sums(values, group, &state, &sums[group], &squares[group]);
    } else {
        stored = count / 8;
        for (long chunk = 0; chunk < stored; chunk++) chunk_sums(values, chunk, &state, &sums[chunk], &squares[chunk]);
    }
    f64x4 lowest = state.lowest, highest = state.highest;
    double low01 = lowest[1] < lowest[0] ? lowest[1] : lowest[0], low23 = lowest[3] < lowest[2] ? lowest[3] : lowest[2];
    double high01 = highest[1] > highest[0] ? highest[1] : highest[0];
    double high23 = highest[3] > highest[2] ? highest[3] : highest[2];
    moments->lowest = low23 < low01 ? low23 : low01;
    moments->highest = high23 > high01 ? high23 : high01;
    moments->sum = pairwise_sum(sums, stored);
    moments->squares = pairwise_sum(squares, stored);
    moments->bits = (unsigned long long)(state.bits[0] | state.bits[1] | state.bits[2] | state.bits[3]);
}

/// Whether `values[0 ..< count]` all have the bits of `values[0]` (count ≥ 1): compared four
/// at a time, stopping at the first four that differ (at once, for most rows).
INLINE int all_same_bits(const double *values, long count) {
    long whole = count & ~3L;
    uint64_t firstBits;
    memcpy(&firstBits, values, sizeof firstBits);
    i64x4 first = {(int64_t)firstBits, (int64_t)firstBits, (int64_t)firstBits, (int64_t)firstBits};
    for (long i = 0; i < whole; i += 4) {
        if (some((i64x4)load(values + i) != first)) return 0;
    }
    for (long i = whole; i < count; i++) {
        uint64_t bits;
        memcpy(&bits, values + i, sizeof bits);
        if (bits != firstBits) return 0;
    }
    return 1;
}

INLINE int operate(CorridorOperation operation, double *d, const double *a, const double *b, int uniformA,
                   int uniformB, long count) {
// `d[l] = expression` of x = a[l] (or a[0]) and y = b[l] (or b[0]), a loop per case.
#define EACH_MEMBER(expression)                                                                                       \
    if (uniformA) {                                                                                                  \
        double x = a[0];                                                                                             \
        for (long l = 0; l < count; l++) { double y = b[l]; d[l] = (expression); }                                  \
    } else if (uniformB) {                                                                                           \
        double y = b[0];                                                                                             \
        for (long l = 0; l < count; l++) { double x = a[l]; d[l] = (expression); }                                  \
    } else {                                                                                                         \
        for (long l = 0; l < count; l++) { double x = a[l], y = b[l]; d[l] = (expression); }                         \
    }
    switch (operation) {
    case CORRIDOR_ADD: EACH_MEMBER(x + y) break;
    case CORRIDOR_SUBTRACT: EACH_MEMBER(x - y) break;
    case CORRIDOR_MULTIPLY: EACH_MEMBER(x * y) break;
    case CORRIDOR_DIVIDE: EACH_MEMBER(x / y) break;
    case CORRIDOR_MINIMUM: EACH_MEMBER(y < x ? y : x) break;
    case CORRIDOR_MAXIMUM: EACH_MEMBER(y >= x ? y : x) break;
    case CORRIDOR_EXP: for (long l = 0; l < count; l++) d[l] = exp(a[l]); break;
    case CORRIDOR_NEGATE: for (long l = 0; l < count; l++) d[l] = -a[l]; break;
    }
#undef EACH_MEMBER
    return count > 0 && all_same_bits(d, count);
}

INLINE void apply_flows(double *stocks, long lanes, long slotCount, const long *starts, const double *const *amounts,
                        const double *const *shares, const _Bool *shareIsUniform, const double *const *remainders,
                        long count) {
    for (long slot = 0; slot < slotCount; slot++) {
        long start = starts[slot], end = starts[slot + 1];
        const double *kept = remainders[slot];
        if (!kept && start == end) continue;
        double *stock = stocks + slot * lanes;
        // Eight members at a time: the tables are read once for two vectors.
        for (long l = 0; l < count; l += 8) {
            f64x4 low = kept ? non_negative(load(kept + l)) : load(stock + l);
            f64x4 high = kept ? non_negative(load(kept + l + 4)) : load(stock + l + 4);
            for (long t = start; t < end; t++) {
                const double *amount = amounts[t], *share = shares[t];
                if (!share) {
                    low = low + load(amount + l);
                    high = high + load(amount + l + 4);
                } else if (shareIsUniform[t]) {
                    f64x4 uniform = splat(share[0]);
                    low = low + load(amount + l) * uniform;
                    high = high + load(amount + l + 4) * uniform;
                } else {
                    low = low + load(amount + l) * load(share + l);
                    high = high + load(amount + l + 4) * load(share + l + 4);
                }
            }
            store(stock + l, low);
            store(stock + l + 4, high);
        }
    }
}

// Each kernel twice from its one inline body: for the build's instruction set (SSE2 in the
// portable build) and, on x86-64, for AVX2 alone — not FMA: a version may use 256-bit
// vectors, never a fused multiply-add.
#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))
/// Whether the processor has AVX2: asked once, before `main` (written before any thread
/// starts, only read after), not on every kernel call — `corridor_operate` runs once per
/// expression instruction, step and tile.
static int processorHasAVX2;
__attribute__((constructor)) static void ask_the_processor(void) {
    __builtin_cpu_init();
    processorHasAVX2 = __builtin_cpu_supports("avx2") != 0;
}
int corridor_has_avx2(void) { return processorHasAVX2; }
#else
#define AVX2
int corridor_has_avx2(void) { return 0; }
#endif

#define BOTH_VERSIONS(body, parameters, arguments)                                                                   \
    static void body##_portable parameters { body arguments; }                                                     \
    AVX2 static void body##_avx2 parameters { body arguments; }
#define BOTH_VERSIONS_RETURNING(type, body, parameters, arguments)                                                   \
    static type body##_portable parameters { return body arguments; }                                              \
    AVX2 static type body##_avx2 parameters { return body arguments; }

BOTH_VERSIONS(expm1_values, (const double *x, double *result, long count), (x, result, count))
BOTH_VERSIONS(leaving_per_rate_values, (double *hazards, long count), (hazards, count))
BOTH_VERSIONS(member_hazards,
              (const double *start, double *remainder, double *factors, int factorsKnown, const double *const *rates,
               const long *laneMasks, double *const *amounts, const double *const *masks, int masked, long flowCount,
               long count),
              (start, remainder, factors, factorsKnown, rates, laneMasks, amounts, masks, masked, flowCount, count))
BOTH_VERSIONS(block_moments,
              (const double *values, long count, double center, double *sums, double *squares,
               CorridorMoments *moments),
              (values, count, center, sums, squares, moments))

BOTH_VERSIONS_RETURNING(int, operate,
              (CorridorOperation operation, double *d, const double *a, const double *b, int uniformA, int uniformB,
               long count),
              (operation, d, a, b, uniformA, uniformB, count))
BOTH_VERSIONS(apply_flows,
              (double *stocks, long lanes, long slotCount, const long *starts, const double *const *amounts,
               const double *const *shares, const _Bool *shareIsUniform, const double *const *remainders, long count),
              (stocks, lanes, slotCount, starts, amounts, shares, shareIsUniform, remainders, count))

/// Whether to run the AVX2 versions: asked for, and the processor has AVX2.
static int runs_avx2(int asked) { return asked && corridor_has_avx2(); }

void corridor_expm1_version(const double *x, double *result, long count, int avx2) {
    (runs_avx2(avx2) ? expm1_values_avx2 : expm1_values_portable)(x, result, count);
}

void corridor_leaving_per_rate_version(double *hazards, long count, int avx2) {
    (runs_avx2(avx2) ? leaving_per_rate_values_avx2 : leaving_per_rate_values_portable)(hazards, count);
}

void corridor_member_hazards_version(const double *start, double *remainder, double *factors, int factorsKnown,
                                     const double *const *rates, const long *laneMasks, double *const *amounts,
                                     const double *const *masks, int masked, long flowCount, long count, int avx2) {
    (runs_avx2(avx2) ? member_hazards_avx2 : member_hazards_portable)(start, remainder, factors, factorsKnown, rates,
                                                                      laneMasks, amounts, masks, masked, flowCount,
                                                                      count);
}

void corridor_block_moments_version(const double *values, long count, double center, double *sums, double *squares,
                                    CorridorMoments *moments, int avx2) {
    (runs_avx2(avx2) ? block_moments_avx2 : block_moments_portable)(values, count, center, sums, squares, moments);
}

void corridor_expm1(const double *x, double *result, long count) { corridor_expm1_version(x, result, count, 1); }

void corridor_leaving_per_rate(double *hazards, long count) { corridor_leaving_per_rate_version(hazards, count, 1); }

void corridor_member_hazards(const double *start, double *remainder, double *factors, int factorsKnown,
                             const double *const *rates, const long *laneMasks, double *const *amounts,
                             const double *const *masks, int masked, long flowCount, long count) {
    corridor_member_hazards_version(start, remainder, factors, factorsKnown, rates, laneMasks, amounts, masks, masked,
                                    flowCount, count, 1);
}

void corridor_block_moments(const double *values, long count, double center, double *sums, double *squares,
                            CorridorMoments *moments) {
    corridor_block_moments_version(values, count, center, sums, squares, moments, 1);
}

double corridor_pairwise_sum(double *values, long count) { return pairwise_sum(values, count); }

int corridor_operate_version(CorridorOperation operation, double *d, const double *a, const double *b, int uniformA,
                             int uniformB, long count, int avx2) {
    return (runs_avx2(avx2) ? operate_avx2 : operate_portable)(operation, d, a, b, uniformA, uniformB, count);
}

void corridor_apply_flows_version(double *stocks, long lanes, long slotCount, const long *starts,
                                  const double *const *amounts, const double *const *shares,
                                  const _Bool *shareIsUniform, const double *const *remainders, long count, int avx2) {
    (runs_avx2(avx2) ? apply_flows_avx2 : apply_flows_portable)(stocks, lanes, slotCount, starts, amounts, shares,
                                                                shareIsUniform, remainders, count);
}

int corridor_operate(CorridorOperation operation, double *d, const double *a, const double *b, int uniformA,
                     int uniformB, long count) {
    return corridor_operate_version(operation, d, a, b, uniformA, uniformB, count, 1);
}

void corridor_apply_flows(double *stocks, long lanes, long slotCount, const long *starts, const double *const *amounts,
                          const double *const *shares, const _Bool *shareIsUniform, const double *const *remainders,
                          long count) {
    corridor_apply_flows_version(stocks, lanes, slotCount, starts, amounts, shares, shareIsUniform, remainders, count, 1);
}
