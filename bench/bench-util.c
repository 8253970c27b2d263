/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double
bench_now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

double
bench_cpu_seconds (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double
bench_peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  const char *line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

void
bench_sort (double *values, gsize n)
{
  qsort (values, n, sizeof *values, compare_doubles);
}

double
bench_median (double *values, gsize n)
{
  g_return_val_if_fail (n > 0, 0.0);
  bench_sort (values, n);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
