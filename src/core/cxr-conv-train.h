/* cxr-conv-train.h: the convolution's backward pass as training runs it, on the fast GEMM.
 *
 * cxr-backward.h's cxr_conv2d_backward is the general kernel (accumulating, OpenBLAS, one thread
 * team of OpenBLAS's own). Training calls the backward pass of every convolution once per step on
 * batches of 16 and more, where most of a step's time goes, so this variant is shaped for that:
 *
 *   dinp = conv^T (dout) + residual   written, with the residual (the other branch's gradient)
 *                                     added in the GEMM's epilogue, never in a pass of its own;
 *   dweight = dout x im2col (inp)^T   written (a weight is used once per step).
 *
 * How (weights [Cout, Cin, kh, kw] are small and rearranged per call into @weight_scratch):
 *   dinp, 1x1 stride 1:   one GEMM, W^T [Cin, Cout] x dout [Cout, M], epilogue + residual;
 *   dinp, k x k stride 1 with padding k/2 (ResNet's 3x3): the transposed convolution is itself a
 *                         convolution of dout with the flipped, transposed kernel, run like the
 *                         forward pass (Winograd where it pays, else chunked im2col and the GEMM;
 *                         the residual in the epilogue either way);
 *   dinp, strided:        dcol = W^T x dout (one GEMM), then col2im, parallel over channels;
 *   dweight, 3x3 stride 1: Winograd F(2x2, 3x3), 2.25 times fewer products (cxr-winograd-grad.h);
 *   dweight, 1x1 stride 1: the smaller of inp and dout transposed, then one GEMM;
 *   dweight, otherwise:   im2col (inp) and one GEMM against it (A x B^T).
 * The strided and 1x1 paths work in chunks of output rows whose column matrices stay in cache.
 * Every GEMM runs on cxr_gemm's kernel and the team's threads.
 */
#pragma once

#include <glib.h>

#include "cxr-conv.h"
#include "cxr-parallel.h"

G_BEGIN_DECLS

/* cxr_conv2d_forward's contract (scale, shift, residual and ReLU in the epilogue; training's own
 * convolutions pass none of them, since their BatchNorm needs the raw output), with Winograd
 * F(2x2, 3x3) for 3x3 stride-1 convolutions where cxr_winograd_preferred() says it pays, im2col +
 * GEMM otherwise. */
void cxr_conv2d_train_forward (float *out,             /* [Cout, N, Ho, Wo] */
                               const float *inp,       /* [Cin, N, H, W] */
                               const float *weight,    /* [Cout, Cin, kh, kw] */
                               const float *scale,     /* [Cout] or NULL */
                               const float *shift,     /* [Cout] or NULL */
                               const float *residual,  /* [Cout, N, Ho, Wo] or NULL */
                               gboolean relu,
                               const CxrConvGeometry *geometry,
                               int n, int h, int w,
                               float *workspace,       /* cxr_conv2d_train_forward_workspace_floats () */
                               float *weight_scratch,  /* cxr_conv2d_train_weight_scratch_floats () */
                               CxrParallel *parallel);
gsize cxr_conv2d_train_forward_workspace_floats (const CxrConvGeometry *geometry, int n, int h, int w);

/* Floats of @workspace that cxr_conv2d_train_forward and cxr_conv2d_train_backward need for this convolution and input. */
gsize cxr_conv2d_train_workspace_floats      (const CxrConvGeometry *geometry, int n, int h, int w);
/* Floats of @weight_scratch: room for the rearranged weights (and a transposed dweight). */
gsize cxr_conv2d_train_weight_scratch_floats (const CxrConvGeometry *geometry);

/* @dinp (may be NULL: not needed) must not alias @residual, @dout or @inp. */
void cxr_conv2d_train_backward (float *dinp,            /* [Cin, N, H, W] or NULL */
                                const float *residual,  /* [Cin, N, H, W] or NULL: added to dinp */
                                float *dweight,         /* [Cout, Cin, kh, kw] */
                                const float *dout,      /* [Cout, N, Ho, Wo] */
                                const float *inp,       /* [Cin, N, H, W] */
                                const float *weight,    /* [Cout, Cin, kh, kw] */
                                const CxrConvGeometry *geometry,
                                int n, int h, int w,
                                float *workspace,       /* cxr_conv2d_train_workspace_floats () */
                                float *weight_scratch,  /* cxr_conv2d_train_weight_scratch_floats () */
                                CxrParallel *parallel);

G_END_DECLS
