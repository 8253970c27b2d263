/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dtype.h: tensor elements as checkpoint files store them (.pth storages, safetensors), to float32
 * and back. Both checkpoint formats read and write through these two functions. */
#pragma once

#include "cxr-tensor.h"

G_BEGIN_DECLS

/* @n elements of @dtype, @stride elements apart, little-endian, to float32 (exact for floats; integers
 * as their values), and float32 back to @dtype (half and bfloat16 rounded to nearest even, integers
 * truncated). */
void cxr_dtype_decode (CxrDtype dtype, const guint8 *src, gint64 stride, gint64 n, float *out);
void cxr_dtype_encode (CxrDtype dtype, const float *in, gsize n, guint8 *out);

G_END_DECLS
