/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-conv-private.h: between the convolution's files (cxr-conv.c, cxr-conv-backward.c, cxr-im2col.c). */
#pragma once

#include "cxr-conv.h"

G_BEGIN_DECLS

/* The output walked in chunks of whole output rows ("units": one (image, row)), each chunk's column
 * matrix at most @max_floats, so that it is written and read while it is in cache and the workspace
 * stays a few MB whatever the batch (ResNet-50's stem at batch 16 would need a 118 MB column matrix
 * in one piece). */
typedef struct {
  int ho, wo;
  int units;          /* n * ho */
  int per_chunk;      /* units per chunk, at least 1 */
  gsize max_columns;  /* per_chunk * wo */
} CxrConvChunking;

CxrConvChunking cxr_conv_chunking (const CxrConvGeometry *geometry, int n, int h, int w, gsize max_floats);

/* im2col of the output units [unit0, unit1): col [Cin*kh*kw, (unit1 - unit0) * Wo], its rows split over
 * the team. */
void cxr_im2col_units (float *col, const float *inp, const CxrConvGeometry *geometry, int n, int h, int w,
                       int unit0, int unit1, CxrParallel *parallel);

/* Its adjoint: inp += col2im (col) for those units, whole input channels per thread (no two threads add
 * to one value). */
void cxr_col2im_units (float *inp, const float *col, const CxrConvGeometry *geometry, int n, int h, int w,
                       int unit0, int unit1, CxrParallel *parallel);

/* out += conv (inp, weight), no epilogue, by the forward pass's algorithm (the weights transformed into
 * the workspace when Winograd runs): the backward pass's transposed convolution. The workspace is
 * cxr_conv2d_forward_workspace_floats (geometry, n, h, w, TRUE). */
void cxr_conv2d_accumulate (float *out, const float *inp, const float *weight, const CxrConvGeometry *geometry,
                            int n, int h, int w, float *workspace, CxrParallel *parallel);

G_END_DECLS
