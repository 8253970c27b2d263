/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-train-kill: a kill storm through `cxrcam-cli train`. The run is killed by SIGKILL at random moments across
 * its three epochs and started again each time (with --resume once train-state.json exists) until it finishes;
 * every such run must end exactly where an uninterrupted one ends: the same history (every column but the
 * timings), the same steps (losses and learning rates), byte-identical epoch-NNN.pth and best.pth, and no
 * temporary file or stale resume point left in the folder.
 *
 * The suite kills CXR_KILL_STORM_KILLS times (default 6; a run that began is always taken to its end); by hand, for the long storm:
 *   CXR_KILL_STORM_KILLS=120 build/tests/test-train-kill
 * prints where each kill landed and the figures. A tiny network, 48 x 48, on 30 real NIH images.
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cxr-test-util.h"

#define EPOCHS 3

static GPtrArray *
train_argv (const char *cli, const char *data, const char *model, const char *out, gboolean resume)
{
  GPtrArray *argv = g_ptr_array_new ();
  const char *fresh[] = { cli, "train", "--data", data, "--model", model, "--out", out, "--size", "48", "--epochs", "3",
                          "--batch", "6", "--max-images", "30", "--val-fraction", "0.25", "--optimizer", "adamw",
                          "--lr", "0.001", "--schedule", "cosine", "--quiet", NULL };
  const char *again[] = { cli, "train", "--resume", "--out", out, "--quiet", NULL };
  for (const char *const *a = resume ? again : fresh; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* Starts the run (fresh, or resumed when the folder holds one) and kills it after @delay_us unless it ends first.
 * Returns TRUE when it ended by itself (it must then have succeeded). */
static gboolean
run_or_kill (const char *cli, const char *data, const char *model, const char *out, gint64 delay_us)
{
  g_autofree char *state = g_build_filename (out, "train-state.json", NULL);
  g_autoptr (GPtrArray) argv = train_argv (cli, data, model, out, g_file_test (state, G_FILE_TEST_EXISTS));
  g_autoptr (GError) error = NULL;
  GPid pid;
  int err_fd;
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                                           NULL, NULL, &err_fd, &error));
  g_assert_no_error (error);
  gint64 deadline = g_get_monotonic_time () + delay_us;
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid (pid, &status, WNOHANG)) == 0 && g_get_monotonic_time () < deadline)
    g_usleep (2000);
  gboolean ended = done == pid;
  if (!ended)
    {
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
    }
  g_autoptr (GString) err = g_string_new (NULL);
  char buffer[4096];
  gssize n;
  while ((n = read (err_fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (err, buffer, n);
  close (err_fd);
  g_spawn_close_pid (pid);
  if (ended && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    g_error ("the run failed (status %d): %s", status, err->str);
  if (!ended && !(WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL))
    g_error ("the run ended before its kill (status %d): %s", status, err->str);
  return ended;
}

/* Where the run stood when it was killed: "epoch N" (N = the epoch in progress) or "before the first resume
 * point". */
static char *
where_killed (const char *out)
{
  g_autofree char *path = g_build_filename (out, "train-state.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, NULL))
    return g_strdup ("before the first resume point");
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  gint64 done = json_object_get_int_member (o, "epochs_done");
  return done >= EPOCHS ? g_strdup ("after the last resume point") : g_strdup_printf ("epoch %" G_GINT64_FORMAT, done + 1);
}

/* The file with the columns that are timings dropped (their names given); every other byte must match. */
static char *
without_columns (const char *path, const char *const *dropped)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  GString *s = g_string_new (NULL);
  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[l], ",", -1);
      for (guint f = 0; fields[f] != NULL; f++)
        if (header[f] == NULL || !g_strv_contains (dropped, header[f]))
          g_string_append_printf (s, "%s,", fields[f]);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static void
assert_same_file (const char *a_dir, const char *b_dir, const char *name)
{
  g_autofree char *a_path = g_build_filename (a_dir, name, NULL);
  g_autofree char *b_path = g_build_filename (b_dir, name, NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize a_length, b_length;
  g_assert_true (g_file_get_contents (a_path, &a, &a_length, NULL));
  g_assert_true (g_file_get_contents (b_path, &b, &b_length, NULL));
  if (a_length != b_length || memcmp (a, b, a_length) != 0)
    g_error ("%s differs from the uninterrupted run's", b_path);
}

static void
assert_same_as_reference (const char *reference, const char *out)
{
  const char *const timings[] = { "seconds", "images_per_second", NULL };
  for (const char *const *name = (const char *[]) { "history.csv", "steps.csv", NULL }; *name; name++)
    {
      g_autofree char *a_path = g_build_filename (reference, *name, NULL);
      g_autofree char *b_path = g_build_filename (out, *name, NULL);
      g_autofree char *a = without_columns (a_path, timings);
      g_autofree char *b = without_columns (b_path, timings);
      g_assert_cmpstr (b, ==, a);
    }
  for (int e = 1; e <= EPOCHS; e++)
    {
      g_autofree char *name = g_strdup_printf ("epoch-%03d.pth", e);
      assert_same_file (reference, out, name);
    }
  assert_same_file (reference, out, "best.pth");

  /* Nothing left over: no temporary file, one resume point. */
  g_autoptr (GDir) dir = g_dir_open (out, 0, NULL);
  guint resume_files = 0;
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      if (strstr (name, ".cxrtmp-") != NULL)
        g_error ("a temporary file is left in %s: %s", out, name);
      resume_files += g_str_has_prefix (name, "resume-");
    }
  g_assert_cmpuint (resume_files, ==, 1);
}

static void
test_storm (void)
{
  const char *data = cxr_test_nih14_dir ();
  if (data == NULL)
    return;
  const char *kills_env = g_getenv ("CXR_KILL_STORM_KILLS");
  guint wanted = kills_env ? (guint) g_ascii_strtoull (kills_env, NULL, 10) : 6;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autofree char *cli = cxr_test_cli_path ();

  /* The uninterrupted run, timed: kills land anywhere within its length. */
  g_autofree char *reference = g_build_filename (dir, "reference", NULL);
  gint64 t0 = g_get_monotonic_time ();
  g_assert_true (run_or_kill (cli, data, model, reference, G_MAXINT64 / 2));
  gint64 length_us = g_get_monotonic_time () - t0;
  g_test_message ("the uninterrupted run takes %.2f s", length_us / 1e6);

  guint32 seed = g_test_rand_int ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr (GHashTable) places = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint kills = 0, rounds = 0, restarts = 0;
  gint64 storm_start = g_get_monotonic_time ();
  while (kills < wanted)
    {
      g_autofree char *name = g_strdup_printf ("storm-%u", rounds++);
      g_autofree char *out = g_build_filename (dir, name, NULL);
      for (;;)
        {
          gint64 delay = (gint64) g_rand_double_range (rand, 0.0, 1.5 * length_us);
          restarts++;
          if (run_or_kill (cli, data, model, out, delay))
            break;
          kills++;
          g_autofree char *where = where_killed (out);
          g_hash_table_insert (places, g_strdup (where),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (places, where)) + 1));
          if (g_test_verbose ())
            g_test_message ("kill %u at %.3f s: %s", kills, delay / 1e6, where);
        }
      assert_same_as_reference (reference, out);
    }
  g_autoptr (GString) summary = g_string_new (NULL);
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (places), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    g_string_append_printf (summary, "%s%s: %u", summary->len ? ", " : "", (const char *) l->data,
                            GPOINTER_TO_UINT (g_hash_table_lookup (places, l->data)));
  g_test_message ("seed %u: %u kills in %u runs to the end (%u starts, %.1f s); killed %s; every run ended as the "
                  "uninterrupted one", seed, kills, rounds, restarts, (g_get_monotonic_time () - storm_start) / 1e6,
                  summary->str);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train-kill/storm", test_storm);
  return g_test_run ();
}
