/* cxr-bbox-hooks.h: crash points for the kill test (private to libcxrcore and its tests).
 *
 * The store and the journal call cxr_bbox_hooks_step() between the system calls that make an edit or a save
 * durable (every write, fsync, link, rename, unlink). tests/test-bbox-kill.c runs a child that dies by SIGKILL
 * at step N for every N, which proves that no step leaves a damaged file or loses an edit. With no hooks set
 * (the normal case) a step is one compare.
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
} CxrBBoxHooks;

static inline void
cxr_bbox_hooks_step (CxrBBoxHooks *hooks)
{
  if (hooks == NULL)
    return;
  hooks->steps_taken++;
  if (hooks->crash_at_step > 0 && hooks->steps_taken == hooks->crash_at_step)
    kill (getpid (), SIGKILL);
}

static inline gboolean
cxr_bbox_hooks_sync_enabled (const CxrBBoxHooks *hooks)
{
  return hooks == NULL || !hooks->no_sync;
}

G_END_DECLS
