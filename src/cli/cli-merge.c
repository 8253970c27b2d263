/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli merge: the output folders of `cam --shard K/N` joined into one, as one unsharded run would have
 * written it: every picture, bb_results.csv with the shards' rows in shard order (the same bytes), and the same
 * summary. */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli-cam-runs.h"
#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-atomic-file.h"
#include "cxr-cam-csv.h"
#include "cxr-error.h"

typedef struct {
  char *folder;
  guint index, count, failed;
  char *label, *box_mode;
  double threshold;
} Shard;

static void
shard_free (Shard *shard)
{
  g_free (shard->folder);
  g_free (shard->label);
  g_free (shard->box_mode);
  g_free (shard);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shard, shard_free)

static Shard *
shard_read (const char *folder, GError **error)
{
  g_autofree char *path = g_build_filename (folder, CLI_CAM_SHARD_NOTE, NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                   "%s is not the folder of a finished `cam --shard K/N` run (%s: %s)", folder, path, local->message);
      return NULL;
    }
  g_autoptr (Shard) shard = g_new0 (Shard, 1);
  shard->folder = g_strdup (folder);
  gint64 index = g_key_file_get_int64 (file, "shard", "index", &local);
  gint64 count = local ? 0 : g_key_file_get_int64 (file, "shard", "count", &local);
  gint64 failed = local ? 0 : g_key_file_get_int64 (file, "shard", "failed", &local);
  shard->label = local ? NULL : g_key_file_get_string (file, "shard", "label", &local);
  shard->box_mode = local ? NULL : g_key_file_get_string (file, "shard", "box-mode", &local);
  g_autofree char *threshold = local ? NULL : g_key_file_get_string (file, "shard", "threshold", &local);
  if (local != NULL || index < 1 || count < index || failed < 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_FORMAT, "%s: not a shard note: %s", path,
                   local ? local->message : "bad index, count or failed");
      return NULL;
    }
  shard->index = (guint) index;
  shard->count = (guint) count;
  shard->failed = (guint) failed;
  shard->threshold = g_ascii_strtod (threshold, NULL);
  return g_steal_pointer (&shard);
}

static int
compare_shards (gconstpointer a, gconstpointer b)
{
  const Shard *x = *(Shard *const *) a, *y = *(Shard *const *) b;
  return (x->index > y->index) - (x->index < y->index);
}

