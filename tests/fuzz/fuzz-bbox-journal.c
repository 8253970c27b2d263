/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-bbox-journal: the recovery journal beside BB.csv (cxr-bbox-journal.c), read as after a crash. */
#include "cxr-bbox-journal.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  CxrBBoxJournalContents *contents = cxr_bbox_journal_read (fuzz_file (data, size), &error);
  fuzz_discard (error);
  if (contents != NULL)
    {
      cxr_bbox_journal_contents_count_edits (contents);
      cxr_bbox_journal_contents_free (contents);
    }
  return 0;
}
