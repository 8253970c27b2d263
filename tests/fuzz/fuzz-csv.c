/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-csv: the CSV reader (cxr-csv.c) every table goes through, with every field converted as the readers do. */
#include "cxr-csv.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new ("fuzz.csv", (const char *) data, size);
  CxrCsvRecord record;
  GError *error = NULL;
  while (cxr_csv_reader_next (reader, &record, &error))
    for (guint i = 0; i < record.n_fields; i++)
      {
        double d;
        gint64 n;
        cxr_csv_field_to_double (&record.fields[i], &d);
        cxr_csv_field_to_int64 (&record.fields[i], &n);
        cxr_csv_field_equal (&record.fields[i], "Image Index");
      }
  fuzz_discard (error);
  return 0;
}
