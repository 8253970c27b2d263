/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-cam-runs.c: shards, resuming and the summary from rows (see cli-cam-runs.h). */
#include "cli-cam-runs.h"

#include <stdio.h>

#include "cxr-cam-score.h"

gboolean
cli_shard_parse (const char *text, CliShard *shard, GError **error)
{
  guint64 k = 0, n = 0;
  g_auto (GStrv) parts = g_strsplit (text, "/", -1);
  if (g_strv_length (parts) != 2 || !g_ascii_string_to_unsigned (parts[0], 10, 1, G_MAXUINT, &k, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &n, NULL) || k > n)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--shard takes K/N with 1 <= K <= N (1/4 is the first of four shards), not '%s'", text);
      return FALSE;
    }
  shard->index = (guint) k;
  shard->count = (guint) n;
  return TRUE;
}

GStrv
cli_shard_select (const CliShard *shard, char **paths)
{
  guint64 n = g_strv_length (paths);
  guint64 begin = n * (shard->index - 1) / shard->count, end = n * shard->index / shard->count;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  for (guint64 i = begin; i < end; i++)
    g_strv_builder_add (builder, paths[i]);
  return g_strv_builder_end (builder);
}

GHashTable *
cli_cam_runs_resumable (const char *folder, const char *settings, gboolean *other_settings, GError **error)
{
  *other_settings = FALSE;
  g_autofree char *note_path = g_build_filename (folder, CLI_CAM_RUN_NOTE, NULL);
  g_autofree char *note = NULL;
  if (!g_file_get_contents (note_path, &note, NULL, NULL))
    return NULL;
  if (g_strcmp0 (note, settings) != 0)
    {
      *other_settings = TRUE;
      return NULL;
    }
  g_autofree char *csv = g_build_filename (folder, "bb_results.csv", NULL);
  g_autoptr (GPtrArray) rows = cxr_cam_results_load (csv, error);
  if (rows == NULL)
    return NULL;
  GHashTable *done = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) cxr_cam_result_row_free);
  /* The first row of an image wins, as the run wrote it; rows own their keys. */
  for (guint i = 0; i < rows->len; i++)
    {
      CxrCamResultRow *row = g_ptr_array_index (rows, i);
      if (!g_hash_table_contains (done, row->image))
        g_hash_table_insert (done, row->image, g_ptr_array_steal_index (rows, i--));
    }
  return done;
}

/* One measure's two rows: its thresholds, then the fraction of images above each. */
static void
print_accuracy_rows (const char *measure, const double *thresholds, guint n_thresholds,
                     double (*accuracy) (const CxrCamSummary *summary, guint threshold_index),
                     const CxrCamSummary *summary)
{
  printf ("  %-4s >", measure);
  for (guint t = 0; t < n_thresholds; t++)
    printf (" %6.2f", thresholds[t]);
  printf ("\n        ");
  for (guint t = 0; t < n_thresholds; t++)
    printf (" %6.3f", accuracy (summary, t));
  printf ("\n");
}

void
cli_cam_print_summary (GPtrArray *rows, const char *label, double threshold, const char *box_mode, guint n_failed)
{
  CxrCamSummary summary;
  cxr_cam_summary_init (&summary);
  cxr_cam_results_summarise (rows, &summary);
  const CxrCamSummary *s = &summary;
  printf ("images: %u explained, %u with %s ground truth, %u failed\n", s->n_images, s->n_scored, label, n_failed);
  if (s->n_scored == 0)
    return;
  printf ("threshold: %.2f, boxes: %s\n", threshold, box_mode);
  printf ("mean IoU: %.4f\n", cxr_cam_summary_mean_iou (s));
  const CxrCamResultRow *best = g_ptr_array_index (rows, s->best_index);
  printf ("best image: %s (IoU %.4f)\n", best->image, s->best_iou);
  printf ("localisation accuracy (Wang et al. 2017), fraction of images:\n");
  print_accuracy_rows ("IoU", cxr_cam_iou_thresholds, CXR_CAM_N_IOU_THRESHOLDS, cxr_cam_summary_iou_accuracy, s);
  print_accuracy_rows ("IoBB", cxr_cam_iobb_thresholds, CXR_CAM_N_IOBB_THRESHOLDS, cxr_cam_summary_iobb_accuracy, s);
}
