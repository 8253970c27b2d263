/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-bn.h: batch normalisation, for inference and for training.
 *
 * Inference folds BatchNorm's four vectors into a per-channel affine once, at load time:
 *   bn(conv(x)) = gamma * (conv(x) - mean) / sqrt(var + eps) + beta
 *               = scale * conv(x) + shift,   scale = gamma / sqrt(var + eps), shift = beta - scale * mean
 * and the convolution applies it in the same pass over its output as the residual add and the
 * ReLU. Folding `scale` into the weights instead would cost the same time but a second copy of
 * every convolution weight (100 MB for ResNet-50), since the unfolded weights stay the source
 * of truth for saving and training.
 *
 * Training (torch.nn.BatchNorm2d in train mode) normalises with the batch's own statistics over
 * N, H and W, which in cxrcam's channel-major [C, N, H, W] layout are one contiguous run of
 * `plane` = N*H*W values per channel:
 *   mean = sum(x) / plane,  var = sum((x - mean)^2) / plane  (biased),  invstd = 1 / sqrt(var + eps)
 *   y = x * scale + shift   with scale = gamma * invstd, shift = beta - mean * scale
 * (PyTorch's CPU kernel computes exactly this affine form), and moves the running statistics as
 *   running_mean = (1 - momentum) * running_mean + momentum * mean
 *   running_var  = (1 - momentum) * running_var  + momentum * var * plane / (plane - 1)   (unbiased)
 * with momentum 0.1; the caller adds 1 to num_batches_tracked. The backward pass, with
 * xhat = (x - mean) * invstd and g the gradient arriving at y:
 *   dbeta = sum(g),  dgamma = sum(g * xhat),  dx = gamma * invstd * (g - dbeta / plane - xhat * dgamma / plane)
 * Per-channel sums are accumulated in double.
 *
 * The training functions split the channels over a CxrParallel team (NULL: the caller alone).
 */
#pragma once

#include <glib.h>

#include "cxr-parallel.h"

G_BEGIN_DECLS

#define CXR_BN_EPS 1e-5f
#define CXR_BN_MOMENTUM 0.1     /* PyTorch's default, a double as in torch */
#define CXR_BN_TRAIN_EPS 1e-5   /* the same eps as CXR_BN_EPS, in double as torch passes it */

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

/* ---- training ---- */

/* The batch statistics of @inp: mean[c] and invstd[c] = 1 / sqrt(biased var + eps). When
 * running_mean and running_var are not NULL they move by @momentum towards the batch mean and
 * the unbiased batch variance. @plane must be at least 2 (PyTorch refuses one value per channel). */
void cxr_batchnorm_train_statistics (float *mean, float *invstd,          /* [C] out */
                                     float *running_mean, float *running_var, /* [C] in/out, or NULL */
                                     const float *inp,                    /* [C, plane] */
                                     int channels, gsize plane, double momentum, double eps,
                                     CxrParallel *parallel);

/* scale[c] = gamma[c] * invstd[c]; shift[c] = beta[c] - mean[c] * scale[c]. */
void cxr_batchnorm_train_affine (float *scale, float *shift,              /* [C] out */
                                 const float *gamma, const float *beta,
                                 const float *mean, const float *invstd, int channels);

/* out = relu?(inp * scale[c] + shift[c] + residual), out of place so that @inp can be kept for the
 * backward pass. @residual may be NULL; @out must not alias @inp or @residual. */
void cxr_batchnorm_apply (float *out,                                     /* [C, plane] */
                          const float *inp,                               /* [C, plane] */
                          const float *scale, const float *shift,         /* [C] */
                          const float *residual,                          /* [C, plane] or NULL */
                          gboolean relu, int channels, gsize plane, CxrParallel *parallel);

/* The backward pass of training-mode BatchNorm, optionally through the ReLU that followed it:
 * with @relu the gradient that counts is dout where inp * scale + shift > 0 (the output the
 * forward pass produced with the same scale and shift), else dout itself. Accumulates into dinp,
 * dgamma and dbeta (cxr-backward.h), except that @dinp may be @dout: then it replaces it in place. */
void cxr_batchnorm_train_backward (float *dinp,                           /* [C, plane] */
                                   float *dgamma, float *dbeta,           /* [C] */
                                   const float *dout,                     /* [C, plane] */
                                   const float *inp,                      /* [C, plane] */
                                   const float *mean, const float *invstd,/* [C] from the forward pass */
                                   const float *gamma,                    /* [C] */
                                   const float *scale, const float *shift,/* [C]: the forward affine */
                                   gboolean relu, int channels, gsize plane, CxrParallel *parallel);

/* Plain double-precision twins of the three training kernels above, for the tests. */
void cxr_batchnorm_train_forward_naive (float *out, float *mean, float *invstd,
                                        float *running_mean, float *running_var,
                                        const float *inp, const float *gamma, const float *beta,
                                        gboolean relu, int channels, gsize plane, double momentum, double eps);
void cxr_batchnorm_train_backward_naive (float *dinp, float *dgamma, float *dbeta,
                                         const float *dout, const float *inp,
                                         const float *gamma, const float *beta,
                                         gboolean relu, int channels, gsize plane, float eps);

G_END_DECLS
