/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-bbox-store: BB.csv as the store reads it (cxr-bbox-store.c, cxr-bbox-format.c); a file that opens must
 * write back byte for byte, and again after an edit. */
#include <string.h>

#include "cxr-bbox-store.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (fuzz_named_file ("BB.csv", data, size), &error);
  fuzz_discard (error);
  if (store == NULL)
    return 0;
  g_autoptr (GArray) boxes = cxr_bbox_store_list (store);
  (void) boxes;   /* listing must not crash */
  g_autoptr (GBytes) same = cxr_bbox_store_serialize (store);
  if (g_bytes_get_size (same) != size || (size > 0 && memcmp (g_bytes_get_data (same, NULL), data, size) != 0))
    g_error ("BB.csv does not write back unchanged");
  error = NULL;
  if (cxr_bbox_store_add (store, "fuzz.png", "Mass", 1.5, 2, 3, 4, &error) == 0)
    g_error ("an add to a file that opened failed: %s", error->message);
  g_autoptr (GBytes) edited = cxr_bbox_store_serialize (store);
  error = NULL;
  g_autoptr (CxrBBoxStore) reread = cxr_bbox_store_open (fuzz_file (g_bytes_get_data (edited, NULL),
                                                                    g_bytes_get_size (edited)), &error);
  /* The edit is journaled beside the file; the next input starts afresh. */
  cxr_bbox_store_revert (store, NULL);
  if (reread == NULL)
    g_error ("BB.csv after an add does not read: %s", error->message);
  return 0;
}
