/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-bbox: what the BB.csv store's safety costs: opening the NIH file, one journaled edit (appended and
 * fdatasync'd before the edit returns), and one atomic save (temporary file, fsync, backup link, rename, folder
 * fsync), on the file system of FOLDER (default: the temporary folder).
 *
 *   bench-bbox [NIH_DIR] [FOLDER]
 */
#include <glib/gstdio.h>
#include <stdlib.h>

#include "bench-util.h"
#include "cxr-bbox-store-private.h"

#define N_EDITS 400
#define N_SAVES 40
#define N_OPENS 40

static void
report (const char *what, double *us, int n)
{
  bench_sort (us, n);
  printf ("  %-34s median %8.3f ms   p95 %8.3f ms   (%d runs)\n", what, us[n / 2] / 1e3, us[n * 95 / 100] / 1e3, n);
}

static void
time_edits (const char *path, gboolean sync, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  if (!sync)
    cxr_bbox_store_set_hooks (store, &(CxrCrashHooks) { 0, 0, TRUE });
  double us[N_EDITS];
  for (int i = 0; i < N_EDITS; i++)
    {
      guint id = 1 + (guint) (i * 37 % 984);
      CxrBBox box;
      cxr_bbox_store_get (store, id, &box);
      gint64 start = g_get_monotonic_time ();
      if (!cxr_bbox_store_set_rect (store, id, box.x + 0.5, box.y, box.w, box.h, &error))
        g_error ("%s", error->message);
      us[i] = (double) (g_get_monotonic_time () - start);
    }
  report (what, us, N_EDITS);
  cxr_bbox_store_revert (store, NULL);
}

int
main (int argc, char *argv[])
{
  const char *nih = argc > 1 ? argv[1] : g_getenv ("CXR_NIH14_DIR") ? g_getenv ("CXR_NIH14_DIR") : CXR_DEFAULT_NIH14_DIR;
  const char *parent = argc > 2 ? argv[2] : g_get_tmp_dir ();
  g_autofree char *source = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_autofree char *contents = NULL;
  gsize length;
  if (!g_file_get_contents (source, &contents, &length, NULL))
    g_error ("%s is missing (pass the NIH folder as the first argument)", source);
  g_autofree char *tmpl = g_build_filename (parent, "cxrcam-bench-bbox-XXXXXX", NULL);
  if (g_mkdtemp (tmpl) == NULL)
    g_error ("could not make a folder in %s", parent);
  g_autofree char *path = g_build_filename (tmpl, "BB.csv", NULL);
  g_file_set_contents (path, contents, (gssize) length, NULL);

  printf ("bench-bbox: BBox_List_2017.csv (%" G_GSIZE_FORMAT " bytes, 984 rows) in %s\n", length, tmpl);
  double opens[N_OPENS];
  for (int i = 0; i < N_OPENS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, NULL);
      opens[i] = (double) (g_get_monotonic_time () - start);
      if (store == NULL)
        g_error ("%s does not open", path);   /* a failed open would time nothing */
    }
  report ("open (read, hash, parse)", opens, N_OPENS);
  time_edits (path, TRUE, "edit, journaled with fdatasync");
  time_edits (path, FALSE, "edit, journaled without sync");

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  double saves[N_SAVES];
  for (int i = 0; i < N_SAVES; i++)
    {
      if (!cxr_bbox_store_set_rect (store, 1, 10 + i, 20, 30, 40, &error))
        g_error ("%s", error->message);
      gint64 start = g_get_monotonic_time ();
      if (!cxr_bbox_store_save (store, &error))
        g_error ("%s", error->message);
      saves[i] = (double) (g_get_monotonic_time () - start);
    }
  report ("save (atomic, backup, fsyncs)", saves, N_SAVES);

  g_autofree char *backup = g_strconcat (path, "~", NULL);
  g_unlink (backup);
  g_unlink (path);
  g_rmdir (tmpl);
  return 0;
}
