/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dataset-table: an NIH label table (Data_Entry_2017.csv) as the dataset index reads it. */
#include "cxr-dataset-private.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  CxrDatasetIndex index;
  cxr_dataset_index_init (&index, 16);
  GError *error = NULL;
  cxr_dataset_table_read (fuzz_file (data, size), &index, &error);
  fuzz_discard (error);
  cxr_dataset_index_clear (&index);
  return 0;
}
