/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-gemm.h"

#include <cblas.h>
#include <string.h>

#include "cxr-cpu.h"
#include "cxr-elementwise.h"
#include "cxr-gemm-private.h"

/* cxrcam's own kernels for one instruction set (cxr-gemm-kernel.h). */
typedef struct {
  int nr;
  void (*block) (const CxrGemmJob *job, int m0, int m1, int n0, int n1);
  void (*pack_b) (float *packed, const float *b, gsize ldb, int k, int n);
  void (*bt_block) (int m, int n0, int n1, int k, const float *a, gsize lda, const float *b, gsize ldb,
                    float *c, gsize ldc);
} OwnKernels;

/* The best build this CPU can run, or NULL (OpenBLAS then). */
static const OwnKernels *
own_kernels (void)
{
#ifdef CXR_HAVE_X86_KERNELS
  static const OwnKernels avx512 = {
    CXR_GEMM_AVX512_NR, cxr_gemm_block_avx512, cxr_gemm_pack_b_avx512, cxr_gemm_bt_block_avx512,
  };
  static const OwnKernels avx2 = {
    CXR_GEMM_AVX2_NR, cxr_gemm_block_avx2, cxr_gemm_pack_b_avx2, cxr_gemm_bt_block_avx2,
  };
  switch (cxr_cpu_level ())
    {
    case CXR_CPU_AVX512:
      return &avx512;
    case CXR_CPU_AVX2:
      return &avx2;
    case CXR_CPU_GENERIC:
    default:
      break;
    }
#endif
  return NULL;
}

gboolean
cxr_gemm_has_own_kernel (void)
{
  return own_kernels () != NULL;
}

void
cxr_epilogue_apply (float *x, gsize ldx, int m, int n, const CxrEpilogue *e)
{
  if (e == NULL || (!e->scale && !e->shift && !e->residual && !e->relu))
    return;
  if (ldx == (gsize) n && (!e->residual || e->ldr == (gsize) n))
    {
      cxr_affine_residual_relu (x, e->scale, e->shift, e->residual, e->relu, m, n);
      return;
    }
  for (int i = 0; i < m; i++)
    cxr_affine_residual_relu (x + i * ldx, e->scale ? e->scale + i : NULL, e->shift ? e->shift + i : NULL,
                              e->residual ? e->residual + i * e->ldr : NULL, e->relu, 1, n);
}

/* ---- cxrcam's own kernel, on the team's threads ---------------------------- */

typedef struct {
  const OwnKernels *kernels;
  const CxrGemmJob *job;
  gboolean split_columns;
} Split;

static void
gemm_thread (int thread, int n_threads, gpointer data)
{
  const Split *s = data;
  const CxrGemmJob *job = s->job;
  gsize begin, end;
  if (s->split_columns)
    {
      /* Whole panels per thread, so that packed B stays addressable by panel. */
      cxr_parallel_split (job->n, s->kernels->nr, thread, n_threads, &begin, &end);
      if (begin < end)
        s->kernels->block (job, 0, job->m, begin, end);
    }
  else
    {
      /* Rows in fours: any row count has a kernel, so the halves can be even. */
      cxr_parallel_split (job->m, 4, thread, n_threads, &begin, &end);
      if (begin < end)
        s->kernels->block (job, begin, end, 0, job->n);
    }
}

static void
gemm_own (const OwnKernels *kernels, CxrParallel *parallel, const CxrGemmJob *job)
{
  int threads = cxr_parallel_n_threads (parallel);
  int panels = (job->n + kernels->nr - 1) / kernels->nr;
  /* Columns split evenly when there are many panels; otherwise (the 7x7 maps of layer4 at batch
   * 1) rows do, and each thread packs the few columns itself. */
  Split s = { kernels, job, panels >= 4 * threads || job->m < 8 * threads };
  if (threads == 1 || (gsize) job->m * job->n * job->k < 200000)
    kernels->block (job, 0, job->m, 0, job->n);
  else
    cxr_parallel_run (parallel, gemm_thread, &s);
}

typedef struct {
  const OwnKernels *kernels;
  int m, n, k;
  const float *a, *b;
  gsize lda, ldb;
  float *c;
  gsize ldc;
} BtJob;

