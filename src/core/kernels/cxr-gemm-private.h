/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-gemm-private.h: between cxr-gemm.c (dispatch, threads) and the
 * per-instruction-set micro-kernels, which are compiled with their own flags. */
#pragma once

#include "cxr-gemm.h"

G_BEGIN_DECLS

typedef struct {
  int m, n, k;
  const float *a;               /* [m, k], row-major */
  gsize lda;
  const float *b;               /* [k, n] row-major (ldb), or packed panels when b_packed */
  gsize ldb;
  gboolean b_packed;
  float *c;                     /* [m, n] */
  gsize ldc;
  const CxrEpilogue *epilogue;  /* NULL: plain product */
} CxrGemmJob;

/* Packed B is a sequence of panels, each [K, NR] for NR consecutive columns (zero past N): what
 * the kernel reads, one row of NR floats per step of k. NR is two vectors. */
#define CXR_GEMM_AVX512_NR 32
#define CXR_GEMM_AVX2_NR 16

/* Each instruction set's build of cxr-gemm-kernel.h:
 * - block: one thread's part of the job, C [m0:m1, n0:n1] (n0 a multiple of NR when B is packed);
 * - pack_b: B [k, n] into panels;
 * - bt_block: C [0:m, n0:n1] = A B^T for B [N, K]. */
void cxr_gemm_block_avx512    (const CxrGemmJob *job, int m0, int m1, int n0, int n1);
void cxr_gemm_pack_b_avx512   (float *packed, const float *b, gsize ldb, int k, int n);
void cxr_gemm_bt_block_avx512 (int m, int n0, int n1, int k, const float *a, gsize lda,
                               const float *b, gsize ldb, float *c, gsize ldc);
void cxr_gemm_block_avx2      (const CxrGemmJob *job, int m0, int m1, int n0, int n1);
void cxr_gemm_pack_b_avx2     (float *packed, const float *b, gsize ldb, int k, int n);
void cxr_gemm_bt_block_avx2   (int m, int n0, int n1, int k, const float *a, gsize lda,
                               const float *b, gsize ldb, float *c, gsize ldc);

G_END_DECLS
