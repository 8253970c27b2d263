/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-train: `cxrcam-cli train` as a person runs it: a progress line per step and the epoch
 * table; Ctrl+C (SIGINT) stops after the current step with exit status 130 and a resume point, and
 * `--resume --out DIR` finishes the run; usage errors exit with 2. A tiny network, 48 x 48, on the
 * real NIH images. */
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cxr-test-util.h"

static char *
tiny_model (void)
{
  return cxr_test_fixture_path ("networks/basic_c3_k2.pth");
}

static void
test_usage (void)
{
  CxrCliRun run = { 0 };
  cxr_test_run_cli (&run, (const char *[]) { "train", "--data", "/nonexistent", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--out"));
  cxr_cli_run_clear (&run);

  cxr_test_run_cli (&run, (const char *[]) { "train", "--data", "x", "--out", "y", "--optimizer", "rmsprop", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "rmsprop"));
  cxr_cli_run_clear (&run);

  cxr_test_run_cli (&run, (const char *[]) { "train", "--data", "x", "--out", "y", "--freeze", "layer2", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "layer2"));
  cxr_cli_run_clear (&run);

  cxr_test_run_cli (&run, (const char *[]) { "train", "--resume", NULL });
  g_assert_cmpint (run.status, ==, 2);
  cxr_cli_run_clear (&run);
}

typedef struct {
  GMainLoop *loop;
  GPid pid;
  GString *out;
  gboolean interrupted;
  int status;
} Watch;

static gboolean
on_output (gint fd, GIOCondition condition, gpointer user_data)
{
  Watch *w = user_data;
  char buffer[4096];
  gssize n = read (fd, buffer, sizeof buffer);
  if (n <= 0)
    return G_SOURCE_REMOVE;
  g_string_append_len (w->out, buffer, n);
  /* Interrupt once the second step has been reported, as a person pressing Ctrl+C would. */
  if (!w->interrupted && strstr (w->out->str, "step 2/"))
    {
      kill (w->pid, SIGINT);
      w->interrupted = TRUE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_child_exit (GPid pid, gint wait_status, gpointer user_data)
{
  Watch *w = user_data;
  w->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_spawn_close_pid (pid);
  g_main_loop_quit (w->loop);
}

static void
test_interrupt_and_resume (void)
{
  const char *data = cxr_test_nih14_dir ();
  if (data == NULL)
    return;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autofree char *model = tiny_model ();
  g_autofree char *cli = cxr_test_cli_path ();
  const char *argv[] = { cli, "train", "--data", data, "--model", model, "--out", out, "--size", "48",
                         "--epochs", "2", "--batch", "6", "--max-images", "30", "--val-fraction", "0.25",
                         "--optimizer", "adamw", "--lr", "0.001", "--schedule", "step", "--step-epochs", "1",
                         "--balanced", NULL };
  g_autoptr (GError) error = NULL;
  Watch w = { g_main_loop_new (NULL, FALSE), 0, g_string_new (NULL), FALSE, -1 };
  int out_fd;
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                           &w.pid, NULL, &out_fd, NULL, &error));
  g_unix_fd_add (out_fd, G_IO_IN | G_IO_HUP, on_output, &w);
  g_child_watch_add (w.pid, on_child_exit, &w);
  g_main_loop_run (w.loop);
  /* Drain what is left. */
  while (on_output (out_fd, G_IO_IN, &w) == G_SOURCE_CONTINUE)
    ;
  close (out_fd);
  g_test_message ("interrupted run:\n%s", w.out->str);
  g_assert_true (w.interrupted);
  g_assert_cmpint (w.status, ==, 130);
  g_assert_nonnull (strstr (w.out->str, "saved resume point"));
  g_autofree char *state = g_build_filename (out, "train-state.json", NULL);
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_REGULAR));

  CxrCliRun run = { 0 };
  cxr_test_run_cli (&run, (const char *[]) { "train", "--resume", "--out", out, NULL });
  g_test_message ("resumed run:\n%s%s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);
  /* The table lists both epochs, and the line after it names the best checkpoint. */
  g_assert_nonnull (strstr (run.out, " epoch  train_loss  train_acc  val_loss  val_acc  val_auc"));
  g_assert_nonnull (strstr (run.out, "     2 "));
  g_assert_nonnull (strstr (run.out, "best: epoch"));
  g_autofree char *best = g_build_filename (out, "best.pth", NULL);
  g_assert_true (g_file_test (best, G_FILE_TEST_IS_REGULAR));
  cxr_cli_run_clear (&run);
  g_string_free (w.out, TRUE);
  g_main_loop_unref (w.loop);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-train/usage", test_usage);
  g_test_add_func ("/cli-train/interrupt-and-resume", test_interrupt_and_resume);
  return g_test_run ();
}
