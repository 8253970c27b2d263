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

/* The command as a person would type it: "cxrcam" when that is the program PATH finds, else its full path. */
static char *
command_line (const char *program, const char *data, const char *model)
{
  g_autofree char *on_path = g_find_program_in_path ("cxrcam");
  g_autoptr (GFile) program_file = g_file_new_for_path (program);
  g_autoptr (GFile) path_file = on_path ? g_file_new_for_path (on_path) : NULL;
  g_autofree char *name = shell_word (path_file && g_file_equal (program_file, path_file) ? "cxrcam" : program);
  g_autofree char *quoted_data = shell_word (data);
  g_autofree char *quoted_model = shell_word (model);
  return g_strdup_printf ("%s %s --model %s", name, quoted_data, quoted_model);
}

void
cli_window_open (const char *data, const char *model, const char *log, gboolean open)
{
  g_autofree char *program = cxr_paths_window_program ();
  g_autofree char *data_path = g_canonicalize_filename (data, NULL);
  g_autofree char *model_path = g_canonicalize_filename (model, NULL);
  g_autofree char *command = command_line (program, data_path, model_path);

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
  g_autoptr (GSubprocess) window = g_subprocess_launcher_spawn (launcher, &error, program, data_path, "--model",
                                                                model_path, NULL);
  if (window == NULL)
    {
      fprintf (stderr, "Could not open the review window: %s\nOpen it with:\n  %s\n", error->message, command);
      return;
    }
  fprintf (stderr, "Opened the review window on the phantoms (its messages go to %s):\n  %s\n", log, command);
}
