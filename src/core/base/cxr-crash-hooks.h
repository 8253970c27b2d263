/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-crash-hooks.h: crash points for the kill tests (private to libcxrcore and its tests).
 *
 * Every step that makes a file durable (each write, fsync, link, rename, unlink of the atomic writer, the BB.csv
 * store and its journal) calls cxr_crash_hooks_step(). tests/test-bbox-kill.c and tests/test-atomic-file.c run a
 * child that dies by SIGKILL at step N for every N, which proves that no step leaves a damaged file or loses an
 * edit. With no hooks set (the normal case) a step is one compare.
 */
#pragma once

#include <glib.h>
#include <signal.h>
#include <unistd.h>

G_BEGIN_DECLS

typedef struct {
  gint64 crash_at_step;   /* 1-based step at which to SIGKILL ourselves; 0: never */
  gint64 steps_taken;     /* steps passed so far, so a test can learn how many there are */
  gboolean no_sync;       /* skip fsync/fdatasync (SIGKILL keeps the page cache, so it does not change the outcome) */
} CxrCrashHooks;

static inline void
cxr_crash_hooks_step (CxrCrashHooks *hooks)
{
  if (hooks == NULL)
    return;
  hooks->steps_taken++;
  if (hooks->crash_at_step > 0 && hooks->steps_taken == hooks->crash_at_step)
    kill (getpid (), SIGKILL);
}

static inline gboolean
cxr_crash_hooks_sync_enabled (const CxrCrashHooks *hooks)
{
  return hooks == NULL || !hooks->no_sync;
}

G_END_DECLS
