/* cxr-backward.h: the backward passes of the forward kernels (cxr-conv.h, cxr-pool.h, cxr-linear.h,
 * cxr-elementwise.h, cxr-bn.h), in the llm.c style.
 *
 * Conventions, the same for every function:
 *   - gradients come first (dinp, dweight, dbias, ...), then dout, then what the forward pass saw;
 *   - backward ACCUMULATES (+=) into every gradient it writes, so a tensor used twice (a residual
 *     branch) sums its gradients without an extra buffer; clear them before the first use;
 *   - a NULL gradient is skipped, and the inputs only it needs may then be NULL too;
 *   - activations are channel-major [C, N, H, W] as in the forward kernels; weights keep PyTorch's layout.
 *
 * Every BLAS-backed kernel has a plain `_naive` twin in double precision, written for clarity only, that
 * the tests use as a reference next to PyTorch's autograd and finite differences (tests/test-backward.c).
 * The BLAS kernels call OpenBLAS's sgemm, which parallelises inside; they never allocate.
 */
#pragma once

#include <glib.h>

#include "cxr-conv.h"

G_BEGIN_DECLS

/* ---- convolution ---------------------------------------------------------------------------------- */

/* Floats of scratch that cxr_conv2d_backward needs: one [Cin*kh*kw, N*Ho*Wo] column matrix (0 for a 1x1
 * stride-1 convolution, whose column matrix is its input). The same as the forward pass's. */
gsize cxr_conv2d_backward_workspace_floats (const CxrConvGeometry *geometry, int n, int h, int w);

/* For out = conv (inp, weight) + bias:
 *   dweight [Cout, Cin*kh*kw] += dout [Cout, N*Ho*Wo] x col^T        (col = im2col (inp); one sgemm)
 *   dinp                      += col2im (weight^T x dout)             (one sgemm, then a scatter-add)
 *   dbias   [Cout]            += sum of dout over (N, Ho, Wo)
 * A 1x1 stride-1 convolution multiplies in place, without im2col or col2im. inp is needed only for dweight,
 * weight only for dinp. */
void cxr_conv2d_backward (float *dinp,          /* [Cin, N, H, W] or NULL */
                          float *dweight,       /* [Cout, Cin, kh, kw] or NULL */
                          float *dbias,         /* [Cout] or NULL */
                          const float *dout,    /* [Cout, N, Ho, Wo] */
                          const float *inp,     /* [Cin, N, H, W] (for dweight) */
                          const float *weight,  /* [Cout, Cin, kh, kw] (for dinp) */
                          const CxrConvGeometry *geometry,
                          int n, int h, int w,
                          float *workspace);    /* cxr_conv2d_backward_workspace_floats () */

void cxr_conv2d_backward_naive (float *dinp, float *dweight, float *dbias,
                                const float *dout, const float *inp, const float *weight,
                                const CxrConvGeometry *geometry, int n, int h, int w);

/* inp[ci, n, ho*sh - ph + kh, wo*sw - pw + kw] += col[(ci, kh, kw), (n, ho, wo)] where inside: the
 * adjoint of cxr_im2col. */
void cxr_col2im_add (float *inp,        /* [Cin, N, H, W] */
                     const float *col,  /* [Cin*kh*kw, N*Ho*Wo] */
                     const CxrConvGeometry *geometry, int n, int h, int w);

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
