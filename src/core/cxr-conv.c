#include "cxr-conv.h"

#include <string.h>

#include "cxr-gemm.h"

static gboolean
is_pointwise (const CxrConvGeometry *g)
{
  return g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1
         && g->pad_h == 0 && g->pad_w == 0;
}

gsize
cxr_conv2d_workspace_floats (const CxrConvGeometry *g, int n, int h, int w)
{
  if (is_pointwise (g))
    return 0;
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  return (gsize) g->in_channels * g->kernel_h * g->kernel_w * n * ho * wo;
}

/* One output row of im2col for a fixed (ci, kh, kw) and image: the input row
 * shifted by kw and subsampled by the stride, zero where it falls outside. */
static void
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
  for (int x = 0; x < wo; x++)
    {
      int sx = x * stride + offset;
      dst[x] = (sx >= 0 && sx < w) ? src_row[sx] : 0.0f;
    }
}

/* im2col rows [row_begin, row_end), a row being one (ci, kh, kw). */
static void
im2col_rows (float *col, const float *inp, const CxrConvGeometry *g, int n, int h, int w,
             gsize row_begin, gsize row_end)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize plane_out = (gsize) n * ho * wo;

  for (gsize row = row_begin; row < row_end; row++)
    {
      int kw = row % g->kernel_w;
      int kh = row / g->kernel_w % g->kernel_h;
      int ci = row / g->kernel_w / g->kernel_h;
      float *dst = col + row * plane_out;
      for (int b = 0; b < n; b++)
        {
          const float *src = inp + ((gsize) ci * n + b) * h * w;
          for (int y = 0; y < ho; y++, dst += wo)
            {
              int sy = y * g->stride_h - g->pad_h + kh;
              if (sy < 0 || sy >= h)
                memset (dst, 0, sizeof (float) * wo);
              else
                im2col_row (dst, src + (gsize) sy * w, w, wo, g->stride_w, kw - g->pad_w);
            }
        }
    }
}

void
cxr_im2col (float *col, const float *inp, const CxrConvGeometry *g, int n, int h, int w)
{
  im2col_rows (col, inp, g, n, h, w, 0, (gsize) g->in_channels * g->kernel_h * g->kernel_w);
}

typedef struct {
  float *col;
  const float *inp;
  const CxrConvGeometry *geometry;
  int n, h, w;
} Im2colJob;

static void
im2col_thread (int thread, int n_threads, gpointer data)
{
  const Im2colJob *job = data;
  const CxrConvGeometry *g = job->geometry;
  gsize begin, end;
  cxr_parallel_split ((gsize) g->in_channels * g->kernel_h * g->kernel_w, 1, thread, n_threads, &begin, &end);
  im2col_rows (job->col, job->inp, g, job->n, job->h, job->w, begin, end);
}

void
cxr_conv2d_forward (float *out, const float *inp, const float *weight, const float *scale, const float *shift,
                    const float *residual, gboolean relu,
                    const CxrConvGeometry *g, int n, int h, int w, float *workspace, CxrParallel *parallel)
{
  g_assert (out != inp && out != residual);

  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  int columns = n * ho * wo;
  int depth = g->in_channels * g->kernel_h * g->kernel_w;

  const float *col = inp;
  if (!is_pointwise (g))
    {
      Im2colJob job = { workspace, inp, g, n, h, w };
      cxr_parallel_run (parallel, im2col_thread, &job);
      col = workspace;
    }

  /* out[Cout, columns] = epilogue (weight[Cout, depth] x col[depth, columns]) */
  CxrEpilogue epilogue = { scale, shift, residual, columns, relu };
  cxr_gemm (parallel, g->out_channels, columns, depth, weight, depth, col, columns, out, columns, &epilogue);
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
