/* cxr-conv-train.c: the training convolution's backward pass (see cxr-conv-train.h). */
#include "cxr-conv-train.h"

#include <string.h>

#include "cxr-backward.h"
#include "cxr-cpu.h"
#include "cxr-gemm.h"
#include "cxr-winograd.h"

static gboolean
is_pointwise (const CxrConvGeometry *g)
{
  return g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1
         && g->pad_h == 0 && g->pad_w == 0;
}

/* A stride-1 convolution whose output has its input's size: its transpose is a convolution. */
static gboolean
is_same_stride1 (const CxrConvGeometry *g)
{
  return g->stride_h == 1 && g->stride_w == 1 && g->kernel_h % 2 == 1 && g->kernel_w % 2 == 1
         && g->pad_h == g->kernel_h / 2 && g->pad_w == g->kernel_w / 2 && !is_pointwise (g);
}

/* The convolution that computes dinp from dout for is_same_stride1 geometries. */
static CxrConvGeometry
transposed_geometry (const CxrConvGeometry *g)
{
  CxrConvGeometry t = *g;
  t.in_channels = g->out_channels;
  t.out_channels = g->in_channels;
  return t;
}

static gsize
forward_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  if (cxr_winograd_preferred (g, n, h, w))
    return cxr_winograd_workspace_floats (g, n, h, w);
  return cxr_conv2d_workspace_floats (g, n, h, w);
}

gsize
cxr_conv2d_train_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize m = (gsize) n * ho * wo;
  gsize depth = (gsize) g->in_channels * g->kernel_h * g->kernel_w;
  gsize need = 0;

  /* dweight */
  if (is_pointwise (g))
    need = MAX (need, m * MIN (g->in_channels, g->out_channels));
  else
    need = MAX (need, depth * m + m * g->out_channels);

  /* the forward pass */
  need = MAX (need, forward_workspace_floats (g, n, h, w));

  /* dinp */
  if (is_same_stride1 (g))
    {
      CxrConvGeometry t = transposed_geometry (g);
      need = MAX (need, forward_workspace_floats (&t, n, ho, wo));
    }
  else if (!is_pointwise (g))
    need = MAX (need, depth * m);
  return need;
}

gsize
cxr_conv2d_train_weight_scratch_floats (const CxrConvGeometry *g)
{
  /* the rearranged weights, then Winograd's transformed ones */
  gsize need = (gsize) g->out_channels * g->in_channels * g->kernel_h * g->kernel_w;
  if (cxr_winograd_supports (g))
    need += cxr_winograd_weight_floats (g);
  return need;
}

typedef float v16sf __attribute__ ((vector_size (64)));

/* Winograd's weight transform U = G g G^T (cxr-winograd.h's layout [16, Cout, Cin], point
 * t = 4 i + j), 16 kernels at a time: their nine taps gathered into vectors, G's products spelled
 * out (G holds only 0, 1 and 1/2, so these adds and halvings round exactly as the matrix products
 * of cxr_winograd_transform_weight do), each point's 16 values stored contiguously. Weights change
 * every step, so this runs twice per 3x3 convolution per step: a scalar transform with sixteen
 * strided stores per kernel cost a tenth of a ResNet-18 step. */
CXR_TARGET_CLONES static void
transform_pairs (float *u, const float *weight, gsize pairs, gsize begin, gsize end)
{
  gsize p = begin;
  for (; p + 16 <= end; p += 16)
    {
      v16sf k[9];
      for (int t = 0; t < 9; t++)
        for (int l = 0; l < 16; l++)
          k[t][l] = weight[(p + l) * 9 + t];
      v16sf gk[4][3];
      for (int c = 0; c < 3; c++)
        {
          gk[0][c] = k[c];
          gk[1][c] = 0.5f * ((k[c] + k[3 + c]) + k[6 + c]);
          gk[2][c] = 0.5f * ((k[c] - k[3 + c]) + k[6 + c]);
          gk[3][c] = k[6 + c];
        }
      for (int i = 0; i < 4; i++)
        {
          v16sf row[4] = { gk[i][0], 0.5f * ((gk[i][0] + gk[i][1]) + gk[i][2]),
                           0.5f * ((gk[i][0] - gk[i][1]) + gk[i][2]), gk[i][2] };
          for (int j = 0; j < 4; j++)
            memcpy (u + (gsize) (4 * i + j) * pairs + p, &row[j], sizeof (v16sf));
        }
    }
  for (; p < end; p++)
    {
      const float *k = weight + p * 9;
      float gk[4][3];
      for (int c = 0; c < 3; c++)
        {
          gk[0][c] = k[c];
          gk[1][c] = 0.5f * ((k[c] + k[3 + c]) + k[6 + c]);
          gk[2][c] = 0.5f * ((k[c] - k[3 + c]) + k[6 + c]);
          gk[3][c] = k[6 + c];
        }
      for (int i = 0; i < 4; i++)
        {
          float row[4] = { gk[i][0], 0.5f * ((gk[i][0] + gk[i][1]) + gk[i][2]),
                           0.5f * ((gk[i][0] - gk[i][1]) + gk[i][2]), gk[i][2] };
          for (int j = 0; j < 4; j++)
            u[(gsize) (4 * i + j) * pairs + p] = row[j];
        }
    }
}

