/* cxr-gemm-avx512.c: single-precision GEMM micro-kernel for AVX-512.
 *
 * Why not OpenBLAS here: Debian's OpenBLAS 0.3.21 may be pinned to its
 * Haswell (AVX2) kernels (OPENBLAS_CORETYPE), which reach half of what
 * AVX-512 FMA units can do, and its threads spin and yield between the many
 * small products of a forward pass. This kernel, compiled with -mavx512f for
 * this file only and called only when the CPU has AVX-512, reaches ~90% of
 * peak on one core and fuses the convolution epilogue into its stores.
 *
 * Shape: a micro-tile of MR (<= 12) rows of C by 32 columns (two zmm vectors)
 * keeps 24 accumulators in registers; each step of k loads two vectors of the
 * packed B panel and broadcasts MR elements of A, read in place (row-major,
 * stride lda: the weights need no packed copy, which would double their
 * memory). Blocking: KC steps of k keep the B panel (KC x 32 floats, 32 KB) in
 * L1, MC rows keep the A block (MC x KC) in L2.
 */
#include "cxr-gemm-private.h"

#include <immintrin.h>
#include <string.h>

#define NR CXR_GEMM_AVX512_NR
#define MR 12
#define KC 256
#define MC 192

typedef struct {
  int kc;
  const float *a;        /* A [row0, pc] */
  gsize lda;
  const float *b;        /* packed panel at step pc */
  float *c;              /* C [row0, col0] */
  gsize ldc;
  __mmask16 mask0, mask1;
  gboolean accumulate;   /* add to the partial sums already in C */
  const CxrEpilogue *epilogue;  /* on the last block of k only */
  int row0, col0;
} Tile;

static inline __attribute__ ((always_inline)) __m512
finish (__m512 v, const Tile *t, int i, int half, __mmask16 mask)
{
  gsize row = (gsize) t->row0 + i;
  float *c = t->c + (gsize) i * t->ldc + half * 16;
  if (t->accumulate)
    v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, c));
  const CxrEpilogue *e = t->epilogue;
  if (e != NULL)
    {
      if (e->scale)
        v = _mm512_mul_ps (v, _mm512_set1_ps (e->scale[row]));
      if (e->shift)
        v = _mm512_add_ps (v, _mm512_set1_ps (e->shift[row]));
      if (e->residual)
        v = _mm512_add_ps (v, _mm512_maskz_loadu_ps (mask, e->residual + row * e->ldr + t->col0 + half * 16));
      if (e->relu)
        v = _mm512_max_ps (_mm512_setzero_ps (), v);  /* max (0, NaN) is NaN, as torch.relu */
    }
  return v;
}

static inline __attribute__ ((always_inline)) void
kernel_body (const int mr, const Tile *t)
{
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < mr; i++)
    acc[i][0] = acc[i][1] = _mm512_setzero_ps ();

  const float *a = t->a;
  const float *b = t->b;
  const gsize lda = t->lda;
  for (int p = 0; p < t->kc; p++, a++, b += NR)
    {
      __m512 b0 = _mm512_load_ps (b);
      __m512 b1 = _mm512_load_ps (b + 16);
#pragma GCC unroll 12
      for (int i = 0; i < mr; i++)
        {
          __m512 ai = _mm512_set1_ps (a[i * lda]);
          acc[i][0] = _mm512_fmadd_ps (ai, b0, acc[i][0]);
          acc[i][1] = _mm512_fmadd_ps (ai, b1, acc[i][1]);
        }
    }

#pragma GCC unroll 12
  for (int i = 0; i < mr; i++)
    {
      float *c = t->c + (gsize) i * t->ldc;
      _mm512_mask_storeu_ps (c, t->mask0, finish (acc[i][0], t, i, 0, t->mask0));
      _mm512_mask_storeu_ps (c + 16, t->mask1, finish (acc[i][1], t, i, 1, t->mask1));
    }
}

#define DEFINE_KERNEL(rows) \
  static void kernel_##rows (const Tile *t) { kernel_body (rows, t); }
