/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli-window.c: see cli-window.h. */
#include "cli-window.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cxr-paths.h"

static gboolean
have_display (void)
{
  const char *x11 = g_getenv ("DISPLAY"), *wayland = g_getenv ("WAYLAND_DISPLAY");
  return (x11 != NULL && x11[0] != '\0') || (wayland != NULL && wayland[0] != '\0');
}

/* The window's own session: closing the terminal or Ctrl+C there does not close the window. */
static void
detach (gpointer user_data)
{
  setsid ();
}

/* @word as the shell reads it: as it is when it needs no quotes. */
static char *
shell_word (const char *word)
{
  for (const char *p = word; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/._-+,=:@%", *p) == NULL)
      return g_shell_quote (word);
  return g_strdup (word);
}

/* The window's arguments after its program: DATA --model MODEL [--method M] [--layer L] [--threshold T]. */
static GStrv
window_arguments (const char *data, const char *model, const CliWindowCam *cam)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_strv_builder_add_many (builder, data, "--model", model, NULL);
  if (cam != NULL && cam->method != NULL)
    g_strv_builder_add_many (builder, "--method", cam->method, NULL);
  if (cam != NULL && cam->layer != NULL)
    g_strv_builder_add_many (builder, "--layer", cam->layer, NULL);
  if (cam != NULL && cam->threshold != NULL)
    g_strv_builder_add_many (builder, "--threshold", cam->threshold, NULL);
  return g_strv_builder_end (builder);
}

/* The command as a person would type it: "cxrcam" when that is the program PATH finds, else its full path. */
static char *
command_line (const char *program, const char *const *arguments)
{
  g_autofree char *on_path = g_find_program_in_path ("cxrcam");
  g_autoptr (GFile) program_file = g_file_new_for_path (program);
  g_autoptr (GFile) path_file = on_path ? g_file_new_for_path (on_path) : NULL;
  g_autoptr (GString) line = g_string_new (NULL);
  g_autofree char *name = shell_word (path_file && g_file_equal (program_file, path_file) ? "cxrcam" : program);
  g_string_append (line, name);
  for (gsize i = 0; arguments[i] != NULL; i++)
    {
      g_autofree char *word = shell_word (arguments[i]);
      g_string_append_printf (line, " %s", word);
    }
  return g_string_free (g_steal_pointer (&line), FALSE);
}

void
cli_window_open (const char *data, const char *model, const CliWindowCam *cam, const char *log, gboolean open)
{
  g_autofree char *program = cxr_paths_window_program ();
  g_autofree char *data_path = g_canonicalize_filename (data, NULL);
  g_autofree char *model_path = g_canonicalize_filename (model, NULL);
  g_auto (GStrv) arguments = window_arguments (data_path, model_path, cam);
  g_autofree char *command = command_line (program, (const char *const *) arguments);

  if (!open || !have_display () || !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    {
      if (!g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
        fprintf (stderr, "The review window was not built or installed (%s).\n", program);
      fprintf (stderr, "Open the phantoms in the review window:\n  %s\n", command);
      return;
    }

  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, detach, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  g_strv_builder_add (argv, program);
  g_strv_builder_addv (argv, (const char **) arguments);
  g_auto (GStrv) window_argv = g_strv_builder_end (argv);
  g_autoptr (GSubprocess) window = g_subprocess_launcher_spawnv (launcher, (const char *const *) window_argv,
                                                                 &error);
  if (window == NULL)
    {
      fprintf (stderr, "Could not open the review window: %s\nOpen it with:\n  %s\n", error->message, command);
      return;
    }
  fprintf (stderr, "Opened the review window on the phantoms (its messages go to %s):\n  %s\n", log, command);
}
