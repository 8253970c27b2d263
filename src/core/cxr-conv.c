#include "cxr-conv.h"

#include <string.h>

#include "cxr-cpu.h"
#include "cxr-gemm.h"

static gboolean
is_pointwise (const CxrConvGeometry *g)
{
  return g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1
         && g->pad_h == 0 && g->pad_w == 0;
}

/* im2col's scratch stays under this many floats (8 MB): a bigger input (the stem at batch 8
 * would take 59 MB) is done in chunks of output rows, each one GEMM. */
#define CHUNK_FLOATS (2u << 20)

/* Output rows (all images' rows in a row: (n, y)) per chunk of im2col. */
static int
rows_per_chunk (const CxrConvGeometry *g, int n, int ho, int wo)
{
  gsize depth = (gsize) g->in_channels * g->kernel_h * g->kernel_w;
  gsize rows = CHUNK_FLOATS / MAX (depth * wo, 1);
  return (int) CLAMP (rows, 1, (gsize) n * ho);
}

gsize
cxr_conv2d_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  if (is_pointwise (g))
    return 0;
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  return (gsize) g->in_channels * g->kernel_h * g->kernel_w * rows_per_chunk (g, n, ho, wo) * wo;
}

/* One output row of im2col for a fixed (ci, kh, kw) and image: the input row
 * shifted by kw and subsampled by the stride, zero where it falls outside. */
static inline __attribute__ ((always_inline)) void
im2col_row (float *dst, const float *src_row, int w, int wo, int stride, int offset)
{
  if (stride == 1)
    {
      /* dst[x] = src_row[x + offset] for 0 <= x + offset < w */
      int first = MAX (0, -offset);
      int last = MIN (wo, w - offset);  /* exclusive */
      if (last <= first)
        {
          memset (dst, 0, sizeof (float) * wo);
          return;
        }
      memset (dst, 0, sizeof (float) * first);
      memcpy (dst + first, src_row + first + offset, sizeof (float) * (last - first));
      memset (dst + last, 0, sizeof (float) * (wo - last));
      return;
    }
  /* [first, last): the x whose source x * stride + offset is inside the row, copied without a
   * check so that the loop vectorises (the stem and every stride-2 convolution come here). */
  int first = MIN (wo, MAX (0, (-offset + stride - 1) / stride));
  int last = w - 1 - offset < 0 ? first : CLAMP ((w - 1 - offset) / stride + 1, first, wo);
  for (int x = 0; x < first; x++)
    dst[x] = 0.0f;
  if (stride == 2)
    for (int x = first; x < last; x++)
      dst[x] = src_row[2 * x + offset];
  else
    for (int x = first; x < last; x++)
      dst[x] = src_row[x * stride + offset];
  for (int x = last; x < wo; x++)
    dst[x] = 0.0f;
}

/* Rows [first, last) of im2col (a row being one (ci, kh, kw)) for the output rows [unit0, unit1)
 * of all images counted together (unit = n * Ho + y): columns (unit - unit0) * Wo + x. */
static inline __attribute__ ((always_inline)) void
im2col_part (float *col, const float *inp, const CxrConvGeometry *g, int n, int h, int w,
             gsize first, gsize last, int unit0, int unit1)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize columns = (gsize) (unit1 - unit0) * wo;

  for (gsize row = first; row < last; row++)
    {
      int kw = row % g->kernel_w;
      int kh = row / g->kernel_w % g->kernel_h;
      int ci = row / g->kernel_w / g->kernel_h;
      float *dst = col + row * columns;
      for (int unit = unit0; unit < unit1; unit++, dst += wo)
        {
          int b = unit / ho, y = unit % ho;
          int sy = y * g->stride_h - g->pad_h + kh;
          if (sy < 0 || sy >= h)
            memset (dst, 0, sizeof (float) * wo);
          else
            im2col_row (dst, inp + (((gsize) ci * n + b) * h + sy) * w, w, wo, g->stride_w, kw - g->pad_w);
        }
    }
}

