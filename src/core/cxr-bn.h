/* cxr-bn.h: batch normalisation.
 *
 * Inference folds BatchNorm into the preceding convolution once, at load time:
 *   bn(conv(x)) = gamma * (W*x - mean) / sqrt(var + eps) + beta
 *               = (scale * W) * x + (beta - scale * mean),  scale = gamma / sqrt(var + eps)
 * so the forward pass runs one GEMM and one bias add per conv+bn pair.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CXR_BN_EPS 1e-5f

/* folded_weight[o, :] = weight[o, :] * scale[o]; folded_bias[o] = beta[o] - mean[o] * scale[o].
 * folded_weight may alias weight. */
void cxr_batchnorm_fold (float *folded_weight,      /* [Cout, per_output] */
                         float *folded_bias,        /* [Cout] */
                         const float *weight,       /* [Cout, per_output] */
                         const float *gamma, const float *beta,
                         const float *running_mean, const float *running_var,
                         float eps, int out_channels, gsize per_output);

/* Inference batch norm without folding, for tests: out = (x - mean) / sqrt(var + eps) * gamma + beta. */
void cxr_batchnorm_inference_naive (float *out, const float *inp,  /* [C, plane] */
                                    const float *gamma, const float *beta,
                                    const float *running_mean, const float *running_var,
                                    float eps, int channels, gsize plane);

G_END_DECLS
