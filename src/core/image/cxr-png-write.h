/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-png-write.h: the PNGs cxrcam writes by the hundred (the cam pictures, phantoms), encoded for speed.
 *
 * 8-bit gray or RGB, no interlace, a white bKGD as cairo writes it, zlib level 1 with the Z_RLE strategy and one
 * fixed filter per format (Up for gray, Sub for RGB). Measured on a 1024 x 1024 radiograph and its four cam
 * pictures on these 2-core machines (docs/scale.md): cairo_surface_write_to_png (zlib level 6, libpng's adaptive
 * filter choice) takes about 2 s for the four, these settings about 130 ms, for files 0.9 to 1.4 times as large.
 * The pixels are those of the input: PNG is lossless whatever the settings (tests/test-png-write.c decodes both).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CXR_PNG_GRAY8,     /* one byte a pixel */
  CXR_PNG_RGB8,      /* three bytes a pixel, R G B */
  CXR_PNG_XRGB32,    /* cairo's RGB24: a native-endian guint32 a pixel, 0x00RRGGBB; written as RGB */
} CxrPngFormat;

/* Appends the PNG of @pixels (@height rows @stride bytes apart) to @out; errors name @name. */
gboolean cxr_png_encode     (GByteArray *out, const guint8 *pixels, int width, int height, gsize stride,
                             CxrPngFormat format, const char *name, GError **error);

/* The same into @path, atomically (cxr-atomic-file.h). */
gboolean cxr_png_write_file (const char *path, const guint8 *pixels, int width, int height, gsize stride,
                             CxrPngFormat format, GError **error);

G_END_DECLS
