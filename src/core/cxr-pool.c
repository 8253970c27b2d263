#include "cxr-pool.h"

#include <math.h>

void
cxr_maxpool2d_forward (float *out, gint32 *argmax, const float *inp,
                       int channels, int n, int h, int w, int kernel, int stride, int padding)
{
  int ho = (h + 2 * padding - kernel) / stride + 1;
  int wo = (w + 2 * padding - kernel) / stride + 1;

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
                    /* `!(v <= best)` also lets a NaN win, as PyTorch propagates NaN. */
                    if (!(v <= best))
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
