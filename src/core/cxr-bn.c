#include "cxr-bn.h"

#include <math.h>

void
cxr_batchnorm_fold (float *scale, float *shift,
                    const float *gamma, const float *beta,
                    const float *running_mean, const float *running_var,
                    float eps, int channels)
{
  for (int c = 0; c < channels; c++)
    {
      /* Computed in double and rounded once: folding should add no error of its own. */
      double s = (double) gamma[c] / sqrt ((double) running_var[c] + eps);
      scale[c] = (float) s;
      shift[c] = (float) (beta[c] - running_mean[c] * s);
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
