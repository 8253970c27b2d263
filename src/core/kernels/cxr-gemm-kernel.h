/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-gemm-kernel.h: the GEMM micro-kernel and its blocking, written once for any vector width.
 *
 * Included by one file per instruction set (cxr-gemm-avx512.c, cxr-gemm-avx2.c), each compiled
 * with its own -m flags and called only on CPUs that have them (cxr-cpu.h). Before including it,
 * a file defines:
 *   VLEN                        floats per vector (16, 8)
 *   MR                          rows of C per micro-tile (the accumulators, 2 MR vectors, must
 *                               fit in the registers with the two B vectors and one broadcast)
 *   vec_t, mask_t               vector and lane-mask types
 *   vec_zero, vec_load (aligned), vec_store (aligned), vec_loadu_masked (mask, p),
 *   vec_storeu_masked (p, mask, v),
 *   vec_set1, vec_fmadd (a, b, c) = a b + c, vec_add, vec_mul, vec_max (a, b), vec_reduce_add,
 *   lanes (count)               the mask of the first min (count, VLEN) lanes (none if count <= 0)
 *   KERNEL(name)                name##_<isa>, the exported names
 *
 * Shape: a micro-tile of MR rows of C by NR = 2 VLEN columns keeps 2 MR accumulators in registers;
 * each step of k loads two vectors of the packed B panel and broadcasts MR elements of A, read in
 * place (row-major, stride lda: the weights need no packed copy, which would double their memory).
 * Blocking: KC steps of k keep the B panel (KC x NR floats) in L1, MC rows keep the A block
 * (MC x KC) in L2. The epilogue (folded BatchNorm, residual, ReLU) is applied to the accumulators
 * of the last block of k before they are stored: no second pass over C.
 */
#include "cxr-gemm-private.h"

#include <string.h>

#define NR (2 * VLEN)
#define KC 256
#define MC 288

typedef struct {
  int kc;
  const float *a;        /* A [row0, pc] */
  gsize lda;
  const float *b;        /* packed panel at step pc */
  float *c;              /* C [row0, col0] */
  gsize ldc;
  mask_t mask0, mask1;   /* valid columns in the panel's two vectors */
  gboolean accumulate;   /* add to the partial sums already in C */
  const CxrEpilogue *epilogue;  /* on the last block of k only */
  int row0, col0;
} Tile;

static inline __attribute__ ((always_inline)) vec_t
finish (vec_t v, const Tile *t, int i, int half, mask_t mask)
{
  gsize row = (gsize) t->row0 + i;
  float *c = t->c + (gsize) i * t->ldc + half * VLEN;
  if (t->accumulate)
    v = vec_add (v, vec_loadu_masked (mask, c));
  const CxrEpilogue *e = t->epilogue;
  if (e != NULL)
    {
      if (e->scale)
        v = vec_mul (v, vec_set1 (e->scale[row]));
      if (e->shift)
        v = vec_add (v, vec_set1 (e->shift[row]));
      if (e->residual)
        v = vec_add (v, vec_loadu_masked (mask, e->residual + row * e->ldr + t->col0 + half * VLEN));
      if (e->relu)
        v = vec_max (vec_zero (), v);  /* max (0, NaN) is NaN, as torch.relu */
    }
  return v;
}

static inline __attribute__ ((always_inline)) void
kernel_body (const int mr, const Tile *t)
{
  vec_t acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < mr; i++)
    acc[i][0] = acc[i][1] = vec_zero ();

  const float *a = t->a;
  const float *b = t->b;
  const gsize lda = t->lda;
  for (int p = 0; p < t->kc; p++, a++, b += NR)
    {
      vec_t b0 = vec_load (b);
      vec_t b1 = vec_load (b + VLEN);
#pragma GCC unroll 16
      for (int i = 0; i < mr; i++)
        {
          vec_t ai = vec_set1 (a[i * lda]);
          acc[i][0] = vec_fmadd (ai, b0, acc[i][0]);
          acc[i][1] = vec_fmadd (ai, b1, acc[i][1]);
        }
    }

#pragma GCC unroll 16
  for (int i = 0; i < mr; i++)
    {
      float *c = t->c + (gsize) i * t->ldc;
      vec_storeu_masked (c, t->mask0, finish (acc[i][0], t, i, 0, t->mask0));
      vec_storeu_masked (c + VLEN, t->mask1, finish (acc[i][1], t, i, 1, t->mask1));
    }
}

/* One function per row count, so that every tail of M has its registers allocated statically. */
#define DEFINE_KERNEL(rows) \
  static void kernel_##rows (const Tile *t) { if (rows <= MR) kernel_body (rows <= MR ? rows : 1, t); }
DEFINE_KERNEL (1) DEFINE_KERNEL (2) DEFINE_KERNEL (3) DEFINE_KERNEL (4)
DEFINE_KERNEL (5) DEFINE_KERNEL (6) DEFINE_KERNEL (7) DEFINE_KERNEL (8)
DEFINE_KERNEL (9) DEFINE_KERNEL (10) DEFINE_KERNEL (11) DEFINE_KERNEL (12)

