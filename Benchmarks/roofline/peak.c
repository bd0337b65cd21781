// The machine's peaks for Benchmarks/README.md's roofline note: double-precision
// add+multiply throughput with 2-wide (SSE2, the portable build) and 4-wide (AVX2) vectors,
// without FMA (Corridor does not contract), and memory bandwidth (a STREAM-style triad over
// 512 MiB). One thread; run it on an idle machine:
//   cc -O2 -mavx2 -o /tmp/peak Benchmarks/roofline/peak.c && /tmp/peak
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// 12 independent chains of (x * m + a): each iteration is 12 multiplies and 12 adds per lane.
#define CHAINS(T, MUL, ADD, SET)                                                        \
    T x0 = SET(1.0), x1 = SET(1.1), x2 = SET(1.2), x3 = SET(1.3), x4 = SET(1.4),       \
      x5 = SET(1.5), x6 = SET(1.6), x7 = SET(1.7), x8 = SET(1.8), x9 = SET(1.9),       \
      x10 = SET(2.0), x11 = SET(2.1);                                                   \
    T m = SET(0.9999999), a = SET(1e-7);                                                \
    for (long i = 0; i < iterations; i++) {                                             \
        x0 = ADD(MUL(x0, m), a); x1 = ADD(MUL(x1, m), a); x2 = ADD(MUL(x2, m), a);     \
        x3 = ADD(MUL(x3, m), a); x4 = ADD(MUL(x4, m), a); x5 = ADD(MUL(x5, m), a);     \
        x6 = ADD(MUL(x6, m), a); x7 = ADD(MUL(x7, m), a); x8 = ADD(MUL(x8, m), a);     \
        x9 = ADD(MUL(x9, m), a); x10 = ADD(MUL(x10, m), a); x11 = ADD(MUL(x11, m), a); \
    }                                                                                   \
    T s = ADD(ADD(ADD(x0, x1), ADD(x2, x3)), ADD(ADD(x4, x5), ADD(x6, x7)));            \
    s = ADD(s, ADD(ADD(x8, x9), ADD(x10, x11)));

__attribute__((noinline)) static double sse2(long iterations) {
    CHAINS(__m128d, _mm_mul_pd, _mm_add_pd, _mm_set1_pd)
    double out[2];
    _mm_storeu_pd(out, s);
    return out[0] + out[1];
}

__attribute__((noinline)) static double avx2(long iterations) {
    CHAINS(__m256d, _mm256_mul_pd, _mm256_add_pd, _mm256_set1_pd)
    double out[4];
    _mm256_storeu_pd(out, s);
    return out[0] + out[1] + out[2] + out[3];
}

int main(void) {
    long iterations = 200000000;
    double best2 = 1e9, best4 = 1e9, sink = 0;
    for (int round = 0; round < 3; round++) {
        double t = now(); sink += sse2(iterations); double e = now() - t; if (e < best2) best2 = e;
        t = now(); sink += avx2(iterations); e = now() - t; if (e < best4) best4 = e;
    }
    double flops2 = iterations * 12.0 * 2 * 2, flops4 = iterations * 12.0 * 2 * 4;
    printf("SSE2 add+multiply: %.1f GFLOP/s\n", flops2 / best2 / 1e9);
    printf("AVX2 add+multiply: %.1f GFLOP/s\n", flops4 / best4 / 1e9);

    long n = 64L << 20;  // 64 Mi doubles = 512 MiB per array
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double)), *z = malloc(n * sizeof(double));
    for (long i = 0; i < n; i++) { x[i] = 1; y[i] = 2; z[i] = 0; }
    double bestTriad = 1e9;
    for (int round = 0; round < 3; round++) {
        double t = now();
        for (long i = 0; i < n; i++) z[i] = x[i] + 3.0 * y[i];
        double e = now() - t;
        if (e < bestTriad) bestTriad = e;
        sink += z[round];
    }
    printf("memory (triad, 3 arrays of 512 MiB): %.1f GB/s\n", 3.0 * n * sizeof(double) / bestTriad / 1e9);
    printf("(checksum %g)\n", sink);
    return 0;
}
