/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-backward.c: backward kernels (see cxr-backward.h for the conventions). */
#include "cxr-backward.h"

#include <cblas.h>

void
cxr_relu_backward (float *restrict dinp, const float *restrict dout, const float *restrict out, gsize n)
{
  for (gsize i = 0; i < n; i++)
    dinp[i] += out[i] > 0.0f ? dout[i] : 0.0f;
}

void
cxr_add_backward (float *da, float *db, const float *dout, gsize n)
{
  if (da)
    for (gsize i = 0; i < n; i++)
      da[i] += dout[i];
  if (db)
    for (gsize i = 0; i < n; i++)
      db[i] += dout[i];
}

void
cxr_affine_backward (float *dinp, float *dscale, float *dshift, const float *dout, const float *inp,
                     const float *scale, int channels, gsize plane)
{
  for (int c = 0; c < channels; c++)
    {
      const float *d = dout + (gsize) c * plane;
      if (dinp)
        {
          float *restrict di = dinp + (gsize) c * plane;
          const float s = scale[c];
          for (gsize i = 0; i < plane; i++)
            di[i] += d[i] * s;
        }
      if (dscale)
        {
          const float *x = inp + (gsize) c * plane;
          float sum = 0.0f;
          for (gsize i = 0; i < plane; i++)
            sum += d[i] * x[i];
          dscale[c] += sum;
        }
      if (dshift)
        {
          float sum = 0.0f;
          for (gsize i = 0; i < plane; i++)
            sum += d[i];
          dshift[c] += sum;
        }
    }
}

void
cxr_maxpool2d_backward (float *dinp, const float *dout, const gint32 *argmax,
                        int channels, int n, int h, int w, int ho, int wo)
{
  gsize in_plane = (gsize) h * w, out_plane = (gsize) ho * wo;
  for (gsize plane = 0; plane < (gsize) channels * n; plane++)
    {
      float *di = dinp + plane * in_plane;
      const float *d = dout + plane * out_plane;
      const gint32 *arg = argmax + plane * out_plane;
      for (gsize o = 0; o < out_plane; o++)
        di[arg[o]] += d[o];
    }
}

void
cxr_global_avgpool_backward (float *dinp, const float *dout, int channels, int n, int h, int w)
{
  gsize plane = (gsize) h * w;
  for (int c = 0; c < channels; c++)
    for (int b = 0; b < n; b++)
      {
        float g = dout[(gsize) b * channels + c] / (float) plane;
        float *di = dinp + ((gsize) c * n + b) * plane;
        for (gsize i = 0; i < plane; i++)
          di[i] += g;
      }
}

void
cxr_linear_backward (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                     const float *weight, int n, int in_features, int out_features)
{
  if (dinp)
    /* dinp [N, I] += dout [N, O] x weight [O, I] */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in_features, out_features,
                 1.0f, dout, out_features, weight, in_features, 1.0f, dinp, in_features);
  if (dweight)
    /* dweight [O, I] += dout [N, O]^T x inp [N, I] */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, out_features, in_features, n,
                 1.0f, dout, out_features, inp, in_features, 1.0f, dweight, in_features);
  if (dbias)
    for (int b = 0; b < n; b++)
      for (int o = 0; o < out_features; o++)
        dbias[o] += dout[(gsize) b * out_features + o];
}

void
cxr_linear_backward_naive (float *dinp, float *dweight, float *dbias, const float *dout, const float *inp,
                           const float *weight, int n, int in_features, int out_features)
{
  if (dinp)
    for (int b = 0; b < n; b++)
      for (int i = 0; i < in_features; i++)
        {
          double sum = 0.0;
          for (int o = 0; o < out_features; o++)
            sum += (double) dout[(gsize) b * out_features + o] * weight[(gsize) o * in_features + i];
          dinp[(gsize) b * in_features + i] += (float) sum;
        }
  if (dweight)
    for (int o = 0; o < out_features; o++)
      for (int i = 0; i < in_features; i++)
        {
          double sum = 0.0;
          for (int b = 0; b < n; b++)
            sum += (double) dout[(gsize) b * out_features + o] * inp[(gsize) b * in_features + i];
          dweight[(gsize) o * in_features + i] += (float) sum;
        }
  if (dbias)
    for (int o = 0; o < out_features; o++)
      {
        double sum = 0.0;
        for (int b = 0; b < n; b++)
          sum += dout[(gsize) b * out_features + o];
        dbias[o] += (float) sum;
      }
}
