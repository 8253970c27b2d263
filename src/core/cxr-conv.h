/* cxr-conv.h: 2-D convolution, forward (and, later, backward).
 *
 * Layout. Activations inside cxrcam are channel-major, [C, N, H, W] ("CNHW"),
 * not PyTorch's [N, C, H, W]. With channels outermost a convolution over a
 * whole batch is ONE matrix product, W[Cout, Cin*kh*kw] x col[Cin*kh*kw, N*Ho*Wo],
 * whose long side grows with the batch; in NCHW it would be N small products
 * (layer4 of a ResNet has only 7x7 = 49 columns per image). At batch 1 the
 * two layouts are the same bytes. Weights keep PyTorch's [Cout, Cin, kh, kw].
 *
 * Every BLAS-backed kernel has a plain `_naive` twin, written for clarity
 * only, that the tests use as a second reference next to PyTorch.
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

/* Floats of scratch that cxr_conv2d_forward needs for this geometry and input size
 * (0 for 1x1 stride-1 convolutions, which multiply the input in place). */
gsize cxr_conv2d_workspace_floats (const CxrConvGeometry *geometry, int n, int h, int w);

/* out = relu?(conv(inp, weight) * scale + shift + residual): one GEMM (after im2col unless the
 * convolution is 1x1 stride 1) whose epilogue applies the rest (scale/shift carry a folded
 * BatchNorm, or shift alone a bias). scale, shift and residual may be NULL. out must not alias
 * inp or residual. Runs on the team's threads (NULL: the caller's only). */
void cxr_conv2d_forward (float *out,            /* [Cout, N, Ho, Wo] */
                         const float *inp,      /* [Cin, N, H, W] */
                         const float *weight,   /* [Cout, Cin, kh, kw] */
                         const float *scale,    /* [Cout] or NULL */
                         const float *shift,    /* [Cout] or NULL */
                         const float *residual, /* [Cout, N, Ho, Wo] or NULL */
                         gboolean relu,
                         const CxrConvGeometry *geometry,
                         int n, int h, int w,
                         float *workspace,      /* cxr_conv2d_workspace_floats () */
                         CxrParallel *parallel);

void cxr_conv2d_forward_naive (float *out, const float *inp, const float *weight,
                               const float *scale, const float *shift, const float *residual, gboolean relu,
                               const CxrConvGeometry *geometry, int n, int h, int w);

/* col[(ci, kh, kw), (n, ho, wo)] = inp[ci, n, ho*sh - ph + kh, wo*sw - pw + kw], zero outside. */
void cxr_im2col (float *col,        /* [Cin*kh*kw, N*Ho*Wo] */
                 const float *inp,  /* [Cin, N, H, W] */
                 const CxrConvGeometry *geometry, int n, int h, int w);

G_END_DECLS
