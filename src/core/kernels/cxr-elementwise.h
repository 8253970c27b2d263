/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-elementwise.h: the cheap per-element layers (bias, residual add, ReLU) and their fused epilogue. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* x[c, i] = relu?(x[c, i] * scale[c] + shift[c] + residual[c, i]) in place, for a [channels, plane]
 * array: the epilogue of every convolution, one pass over memory. scale, shift and residual may be
 * NULL (scale 1, shift 0, no residual); residual must not alias x. */
void cxr_affine_residual_relu (float *x, const float *scale, const float *shift, const float *residual,
                               gboolean relu, int channels, gsize plane);

void cxr_relu_forward (float *out, const float *inp, gsize n);
void cxr_add_forward (float *out, const float *a, const float *b, gsize n);

G_END_DECLS
