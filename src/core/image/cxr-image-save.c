/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-image-save.h"

#include "cxr-png-write.h"

gboolean
cxr_image_save_png (const CxrImage *image, const char *path, GError **error)
{
  /* The one PNG writer (cxr-png-write.h): phantoms are written by the hundred, like the cam pictures. */
  g_autofree guint8 *gray = cxr_image_to_gray8 (image);
  return cxr_png_write_file (path, gray, image->width, image->height, (gsize) image->width, CXR_PNG_GRAY8, error);
}