CXR_TARGET_CLONES void
cxr_im2col (float *col, const float *inp, const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  im2col_part (col, inp, g, n, h, w, 0, (gsize) g->in_channels * g->kernel_h * g->kernel_w, 0, n * ho);
}

typedef struct {
  float *col;
  const float *inp;
  const CxrConvGeometry *geometry;
  int n, h, w;
  int unit0, unit1;
} Im2colJob;

CXR_TARGET_CLONES static void
im2col_thread (int thread, int n_threads, gpointer data)
{
  const Im2colJob *job = data;
  const CxrConvGeometry *g = job->geometry;
  gsize begin, end;
  cxr_parallel_split ((gsize) g->in_channels * g->kernel_h * g->kernel_w, 1, thread, n_threads, &begin, &end);
  im2col_part (job->col, job->inp, g, job->n, job->h, job->w, begin, end, job->unit0, job->unit1);
}

void
cxr_conv2d_forward (float *out, const float *inp, const float *weight, const float *scale, const float *shift,
                    const float *residual, gboolean relu,
                    const CxrConvGeometry *g, int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  g_assert (out != inp && out != residual);

  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize columns = (gsize) n * ho * wo;
  int depth = g->in_channels * g->kernel_h * g->kernel_w;
  CxrEpilogue epilogue = { scale, shift, residual, columns, relu };

  /* out[Cout, columns] = epilogue (weight[Cout, depth] x col[depth, columns]) */
  if (is_pointwise (g))
    {
      cxr_gemm (parallel, g->out_channels, columns, depth, weight, depth, inp, columns, out, columns, &epilogue);
      return;
    }

  /* In chunks of output rows: columns [unit0 * Wo, unit1 * Wo) of out and residual. */
  int units = n * ho, step = rows_per_chunk (g, n, ho, wo);
  for (int unit0 = 0; unit0 < units; unit0 += step)
    {
      Im2colJob job = { workspace, inp, g, n, h, w, unit0, MIN (units, unit0 + step) };
      gsize offset = (gsize) unit0 * wo, chunk = (gsize) (job.unit1 - unit0) * wo;
      cxr_parallel_run (parallel, im2col_thread, &job);
      epilogue.residual = residual ? residual + offset : NULL;
      cxr_gemm (parallel, g->out_channels, chunk, depth, weight, depth, workspace, chunk, out + offset, columns,
                &epilogue);
    }
}

void
cxr_conv2d_forward_naive (float *out, const float *inp, const float *weight,
                          const float *scale, const float *shift, const float *residual, gboolean relu,
                          const CxrConvGeometry *g, int n, int h, int w)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);

  for (int co = 0; co < g->out_channels; co++)
    for (int b = 0; b < n; b++)
      for (int y = 0; y < ho; y++)
        for (int x = 0; x < wo; x++)
          {
            double sum = 0.0;
            for (int ci = 0; ci < g->in_channels; ci++)
              for (int kh = 0; kh < g->kernel_h; kh++)
                for (int kw = 0; kw < g->kernel_w; kw++)
                  {
                    int sy = y * g->stride_h - g->pad_h + kh;
                    int sx = x * g->stride_w - g->pad_w + kw;
                    if (sy < 0 || sy >= h || sx < 0 || sx >= w)
                      continue;
                    sum += (double) weight[((gsize) (co * g->in_channels + ci) * g->kernel_h + kh) * g->kernel_w + kw]
                           * inp[(((gsize) ci * n + b) * h + sy) * w + sx];
                  }
            gsize o = (((gsize) co * n + b) * ho + y) * wo + x;
            if (scale)
              sum *= scale[co];
            if (shift)
              sum += shift[co];
            if (residual)
              sum += residual[o];
            if (relu && sum < 0)
              sum = 0;
            out[o] = (float) sum;
          }
}
