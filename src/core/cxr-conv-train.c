/* cxr-conv-train.c: the training convolution's backward pass (see cxr-conv-train.h). */
#include "cxr-conv-train.h"

#include <string.h>

#include "cxr-cpu.h"
#include "cxr-gemm.h"
#include "cxr-transpose.h"
#include "cxr-winograd-grad.h"
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

/* ---- im2col and col2im in chunks of output rows --------------------------- */

/* The backward pass walks the output in chunks of whole output rows ("units": one (image, row)),
 * each chunk's column matrix at most this many floats, so that it is written and read while it
 * is in cache, and the workspace stays a few MB whatever the batch (ResNet-50's stem at batch 16
 * would need a 118 MB column matrix in one piece). */
#define CHUNK_FLOATS (1u << 20)

typedef struct {
  int ho, wo;
  int units;          /* n * ho */
  int per_chunk;      /* units per chunk */
  gsize max_columns;  /* per_chunk * wo */
} Chunking;

static Chunking
chunking_for (const CxrConvGeometry *g, int n, int h, int w)
{
  Chunking c;
  gsize depth = (gsize) g->in_channels * g->kernel_h * g->kernel_w;
  c.ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  c.wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  c.units = n * c.ho;
  c.per_chunk = (int) MAX (1, MIN ((gsize) c.units, CHUNK_FLOATS / (depth * c.wo)));
  c.max_columns = (gsize) c.per_chunk * c.wo;
  return c;
}

/* One im2col row (ci, kh, kw) for units [u0, u1): col[x + (u - u0) * wo] = inp[ci, b, y*s - p + kh, x*s - p + kw]. */
static void
im2col_row (float *dst, const float *inp, const CxrConvGeometry *g, int n, int h, int w, int ho, int wo,
            int ci, int kh, int kw, int u0, int u1)
{
  for (int u = u0; u < u1; u++, dst += wo)
    {
      int b = u / ho, y = u % ho;
      int sy = y * g->stride_h - g->pad_h + kh;
      if (sy < 0 || sy >= h)
        {
          memset (dst, 0, sizeof (float) * wo);
          continue;
        }
      const float *src = inp + (((gsize) ci * n + b) * h + sy) * w;
      int offset = kw - g->pad_w;
      if (g->stride_w == 1)
        {
          int first = MAX (0, -offset), last = MIN (wo, w - offset);
          if (last <= first)
            {
              memset (dst, 0, sizeof (float) * wo);
              continue;
            }
          memset (dst, 0, sizeof (float) * first);
          memcpy (dst + first, src + first + offset, sizeof (float) * (last - first));
          memset (dst + last, 0, sizeof (float) * (wo - last));
          continue;
        }
      for (int x = 0; x < wo; x++)
        {
          int sx = x * g->stride_w + offset;
          dst[x] = (sx >= 0 && sx < w) ? src[sx] : 0.0f;
        }
    }
}

/* The adjoint: inp[ci, b, y*s - p + kh, x*s - p + kw] += col[...] for one row (ci, kh, kw). */
static void
col2im_row (float *inp, const float *src, const CxrConvGeometry *g, int n, int h, int w, int ho, int wo,
            int ci, int kh, int kw, int u0, int u1)
{
  for (int u = u0; u < u1; u++, src += wo)
    {
      int b = u / ho, y = u % ho;
      int sy = y * g->stride_h - g->pad_h + kh;
      if (sy < 0 || sy >= h)
        continue;
      float *dst = inp + (((gsize) ci * n + b) * h + sy) * w;
      int offset = kw - g->pad_w;
      for (int x = 0; x < wo; x++)
        {
          int sx = x * g->stride_w + offset;
          if (sx >= 0 && sx < w)
            dst[sx] += src[x];
        }
    }
}

typedef struct {
  float *col;                 /* [K, columns] */
  float *inp;                 /* col2im's destination */
  const float *const_inp;     /* im2col's source */
  const CxrConvGeometry *g;
  int n, h, w, ho, wo;
  int u0, u1;
} ChunkJob;

