/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-image-header.h: an image file's size and colour from its header alone, without decoding its pixels.
 *
 * Exports of the boxes (Pascal VOC, COCO, YOLO) need every image's width and height; decoding 880 NIH PNGs of
 * 1024 x 1024 for that would take seconds, reading their headers takes milliseconds. PNG: the IHDR chunk; JPEG:
 * the first start-of-frame marker (any of SOF0 ... SOF15), found by walking the marker segments. The type is found
 * from the content, as cxr-image.h does.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int width;
  int height;
  int depth;     /* colour planes without alpha: 1 for gray, 3 for colour (RGB, palette, YCbCr) */
} CxrImageHeader;

/* Fails with CXR_ERROR_IO (cannot read) or CXR_ERROR_FORMAT (not a PNG or JPEG, or a header without a size). */
gboolean cxr_image_header_read (const char *path, CxrImageHeader *header, GError **error);

G_END_DECLS
