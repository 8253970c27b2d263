/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-conv-backward.c: the convolution's backward pass (see cxr-conv.h for the paths, cxr-backward.h for
 * the conventions: it accumulates). */
#include "cxr-conv-private.h"

#include <string.h>

#include "cxr-gemm.h"
#include "cxr-transpose.h"
#include "cxr-winograd-grad.h"

/* The backward pass's column matrices stay under this many floats (4 MB) per chunk of output rows:
 * each is written and read again while it is in cache. */
#define BACKWARD_CHUNK_FLOATS (1u << 20)

/* A stride-1 convolution whose output has its input's size: its transpose is a convolution. */
static gboolean
is_same_stride1 (const CxrConvGeometry *g)
{
  return g->stride_h == 1 && g->stride_w == 1 && g->kernel_h % 2 == 1 && g->kernel_w % 2 == 1
         && g->pad_h == g->kernel_h / 2 && g->pad_w == g->kernel_w / 2 && !cxr_conv_is_pointwise (g);
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

/* Pointwise: the smaller of inp and dout is transposed, and the GEMM gives dweight (when dout is the
 * left operand) or its transpose. */
static gboolean
pointwise_gives_transpose (const CxrConvGeometry *g)
{
  return g->in_channels > g->out_channels;
}

/* Floats of workspace the weight gradient needs (see weight_gradient). */
static gsize
weight_gradient_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  gsize cin = g->in_channels, cout = g->out_channels;
  if (cxr_winograd_grad_preferred (g, n, h, w))
    return cxr_winograd_grad_workspace_floats (g, n, h, w);
  CxrConvChunking c = cxr_conv_chunking (g, n, h, w, BACKWARD_CHUNK_FLOATS);
  if (cxr_conv_is_pointwise (g))
    return 2 * cin * cout + c.max_columns * MIN (cin, cout);
  gsize depth = cin * g->kernel_h * g->kernel_w;
  return 2 * depth * cout + c.max_columns * (depth + cout);
}

static gsize
input_gradient_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  gsize depth = (gsize) g->in_channels * g->kernel_h * g->kernel_w;
  gsize weights = depth * g->out_channels;  /* the rearranged weights */
  if (cxr_conv_is_pointwise (g))
    return weights;
  CxrConvChunking c = cxr_conv_chunking (g, n, h, w, BACKWARD_CHUNK_FLOATS);
  if (is_same_stride1 (g))
    {
      CxrConvGeometry t = transposed_geometry (g);
      return weights + cxr_conv2d_forward_workspace_floats (&t, n, c.ho, c.wo, TRUE);
    }
  return weights + depth * c.max_columns;
}

gsize
cxr_conv2d_backward_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  return MAX (weight_gradient_floats (g, n, h, w), input_gradient_floats (g, n, h, w));
}

/* ---- dbias --------------------------------------------------------------------------------------- */

typedef struct {
  float *dbias;
  const float *dout;
  int channels;
  gsize plane;
} BiasJob;

static void
bias_thread (int thread, int n_threads, gpointer data)
{
  const BiasJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->channels, 1, thread, n_threads, &begin, &end);
  for (gsize c = begin; c < end; c++)
    {
      const float *d = job->dout + c * job->plane;
      float sum = 0.0f;
      for (gsize i = 0; i < job->plane; i++)
        sum += d[i];
      job->dbias[c] += sum;
    }
}

/* ---- dweight ------------------------------------------------------------------------------------- */

/* dweight += dout x im2col (inp)^T. Winograd's where it pays; else chunk by chunk of output rows, each
 * chunk's product added to the previous ones' in the GEMM's epilogue (two accumulators take turns: the
 * epilogue's residual must not be its output), the sum then added onto dweight (transposed back first
 * when the product comes out transposed). */
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
  CxrConvChunking c = cxr_conv_chunking (g, n, h, w, BACKWARD_CHUNK_FLOATS);
  gboolean pointwise = cxr_conv_is_pointwise (g);
  gboolean transposed_result = !pointwise || pointwise_gives_transpose (g);
  /* The product's shape: dweight^T [depth, Cout] (im2col; pointwise [Cin, Cout]) or dweight [Cout, Cin]. */
  int rows = pointwise ? (transposed_result ? cin : cout) : depth;
  int cols = pointwise ? (transposed_result ? cout : cin) : cout;
  gsize count = (gsize) rows * cols;
  float *acc[2] = { workspace, workspace + count };
  float *col = acc[1] + count;                                        /* im2col: [depth, columns] */
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
          cxr_im2col_units (col, inp, g, n, h, w, u0, u1, parallel);
          cxr_transpose_strided (t, cout, dout + offset, m, cout, columns, parallel);
          a = col;
          lda = columns;
        }
      int next = current == 0 ? 1 : 0;
      CxrEpilogue epilogue = { NULL, NULL, current >= 0 ? acc[current] : NULL, cols, FALSE, FALSE };
      cxr_gemm (parallel, rows, cols, columns, a, lda, t, cols, acc[next], cols, &epilogue);
      current = next;
    }
  const float *sum = acc[current];
  if (transposed_result)
    {
      cxr_transpose (acc[1 - current], sum, rows, cols, parallel);
      sum = acc[1 - current];
    }
  for (gsize i = 0; i < count; i++)
    dweight[i] += sum[i];
}

