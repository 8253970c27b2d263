/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-parallel.h: a small fork-join team of threads for the kernels.
 *
 * A forward pass is a few hundred short parallel regions (one or two per
 * convolution, each 20 us to 2 ms). Waking a sleeping thread costs tens of
 * microseconds, so the helpers spin briefly between regions before they sleep.
 * The calling thread is member 0 of the team and does its share of every job.
 *
 * A team belongs to one owner (a network) and is used from one thread at a time.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CxrParallel CxrParallel;

/* Runs once on each member: @thread in [0, n_threads). */
typedef void (*CxrParallelFunc) (int thread, int n_threads, gpointer data);

/* @n_threads counts the caller; 0 means $CXR_NUM_THREADS if set, else one per physical core
 * (cxr_cpu_cores ()). */
CxrParallel *cxr_parallel_new       (int n_threads);
void         cxr_parallel_free      (CxrParallel *parallel);

/* 1 for a NULL team. */
int          cxr_parallel_n_threads (const CxrParallel *parallel);

/* Calls func (t, n, data) on every member and returns when all have returned.
 * A NULL team runs func (0, 1, data) in the caller. */
void         cxr_parallel_run       (CxrParallel *parallel, CxrParallelFunc func, gpointer data);

/* The share [*begin, *end) of thread @thread in a range of @count items cut
 * into chunks of @grain items (the last chunk may be short). */
void         cxr_parallel_split     (gsize count, gsize grain, int thread, int n_threads,
                                     gsize *begin, gsize *end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrParallel, cxr_parallel_free)

G_END_DECLS
