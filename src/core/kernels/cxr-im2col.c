/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-im2col.c: im2col and its adjoint col2im, by chunks of output rows, on a thread team: the column
 * matrices of every convolution that is not Winograd's or pointwise, forward and backward (cxr-conv.h). */
#include "cxr-conv-private.h"

#include <string.h>

#include "cxr-cpu.h"

CxrConvChunking
cxr_conv_chunking (const CxrConvGeometry *g, int n, int h, int w, gsize max_floats)
{
  CxrConvChunking c;
  gsize depth = (gsize) g->in_channels * g->kernel_h * g->kernel_w;
  c.ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  c.wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  c.units = n * c.ho;
  c.per_chunk = (int) CLAMP (max_floats / MAX (depth * c.wo, 1), 1, (gsize) MAX (c.units, 1));
  c.max_columns = (gsize) c.per_chunk * c.wo;
  return c;
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

/* One row of col2im: dst_row[x * stride + offset] += col_row[x] where inside. */
static inline __attribute__ ((always_inline)) void
col2im_row (float *restrict dst_row, const float *restrict col_row, int w, int wo, int stride, int offset)
{
  if (stride == 1)
    {
      int first = MAX (0, -offset);
      int last = MIN (wo, w - offset);  /* exclusive */
      for (int x = first; x < last; x++)
        dst_row[x + offset] += col_row[x];
      return;
    }
  for (int x = 0; x < wo; x++)
    {
      int sx = x * stride + offset;
      if (sx >= 0 && sx < w)
        dst_row[sx] += col_row[x];
    }
}

/* The adjoint of im2col_part for the input channels [c0, c1): every row (ci, kh, kw) of those channels. */
static inline __attribute__ ((always_inline)) void
col2im_part (float *inp, const float *col, const CxrConvGeometry *g, int n, int h, int w,
             gsize c0, gsize c1, int unit0, int unit1)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  int wo = cxr_conv_out_size (w, g->kernel_w, g->stride_w, g->pad_w);
  gsize columns = (gsize) (unit1 - unit0) * wo, taps = (gsize) g->kernel_h * g->kernel_w;

  for (gsize ci = c0; ci < c1; ci++)
    for (gsize t = 0; t < taps; t++)
      {
        int kh = t / g->kernel_w, kw = t % g->kernel_w;
        const float *src = col + (ci * taps + t) * columns;
        for (int unit = unit0; unit < unit1; unit++, src += wo)
          {
            int b = unit / ho, y = unit % ho;
            int sy = y * g->stride_h - g->pad_h + kh;
            if (sy >= 0 && sy < h)
              col2im_row (inp + (((gsize) ci * n + b) * h + sy) * w, src, w, wo, g->stride_w, kw - g->pad_w);
          }
      }
}

typedef struct {
  float *col;
  const float *inp;
  float *dinp;
  const float *const_col;
  const CxrConvGeometry *geometry;
  int n, h, w;
  int unit0, unit1;
} ColumnJob;

CXR_TARGET_CLONES static void
im2col_thread (int thread, int n_threads, gpointer data)
{
  const ColumnJob *job = data;
  const CxrConvGeometry *g = job->geometry;
  gsize begin, end;
  cxr_parallel_split ((gsize) g->in_channels * g->kernel_h * g->kernel_w, 1, thread, n_threads, &begin, &end);
  im2col_part (job->col, job->inp, g, job->n, job->h, job->w, begin, end, job->unit0, job->unit1);
}

CXR_TARGET_CLONES static void
col2im_thread (int thread, int n_threads, gpointer data)
{
  const ColumnJob *job = data;
  gsize begin, end;
  cxr_parallel_split (job->geometry->in_channels, 1, thread, n_threads, &begin, &end);
  col2im_part (job->dinp, job->const_col, job->geometry, job->n, job->h, job->w, begin, end, job->unit0,
               job->unit1);
}

void
cxr_im2col_units (float *col, const float *inp, const CxrConvGeometry *g, int n, int h, int w, int unit0,
                  int unit1, CxrParallel *parallel)
{
  ColumnJob job = { .col = col, .inp = inp, .geometry = g, .n = n, .h = h, .w = w, .unit0 = unit0, .unit1 = unit1 };
  cxr_parallel_run (parallel, im2col_thread, &job);
}

void
cxr_col2im_units (float *inp, const float *col, const CxrConvGeometry *g, int n, int h, int w, int unit0,
                  int unit1, CxrParallel *parallel)
{
  ColumnJob job = { .dinp = inp, .const_col = col, .geometry = g, .n = n, .h = h, .w = w, .unit0 = unit0,
                    .unit1 = unit1 };
  cxr_parallel_run (parallel, col2im_thread, &job);
}

void
cxr_im2col (float *col, const float *inp, const CxrConvGeometry *g, int n, int h, int w, CxrParallel *parallel)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  cxr_im2col_units (col, inp, g, n, h, w, 0, n * ho, parallel);
}

void
cxr_col2im_add (float *inp, const float *col, const CxrConvGeometry *g, int n, int h, int w, CxrParallel *parallel)
{
  int ho = cxr_conv_out_size (h, g->kernel_h, g->stride_h, g->pad_h);
  cxr_col2im_units (inp, col, g, n, h, w, 0, n * ho, parallel);
}