/* ---- dinp ---------------------------------------------------------------------------------------- */

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

/* dinp += conv^T (dout). The rearranged weights take the workspace's start. */
static void
input_gradient (float *dinp, const float *dout, const float *weight, const CxrConvGeometry *g,
                int n, int h, int w, gsize m, float *workspace, CxrParallel *parallel)
{
  int cout = g->out_channels, cin = g->in_channels;
  int depth = cin * g->kernel_h * g->kernel_w;
  float *weights = workspace, *rest = workspace + (gsize) cout * depth;
  CxrConvChunking c = cxr_conv_chunking (g, n, h, w, BACKWARD_CHUNK_FLOATS);

  if (cxr_conv_is_pointwise (g))
    {
      /* dinp [Cin, M] += weight^T [Cin, Cout] x dout [Cout, M] */
      cxr_transpose (weights, weight, cout, cin, parallel);
      CxrEpilogue accumulate = { .ldr = m, .accumulate = TRUE };
      cxr_gemm (parallel, cin, m, cout, weights, cout, dout, m, dinp, m, &accumulate);
      return;
    }
  if (is_same_stride1 (g))
    {
      CxrConvGeometry t = transposed_geometry (g);
      flip_transpose (weights, weight, g);
      cxr_conv2d_accumulate (dinp, dout, weights, &t, n, c.ho, c.wo, rest, parallel);
      return;
    }

  /* Chunk by chunk: dcol [K, columns] = weight^T [K, Cout] x dout [Cout, columns], scattered onto dinp. */
  cxr_transpose (weights, weight, cout, depth, parallel);
  for (int u0 = 0; u0 < c.units; u0 += c.per_chunk)
    {
      int u1 = MIN (c.units, u0 + c.per_chunk);
      gsize columns = (gsize) (u1 - u0) * c.wo;
      cxr_gemm (parallel, depth, columns, cout, weights, cout, dout + (gsize) u0 * c.wo, m, rest, columns, NULL);
      cxr_col2im_units (dinp, rest, g, n, h, w, u0, u1, parallel);
    }
}

void
cxr_conv2d_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, const CxrConvGeometry *g, int n, int h, int w, float *workspace,
                     CxrParallel *parallel)
{
  g_assert (dinp == NULL || (dinp != dout && dinp != inp));
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize m = (gsize) n * ho * wo;

  if (dbias)
    {
      BiasJob job = { dbias, dout, g->out_channels, m };
      cxr_parallel_run (parallel, bias_thread, &job);
    }
  if (dweight)
    weight_gradient (dweight, dout, inp, g, n, h, w, m, workspace, parallel);
  if (dinp)
    input_gradient (dinp, dout, weight, g, n, h, w, m, workspace, parallel);
}

void
cxr_conv2d_backward_naive (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                           const float *weight, const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize in_plane = (gsize) h * w, out_plane = (gsize) ho * wo;

  if (dbias)
    for (int co = 0; co < g->out_channels; co++)
      {
        double sum = 0.0;
        for (gsize i = 0; i < (gsize) n * out_plane; i++)
          sum += dout[co * n * out_plane + i];
        dbias[co] += (float) sum;
      }

  if (dweight)
    for (int co = 0; co < g->out_channels; co++)
      for (int ci = 0; ci < g->in_channels; ci++)
        for (int kh = 0; kh < g->kernel_h; kh++)
          for (int kw = 0; kw < g->kernel_w; kw++)
            {
              double sum = 0.0;
              for (int b = 0; b < n; b++)
                for (int y = 0; y < ho; y++)
                  for (int x = 0; x < wo; x++)
                    {
                      int sy = y * g->stride_h - g->pad_h + kh;
                      int sx = x * g->stride_w - g->pad_w + kw;
                      if (sy < 0 || sy >= h || sx < 0 || sx >= w)
                        continue;
                      sum += (double) dout[((gsize) co * n + b) * out_plane + (gsize) y * wo + x]
                             * inp[((gsize) ci * n + b) * in_plane + (gsize) sy * w + sx];
                    }
              dweight[(((gsize) co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw] += (float) sum;
            }

  if (dinp)
    for (int ci = 0; ci < g->in_channels; ci++)
      for (int b = 0; b < n; b++)
        for (int sy = 0; sy < h; sy++)
          for (int sx = 0; sx < w; sx++)
            {
              /* Every (output, tap) that reads this input: y * stride - pad + kh = sy. */
              double sum = 0.0;
              for (int co = 0; co < g->out_channels; co++)
                for (int kh = 0; kh < g->kernel_h; kh++)
                  for (int kw = 0; kw < g->kernel_w; kw++)
                    {
                      int ty = sy + g->pad_h - kh, tx = sx + g->pad_w - kw;
                      if (ty < 0 || tx < 0 || ty % g->stride_h || tx % g->stride_w)
                        continue;
                      int y = ty / g->stride_h, x = tx / g->stride_w;
                      if (y >= ho || x >= wo)
                        continue;
                      sum += (double) weight[(((gsize) co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw]
                             * dout[((gsize) co * n + b) * out_plane + (gsize) y * wo + x];
                    }
              dinp[((gsize) ci * n + b) * in_plane + (gsize) sy * w + sx] += (float) sum;
            }
}
