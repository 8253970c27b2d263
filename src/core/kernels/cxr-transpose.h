/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-transpose.h: out = in^T for float matrices, in cache-sized tiles of 8 x 8 register transposes.
 *
 * The convolutions' backward passes rearrange weights and gradients with these (cxr-conv.h,
 * cxr-winograd-grad.h). Small matrices (under 64 K floats) are done in the calling thread whatever
 * the team. */
#pragma once

#include <glib.h>

#include "cxr-parallel.h"

G_BEGIN_DECLS

/* out [cols, rows] = in [rows, cols]^T, on the team's threads (NULL: the caller's only). */
void cxr_transpose         (float *out, const float *in, gsize rows, gsize cols, CxrParallel *parallel);

/* The same with leading dimensions: out [cols, rows] (row stride ldo) = in [rows, cols] (row stride ldi)^T. */
void cxr_transpose_strided (float *out, gsize ldo, const float *in, gsize ldi, gsize rows, gsize cols,
                            CxrParallel *parallel);

G_END_DECLS