static void (*const kernels[]) (const Tile *) = {
  NULL, kernel_1, kernel_2, kernel_3, kernel_4, kernel_5, kernel_6,
  kernel_7, kernel_8, kernel_9, kernel_10, kernel_11, kernel_12,
};
G_STATIC_ASSERT (MR < G_N_ELEMENTS (kernels));

/* panel [kc, NR] = b [0:kc, 0:cols], zero past cols. Each of the kc rows is a separate stream
 * (rows of a wide B are far apart: 100 KB for ResNet's first stage at batch 8), too many for the
 * hardware prefetcher: the next panel's lines are fetched by hand while the kernel works on this
 * one. */
static void
pack_panel (float *restrict panel, const float *restrict b, gsize ldb, int kc, int cols)
{
  mask_t m0 = lanes (cols), m1 = lanes (cols - VLEN);
  for (int p = 0; p < kc; p++, b += ldb, panel += NR)
    {
      __builtin_prefetch (b + NR);       /* next panel: NR floats, one or two 64-byte lines */
      __builtin_prefetch (b + NR + 16);
      vec_store (panel, vec_loadu_masked (m0, b));
      vec_store (panel + VLEN, vec_loadu_masked (m1, b + VLEN));
    }
}

void
KERNEL (cxr_gemm_pack_b) (float *packed, const float *b, gsize ldb, int k, int n)
{
  for (int j = 0; j < n; j += NR, packed += (gsize) k * NR)
    pack_panel (packed, b + j, ldb, k, MIN (NR, n - j));
}

void
KERNEL (cxr_gemm_block) (const CxrGemmJob *job, int m0, int m1, int n0, int n1)
{
  float panel[KC * NR] __attribute__ ((aligned (64)));
  const int k = job->k;

  for (int pc = 0; pc < k; pc += KC)
    {
      Tile t = {
        .kc = MIN (KC, k - pc),
        .lda = job->lda,
        .ldc = job->ldc,
        .accumulate = pc > 0 || (job->epilogue != NULL && job->epilogue->accumulate),
      };
      t.epilogue = pc + t.kc == k ? job->epilogue : NULL;

      for (int ic = m0; ic < m1; ic += MC)
        {
          int mc_end = MIN (ic + MC, m1);
          for (int jc = n0; jc < n1; jc += NR)
            {
              int cols = MIN (NR, n1 - jc);
              if (job->b_packed)
                t.b = job->b + (gsize) (jc / NR) * k * NR + (gsize) pc * NR;
              else
                {
                  pack_panel (panel, job->b + (gsize) pc * job->ldb + jc, job->ldb, t.kc, cols);
                  t.b = panel;
                }
              t.mask0 = lanes (cols);
              t.mask1 = lanes (cols - VLEN);
              t.col0 = jc;
              for (int ir = ic; ir < mc_end;)
                {
                  int rows = MIN (MR, mc_end - ir);
                  t.row0 = ir;
                  t.a = job->a + (gsize) ir * job->lda + pc;
                  t.c = job->c + (gsize) ir * job->ldc + jc;
                  kernels[rows] (&t);
                  ir += rows;
                }
            }
        }
    }
}

/* ---- C = A B^T by dot products -----------------------------------------------------------------
 * For a linear layer's shape (a few rows of A, a weight B [N, K] read once): blocks of 4 rows of
 * A by 4 rows of B keep 16 dot products in registers over k, VLEN lanes at a time; nothing packed. */

static inline __attribute__ ((always_inline)) void
dot_block (int rows, int cols, int k, const float *a, gsize lda, const float *b, gsize ldb, float *c, gsize ldc)
{
  vec_t acc[4][4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++)
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++)
      acc[i][j] = vec_zero ();

  for (int p = 0; p < k; p += VLEN)
    {
      mask_t mask = lanes (k - p);
      vec_t av[4], bv[4];
#pragma GCC unroll 4
      for (int i = 0; i < 4; i++)
        av[i] = vec_loadu_masked (mask, a + MIN (i, rows - 1) * lda + p);
#pragma GCC unroll 4
      for (int j = 0; j < 4; j++)
        bv[j] = vec_loadu_masked (mask, b + MIN (j, cols - 1) * ldb + p);
#pragma GCC unroll 4
      for (int i = 0; i < 4; i++)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
          acc[i][j] = vec_fmadd (av[i], bv[j], acc[i][j]);
    }

  /* Rows and columns past the edge repeated the last one above; only the real ones are stored. */
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      c[i * ldc + j] = vec_reduce_add (acc[i][j]);
}

void
KERNEL (cxr_gemm_bt_block) (int m, int n0, int n1, int k, const float *a, gsize lda, const float *b, gsize ldb,
                            float *c, gsize ldc)
{
  for (int j = n0; j < n1; j += 4)
    for (int i = 0; i < m; i += 4)
      dot_block (MIN (4, m - i), MIN (4, n1 - j), k, a + (gsize) i * lda, lda, b + (gsize) j * ldb, ldb,
                 c + (gsize) i * ldc + j, ldc);
}
