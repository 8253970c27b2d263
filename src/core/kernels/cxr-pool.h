/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-pool.h: max pooling and global average pooling over channel-major [C, N, H, W] activations. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Max pool with a square window, as torch.nn.MaxPool2d(kernel, stride, padding) (padding is -inf).
 * argmax, if not NULL, receives for every output the flat index (y*W + x) of its maximum within its
 * input plane: the backward pass routes gradients through it. Ties go to the first maximum in
 * row-major window order, as in PyTorch. */
void cxr_maxpool2d_forward (float *out,          /* [C, N, Ho, Wo] */
                            gint32 *argmax,      /* [C, N, Ho, Wo] or NULL */
                            const float *inp,    /* [C, N, H, W] */
                            int channels, int n, int h, int w,
                            int kernel, int stride, int padding);

/* Adaptive average pool to 1x1, writing [N, C] (row-major, ready for the linear head). */
void cxr_global_avgpool_forward (float *out,       /* [N, C] */
                                 const float *inp, /* [C, N, H, W] */
                                 int channels, int n, int h, int w);

G_END_DECLS
