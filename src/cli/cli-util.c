/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli-util.h"


static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

GAsyncResult *
cli_wait_for (CxrEngine *engine, CliStartFunc start, gpointer start_data)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  GAsyncResult *result = NULL;

  g_main_context_push_thread_default (context);
  start (start_data, store_result, &result);
  /* The result comes first; the engine releases the job on this context just after (and the progress
   * data before that). Stopping at the result would leave the job, and so the engine, held for ever. */
  while (result == NULL || cxr_engine_has_jobs (engine))
    g_main_context_iteration (context, TRUE);
  while (g_main_context_pending (context))
    g_main_context_iteration (context, FALSE);
  g_main_context_pop_thread_default (context);
  return result;
}

void
cli_error (const char *command, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "cxrcam-cli %s: %s\n", command, message);
}

gboolean
cli_parse_options (GOptionContext *context, int *argc, char ***argv, const char *command, int *status)
{
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cli_error (command, "%s (try --help)", error->message);
      *status = 2;
      return FALSE;
    }
  *status = 0;
  return TRUE;
}
