#include "cxr-elementwise.h"

#include <math.h>

void
cxr_affine_residual_relu (float *x, const float *scale, const float *shift, const float *residual,
                          gboolean relu, int channels, gsize plane)
{
  for (int c = 0; c < channels; c++)
    {
      const float a = scale ? scale[c] : 1.0f;
      const float b = shift ? shift[c] : 0.0f;
      float *restrict v = x + (gsize) c * plane;
      const float *restrict r = residual ? residual + (gsize) c * plane : NULL;

      /* Separate loops so that each vectorises without branches. */
      if (r && relu)
        for (gsize i = 0; i < plane; i++)
          v[i] = fmaxf (v[i] * a + b + r[i], 0.0f);
      else if (r)
        for (gsize i = 0; i < plane; i++)
          v[i] = v[i] * a + b + r[i];
      else if (relu)
        for (gsize i = 0; i < plane; i++)
          v[i] = fmaxf (v[i] * a + b, 0.0f);
      else
        for (gsize i = 0; i < plane; i++)
          v[i] = v[i] * a + b;
    }
}

void
cxr_relu_forward (float *out, const float *inp, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void
cxr_add_forward (float *out, const float *a, const float *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = a[i] + b[i];
}
