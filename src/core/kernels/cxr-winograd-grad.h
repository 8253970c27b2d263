/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-winograd-grad.h: the weight gradient of a 3x3 stride-1 convolution by Winograd F(2x2, 3x3).
 *
 * The forward pass is, per 2x2 output tile, Y = A^T [U ⊙ V] A with U = G g G^T and V = B^T d B
 * (cxr-winograd.h). Its gradient with respect to the kernel g, summed over every tile of every image, is
 *   dg = G^T [ sum over tiles of V ⊙ Z ] G,   Z = A dY A^T (the tile's 2x2 output gradient, 4x4),
 * and the sum over tiles is, for each of the 16 points t, one matrix product over the tiles:
 *   dU_t^T [Cin, Cout] = V_t [Cin, tiles] x Z_t [tiles, Cout]
 * on cxr_gemm's kernel: 16 Cin Cout multiply-adds per tile instead of im2col's 36 (2.25 times fewer),
 * and no column matrix. B, A and G hold only 0, ±1 and ±1/2, so the transforms round like sums.
 * Tiles are taken in chunks (V and Z of a chunk a few MB), the chunks' products added in the GEMM's
 * epilogue. Output tiles that hang over the border take a zero gradient there, input cells outside
 * the image are the zero padding.
 */
#pragma once

#include <glib.h>

#include "cxr-conv.h"
#include "cxr-parallel.h"

G_BEGIN_DECLS

/* 3x3, stride 1, padding 0 or 1, and enough tiles to be worth it. */
gboolean cxr_winograd_grad_preferred        (const CxrConvGeometry *geometry, int n, int h, int w);
gsize    cxr_winograd_grad_workspace_floats (const CxrConvGeometry *geometry, int n, int h, int w);

/* dweight [Cout, Cin, 3, 3] += the weight gradient (accumulated, as every backward pass: cxr-backward.h). */
void     cxr_winograd_weight_gradient       (float *dweight,        /* [Cout, Cin, 3, 3] */
                                             const float *dout,     /* [Cout, N, Ho, Wo] */
                                             const float *inp,      /* [Cin, N, H, W] */
                                             const CxrConvGeometry *geometry,
                                             int n, int h, int w,
                                             float *workspace,      /* cxr_winograd_grad_workspace_floats () */
                                             CxrParallel *parallel);

G_END_DECLS
