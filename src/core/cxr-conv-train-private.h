/* cxr-conv-train-private.h: between the training convolution's files (cxr-conv-train.c,
 * cxr-winograd-grad.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* out [cols, rows] (leading dimension ldo) = in [rows, cols] (leading dimension ldi)^T, in the calling
 * thread (8 x 8 register tiles in 64 x 64 blocks). */
void cxr_transpose_serial (float *out, gsize ldo, const float *in, gsize ldi, gsize rows, gsize cols);

G_END_DECLS
