#include "cxr-elementwise.h"

void
cxr_bias_relu_forward (float *out, const float *inp, const float *bias, const float *residual,
                       gboolean relu, int channels, gsize plane)
{
  for (int c = 0; c < channels; c++)
    {
      float b = bias ? bias[c] : 0.0f;
      float *o = out + (gsize) c * plane;
      const float *x = inp + (gsize) c * plane;
      const float *r = residual ? residual + (gsize) c * plane : NULL;

      /* Four loop versions so that the compiler vectorises each without branches. */
      if (r && relu)
        for (gsize i = 0; i < plane; i++)
          {
            float v = x[i] + b + r[i];
            o[i] = v > 0.0f ? v : 0.0f;
          }
      else if (r)
        for (gsize i = 0; i < plane; i++)
          o[i] = x[i] + b + r[i];
      else if (relu)
        for (gsize i = 0; i < plane; i++)
          {
            float v = x[i] + b;
            o[i] = v > 0.0f ? v : 0.0f;
          }
      else
        for (gsize i = 0; i < plane; i++)
          o[i] = x[i] + b;
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