typedef struct {
  float *u;
  const float *weight;
  gsize pairs;
} TransformJob;

static void
transform_thread (int thread, int n_threads, gpointer data)
{
  const TransformJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->pairs, 16, thread, n_threads, &begin, &end);
  transform_pairs (job->u, job->weight, job->pairs, begin, end);
}

static void
transform_weight (float *u, const float *weight, const CxrConvGeometry *g, CxrParallel *parallel)
{
  TransformJob job = { u, weight, (gsize) g->out_channels * g->in_channels };
  cxr_parallel_run (parallel, transform_thread, &job);
}

/* cxr_conv2d_forward's contract; @u_scratch holds Winograd's transformed weights when used. */
static void
convolve (float *out, const float *inp, const float *weight, const float *scale, const float *shift,
          const float *residual, gboolean relu, const CxrConvGeometry *g, int n, int h, int w, float *workspace,
          float *u_scratch, CxrParallel *parallel)
{
  if (cxr_winograd_preferred (g, n, h, w))
    {
      transform_weight (u_scratch, weight, g, parallel);
      cxr_winograd_conv2d_forward (out, inp, u_scratch, scale, shift, residual, relu, g, n, h, w, workspace,
                                   parallel);
      return;
    }
  cxr_conv2d_forward (out, inp, weight, scale, shift, residual, relu, g, n, h, w, workspace, parallel);
}

void
cxr_conv2d_train_forward (float *out, const float *inp, const float *weight, const float *scale,
                          const float *shift, const float *residual, gboolean relu, const CxrConvGeometry *g,
                          int n, int h, int w, float *workspace, float *weight_scratch, CxrParallel *parallel)
{
  gsize w_count = (gsize) g->out_channels * g->in_channels * g->kernel_h * g->kernel_w;
  convolve (out, inp, weight, scale, shift, residual, relu, g, n, h, w, workspace, weight_scratch + w_count,
            parallel);
}

gsize
cxr_conv2d_train_forward_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  return forward_workspace_floats (g, n, h, w);
}

/* ---- transposes --------------------------------------------------------- */

typedef float v8sf __attribute__ ((vector_size (32)));
typedef int v8si __attribute__ ((vector_size (32)));

/* out[c * ldo + r] = in[r * ldi + c] for an 8 x 8 tile, in registers: three rounds of pairwise
 * shuffles (the classic unpack / shuffle / permute ladder). */
static inline __attribute__ ((always_inline)) void
transpose8x8 (float *out, gsize ldo, const float *in, gsize ldi)
{
  v8sf r[8], t[8], u[8];
  for (int i = 0; i < 8; i++)
    memcpy (&r[i], in + i * ldi, sizeof (v8sf));
  const v8si lo = { 0, 8, 1, 9, 4, 12, 5, 13 }, hi = { 2, 10, 3, 11, 6, 14, 7, 15 };
  const v8si lo2 = { 0, 1, 8, 9, 4, 5, 12, 13 }, hi2 = { 2, 3, 10, 11, 6, 7, 14, 15 };
  const v8si lo4 = { 0, 1, 2, 3, 8, 9, 10, 11 }, hi4 = { 4, 5, 6, 7, 12, 13, 14, 15 };
  for (int i = 0; i < 8; i += 2)
    {
      t[i] = __builtin_shuffle (r[i], r[i + 1], lo);
      t[i + 1] = __builtin_shuffle (r[i], r[i + 1], hi);
    }
  for (int i = 0; i < 8; i += 4)
    {
      u[i] = __builtin_shuffle (t[i], t[i + 2], lo2);
      u[i + 1] = __builtin_shuffle (t[i], t[i + 2], hi2);
      u[i + 2] = __builtin_shuffle (t[i + 1], t[i + 3], lo2);
      u[i + 3] = __builtin_shuffle (t[i + 1], t[i + 3], hi2);
    }
  for (int i = 0; i < 4; i++)
    {
      v8sf a = __builtin_shuffle (u[i], u[i + 4], lo4), b = __builtin_shuffle (u[i], u[i + 4], hi4);
      memcpy (out + i * ldo, &a, sizeof a);
      memcpy (out + (i + 4) * ldo, &b, sizeof b);
    }
}

