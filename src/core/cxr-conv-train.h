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
 *                         convolution of dout with the flipped, transposed kernel, run by
 *                         cxr_conv2d_forward (chunked im2col, the GEMM, residual in the epilogue);
 *   dinp, strided:        dcol = W^T x dout (one GEMM), then col2im, parallel over channels;
 *   dweight, 1x1 stride 1: the smaller of inp and dout transposed, then one GEMM;
 *   dweight, otherwise:   im2col (inp) and one GEMM against it (A x B^T).
 * Every GEMM runs on cxr_gemm's kernel and the team's threads.
 */
#pragma once

#include <glib.h>

#include "cxr-conv.h"
#include "cxr-parallel.h"

G_BEGIN_DECLS

/* Floats of @workspace that cxr_conv2d_train_backward needs for this convolution and input. */
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

/* out [cols, rows] = in [rows, cols]^T, in cache-sized tiles on the team's threads. */
void cxr_transpose (float *out, const float *in, gsize rows, gsize cols, CxrParallel *parallel);

G_END_DECLS
