/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-conv.h: 2-D convolution, forward and backward: the one module every convolution of cxrcam goes
 * through, for inference (cxr-resnet.c), training (cxr-resnet-train.c) and Grad-CAM (cxr-cam-backward.c).
 *
 * Layout. Activations inside cxrcam are channel-major, [C, N, H, W] ("CNHW"),
 * not PyTorch's [N, C, H, W]. With channels outermost a convolution over a
 * whole batch is ONE matrix product, W[Cout, Cin*kh*kw] x col[Cin*kh*kw, N*Ho*Wo],
 * whose long side grows with the batch; in NCHW it would be N small products
 * (layer4 of a ResNet has only 7x7 = 49 columns per image). At batch 1 the
 * two layouts are the same bytes. Weights keep PyTorch's [Cout, Cin, kh, kw].
 *
 * The forward pass picks one of three algorithms for a geometry and an input size
 * (cxr_conv_algorithm), the same choice for every caller:
 *   CXR_CONV_WINOGRAD   3x3 stride 1 where cxr_winograd_preferred() says it pays: Winograd F(2x2, 3x3)
 *                       (cxr-winograd.h), 2.25 times fewer multiplications;
 *   CXR_CONV_POINTWISE  1x1 stride 1 without padding: one GEMM on the input as it lies;
 *   CXR_CONV_IM2COL     anything else: im2col in chunks of output rows, one GEMM per chunk.
 * Each fuses the epilogue (a folded BatchNorm's scale and shift, the residual add, the ReLU) into its
 * last pass over the output.
 *
 * The backward pass (cxr_conv2d_backward):
 *   dinp, 1x1 stride 1:   one GEMM, W^T [Cin, Cout] x dout [Cout, M], added onto dinp in its epilogue;
 *   dinp, k x k stride 1 with padding k/2 (ResNet's 3x3): the transposed convolution is a convolution
 *                         of dout with the flipped, transposed kernel, run by the forward pass's own
 *                         algorithms (Winograd where it pays) and added onto dinp in their epilogues;
 *   dinp, otherwise:      dcol = W^T x dout (a GEMM per chunk of output rows), then col2im adds it on;
 *   dweight, 3x3 stride 1 (padding 0 or 1, enough tiles): Winograd F(2x2, 3x3) (cxr-winograd-grad.h);
 *   dweight, 1x1 stride 1: the smaller of inp and dout transposed, then a GEMM per chunk;
 *   dweight, otherwise:   im2col (inp) per chunk, a GEMM against dout^T;
 *   dbias:                the sum of dout over (N, Ho, Wo).
 * It follows the backward conventions of cxr-backward.h: it ACCUMULATES into the gradients it is given.
 *
 * Every kernel runs on the thread team it is given (NULL: the caller's thread alone). Each BLAS-backed
 * kernel has a plain `_naive` twin, written for clarity only, that the tests use as a second reference
 * next to PyTorch.
 */
#pragma once

#include <glib.h>

#include "cxr-parallel.h"

G_BEGIN_DECLS

typedef struct {
  int in_channels;
  int out_channels;
  int kernel_h, kernel_w;
  int stride_h, stride_w;
  int pad_h, pad_w;
} CxrConvGeometry;

static inline int
cxr_conv_out_size (int in, int kernel, int stride, int pad)
{
  return (in + 2 * pad - kernel) / stride + 1;
}

/* 1x1, stride 1, no padding: the input is its own column matrix. */
gboolean cxr_conv_is_pointwise (const CxrConvGeometry *geometry);

typedef enum {
  CXR_CONV_POINTWISE,
  CXR_CONV_IM2COL,
  CXR_CONV_WINOGRAD,
} CxrConvAlgorithm;

/* How cxr_conv2d_forward runs this convolution on an [Cin, n, h, w] input. */
CxrConvAlgorithm cxr_conv_algorithm (const CxrConvGeometry *geometry, int n, int h, int w);

/* Floats of @workspace that cxr_conv2d_forward needs. @transform_weight: the caller passes no
 * transformed weights (winograd_weight NULL), so that a Winograd convolution transforms them into the
 * workspace on every call; a caller that keeps them passes FALSE and needs less. */
gsize cxr_conv2d_forward_workspace_floats (const CxrConvGeometry *geometry, int n, int h, int w,
                                           gboolean transform_weight);

/* out = relu?(conv(inp, weight) * scale + shift + residual) by cxr_conv_algorithm()'s algorithm.
 * scale, shift and residual may be NULL. out must not alias inp or residual. @winograd_weight is
 * cxr_winograd_transform_weight (weight) for a caller that runs the same weights many times
 * (inference), or NULL: a Winograd convolution then transforms them into the workspace first. */
void cxr_conv2d_forward (float *out,                   /* [Cout, N, Ho, Wo] */
                         const float *inp,             /* [Cin, N, H, W] */
                         const float *weight,          /* [Cout, Cin, kh, kw] */
                         const float *winograd_weight, /* [16, Cout, Cin] or NULL */
                         const float *scale,           /* [Cout] or NULL */
                         const float *shift,           /* [Cout] or NULL */
                         const float *residual,        /* [Cout, N, Ho, Wo] or NULL */
                         gboolean relu,
                         const CxrConvGeometry *geometry,
                         int n, int h, int w,
                         float *workspace,             /* cxr_conv2d_forward_workspace_floats () */
                         CxrParallel *parallel);

void cxr_conv2d_forward_naive (float *out, const float *inp, const float *weight,
                               const float *scale, const float *shift, const float *residual, gboolean relu,
                               const CxrConvGeometry *geometry, int n, int h, int w);

/* Floats of @workspace that cxr_conv2d_backward needs (the rearranged weights included). */
gsize cxr_conv2d_backward_workspace_floats (const CxrConvGeometry *geometry, int n, int h, int w);

/* For out = conv (inp, weight) + bias, accumulating (cxr-backward.h):
 *   dinp    += conv^T (dout)                     (weight needed only for dinp)
 *   dweight += dout x im2col (inp)^T             (inp needed only for dweight)
 *   dbias   += sum of dout over (N, Ho, Wo)
 * A NULL gradient is skipped. @dinp must not alias @dout or @inp. */
void cxr_conv2d_backward (float *dinp,          /* [Cin, N, H, W] or NULL */
                          float *dweight,       /* [Cout, Cin, kh, kw] or NULL */
                          float *dbias,         /* [Cout] or NULL */
                          const float *dout,    /* [Cout, N, Ho, Wo] */
                          const float *inp,     /* [Cin, N, H, W] or NULL without dweight */
                          const float *weight,  /* [Cout, Cin, kh, kw] or NULL without dinp */
                          const CxrConvGeometry *geometry,
                          int n, int h, int w,
                          float *workspace,     /* cxr_conv2d_backward_workspace_floats () */
                          CxrParallel *parallel);

/* In double precision, accumulating like cxr_conv2d_backward. */
void cxr_conv2d_backward_naive (float *dinp, float *dweight, float *dbias,
                                const float *dout, const float *inp, const float *weight,
                                const CxrConvGeometry *geometry, int n, int h, int w);

/* col[(ci, kh, kw), (n, ho, wo)] = inp[ci, n, ho*sh - ph + kh, wo*sw - pw + kw], zero outside. */
void cxr_im2col (float *col,        /* [Cin*kh*kw, N*Ho*Wo] */
                 const float *inp,  /* [Cin, N, H, W] */
                 const CxrConvGeometry *geometry, int n, int h, int w, CxrParallel *parallel);

/* inp[ci, n, ho*sh - ph + kh, wo*sw - pw + kw] += col[(ci, kh, kw), (n, ho, wo)] where inside: the
 * adjoint of cxr_im2col. */
void cxr_col2im_add (float *inp,        /* [Cin, N, H, W] */
                     const float *col,  /* [Cin*kh*kw, N*Ho*Wo] */
                     const CxrConvGeometry *geometry, int n, int h, int w, CxrParallel *parallel);

G_END_DECLS