/* Rows [r0, r1) of in, in blocks of 64 x 64 so that both sides stay in cache. */
CXR_TARGET_CLONES static void
transpose_rows (float *out, const float *in, gsize rows, gsize cols, gsize r0, gsize r1)
{
  for (gsize rb = r0; rb < r1; rb += 64)
    for (gsize cb = 0; cb < cols; cb += 64)
      {
        gsize re = MIN (r1, rb + 64), ce = MIN (cols, cb + 64);
        gsize r = rb;
        for (; r + 8 <= re; r += 8)
          {
            gsize c = cb;
            for (; c + 8 <= ce; c += 8)
              transpose8x8 (out + c * rows + r, rows, in + r * cols + c, cols);
            for (; c < ce; c++)
              for (gsize i = r; i < r + 8; i++)
                out[c * rows + i] = in[i * cols + c];
          }
        for (; r < re; r++)
          for (gsize c = cb; c < ce; c++)
            out[c * rows + r] = in[r * cols + c];
      }
}

typedef struct {
  float *out;
  const float *in;
  gsize rows, cols;
} TransposeJob;

static void
transpose_thread (int thread, int n_threads, gpointer data)
{
  const TransposeJob *job = data;
  gsize begin, end;
  /* Whole bands of 8 input rows per thread. */
  cxr_parallel_split (job->rows, 8, thread, n_threads, &begin, &end);
  transpose_rows (job->out, job->in, job->rows, job->cols, begin, end);
}

void
cxr_transpose (float *out, const float *in, gsize rows, gsize cols, CxrParallel *parallel)
{
  TransposeJob job = { out, in, rows, cols };
  if (rows * cols < 65536)
    transpose_thread (0, 1, &job);
  else
    cxr_parallel_run (parallel, transpose_thread, &job);
}

/* ---- im2col and col2im over the team ------------------------------------ */

typedef struct {
  float *col;
  float *inp;
  const float *const_inp;
  const CxrConvGeometry *geometry;
  int n, h, w;
  gsize m;
} ColumnJob;

/* Whole input channels per thread: their im2col rows and their input planes are contiguous. */
static void
channel_range (const ColumnJob *job, int thread, int n_threads, CxrConvGeometry *part, gsize *c0)
{
  gsize begin, end;
  cxr_parallel_split (job->geometry->in_channels, 1, thread, n_threads, &begin, &end);
  *part = *job->geometry;
  part->in_channels = end - begin;
  *c0 = begin;
}

static void
im2col_thread (int thread, int n_threads, gpointer data)
{
  const ColumnJob *job = data;
  CxrConvGeometry part;
  gsize c0;
  channel_range (job, thread, n_threads, &part, &c0);
  if (part.in_channels == 0)
    return;
  gsize taps = (gsize) part.kernel_h * part.kernel_w;
  cxr_im2col (job->col + c0 * taps * job->m, job->const_inp + c0 * job->n * job->h * job->w, &part,
              job->n, job->h, job->w);
}

static void
col2im_thread (int thread, int n_threads, gpointer data)
{
  const ColumnJob *job = data;
  CxrConvGeometry part;
  gsize c0;
  channel_range (job, thread, n_threads, &part, &c0);
  if (part.in_channels == 0)
    return;
  gsize taps = (gsize) part.kernel_h * part.kernel_w;
  cxr_col2im_add (job->inp + c0 * job->n * job->h * job->w, job->col + c0 * taps * job->m, &part,
                  job->n, job->h, job->w);
}

/* ---- the backward pass -------------------------------------------------- */

