/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dicom-reply: the parsers of what the DICOM decoder process sends back (cxr-dicom-decoder.h), an image or a
 * DICOMDIR's records. A decoder that died while writing, or one that is not cxrcam's, sends anything: every count
 * in a reply is checked before it is used. The first byte chooses the parser. */
#include "cxr-dicom-decoder.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  GError *error = NULL;
  if (data[0] & 1)
    {
      g_autoptr (GPtrArray) files = NULL, uids = NULL;
      if (!cxr_dicom_wire_parse_directory_reply (data + 1, size - 1, "fuzz", &files, &uids, &error))
        fuzz_discard (error);
      else if (files->len != uids->len)
        g_error ("files and UIDs differ in number");
    }
  else
    {
      g_autoptr (CxrDicomImage) image = NULL;
      if (!cxr_dicom_wire_parse_reply (data + 1, size - 1, "fuzz", &image, &error))
        fuzz_discard (error);
      else
        {
          /* Every value is there: read the last one. */
          volatile float last = image->values[(gsize) image->width * image->height - 1];
          (void) last;
        }
    }
  return 0;
}