/* im2col: rows (ci, kh, kw) split over the team. */
static void
im2col_chunk_thread (int thread, int n_threads, gpointer data)
{
  const ChunkJob *job = data;
  const CxrConvGeometry *g = job->g;
  gsize taps = (gsize) g->kernel_h * g->kernel_w, rows = taps * g->in_channels;
  gsize columns = (gsize) (job->u1 - job->u0) * job->wo, r0, r1;
  cxr_parallel_split (rows, 1, thread, n_threads, &r0, &r1);
  for (gsize r = r0; r < r1; r++)
    im2col_row (job->col + r * columns, job->const_inp, g, job->n, job->h, job->w, job->ho, job->wo,
                r / taps, r % taps / g->kernel_w, r % g->kernel_w, job->u0, job->u1);
}

/* col2im: whole input channels per thread, so that no two threads add to one value. */
static void
col2im_chunk_thread (int thread, int n_threads, gpointer data)
{
  const ChunkJob *job = data;
  const CxrConvGeometry *g = job->g;
  gsize taps = (gsize) g->kernel_h * g->kernel_w;
  gsize columns = (gsize) (job->u1 - job->u0) * job->wo, c0, c1;
  cxr_parallel_split (g->in_channels, 1, thread, n_threads, &c0, &c1);
  for (gsize ci = c0; ci < c1; ci++)
    for (gsize t = 0; t < taps; t++)
      col2im_row (job->inp, job->col + (ci * taps + t) * columns, g, job->n, job->h, job->w, job->ho, job->wo,
                  ci, t / g->kernel_w, t % g->kernel_w, job->u0, job->u1);
}

/* ---- the backward pass -------------------------------------------------- */

/* Floats of workspace the weight gradient needs (see weight_gradient). */
static gsize
weight_gradient_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  gsize cin = g->in_channels, cout = g->out_channels;
  if (cxr_winograd_grad_preferred (g, n, h, w))
    return cxr_winograd_grad_workspace_floats (g, n, h, w);
  if (is_pointwise (g))
    {
      Chunking c = chunking_for (g, n, h, w);
      return 2 * cin * cout + c.max_columns * MIN (cin, cout);
    }
  Chunking c = chunking_for (g, n, h, w);
  gsize depth = cin * g->kernel_h * g->kernel_w;
  return 2 * depth * cout + c.max_columns * (depth + cout);
}

/* dweight = dout x im2col (inp)^T, chunk by chunk of output rows, each chunk's product added to
 * the previous ones in the GEMM's epilogue (two accumulators take turns: the epilogue's residual
 * must not be its output). */
