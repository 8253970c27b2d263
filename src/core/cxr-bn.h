/* cxr-bn.h: batch normalisation.
 *
 * Inference folds BatchNorm's four vectors into a per-channel affine once, at load time:
 *   bn(conv(x)) = gamma * (conv(x) - mean) / sqrt(var + eps) + beta
 *               = scale * conv(x) + shift,   scale = gamma / sqrt(var + eps), shift = beta - scale * mean
 * and the convolution applies it in the same pass over its output as the residual add and the
 * ReLU. Folding `scale` into the weights instead would cost the same time but a second copy of
 * every convolution weight (100 MB for ResNet-50), since the unfolded weights stay the source
 * of truth for saving and training.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_BN_EPS 1e-5f

/* scale[c] = gamma[c] / sqrt(var[c] + eps); shift[c] = beta[c] - mean[c] * scale[c]. */
void cxr_batchnorm_fold (float *scale, float *shift,  /* [C] each */
                         const float *gamma, const float *beta,
                         const float *running_mean, const float *running_var,
                         float eps, int channels);

/* Inference batch norm without folding, for tests: out = (x - mean) / sqrt(var + eps) * gamma + beta. */
void cxr_batchnorm_inference_naive (float *out, const float *inp,  /* [C, plane] */
                                    const float *gamma, const float *beta,
                                    const float *running_mean, const float *running_var,
                                    float eps, int channels, gsize plane);

G_END_DECLS
