/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-safetensors.h: the safetensors format, read and written.
 *
 * Layout: an unsigned 64-bit little-endian header length N, N bytes of JSON (padded with spaces to a
 * multiple of 8) mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} plus an
 * optional "__metadata__" string map, then the raw little-endian data; offsets count from the end of the
 * header. Reading validates the header size, every offset against the data size and that no two tensors
 * overlap. Tensors come back in the order of their data; dtypes as in cxr-checkpoint.h.
 */
#pragma once

#include "cxr-state-dict.h"

G_BEGIN_DECLS

CxrStateDict *cxr_safetensors_load (const char *path, GError **error);
/* Each tensor is written in its CxrTensor.dtype (F32, F16, BF16, F64, I64, I32, U8, BOOL), in dict order,
 * with __metadata__ {"format": "pt"}. Atomic: on failure the old file is untouched. */
gboolean      cxr_safetensors_save (const char *path, const CxrStateDict *dict, GError **error);

G_END_DECLS