DEFINE_KERNEL (1) DEFINE_KERNEL (2) DEFINE_KERNEL (3) DEFINE_KERNEL (4)
DEFINE_KERNEL (5) DEFINE_KERNEL (6) DEFINE_KERNEL (7) DEFINE_KERNEL (8)
DEFINE_KERNEL (9) DEFINE_KERNEL (10) DEFINE_KERNEL (11) DEFINE_KERNEL (12)

static void (*const kernels[MR + 1]) (const Tile *) = {
  NULL, kernel_1, kernel_2, kernel_3, kernel_4, kernel_5, kernel_6,
  kernel_7, kernel_8, kernel_9, kernel_10, kernel_11, kernel_12,
};

static inline __mmask16
lanes (int count)
{
  return count >= 16 ? 0xffff : count <= 0 ? 0 : (__mmask16) ((1u << count) - 1);
}

/* panel [kc, NR] = b [0:kc, 0:cols], zero past cols. */
static void
pack_panel (float *restrict panel, const float *restrict b, gsize ldb, int kc, int cols)
{
  __mmask16 m0 = lanes (cols), m1 = lanes (cols - 16);
  for (int p = 0; p < kc; p++, b += ldb, panel += NR)
    {
      _mm512_store_ps (panel, _mm512_maskz_loadu_ps (m0, b));
      _mm512_store_ps (panel + 16, _mm512_maskz_loadu_ps (m1, b + 16));
    }
}

void
cxr_gemm_pack_b_avx512 (float *packed, const float *b, gsize ldb, int k, int n)
{
  for (int j = 0; j < n; j += NR, packed += (gsize) k * NR)
    pack_panel (packed, b + j, ldb, k, MIN (NR, n - j));
}

void
cxr_gemm_block_avx512 (const CxrGemmJob *job, int m0, int m1, int n0, int n1)
{
  float panel[KC * NR] __attribute__ ((aligned (64)));
  const int k = job->k;

  for (int pc = 0; pc < k; pc += KC)
    {
      Tile t = {
        .kc = MIN (KC, k - pc),
        .lda = job->lda,
        .ldc = job->ldc,
        .accumulate = pc > 0,
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
              t.mask1 = lanes (cols - 16);
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

/* ---- C = A B^T by dot products -------------------------------------------------------------

 * For a linear layer's shape (a few rows of A, a weight B [N, K] read once): blocks of 4 rows of
 * A by 4 rows of B keep 16 dot products in registers over k, 16 lanes at a time; nothing packed. */

static inline __attribute__ ((always_inline)) void
dot_block (int rows, int cols, int k, const float *a, gsize lda, const float *b, gsize ldb, float *c, gsize ldc)
{
  __m512 acc[4][4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++)
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++)
      acc[i][j] = _mm512_setzero_ps ();

  for (int p = 0; p < k; p += 16)
    {
      __mmask16 mask = lanes (k - p);
      __m512 av[4], bv[4];
#pragma GCC unroll 4
      for (int i = 0; i < 4; i++)
        av[i] = i < rows ? _mm512_maskz_loadu_ps (mask, a + i * lda + p) : _mm512_setzero_ps ();
#pragma GCC unroll 4
      for (int j = 0; j < 4; j++)
        bv[j] = j < cols ? _mm512_maskz_loadu_ps (mask, b + j * ldb + p) : _mm512_setzero_ps ();
#pragma GCC unroll 4
      for (int i = 0; i < 4; i++)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
          acc[i][j] = _mm512_fmadd_ps (av[i], bv[j], acc[i][j]);
    }

  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++)
      c[i * ldc + j] = _mm512_reduce_add_ps (acc[i][j]);
}

void
cxr_gemm_bt_block_avx512 (int m, int n0, int n1, int k, const float *a, gsize lda, const float *b, gsize ldb,
                          float *c, gsize ldc)
{
  for (int j = n0; j < n1; j += 4)
    for (int i = 0; i < m; i += 4)
      dot_block (MIN (4, m - i), MIN (4, n1 - j), k, a + (gsize) i * lda, lda, b + (gsize) j * ldb, ldb,
                 c + (gsize) i * ldc + j, ldc);
}
