/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-elementwise.h"

#include "cxr-cpu.h"

/* `v < 0 ? 0 : v` rather than fmaxf: it vectorises to one max instruction
 * (fmaxf's NaN rule does not), and keeps NaN as torch.relu does. */
#define RELU(v) ((v) < 0.0f ? 0.0f : (v))

CXR_TARGET_CLONES void
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
          v[i] = RELU (v[i] * a + b + r[i]);
      else if (r)
        for (gsize i = 0; i < plane; i++)
          v[i] = v[i] * a + b + r[i];
      else if (relu)
        for (gsize i = 0; i < plane; i++)
          v[i] = RELU (v[i] * a + b);
      else
        for (gsize i = 0; i < plane; i++)
          v[i] = v[i] * a + b;
    }
}

CXR_TARGET_CLONES void
cxr_relu_forward (float *out, const float *inp, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = RELU (inp[i]);
}

CXR_TARGET_CLONES void
cxr_add_forward (float *out, const float *a, const float *b, gsize n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = a[i] + b[i];
}
