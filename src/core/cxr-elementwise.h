/* cxr-elementwise.h: the cheap per-element layers (bias, residual add, ReLU) and their fused epilogue. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* out[c, i] = relu?(inp[c, i] + bias[c] + residual[c, i]) for a [channels, plane] array.
 * bias and residual may be NULL; out may alias inp or residual. One pass over memory. */
void cxr_bias_relu_forward (float *out, const float *inp, const float *bias, const float *residual,
                            gboolean relu, int channels, gsize plane);

void cxr_relu_forward (float *out, const float *inp, gsize n);
void cxr_add_forward (float *out, const float *a, const float *b, gsize n);

G_END_DECLS