/* @name from @from into @to: a hard link where the file system allows, else a copy; atomically either way. */
static gboolean
bring_file (const char *from, const char *to, const char *name, GError **error)
{
  g_autofree char *source = g_build_filename (from, name, NULL);
  g_autofree char *target = g_build_filename (to, name, NULL);
  GStatBuf a, b;
  if (g_stat (source, &a) == 0 && g_stat (target, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return TRUE;
  g_autofree char *staging = g_strdup_printf ("%s.cxrmerge-%d", target, (int) getpid ());
  g_unlink (staging);
  if (link (source, staging) == 0)
    {
      if (g_rename (staging, target) == 0)
        return TRUE;
      int saved = errno;
      g_unlink (staging);
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot write %s: %s", target, g_strerror (saved));
      return FALSE;
    }
  g_autofree char *contents = NULL;
  gsize length = 0;
  return g_file_get_contents (source, &contents, &length, error)
         && cxr_atomic_file_set_contents (target, contents, length, error);
}

static gboolean
bring_files (const Shard *shard, const char *out, GError **error)
{
  g_autoptr (GDir) dir = g_dir_open (shard->folder, 0, error);
  if (dir == NULL)
    return FALSE;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      /* The shard's own bookkeeping and unfinished writes stay behind. */
      if (name[0] == '.' || strcmp (name, "bb_results.csv") == 0 || strcmp (name, CLI_CAM_SHARD_NOTE) == 0)
        continue;
      g_autofree char *path = g_build_filename (shard->folder, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (!bring_file (shard->folder, out, name, error))
        return FALSE;
    }
  return TRUE;
}

static int
run_merge (const char *out, char **folders)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) shards = g_ptr_array_new_with_free_func ((GDestroyNotify) shard_free);
  for (guint i = 0; folders[i] != NULL; i++)
    {
      Shard *shard = shard_read (folders[i], &error);
      if (shard == NULL)
        {
          cli_error ("merge", "%s", error->message);
          return 1;
        }
      g_ptr_array_add (shards, shard);
    }
  g_ptr_array_sort (shards, compare_shards);
  const Shard *first = g_ptr_array_index (shards, 0);
  for (guint i = 0; i < shards->len; i++)
    {
      const Shard *shard = g_ptr_array_index (shards, i);
      if (shard->count != first->count || shard->index != i + 1 || strcmp (shard->label, first->label) != 0
          || strcmp (shard->box_mode, first->box_mode) != 0 || shard->threshold != first->threshold)
        break;
      if (i + 1 == shards->len && shards->len == first->count)
        goto complete;
    }
  {
    g_autoptr (GString) have = g_string_new (NULL);
    for (guint i = 0; i < shards->len; i++)
      {
        const Shard *shard = g_ptr_array_index (shards, i);
        g_string_append_printf (have, "%s%s: %u/%u (%s, threshold %g, %s)", i ? "; " : "", shard->folder,
                                shard->index, shard->count, shard->label, shard->threshold, shard->box_mode);
      }
    cli_error ("merge", "needs shards 1/N … N/N of one run, each once, with the same class, threshold and box "
               "mode; got %s", have->str);
    return 2;
  }

complete:
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      cli_error ("merge", "cannot create %s: %s", out, g_strerror (errno));
      return 1;
    }
  cxr_atomic_file_sweep (out);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cxr_cam_result_row_free);
  g_autoptr (GString) csv = g_string_new (CXR_CAM_RESULTS_CSV_HEADER);
  guint n_failed = 0;
  for (guint i = 0; i < shards->len; i++)
    {
      const Shard *shard = g_ptr_array_index (shards, i);
      g_autofree char *path = g_build_filename (shard->folder, "bb_results.csv", NULL);
      g_autoptr (GPtrArray) part = cxr_cam_results_load (path, &error);
      if (part == NULL || !bring_files (shard, out, &error))
        {
          cli_error ("merge", "%s", error->message);
          return 1;
        }
      for (guint k = 0; k < part->len; k++)
        {
          CxrCamResultRow *row = g_ptr_array_index (part, k);
          g_string_append (csv, row->line);
        }
      g_ptr_array_extend_and_steal (rows, g_steal_pointer (&part));
      n_failed += shard->failed;
    }
  g_autofree char *target = g_build_filename (out, "bb_results.csv", NULL);
  if (!cxr_atomic_file_set_contents (target, csv->str, csv->len, &error))
    {
      cli_error ("merge", "%s", error->message);
      return 1;
    }
  fprintf (stderr, "merged %u shards, %u rows into %s\n", shards->len, rows->len, out);
  cli_cam_print_summary (rows, first->label, first->threshold, first->box_mode, n_failed);
  return n_failed ? 1 : 0;
}

int
cli_merge (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("OUT SHARD_DIR… — join the folders of cam --shard K/N");
  g_option_context_set_description (context,
    "Every shard folder of one run (1/N … N/N, in any order): their pictures go into OUT (hard links where\n"
    "possible), their bb_results.csv rows into OUT/bb_results.csv in shard order, the same bytes an unsharded\n"
    "run writes; the summary is the one that run prints. See docs/scale.md for cluster recipes.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "merge", &status))
    return status;
  if (argc < 3)
    {
      cli_error ("merge", "needs OUT and at least one SHARD_DIR (try --help)");
      return 2;
    }
  return run_merge (argv[1], argv + 2);
}
