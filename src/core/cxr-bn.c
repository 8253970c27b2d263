#include "cxr-bn.h"

#include <math.h>

void
cxr_batchnorm_fold (float *folded_weight, float *folded_bias, const float *weight,
                    const float *gamma, const float *beta,
                    const float *running_mean, const float *running_var,
                    float eps, int out_channels, gsize per_output)
{
  for (int o = 0; o < out_channels; o++)
    {
      /* Computed in double and rounded once: folding should add no error of its own. */
      double scale = (double) gamma[o] / sqrt ((double) running_var[o] + eps);
      for (gsize i = 0; i < per_output; i++)
        folded_weight[o * per_output + i] = (float) (weight[o * per_output + i] * scale);
      folded_bias[o] = (float) (beta[o] - running_mean[o] * scale);
    }
}

void
cxr_batchnorm_inference_naive (float *out, const float *inp,
                               const float *gamma, const float *beta,
                               const float *running_mean, const float *running_var,
                               float eps, int channels, gsize plane)
{
  for (int c = 0; c < channels; c++)
    {
      double inv_std = 1.0 / sqrt ((double) running_var[c] + eps);
      for (gsize i = 0; i < plane; i++)
        out[c * plane + i] = (float) ((inp[c * plane + i] - running_mean[c]) * inv_std * gamma[c] + beta[c]);
    }
}
