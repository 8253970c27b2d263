/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-pool.h"

#include <math.h>
#include <string.h>

#include "cxr-cpu.h"

/* max that lets a NaN win from either side, as PyTorch's max pool propagates NaN; branch-free, so
 * that the loops below vectorise. */
static inline float
max_keeping_nan (float best, float v)
{
  float larger = v > best ? v : best;
  return v != v ? v : larger;
}

/* Inference needs no argmax: the window's maximum is taken down the rows first (contiguous), then
 * across (the max is the same whatever the order, NaN included), without a branch per element. */
CXR_TARGET_CLONES static void
maxpool_values (float *out, const float *inp, gsize planes, int h, int w, int kernel, int stride, int padding)
{
  int ho = (h + 2 * padding - kernel) / stride + 1;
  int wo = (w + 2 * padding - kernel) / stride + 1;
  /* One row of column maxima; on the stack unless the plane is unusually wide. */
  float stack_row[2048];
  g_autofree float *heap_row = w > (int) G_N_ELEMENTS (stack_row) ? g_new (float, w) : NULL;
  float *column_max = heap_row ? heap_row : stack_row;

  for (gsize plane = 0; plane < planes; plane++)
    {
      const float *src = inp + plane * h * w;
      float *dst = out + plane * ho * wo;
      for (int y = 0; y < ho; y++)
        {
          int y0 = MAX (0, y * stride - padding);
          int y1 = MIN (h, y * stride - padding + kernel);
          memcpy (column_max, src + (gsize) y0 * w, sizeof (float) * w);
          for (int sy = y0 + 1; sy < y1; sy++)
            for (int x = 0; x < w; x++)
              column_max[x] = max_keeping_nan (column_max[x], src[(gsize) sy * w + x]);
          /* [inner0, inner1): windows wholly inside the row; ResNet's 3x3/2 gets a loop of its own
           * that the compiler vectorises. */
          int inner0 = MIN (wo, (padding + stride - 1) / stride);
          int last_start = w + padding - kernel;  /* windows x * stride <= this fit */
          int inner1 = last_start < 0 ? inner0 : MAX (inner0, MIN (wo, last_start / stride + 1));
          float *row = dst + (gsize) y * wo;
          if (kernel == 3 && stride == 2)
            for (int x = inner0; x < inner1; x++)
              {
                const float *c = column_max + 2 * x - padding;
                row[x] = max_keeping_nan (max_keeping_nan (c[0], c[1]), c[2]);
              }
          for (int x = 0; x < wo; x++)
            {
              if (x == inner0 && kernel == 3 && stride == 2)
                x = inner1;
              if (x >= wo)
                break;
              int x0 = MAX (0, x * stride - padding);
              int x1 = MIN (w, x * stride - padding + kernel);
              float best = column_max[x0];
              for (int sx = x0 + 1; sx < x1; sx++)
                best = max_keeping_nan (best, column_max[sx]);
              row[x] = best;
            }
        }
    }
}

void
cxr_maxpool2d_forward (float *out, gint32 *argmax, const float *inp,
                       int channels, int n, int h, int w, int kernel, int stride, int padding)
{
  int ho = (h + 2 * padding - kernel) / stride + 1;
  int wo = (w + 2 * padding - kernel) / stride + 1;

  if (argmax == NULL && padding < kernel)
    {
      maxpool_values (out, inp, (gsize) channels * n, h, w, kernel, stride, padding);
      return;
    }

  for (gsize plane = 0; plane < (gsize) channels * n; plane++)
    {
      const float *src = inp + plane * h * w;
      float *dst = out + plane * ho * wo;
      gint32 *arg = argmax ? argmax + plane * ho * wo : NULL;

      for (int y = 0; y < ho; y++)
        {
          int y0 = MAX (0, y * stride - padding);
          int y1 = MIN (h, y * stride - padding + kernel);
          for (int x = 0; x < wo; x++)
            {
              int x0 = MAX (0, x * stride - padding);
              int x1 = MIN (w, x * stride - padding + kernel);
              float best = -INFINITY;
              gint32 best_at = y0 * w + x0;
              for (int sy = y0; sy < y1; sy++)
                for (int sx = x0; sx < x1; sx++)
                  {
                    float v = src[sy * w + sx];
                    /* As PyTorch: a NaN wins and then stays (`!(v <= best)` let later values
                     * replace it). */
                    if (v > best || isnan (v))
                      {
                        best = v;
                        best_at = sy * w + sx;
                      }
                  }
              dst[y * wo + x] = best;
              if (arg)
                arg[y * wo + x] = best_at;
            }
        }
    }
}

void
cxr_global_avgpool_forward (float *out, const float *inp, int channels, int n, int h, int w)
{
  gsize plane = (gsize) h * w;
  for (int c = 0; c < channels; c++)
    for (int b = 0; b < n; b++)
      {
        const float *src = inp + ((gsize) c * n + b) * plane;
        float sum = 0.0f;
        for (gsize i = 0; i < plane; i++)
          sum += src[i];
        out[(gsize) b * channels + c] = sum / (float) plane;
      }
}
