/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-backward.h: the backward passes of the small forward kernels (cxr-elementwise.h, cxr-pool.h,
 * cxr-linear.h, eval-mode BatchNorm's affine), and the conventions of EVERY backward kernel in cxrcam:
 * these, the convolution's (cxr-conv.h, with Winograd's weight gradient, cxr-winograd-grad.h),
 * training BatchNorm's (cxr-bn.h) and the training network's passes (cxr-train-ops.h).
 *
 *   - outputs first: the gradients (dinp, dweight, dbias, ...), then dout, then what the forward pass saw;
 *   - backward ACCUMULATES (+=) into every gradient it is given, so that a tensor used twice (a residual
 *     branch) sums its gradients without a buffer of its own; clear a gradient before its first use. The
 *     one exception is a gradient computed in place of the one it comes from (dinp == dout, where a kernel
 *     allows it: the ReLU mask, training BatchNorm): there is nothing else to add it to, so it replaces it;
 *   - a NULL gradient is skipped, and the inputs only it needs may then be NULL too;
 *   - activations are channel-major [C, N, H, W] as in the forward kernels; weights keep PyTorch's layout;
 *   - a kernel that takes a thread team (CxrParallel) runs on it; NULL runs it on the caller's thread.
 *
 * Every BLAS-backed kernel has a plain `_naive` twin in double precision, written for clarity only, that
 * the tests use as a reference next to PyTorch's autograd and finite differences (tests/test-backward.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ---- elementwise ---------------------------------------------------------------------------------- */

/* For out = relu (inp): dinp += dout where out > 0. The mask comes from the forward output (as
 * PyTorch's threshold_backward on the result), so the input need not be kept. */
void cxr_relu_backward (float *dinp, const float *dout, const float *out, gsize n);

/* For out = a + b (the residual add): da += dout, db += dout. */
void cxr_add_backward (float *da, float *db, const float *dout, gsize n);

/* For out[c, i] = inp[c, i] * scale[c] + shift[c] over a [channels, plane] array (eval-mode BatchNorm
 * folded into its affine, cxr-bn.h):
 *   dinp   += dout * scale[c]
 *   dscale += sum_i dout[c, i] * inp[c, i]   (inp needed only for dscale)
 *   dshift += sum_i dout[c, i] */
void cxr_affine_backward (float *dinp, float *dscale, float *dshift,
                          const float *dout, const float *inp, const float *scale,
                          int channels, gsize plane);

/* ---- pooling -------------------------------------------------------------------------------------- */

/* For cxr_maxpool2d_forward with @argmax: every output's gradient goes to the input it took its maximum
 * from (dinp[plane, argmax[o]] += dout[o]); overlapping windows add up. */
void cxr_maxpool2d_backward (float *dinp,           /* [C, N, H, W] */
                             const float *dout,     /* [C, N, Ho, Wo] */
                             const gint32 *argmax,  /* [C, N, Ho, Wo] */
                             int channels, int n, int h, int w, int ho, int wo);

/* For cxr_global_avgpool_forward: dinp[c, b, :, :] += dout[b, c] / (H W). */
void cxr_global_avgpool_backward (float *dinp,        /* [C, N, H, W] */
                                  const float *dout,  /* [N, C] */
                                  int channels, int n, int h, int w);

/* ---- linear --------------------------------------------------------------------------------------- */

/* For out [N, O] = inp [N, I] x weight [O, I]^T + bias:
 *   dinp    [N, I] += dout x weight          (weight needed only for dinp)
 *   dweight [O, I] += dout^T x inp           (inp needed only for dweight)
 *   dbias   [O]    += sum over N of dout */
void cxr_linear_backward (float *dinp, float *dweight, float *dbias,
                          const float *dout, const float *inp, const float *weight,
                          int n, int in_features, int out_features);
void cxr_linear_backward_naive (float *dinp, float *dweight, float *dbias,
                                const float *dout, const float *inp, const float *weight,
                                int n, int in_features, int out_features);

G_END_DECLS
