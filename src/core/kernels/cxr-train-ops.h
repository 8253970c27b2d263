/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-ops.h: the small passes of the training network's backward pass, on a thread team:
 * the ReLU at a block's output, and max pooling with its argmax and its backward pass, split over
 * channels (each call of the plain kernels in cxr-pool.h / cxr-backward.h works on whole planes). */
#pragma once

#include <glib.h>

#include "cxr-parallel.h"

G_BEGIN_DECLS

/* In place: g = g where out > 0, else 0 (the gradient through out = relu(...), from its output). */
void cxr_relu_backward_inplace (float *g, const float *out, gsize count, CxrParallel *parallel);

/* cxr_maxpool2d_forward (argmax may be NULL) and cxr_maxpool2d_backward (accumulating), over the team. */
void cxr_maxpool2d_forward_parallel  (float *out, gint32 *argmax, const float *inp,
                                      int channels, int n, int h, int w, int kernel, int stride, int padding,
                                      CxrParallel *parallel);
void cxr_maxpool2d_backward_parallel (float *dinp, const float *dout, const gint32 *argmax,
                                      int channels, int n, int h, int w, int ho, int wo, CxrParallel *parallel);

G_END_DECLS
