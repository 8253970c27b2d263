/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-zip: the zip reader of .pth checkpoints (cxr-zip.c): directory, zip64 records, every entry read. */
#include "cxr-zip.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);
  GError *error = NULL;
  g_autoptr (CxrZipReader) zip = cxr_zip_reader_new_from_bytes (bytes, "fuzz.zip", &error);
  fuzz_discard (error);
  for (guint i = 0; zip != NULL && i < cxr_zip_reader_get_n_entries (zip); i++)
    {
      error = NULL;
      g_autoptr (GBytes) entry = cxr_zip_reader_read (zip, cxr_zip_reader_get_entry_name (zip, i), &error);
      /* A read that failed must say why, and one that worked must not. */
      g_assert ((entry == NULL) == (error != NULL));
      fuzz_discard (error);
    }
  return 0;
}
