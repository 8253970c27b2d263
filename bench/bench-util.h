/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-util.h: the clock, the statistics and the memory readings every benchmark uses. */
#pragma once

#include <glib.h>

/* A monotonic clock, in milliseconds. */
double bench_now_ms (void);
/* CPU time of the whole process (all threads, user and system), in seconds. */
double bench_cpu_seconds (void);
/* Peak resident set of this process (VmHWM), in MB; -1 where the kernel does not say. */
double bench_peak_rss_mb (void);
/* Sorts @values ascending, in place. */
void   bench_sort (double *values, gsize n);
/* Sorts @values and returns their median (the mean of the middle two for an even count). */
double bench_median (double *values, gsize n);
