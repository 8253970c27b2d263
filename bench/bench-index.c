/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-index: how long cxrcam takes to index the full NIH label table, and how much memory it needs.
 *
 *   bench-index [NIH_DIR] [RUNS]
 *
 * A temporary folder gets links to Data_Entry_2017_v2020.csv (112,120 rows) and BBox_List_2017.csv and no image
 * folders, as the issue asks; each run opens it with cxr_dataset_open in a fresh child process, so that the
 * peak RSS is that run's alone. The file is read once beforehand, so the figures are for a warm page cache
 * (parsing, not the disk). Reported: the median time, the peak RSS of the process, how much the RSS grew during
 * the open, and the heap bytes the dataset holds afterwards (mallinfo2).
 */
#include <glib/gstdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-util.h"
#include "cxr-dataset.h"

typedef struct {
  double seconds;
  double peak_rss_mb;      /* the whole process */
  double rss_growth_mb;    /* during the open */
  double heap_mb;          /* held by the open dataset */
  guint entries;
} Sample;

static double
heap_mb (void)
{
  struct mallinfo2 info = mallinfo2 ();
  return (double) (info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
}

static Sample
measure (const char *folder)
{
  Sample s = { 0 };
  double rss_before = bench_peak_rss_mb (), heap_before = heap_mb ();
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (folder, 0, &error);
  s.seconds = (g_get_monotonic_time () - start) / 1e6;
  if (dataset == NULL)
    g_error ("%s", error->message);
  s.peak_rss_mb = bench_peak_rss_mb ();
  s.rss_growth_mb = s.peak_rss_mb - rss_before;
  s.heap_mb = heap_mb () - heap_before;
  s.entries = cxr_dataset_get_n_entries (dataset);
  return s;
}

/* One run in a child process; the sample comes back through a pipe. */
static Sample
measure_in_child (const char *folder)
{
  int fds[2];
  if (pipe (fds) != 0)
    g_error ("pipe failed");
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (fds[0]);
      Sample s = measure (folder);
      if (write (fds[1], &s, sizeof s) != sizeof s)
        _exit (1);
      _exit (0);
    }
  close (fds[1]);
  Sample s = { 0 };
  if (read (fds[0], &s, sizeof s) != sizeof s)
    g_error ("the child run failed");
  close (fds[0]);
  waitpid (pid, NULL, 0);
  return s;
}

int
main (int argc, char *argv[])
{
  const char *nih = argc > 1 ? argv[1] : g_getenv ("CXR_NIH14_DIR") ? g_getenv ("CXR_NIH14_DIR") : CXR_DEFAULT_NIH14_DIR;
  int runs = argc > 2 ? atoi (argv[2]) : 9;
  if (runs < 1)
    runs = 1;

  g_autoptr (GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("cxrcam-bench-index-XXXXXX", &error);
  if (folder == NULL)
    g_error ("%s", error->message);
  const char *names[] = { "Data_Entry_2017_v2020.csv", "BBox_List_2017.csv" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *source = g_build_filename (nih, names[i], NULL);
      g_autofree char *link = g_build_filename (folder, names[i], NULL);
      if (!g_file_test (source, G_FILE_TEST_IS_REGULAR))
        g_error ("%s is missing (pass the NIH folder as the first argument)", source);
      if (symlink (source, link) != 0)
        g_error ("could not link %s", link);
      g_autofree char *warm = NULL;
      g_file_get_contents (source, &warm, NULL, NULL);   /* into the page cache */
    }

  double *seconds = g_new (double, runs), *peak = g_new (double, runs), *growth = g_new (double, runs);
  double *heap = g_new (double, runs);
  guint entries = 0;
  for (int r = 0; r < runs; r++)
    {
      Sample s = measure_in_child (folder);
      seconds[r] = s.seconds;
      peak[r] = s.peak_rss_mb;
      growth[r] = s.rss_growth_mb;
      heap[r] = s.heap_mb;
      entries = s.entries;
    }
  printf ("bench-index: %s (no image folders), %u entries, median of %d runs in fresh processes\n", folder, entries,
          runs);
  printf ("  index time        %8.1f ms   (limit 300 ms)\n", bench_median (seconds, runs) * 1e3);
  printf ("  peak RSS          %8.1f MB   (whole process; limit 50 MB)\n", bench_median (peak, runs));
  printf ("  RSS growth        %8.1f MB   (during the open)\n", bench_median (growth, runs));
  printf ("  heap held         %8.1f MB   (by the open dataset, mallinfo2)\n", bench_median (heap, runs));

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *link = g_build_filename (folder, names[i], NULL);
      g_unlink (link);
    }
  g_rmdir (folder);
  g_free (seconds);
  g_free (peak);
  g_free (growth);
  g_free (heap);
  return 0;
}
