/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-parallel.h"

#include "cxr-cpu.h"

/* How long an idle helper spins before it sleeps: longer than the gap between
 * two convolutions, far shorter than anything a person could notice. */
#define SPIN_MICROSECONDS 200

struct _CxrParallel {
  int n_threads;
  GThread **helpers;            /* n_threads - 1 */

  /* The current job, published by bumping generation. */
  CxrParallelFunc func;
  gpointer data;
  gint generation;              /* atomic */
  gint pending;                 /* atomic: helpers still inside func */

  GMutex mutex;                 /* guards sleeping and quit with wake */
  GCond wake;
  int sleeping;
  gboolean quit;
};

typedef struct {
  CxrParallel *team;
  int index;
} Helper;

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

/* Spins until the generation moves past @seen or the spin budget runs out. Every few
 * microseconds it yields, in case the thread it waits for shares its CPU (a busy machine). */
static gboolean
spin_for_job (CxrParallel *team, gint seen)
{
  gint64 deadline = 0;
  for (guint i = 1;; i++)
    {
      if (g_atomic_int_get (&team->generation) != seen)
        return TRUE;
      cpu_relax ();
      if ((i & 255) == 0)
        {
          gint64 now = g_get_monotonic_time ();
          if (deadline == 0)
            deadline = now + SPIN_MICROSECONDS;
          else if (now > deadline)
            return FALSE;
          g_thread_yield ();
        }
    }
}

static gpointer
helper_main (gpointer data)
{
  g_autofree Helper *self = data;
  CxrParallel *team = self->team;
  gint seen = 0;  /* the generation at creation, not now: a job may already be waiting */

  for (;;)
    {
      if (!spin_for_job (team, seen))
        {
          g_mutex_lock (&team->mutex);
          team->sleeping++;
          while (g_atomic_int_get (&team->generation) == seen && !team->quit)
            g_cond_wait (&team->wake, &team->mutex);
          team->sleeping--;
          g_mutex_unlock (&team->mutex);
        }
      if (g_atomic_int_get (&team->generation) == seen)
        break;  /* woken to quit */
      seen = g_atomic_int_get (&team->generation);
      team->func (self->index, team->n_threads, team->data);
      g_atomic_int_dec_and_test (&team->pending);
    }
  return NULL;
}

CxrParallel *
cxr_parallel_new (int n_threads)
{
  if (n_threads <= 0)
    {
      const char *env = g_getenv ("CXR_NUM_THREADS");
      n_threads = env ? (int) g_ascii_strtoll (env, NULL, 10) : 0;
    }
  if (n_threads <= 0)
    n_threads = cxr_cpu_cores ();
  CxrParallel *team = g_new0 (CxrParallel, 1);
  team->n_threads = MAX (n_threads, 1);
  g_mutex_init (&team->mutex);
  g_cond_init (&team->wake);
  team->helpers = g_new0 (GThread *, team->n_threads);
  for (int i = 1; i < team->n_threads; i++)
    {
      Helper *helper = g_new (Helper, 1);
      *helper = (Helper) { team, i };
      team->helpers[i - 1] = g_thread_new ("cxr-kernels", helper_main, helper);
    }
  return team;
}

void
cxr_parallel_free (CxrParallel *team)
{
  if (team == NULL)
    return;
  g_mutex_lock (&team->mutex);
  team->quit = TRUE;
  g_cond_broadcast (&team->wake);
  g_mutex_unlock (&team->mutex);
  for (int i = 0; i < team->n_threads - 1; i++)
    g_thread_join (team->helpers[i]);
  g_free (team->helpers);
  g_mutex_clear (&team->mutex);
  g_cond_clear (&team->wake);
  g_free (team);
}

int
cxr_parallel_n_threads (const CxrParallel *team)
{
  return team ? team->n_threads : 1;
}

void
cxr_parallel_run (CxrParallel *team, CxrParallelFunc func, gpointer data)
{
  if (team == NULL || team->n_threads == 1)
    {
      func (0, 1, data);
      return;
    }

  team->func = func;
  team->data = data;
  g_atomic_int_set (&team->pending, team->n_threads - 1);
  g_mutex_lock (&team->mutex);
  g_atomic_int_inc (&team->generation);
  if (team->sleeping > 0)
    g_cond_broadcast (&team->wake);
  g_mutex_unlock (&team->mutex);

  func (0, team->n_threads, data);

  /* The helpers usually finish within microseconds of the caller; after ~5 us, yield
   * often, in case one of them waits for this very CPU (a busy machine). */
  for (guint i = 1; g_atomic_int_get (&team->pending) > 0; i++)
    {
      cpu_relax ();
      if (i > 256 && (i & 15) == 0)
        g_thread_yield ();
    }
}

void
cxr_parallel_split (gsize count, gsize grain, int thread, int n_threads, gsize *begin, gsize *end)
{
  gsize chunks = (count + grain - 1) / grain;
  gsize first = chunks * thread / n_threads;
  gsize last = chunks * (thread + 1) / n_threads;
  *begin = MIN (first * grain, count);
  *end = MIN (last * grain, count);
}