static void
gemm_bt_thread (int thread, int n_threads, gpointer data)
{
  const BtJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->n, 4, thread, n_threads, &begin, &end);
  if (begin < end)
    job->kernels->bt_block (job->m, begin, end, job->k, job->a, job->lda, job->b, job->ldb, job->c, job->ldc);
}

/* ---- public entry points ----------------------------------------------------- */

void
cxr_gemm (CxrParallel *parallel, int m, int n, int k, const float *a, gsize lda, const float *b, gsize ldb,
          float *c, gsize ldc, const CxrEpilogue *epilogue)
{
  if (m <= 0 || n <= 0)
    return;
  const OwnKernels *kernels = own_kernels ();
  if (kernels != NULL && k > 0)
    {
      CxrGemmJob job = { m, n, k, a, lda, b, ldb, FALSE, c, ldc, epilogue };
      gemm_own (kernels, parallel, &job);
      return;
    }
  float beta = epilogue != NULL && epilogue->accumulate ? 1.0f : 0.0f;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  cxr_epilogue_apply (c, ldc, m, n, epilogue);
}

void
cxr_gemm_bt (CxrParallel *parallel, int m, int n, int k, const float *a, gsize lda, const float *b, gsize ldb,
             float *c, gsize ldc)
{
  if (m <= 0 || n <= 0)
    return;
  const OwnKernels *kernels = own_kernels ();
  if (kernels != NULL)
    {
      BtJob job = { kernels, m, n, k, a, b, lda, ldb, c, ldc };
      cxr_parallel_run (parallel, gemm_bt_thread, &job);
      return;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}

gsize
cxr_gemm_packed_b_floats (int k, int n)
{
  const OwnKernels *kernels = own_kernels ();
  if (kernels != NULL)
    return (gsize) k * ((n + kernels->nr - 1) / kernels->nr * kernels->nr);
  return (gsize) k * n;
}

void
cxr_gemm_pack_b (float *packed, const float *b, gsize ldb, int k, int n)
{
  const OwnKernels *kernels = own_kernels ();
  if (kernels != NULL)
    {
      kernels->pack_b (packed, b, ldb, k, n);
      return;
    }
  /* OpenBLAS packs for itself: keep plain rows. */
  for (int p = 0; p < k; p++)
    memcpy (packed + (gsize) p * n, b + p * ldb, sizeof (float) * n);
}

void
cxr_gemm_packed_b_serial (int m, int n, int k, const float *a, gsize lda, const float *packed_b,
                          float *c, gsize ldc)
{
  if (m <= 0 || n <= 0)
    return;
  const OwnKernels *kernels = own_kernels ();
  if (kernels != NULL && k > 0)
    {
      CxrGemmJob job = { m, n, k, a, lda, packed_b, 0, TRUE, c, ldc, NULL };
      kernels->block (&job, 0, m, 0, n);
      return;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, packed_b, n, 0.0f, c, ldc);
}

/* ---- naive twins ------------------------------------------------------------------ */

void
cxr_gemm_naive (int m, int n, int k, const float *a, gsize lda, const float *b, gsize ldb,
                float *c, gsize ldc, const CxrEpilogue *e)
{
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      {
        double sum = 0.0;
        for (int p = 0; p < k; p++)
          sum += (double) a[i * lda + p] * b[p * ldb + j];
        if (e && e->accumulate)
          sum += c[i * ldc + j];
        if (e && e->scale)
          sum *= e->scale[i];
        if (e && e->shift)
          sum += e->shift[i];
        if (e && e->residual)
          sum += e->residual[i * e->ldr + j];
        if (e && e->relu && sum < 0)
          sum = 0;
        c[i * ldc + j] = (float) sum;
      }
}

void
cxr_gemm_bt_naive (int m, int n, int k, const float *a, gsize lda, const float *b, gsize ldb, float *c, gsize ldc)
{
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      {
        double sum = 0.0;
        for (int p = 0; p < k; p++)
          sum += (double) a[i * lda + p] * b[j * ldb + p];
        c[i * ldc + j] = (float) sum;
      }
}
