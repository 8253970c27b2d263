/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-results.c: bb_results.csv read back, row bytes kept. */
#include "cxr-cam-results.h"

#include <math.h>
#include <string.h>

#include "cxr-cam-csv.h"
#include "cxr-csv.h"
#include "cxr-error.h"

#define N_COLUMNS 14
enum { COL_IMAGE, COL_LABEL, COL_PROBABILITY, COL_THRESHOLD, COL_IOU = 12, COL_IOBB = 13 };

void
cxr_cam_result_row_free (CxrCamResultRow *row)
{
  if (row == NULL)
    return;
  g_free (row->image);
  g_free (row->label);
  g_free (row->line);
  g_free (row);
}

static char *
field_dup (const CxrCsvField *field)
{
  return g_strndup (field->text, field->length);
}

GPtrArray *
cxr_cam_results_parse (const char *text, gsize length, const char *filename, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cxr_cam_result_row_free);
  gsize header_length = strlen (CXR_CAM_RESULTS_CSV_HEADER);
  if (length == 0)
    return g_steal_pointer (&rows);
  /* The window's export has a last "ctr" column: read, and left out of the kept lines, so that a resumed run
   * writes the file the command line always writes. */
  gboolean ctr_column = length >= strlen (CXR_CAM_RESULTS_CSV_HEADER_CTR)
                        && memcmp (text, CXR_CAM_RESULTS_CSV_HEADER_CTR, strlen (CXR_CAM_RESULTS_CSV_HEADER_CTR)) == 0;
  if (ctr_column)
    header_length = strlen (CXR_CAM_RESULTS_CSV_HEADER_CTR);
  else if (length < header_length || memcmp (text, CXR_CAM_RESULTS_CSV_HEADER, header_length) != 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a bb_results.csv (its first line is not \"%.*s\")",
                   filename, (int) header_length - 1, CXR_CAM_RESULTS_CSV_HEADER);
      return NULL;
    }
  g_autoptr (CxrCsvReader) reader = cxr_csv_reader_new (filename, text + header_length, length - header_length);
  CxrCsvRecord record;
  g_autoptr (GError) local = NULL;
  while (cxr_csv_reader_next (reader, &record, &local))
    {
      /* Complete: the record ends in a line break. */
      if (record.next == record.end || record.n_fields != N_COLUMNS + (ctr_column ? 1 : 0))
        continue;
      const CxrCsvField *f = record.fields;
      double threshold, iou = NAN, iobb = NAN;
      if (!cxr_csv_field_to_double (&f[COL_THRESHOLD], &threshold))
        continue;
      gboolean scored = f[COL_IOU].length > 0;
      if (scored && (!cxr_csv_field_to_double (&f[COL_IOU], &iou) || !cxr_csv_field_to_double (&f[COL_IOBB], &iobb)))
        continue;
      CxrCamResultRow *row = g_new0 (CxrCamResultRow, 1);
      row->image = field_dup (&f[COL_IMAGE]);
      row->label = field_dup (&f[COL_LABEL]);
      if (ctr_column)
        row->line = g_strdup_printf ("%.*s\n", (int) (f[COL_IOBB].offset + f[COL_IOBB].raw_length - record.start),
                                     text + header_length + record.start);
      else
        row->line = g_strndup (text + header_length + record.start, record.next - record.start);
      row->threshold = (float) threshold;
      row->scored = scored;
      row->iou = iou;
      row->iobb = iobb;
      g_ptr_array_add (rows, row);
    }
  /* A row cut short by a kill can leave an open quote: what came before it still counts. */
  return g_steal_pointer (&rows);
}

GPtrArray *
cxr_cam_results_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, &length, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_ptr_array_new_with_free_func ((GDestroyNotify) cxr_cam_result_row_free);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return cxr_cam_results_parse (text, length, path, error);
}

void
cxr_cam_results_summarise (GPtrArray *rows, CxrCamSummary *summary)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const CxrCamResultRow *row = g_ptr_array_index (rows, i);
      CxrBoxScore score = { 0 };
      score.predicted_index = -1;
      score.truth_index = row->scored ? 0 : -1;
      score.n_truth = row->scored ? 1 : 0;
      score.iou = row->iou;
      score.iobb = row->iobb;
      cxr_cam_summary_add (summary, &score, (int) i);
    }
}
