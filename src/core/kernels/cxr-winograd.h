/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-winograd.h: 3x3 stride-1 convolutions by Winograd's minimal filtering, F(2x2, 3x3).
 *
 * Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016): each 2x2 block of
 * outputs of one channel is A^T [ sum over ci of (G g G^T) ⊙ (B^T d B) ] A, where d is the 4x4
 * input tile around it and g the 3x3 kernel. The sum over input channels is, for each of the 16
 * points of the 4x4 transform, one matrix product U_t [Cout, Cin] x V_t [Cin, tiles]: 2.25 times
 * fewer multiplications than the direct convolution, on the same GEMM kernel.
 *
 * Why F(2x2, 3x3) and not F(4x4, 3x3) (4 times fewer): in float32 F(4x4) errs by 5e-6 to 1.5e-5
 * of the output's scale at 256-512 input channels (its transforms hold 4, 5, 1/24 ...), at or over
 * the 1e-5 that cxrcam promises against PyTorch; F(2x2)'s transforms hold only 0, ±1 and ±1/2
 * and it errs like the direct convolution (~5e-7).
 *
 * Layout: activations are channel-major [C, N, H, W] as everywhere in cxrcam; tiles are numbered
 * (n, ty, tx) with tx fastest and one padding slot after each row of tiles, and the input is
 * split into its four 2x2 phases, so that both transforms are unit-stride vector loops over many
 * tiles at once (vectorised over tiles, within one channel) and need no transposes.
 */
#pragma once

#include <glib.h>

#include "cxr-conv.h"
#include "cxr-parallel.h"

G_BEGIN_DECLS

#define CXR_WINOGRAD_POINTS 16  /* (2 + 3 - 1)^2 */

/* 3x3, stride 1 (any padding). */
gboolean cxr_winograd_supports           (const CxrConvGeometry *geometry);

/* Whether Winograd beats im2col + GEMM for this convolution and input: supported, and enough
 * tiles to amortise the transformed weights (1.8 times the raw ones) that every call streams and
 * the network keeps in memory (more tiles for the largest weights). */
gboolean cxr_winograd_preferred          (const CxrConvGeometry *geometry, int n, int h, int w);

/* U = G g G^T for every (co, ci): [16, Cout, Cin]. Inference transforms its weights once and keeps
 * them; training, whose weights change every step, on every call (cxr-conv.h). */
gsize    cxr_winograd_weight_floats      (const CxrConvGeometry *geometry);
void     cxr_winograd_transform_weight   (float *u,             /* [16, Cout, Cin] */
                                          const float *weight,  /* [Cout, Cin, 3, 3] */
                                          const CxrConvGeometry *geometry,
                                          CxrParallel *parallel);

gsize    cxr_winograd_workspace_floats   (const CxrConvGeometry *geometry, int n, int h, int w);

/* The same contract as cxr_conv2d_forward, with the transformed weights. */
void     cxr_winograd_conv2d_forward     (float *out,            /* [Cout, N, Ho, Wo] */
                                          const float *inp,      /* [Cin, N, H, W] */
                                          const float *u,        /* cxr_winograd_transform_weight () */
                                          const float *scale,    /* [Cout] or NULL */
                                          const float *shift,    /* [Cout] or NULL */
                                          const float *residual, /* [Cout, N, Ho, Wo] or NULL */
                                          gboolean relu,
                                          const CxrConvGeometry *geometry,
                                          int n, int h, int w,
                                          float *workspace,      /* cxr_winograd_workspace_floats () */
                                          CxrParallel *parallel);

/* out += conv (inp) with the transformed weights: the backward pass's transposed convolution adds
 * onto the gradient it accumulates (cxr-conv.h). */
void     cxr_winograd_conv2d_accumulate  (float *out,            /* [Cout, N, Ho, Wo] */
                                          const float *inp,      /* [Cin, N, H, W] */
                                          const float *u,        /* cxr_winograd_transform_weight () */
                                          const CxrConvGeometry *geometry,
                                          int n, int h, int w,
                                          float *workspace,      /* cxr_winograd_workspace_floats () */
                                          CxrParallel *parallel);

/* The same algorithm written plainly, tile by tile in float (so with Winograd's own rounding), from
 * the raw weights: the reference for the fast path's data movement. */
void     cxr_winograd_conv2d_forward_naive (float *out, const float *inp, const float *weight,
                                            const float *scale, const float *shift, const float *residual,
                                            gboolean relu, const CxrConvGeometry *geometry, int n, int h, int w);

G_END_DECLS
