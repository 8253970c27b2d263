/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-linear.h: the fully connected head, as torch.nn.Linear. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* out[N, O] = inp[N, I] x weight[O, I]^T + bias[O] (bias may be NULL). */
void cxr_linear_forward (float *out, const float *inp, const float *weight, const float *bias,
                         int n, int in_features, int out_features);
void cxr_linear_forward_naive (float *out, const float *inp, const float *weight, const float *bias,
                               int n, int in_features, int out_features);

G_END_DECLS