/* dweight [Cout, Cin, kh, kw] = dout [Cout, M] x im2col (inp) [K, M]^T */
static void
weight_gradient (float *dweight, const float *dout, const float *inp, const CxrConvGeometry *g,
                 int n, int h, int w, gsize m, float *workspace, float *scratch, CxrParallel *parallel)
{
  int cout = g->out_channels;
  int depth = g->in_channels * g->kernel_h * g->kernel_w;

  if (is_pointwise (g))
    {
      int cin = g->in_channels;
      if (cin <= cout)
        {
          /* dweight [Cout, Cin] = dout [Cout, M] x inp^T [M, Cin] */
          cxr_transpose (workspace, inp, cin, m, parallel);
          cxr_gemm (parallel, cout, cin, m, dout, m, workspace, cin, dweight, cin, NULL);
        }
      else
        {
          /* dweight^T [Cin, Cout] = inp [Cin, M] x dout^T [M, Cout] */
          cxr_transpose (workspace, dout, cout, m, parallel);
          cxr_gemm (parallel, cin, cout, m, inp, m, workspace, cout, scratch, cout, NULL);
          cxr_transpose (dweight, scratch, cin, cout, parallel);
        }
      return;
    }

  /* dweight^T [K, Cout] = col [K, M] x dout^T [M, Cout], so that the GEMM runs on cxr_gemm's kernel
   * (A x B with B row-major); the transposes cost a pass over dout and one over the small result. */
  float *col = workspace;
  float *dout_t = workspace + (gsize) depth * m;
  ColumnJob job = { col, NULL, inp, g, n, h, w, m };
  cxr_parallel_run (parallel, im2col_thread, &job);
  cxr_transpose (dout_t, dout, cout, m, parallel);
  cxr_gemm (parallel, depth, cout, m, col, m, dout_t, cout, scratch, cout, NULL);
  cxr_transpose (dweight, scratch, depth, cout, parallel);
}

/* weight [Cout, Cin, kh, kw] -> flipped [Cin, Cout, kh, kw] with both kernel axes reversed. */
static void
flip_transpose (float *flipped, const float *weight, const CxrConvGeometry *g)
{
  int taps = g->kernel_h * g->kernel_w;
  for (int co = 0; co < g->out_channels; co++)
    for (int ci = 0; ci < g->in_channels; ci++)
      {
        const float *src = weight + ((gsize) co * g->in_channels + ci) * taps;
        float *dst = flipped + ((gsize) ci * g->out_channels + co) * taps;
        for (int t = 0; t < taps; t++)
          dst[t] = src[taps - 1 - t];
      }
}

static void
input_gradient (float *dinp, const float *residual, const float *dout, const float *weight,
                const CxrConvGeometry *g, int n, int h, int w, int ho, int wo, gsize m,
                float *workspace, float *scratch, CxrParallel *parallel)
{
  int cout = g->out_channels, cin = g->in_channels;
  int depth = cin * g->kernel_h * g->kernel_w;
  gsize in_count = (gsize) cin * n * h * w;

  if (is_pointwise (g))
    {
      /* dinp [Cin, M] = weight^T [Cin, Cout] x dout [Cout, M] + residual */
      cxr_transpose (scratch, weight, cout, cin, parallel);
      CxrEpilogue epilogue = { NULL, NULL, residual, m, FALSE };
      cxr_gemm (parallel, cin, m, cout, scratch, cout, dout, m, dinp, m, &epilogue);
      return;
    }
  if (is_same_stride1 (g))
    {
      CxrConvGeometry t = transposed_geometry (g);
      flip_transpose (scratch, weight, g);
      convolve (dinp, dout, scratch, NULL, NULL, residual, FALSE, &t, n, ho, wo, workspace,
                scratch + (gsize) cout * depth, parallel);
      return;
    }

  /* dcol [K, M] = weight^T [K, Cout] x dout [Cout, M], then scattered back onto the residual. */
  cxr_transpose (scratch, weight, cout, depth, parallel);
  cxr_gemm (parallel, depth, m, cout, scratch, cout, dout, m, workspace, m, NULL);
  if (residual)
    memcpy (dinp, residual, in_count * sizeof (float));
  else
    memset (dinp, 0, in_count * sizeof (float));
  ColumnJob job = { workspace, dinp, NULL, g, n, h, w, m };
  cxr_parallel_run (parallel, col2im_thread, &job);
}

void
cxr_conv2d_train_backward (float *dinp, const float *residual, float *dweight, const float *dout,
                           const float *inp, const float *weight, const CxrConvGeometry *g, int n, int h, int w,
                           float *workspace, float *weight_scratch, CxrParallel *parallel)
{
  g_assert (dinp == NULL || (dinp != residual && dinp != dout && dinp != inp));
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize m = (gsize) n * ho * wo;

  weight_gradient (dweight, dout, inp, g, n, h, w, m, workspace, weight_scratch, parallel);
  if (dinp)
    input_gradient (dinp, residual, dout, weight, g, n, h, w, ho, wo, m, workspace, weight_scratch, parallel);
}
