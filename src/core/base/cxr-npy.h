/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-npy.h: NumPy .npy files (format 1.0-3.0), the fixture and CAM exchange format.
 *
 * Reading accepts little-endian float32, float64, float16, int64, int32 and uint8 in C order and converts
 * to a float32 CxrTensor (dtype remembers the original). Writing produces float32 C-order version 1.0 files
 * that numpy.load reads.
 */
#pragma once

#include "cxr-tensor.h"

G_BEGIN_DECLS

CxrTensor *cxr_npy_load (const char *path, GError **error);
gboolean   cxr_npy_save (const char *path, const float *data, int ndim, const gint64 *shape, GError **error);

G_END_DECLS
