/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-display-image.h: an image decoded for the screen on a worker thread: its 8-bit gray pixels and a texture.
 *
 * The viewer shows the picture as soon as it is decoded (tens of milliseconds), long before the network has
 * explained it; the main thread never decodes.
 */
#pragma once

#include <gdk/gdk.h>

#include "cxr-overlay-textures.h"

G_BEGIN_DECLS

typedef struct {
  int width;
  int height;
  GBytes *gray8;         /* [height * width] */
  CxrPyramid *pyramid;   /* the same pixels as textures, at three resolutions */
  CxrStoredPlane *stored;   /* DICOM: the stored values, which the window/level control windows (cxr-window-level.h);
                             * gray8 and pyramid show them at the file's first window. NULL for PNG and JPEG. */
} CxrDisplayImage;

void             cxr_display_image_free (CxrDisplayImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrDisplayImage, cxr_display_image_free)

/* Wraps pixels already decoded (e.g. those a CAM result carries); copies @gray8. */
CxrDisplayImage *cxr_display_image_new_from_gray8 (const guint8 *gray8, int width, int height);

void             cxr_display_image_load_async  (const char *path, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
CxrDisplayImage *cxr_display_image_load_finish (GAsyncResult *result, GError **error);

G_END_DECLS
