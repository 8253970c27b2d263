/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dicom-reply: the parsers of what the DICOM decoder process sends back (cxr-dicom-decoder.h), an image or a
 * DICOMDIR's records. A decoder that died while writing, or one that is not cxrcam's, sends anything: every count
 * in a reply is checked before it is used. The first byte chooses the parser. For an image, the input is the
 * reply and then the values file's bytes: the reply's own length (its first 16 bytes, when they say one that
 * fits) splits them, so that a real reply with its values is one input (corpus/dicom-reply/image-mr-small). */
#include <unistd.h>

#include "cxr-dicom-decoder.h"
#include "cxr-dicom-memfd.h"
#include "fuzz-util.h"

/* The values file, made once and rewritten for every input, like the one a decoder gets. */
static int
values_file (void)
{
  static int fd = -1;
  if (fd < 0 && (fd = cxr_dicom_memfd_new ("fuzz-values")) < 0)
    g_error ("fuzz-dicom-reply: no memory file");
  return fd;
}

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
      const guint8 *reply = data + 1;
      gsize length = size - 1, reply_length = length;
      guint64 total = 0;
      if (length >= CXR_DICOM_WIRE_REPLY_HEAD && cxr_dicom_wire_reply_length (reply, &total) && total <= length)
        reply_length = (gsize) total;
      int values = values_file ();
      if (!cxr_dicom_memfd_set (values, reply + reply_length, length - reply_length, NULL))
        g_error ("fuzz-dicom-reply: could not fill the values file");
      g_autoptr (CxrDicomImage) image = NULL;
      if (!cxr_dicom_wire_parse_reply (reply, reply_length, values, "fuzz", &image, &error))
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
