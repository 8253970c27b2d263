/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-image: PNG and JPEG decoding (cxr-image.c), to gray and to a thumbnail. */
#include "cxr-image.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrImage) image = cxr_image_load_from_bytes (data, size, "fuzz.png", &error);
  fuzz_discard (error);
  if (image != NULL)
    {
      g_autofree guint8 *gray = cxr_image_to_gray8 (image);
      error = NULL;
      g_autoptr (CxrImage) thumb = cxr_image_load_thumbnail (fuzz_file (data, size), 64, &error);
      fuzz_discard (error);
      (void) gray;
      (void) thumb;
    }
  return 0;
}
