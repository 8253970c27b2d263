/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-gemm.h: the matrix product under every convolution, with the
 * convolution's epilogue fused into it.
 *
 * C = epilogue (A B) for row-major A [M, K], B [K, N], C [M, N], where the
 * epilogue is c[i, j] = relu? (acc * scale[i] + shift[i] + residual[i, j]), acc being A B, or
 * A B + C when it accumulates
 * applied while the accumulators are still in registers (BatchNorm folded
 * into scale/shift, the residual add and the ReLU: no extra pass over C).
 *
 * On CPUs with AVX-512 the product runs on cxrcam's own micro-kernel (see
 * cxr-gemm-avx512.c for why); elsewhere it is OpenBLAS's sgemm followed by
 * one epilogue pass. Either way the result equals the naive product within
 * float rounding.
 */
#pragma once

#include <glib.h>

#include "cxr-parallel.h"

G_BEGIN_DECLS

typedef struct {
  const float *scale;     /* [M] or NULL (1) */
  const float *shift;     /* [M] or NULL (0) */
  const float *residual;  /* [M, ldr] or NULL; must not alias C */
  gsize ldr;
  gboolean relu;
  gboolean accumulate;    /* C = epilogue (A B + C): add to what C holds (the backward passes' +=) */
} CxrEpilogue;

/* C [M, N] (leading dimension ldc) = epilogue (A [M, K] (lda) x B [K, N] (ldb)), on the team's
 * threads (NULL: the caller alone). epilogue may be NULL. */
void cxr_gemm (CxrParallel *parallel, int m, int n, int k,
               const float *a, gsize lda,
               const float *b, gsize ldb,
               float *c, gsize ldc,
               const CxrEpilogue *epilogue);

/* C [M, N] = A [M, K] x B^T for B given as [N, K] (a linear layer: features x weight^T), with
 * no epilogue. Suited to few rows of A (a batch of feature vectors): on AVX-512 CPUs it takes
 * dot products straight from both operands, with nothing packed and no OpenBLAS threads left
 * spinning after it. */
void cxr_gemm_bt (CxrParallel *parallel, int m, int n, int k,
                  const float *a, gsize lda,
                  const float *b, gsize ldb,
                  float *c, gsize ldc);

/* The same in double precision, for tests. */
void cxr_gemm_naive (int m, int n, int k, const float *a, gsize lda, const float *b, gsize ldb,
                     float *c, gsize ldc, const CxrEpilogue *epilogue);
void cxr_gemm_bt_naive (int m, int n, int k, const float *a, gsize lda, const float *b, gsize ldb,
                        float *c, gsize ldc);

/* A constant right-hand side (weights) can be packed once into the layout the
 * micro-kernel reads, which then skips packing on every call. The layout
 * depends on the CPU; only the functions below read it. The packed buffer must
 * be 64-byte aligned (cxr_alloc_floats). */
gsize cxr_gemm_packed_b_floats (int k, int n);
void  cxr_gemm_pack_b          (float *packed, const float *b, gsize ldb, int k, int n);

/* C [M, N] = A [M, K] x packed B, in the calling thread only (the caller
 * parallelises around it, e.g. over the points of a Winograd transform). */
void cxr_gemm_packed_b_serial  (int m, int n, int k, const float *a, gsize lda,
                                const float *packed_b, float *c, gsize ldc);

/* Whether cxr_gemm_packed_b_serial is cxrcam's own kernel (safe to call from
 * several threads at once) rather than OpenBLAS (which parallelises itself). */
gboolean cxr_gemm_has_own_kernel (void);

/* In place: x[i, j] = epilogue (x[i, j]) for an [M, N] array (leading dimension ldx). */
void cxr_epilogue_apply (float *x, gsize ldx, int m, int n, const CxrEpilogue *epilogue);

G_END_DECLS
