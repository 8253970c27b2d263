/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-gemm-avx2.c: the GEMM micro-kernel (cxr-gemm-kernel.h) for AVX2 + FMA, the laptops and
 * desktops without AVX-512. Built with -mavx2 -mfma for this file only, called only on CPUs that
 * have both. 6 x 16 micro-tile: 12 of the 16 ymm registers hold accumulators. Against OpenBLAS's
 * own AVX2 kernel it gains the fused epilogue and cxrcam's threads (no OpenBLAS spinning). */
#include <immintrin.h>

typedef __m256 vec_t;
typedef __m256i mask_t;

#define VLEN 8
#define MR 6
#define KERNEL(name) name##_avx2

#define vec_zero() _mm256_setzero_ps ()
#define vec_load(p) _mm256_load_ps (p)
#define vec_store(p, v) _mm256_store_ps ((p), (v))
#define vec_loadu_masked(mask, p) _mm256_maskload_ps ((p), (mask))
#define vec_storeu_masked(p, mask, v) _mm256_maskstore_ps ((p), (mask), (v))
#define vec_set1(x) _mm256_set1_ps (x)
#define vec_fmadd(a, b, c) _mm256_fmadd_ps ((a), (b), (c))
#define vec_add(a, b) _mm256_add_ps ((a), (b))
#define vec_mul(a, b) _mm256_mul_ps ((a), (b))
#define vec_max(a, b) _mm256_max_ps ((a), (b))

static inline float
vec_reduce_add (vec_t v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

/* Lane l is on (sign bit set) when l < count. */
static inline mask_t
lanes (int count)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 (count), _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}

#include "cxr-gemm-kernel.h"

G_STATIC_ASSERT (NR == CXR_GEMM_AVX2_NR);
