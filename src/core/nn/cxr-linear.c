/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-linear.h"

#include "cxr-gemm.h"

void
cxr_linear_forward (float *out, const float *inp, const float *weight, const float *bias,
                    int n, int in_features, int out_features)
{
  /* cxr_gemm_bt rather than cblas_sgemm: on CPUs with cxrcam's own kernels it leaves no OpenBLAS
   * thread spinning for ~100 ms after the head, taking CPU from the next forward pass. */
  cxr_gemm_bt (NULL, n, out_features, in_features, inp, in_features, weight, in_features, out, out_features);
  if (bias)
    for (int b = 0; b < n; b++)
      for (int o = 0; o < out_features; o++)
        out[(gsize) b * out_features + o] += bias[o];
}

void
cxr_linear_forward_naive (float *out, const float *inp, const float *weight, const float *bias,
                          int n, int in_features, int out_features)
{
  for (int b = 0; b < n; b++)
    for (int o = 0; o < out_features; o++)
      {
        double sum = bias ? bias[o] : 0.0;
        for (int i = 0; i < in_features; i++)
          sum += (double) inp[(gsize) b * in_features + i] * weight[(gsize) o * in_features + i];
        out[(gsize) b * out_features + o] = (float) sum;
      }
}
