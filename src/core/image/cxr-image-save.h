/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-save.h: writing images as 8-bit gray PNGs (phantoms, exports). */
#pragma once

#include "cxr-image.h"

G_BEGIN_DECLS

/* Writes @image as an 8-bit gray PNG (cxr_image_to_gray8's rounding), atomically. */
gboolean cxr_image_save_png (const CxrImage *image, const char *path, GError **error);

G_END_DECLS
