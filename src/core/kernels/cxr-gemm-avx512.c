/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-gemm-avx512.c: the GEMM micro-kernel (cxr-gemm-kernel.h) for AVX-512.
 *
 * Why not OpenBLAS here: Debian's OpenBLAS 0.3.21 may be pinned to its Haswell (AVX2) kernels
 * (OPENBLAS_CORETYPE), which reach half of what AVX-512 FMA units can do, and its threads spin
 * and yield between the many small products of a forward pass. This build, with -mavx512f for
 * this file only and called only when the CPU has AVX-512, reaches ~90% of peak on one core
 * (12 x 32 micro-tile: 24 of the 32 zmm registers hold accumulators).
 */
#include <immintrin.h>

typedef __m512 vec_t;
typedef __mmask16 mask_t;

#define VLEN 16
#define MR 12
#define KERNEL(name) name##_avx512

#define vec_zero() _mm512_setzero_ps ()
#define vec_load(p) _mm512_load_ps (p)
#define vec_store(p, v) _mm512_store_ps ((p), (v))
#define vec_loadu_masked(mask, p) _mm512_maskz_loadu_ps ((mask), (p))
#define vec_storeu_masked(p, mask, v) _mm512_mask_storeu_ps ((p), (mask), (v))
#define vec_set1(x) _mm512_set1_ps (x)
#define vec_fmadd(a, b, c) _mm512_fmadd_ps ((a), (b), (c))
#define vec_add(a, b) _mm512_add_ps ((a), (b))
#define vec_mul(a, b) _mm512_mul_ps ((a), (b))
#define vec_max(a, b) _mm512_max_ps ((a), (b))
#define vec_reduce_add(v) _mm512_reduce_add_ps (v)

static inline mask_t
lanes (int count)
{
  return count >= 16 ? 0xffff : count <= 0 ? 0 : (mask_t) ((1u << count) - 1);
}

#include "cxr-gemm-kernel.h"

G_STATIC_ASSERT (NR == CXR_GEMM_AVX512_NR);