static void
weight_gradient (float *dweight, const float *dout, const float *inp, const CxrConvGeometry *g,
                 int n, int h, int w, gsize m, float *workspace, CxrParallel *parallel)
{
  if (cxr_winograd_grad_preferred (g, n, h, w))
    {
      cxr_winograd_weight_gradient (dweight, dout, inp, g, n, h, w, workspace, parallel);
      return;
    }
  int cout = g->out_channels, cin = g->in_channels;
  int depth = cin * g->kernel_h * g->kernel_w;
  Chunking c = chunking_for (g, n, h, w);
  gboolean pointwise = is_pointwise (g);
  /* Pointwise: the smaller of inp and dout is transposed, the GEMM gives dweight or its transpose. */
  gboolean transposed_result = !pointwise || cin > cout;
  int rows = pointwise ? (transposed_result ? cin : cout) : depth;
  int cols = pointwise ? (transposed_result ? cout : cin) : cout;
  float *acc[2] = { workspace, workspace + (gsize) rows * cols };
  float *col = acc[1] + (gsize) rows * cols;                   /* general: [K, columns] */
  float *t = pointwise ? col : col + (gsize) depth * c.max_columns;  /* the transposed operand: [columns, cols] */
  int current = -1;

  for (int u0 = 0; u0 < c.units; u0 += c.per_chunk)
    {
      int u1 = MIN (c.units, u0 + c.per_chunk);
      gsize offset = (gsize) u0 * c.wo, columns = (gsize) (u1 - u0) * c.wo;
      const float *a;
      gsize lda;
      if (pointwise)
        {
          /* [Cout, M] x inp^T or [Cin, M] x dout^T, over this chunk's columns. */
          const float *left = transposed_result ? inp : dout, *right = transposed_result ? dout : inp;
          cxr_transpose_strided (t, cols, right + offset, m, cols, columns, parallel);
          a = left + offset;
          lda = m;
        }
      else
        {
          ChunkJob job = { col, NULL, inp, g, n, h, w, c.ho, c.wo, u0, u1 };
          cxr_parallel_run (parallel, im2col_chunk_thread, &job);
          cxr_transpose_strided (t, cout, dout + offset, m, cout, columns, parallel);
          a = col;
          lda = columns;
        }
      int next = current == 0 ? 1 : 0;
      CxrEpilogue epilogue = { NULL, NULL, current >= 0 ? acc[current] : NULL, cols, FALSE };
      cxr_gemm (parallel, rows, cols, columns, a, lda, t, cols, acc[next], cols, &epilogue);
      current = next;
    }
  if (transposed_result)
    cxr_transpose (dweight, acc[current], rows, cols, parallel);
  else
    memcpy (dweight, acc[current], (gsize) rows * cols * sizeof (float));
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
                const CxrConvGeometry *g, int n, int h, int w, gsize m,
                float *workspace, float *scratch, CxrParallel *parallel)
{
  int cout = g->out_channels, cin = g->in_channels;
  int depth = cin * g->kernel_h * g->kernel_w;
  gsize in_count = (gsize) cin * n * h * w;
  Chunking c = chunking_for (g, n, h, w);

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
      convolve (dinp, dout, scratch, NULL, NULL, residual, FALSE, &t, n, c.ho, c.wo, workspace,
                scratch + (gsize) cout * depth, parallel);
      return;
    }

  /* Chunk by chunk: dcol [K, columns] = weight^T [K, Cout] x dout [Cout, columns], scattered back
   * onto the residual. */
  cxr_transpose (scratch, weight, cout, depth, parallel);
  if (residual)
    memcpy (dinp, residual, in_count * sizeof (float));
  else
    memset (dinp, 0, in_count * sizeof (float));
  for (int u0 = 0; u0 < c.units; u0 += c.per_chunk)
    {
      int u1 = MIN (c.units, u0 + c.per_chunk);
      gsize columns = (gsize) (u1 - u0) * c.wo;
      cxr_gemm (parallel, depth, columns, cout, scratch, cout, dout + (gsize) u0 * c.wo, m, workspace, columns, NULL);
      ChunkJob job = { workspace, dinp, NULL, g, n, h, w, c.ho, c.wo, u0, u1 };
      cxr_parallel_run (parallel, col2im_chunk_thread, &job);
    }
}

gsize
cxr_conv2d_train_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  gsize need = MAX (weight_gradient_floats (g, n, h, w), forward_workspace_floats (g, n, h, w));
  if (is_same_stride1 (g))
    {
      CxrConvGeometry t = transposed_geometry (g);
      Chunking c = chunking_for (g, n, h, w);
      need = MAX (need, forward_workspace_floats (&t, n, c.ho, c.wo));
    }
  else if (!is_pointwise (g))
    need = MAX (need, (gsize) g->in_channels * g->kernel_h * g->kernel_w * chunking_for (g, n, h, w).max_columns);
  return need;
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

  weight_gradient (dweight, dout, inp, g, n, h, w, m, workspace, parallel);
  if (dinp)
    input_gradient (dinp, residual, dout, weight, g, n, h, w, m, workspace, weight_scratch, parallel);
}
