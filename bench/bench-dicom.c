/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-dicom: what decoding a DICOM file costs, through the decoder process (cxr_dicom_read_from_bytes, what
 * cxrcam does) and with GDCM in this process (cxr_dicom_decode_in_process, what it did before), on the same bytes
 * in memory; then the network's gray plane. bench/run-dicom runs it beside pydicom and GDCM's own tools.
 *
 *   bench-dicom [--runs N] FILE...
 *
 * One line per file: median ms of N runs (after one warm-up) of each way, and of cxr_dicom_to_unit_gray. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "cxr-dicom-decoder.h"

typedef gboolean (*Decode) (const guint8 *, gsize, const char *, CxrDicomImage **, GError **);

static double
median_ms (Decode decode, const guint8 *data, gsize length, const char *name, int runs, gboolean gray)
{
  double *times = g_new (double, runs);
  for (int r = -1; r < runs; r++)
    {
      g_autoptr (CxrDicomImage) image = NULL;
      g_autoptr (GError) error = NULL;
      double start = bench_now_ms ();
      if (!decode (data, length, name, &image, &error))
        {
          fprintf (stderr, "bench-dicom: %s\n", error->message);
          exit (1);
        }
      double decoded = bench_now_ms ();
      if (gray)
        {
          float *plane = cxr_dicom_to_unit_gray (image);
          g_free (plane);
        }
      if (r >= 0)
        times[r] = gray ? bench_now_ms () - decoded : decoded - start;
    }
  double m = bench_median (times, runs);
  g_free (times);
  return m;
}

int
main (int argc, char **argv)
{
  int runs = 5, first = 1;
  if (argc > 2 && strcmp (argv[1], "--runs") == 0)
    {
      runs = atoi (argv[2]);
      first = 3;
    }
  if (first >= argc || runs < 1)
    {
      fprintf (stderr, "usage: bench-dicom [--runs N] FILE...\n");
      return 2;
    }
  printf ("%-40s %12s %12s %10s %10s\n", "file", "process ms", "in-proc ms", "extra ms", "gray ms");
  for (int i = first; i < argc; i++)
    {
      g_autofree char *data = NULL;
      gsize length = 0;
      g_autoptr (GError) error = NULL;
      if (!g_file_get_contents (argv[i], &data, &length, &error))
        {
          fprintf (stderr, "bench-dicom: %s\n", error->message);
          return 1;
        }
      const guint8 *bytes = (const guint8 *) data;
      double process = median_ms (cxr_dicom_read_from_bytes, bytes, length, argv[i], runs, FALSE);
      double in_process = median_ms (cxr_dicom_decode_in_process, bytes, length, argv[i], runs, FALSE);
      double gray = median_ms (cxr_dicom_decode_in_process, bytes, length, argv[i], runs, TRUE);
      g_autofree char *base = g_path_get_basename (argv[i]);
      printf ("%-40s %12.1f %12.1f %10.1f %10.1f\n", base, process, in_process, process - in_process, gray);
    }
  return 0;
}
