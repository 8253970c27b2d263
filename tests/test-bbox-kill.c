/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-bbox-kill: a child process edits and saves BB.csv and dies by SIGKILL, at every crash point of the store
 * in turn and at random moments; each time BB.csv must be exactly an old or a new version, and reopening it with
 * its journal must bring back every edit the child had finished.
 *
 * The child is this same program run as `test-bbox-kill --child DIR SEED N_OPS CRASH_AT SYNC`. It runs a script of
 * random edits, undos, redos and saves that depends only on SEED (and the file), and after each operation writes
 * its number to stdout. The parent runs the same script in-process first and records, after each operation k,
 * the hash of the store's content S[k] and of the file on disk D[k]. When the child dies after reporting k
 * operations (k+1 may have been under way), BB.csv must hash to D[k] or D[k+1], and the recovered store to S[k] or
 * S[k+1].
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cxr-input-file.h"
#include "cxr-bbox-store-private.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

#define N_OPS 40

static const char *const labels[] = { "Atelectasis", "Cardiomegaly", "Effusion", "Infiltrate", "Mass", "Nodule" };

/* ---- the script ------------------------------------------------------------------------------------------ */

typedef enum { OP_SAVE, OP_UNDO, OP_REDO, OP_ADD, OP_REMOVE, OP_RELABEL, OP_MOVE } OpKind;

static double
random_coordinate (GRand *rand)
{
  return g_rand_int_range (rand, 0, 8000) / 8.0;
}

/* One operation of the script; the same seed and the same store give the same operation. */
static OpKind
run_op (CxrBBoxStore *store, GRand *rand, guint k, GError **error)
{
  g_autoptr (GArray) boxes = cxr_bbox_store_list (store);
  guint r = (guint) g_rand_int_range (rand, 0, 100);
  const CxrBBox *pick = boxes->len > 0 ? &g_array_index (boxes, CxrBBox, g_rand_int_range (rand, 0, (gint32) boxes->len))
                                       : NULL;
  double x = random_coordinate (rand), y = random_coordinate (rand);
  double w = 1 + random_coordinate (rand) / 4, h = 1 + random_coordinate (rand) / 4;
  const char *label = labels[g_rand_int_range (rand, 0, G_N_ELEMENTS (labels))];

  if (r < 14)
    {
      cxr_bbox_store_save (store, error);
      return OP_SAVE;
    }
  if (r < 24 && cxr_bbox_store_can_undo (store))
    {
      cxr_bbox_store_undo (store, error);
      return OP_UNDO;
    }
  if (r < 30 && cxr_bbox_store_can_redo (store))
    {
      cxr_bbox_store_redo (store, error);
      return OP_REDO;
    }
  if (r < 42 || pick == NULL)
    {
      g_autofree char *image = g_strdup_printf ("9%07u_%03u.png", g_rand_int_range (rand, 0, 30000), k);
      cxr_bbox_store_add (store, r % 3 == 0 && pick != NULL ? pick->image : image, label, x, y, w, h, error);
      return OP_ADD;
    }
  if (r < 54)
    {
      cxr_bbox_store_remove (store, pick->id, error);
      return OP_REMOVE;
    }
  if (r < 64)
    {
      cxr_bbox_store_set_label (store, pick->id, label, error);
      return OP_RELABEL;
    }
  cxr_bbox_store_set_rect (store, pick->id, x, y, w, h, error);
  return OP_MOVE;
}

static void
say (const char *text)
{
  gsize n = strlen (text);
  while (n > 0)
    {
      ssize_t written = write (STDOUT_FILENO, text, n);
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        _exit (3);
      text += written;
      n -= (gsize) written;
    }
}

static int
run_child (char **argv)
{
  const char *dir = argv[2];
  guint32 seed = (guint32) g_ascii_strtoull (argv[3], NULL, 10);
  guint n_ops = (guint) g_ascii_strtoull (argv[4], NULL, 10);
  gint64 crash_at = g_ascii_strtoll (argv[5], NULL, 10);
  gboolean sync = argv[6][0] == '1';

  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 2;
    }
  CxrCrashHooks hooks = { crash_at, 0, !sync };
  cxr_bbox_store_set_hooks (store, &hooks);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  for (guint k = 1; k <= n_ops; k++)
    {
      run_op (store, rand, k, &error);
      if (error != NULL)
        {
          g_printerr ("child: operation %u: %s\n", k, error->message);
          return 2;
        }
      g_autofree char *line = g_strdup_printf ("%u\n", k);
      say (line);
    }
  g_autofree char *done = g_strdup_printf ("done %" G_GINT64_FORMAT "\n", cxr_bbox_store_get_hooks (store)->steps_taken);
  say (done);
  return 0;
}

/* ---- the parent ------------------------------------------------------------------------------------------ */

typedef struct {
  guint32 seed;
  char *original;                   /* the file before the script */
  gsize original_length;
  char *store_hash[N_OPS + 1];      /* S[k] */
  char *disk_hash[N_OPS + 1];       /* D[k] */
  OpKind ops[N_OPS + 1];
  gint64 n_steps;                   /* crash points in a full run */
  gint64 full_run_us;               /* how long a full child run takes with fsync */
  /* what the kills hit */
  guint n_runs, n_mid_save, n_recovered, n_recovered_in_flight, n_disk_new;
} Script;

static char *
hash_bytes (GBytes *bytes)
{
  char hex[65];
  cxr_file_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), hex);
  return g_strdup (hex);
}

static char *
hash_file (const char *path)
{
  CxrFileIdentity identity;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_file_identify (path, &identity, &error));
  g_assert_no_error (error);
  g_assert_true (identity.exists);
  return g_strdup (identity.sha256);
}

static char *
fresh_dir (const Script *script)
{
  char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  g_assert_true (g_file_set_contents (path, script->original, (gssize) script->original_length, NULL));
  return dir;
}

static void
simulate (Script *script)
{
  g_autofree char *dir = fresh_dir (script);
  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (GRand) rand = g_rand_new_with_seed (script->seed);
  g_autoptr (GBytes) first = cxr_bbox_store_serialize (store);
  script->store_hash[0] = hash_bytes (first);
  script->disk_hash[0] = hash_file (path);
  g_assert_cmpstr (script->store_hash[0], ==, script->disk_hash[0]);
  guint counts[OP_MOVE + 1] = { 0 };
  for (guint k = 1; k <= N_OPS; k++)
    {
      script->ops[k] = run_op (store, rand, k, &error);
      g_assert_no_error (error);
      counts[script->ops[k]]++;
      g_autoptr (GBytes) bytes = cxr_bbox_store_serialize (store);
      script->store_hash[k] = hash_bytes (bytes);
      script->disk_hash[k] = hash_file (path);
    }
  g_test_message ("seed %u: %u saves, %u undos, %u redos, %u adds, %u removes, %u relabels, %u moves", script->seed,
                  counts[OP_SAVE], counts[OP_UNDO], counts[OP_REDO], counts[OP_ADD], counts[OP_REMOVE],
                  counts[OP_RELABEL], counts[OP_MOVE]);
}

typedef struct {
  gboolean killed;      /* died by SIGKILL */
  guint n_done;         /* operations it reported */
  gint64 n_steps;       /* from "done N" when it finished */
} ChildResult;

/* Runs the child. With kill_after_op >= 0 the parent sends SIGKILL itself, kill_delay_us after the child
 * reported that many operations. */
static ChildResult
run_child_process (const char *dir, guint32 seed, gint64 crash_at, gboolean sync, gint kill_after_op,
                   gint64 kill_delay_us)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self);
  g_autofree char *seed_text = g_strdup_printf ("%u", seed);
  g_autofree char *n_ops_text = g_strdup_printf ("%u", N_OPS);
  g_autofree char *crash_text = g_strdup_printf ("%" G_GINT64_FORMAT, crash_at);
  const char *argv[] = { self, "--child", dir, seed_text, n_ops_text, crash_text, sync ? "1" : "0", NULL };
  GPid pid;
  int out_fd;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                           NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (GString) out = g_string_new (NULL);
  char buf[4096];
  gint reported = 0;
  gboolean sent = FALSE;
  if (kill_after_op == 0)
    {
      g_usleep ((gulong) kill_delay_us);
      kill (pid, SIGKILL);
      sent = TRUE;
    }
  for (;;)
    {
      ssize_t n = read (out_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (out, buf, n);
      for (ssize_t i = 0; i < n; i++)
        reported += buf[i] == '\n';
      if (kill_after_op > 0 && !sent && reported >= kill_after_op)
        {
          g_usleep ((gulong) kill_delay_us);
          kill (pid, SIGKILL);
          sent = TRUE;
        }
    }
  close (out_fd);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  g_spawn_close_pid (pid);

  ChildResult result = { 0 };
  result.killed = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
  if (!result.killed && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    g_error ("the child failed (status %d) after:\n%s", status, out->str);
  g_auto (GStrv) lines = g_strsplit (out->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "done "))
        result.n_steps = g_ascii_strtoll (lines[i] + 5, NULL, 10);
      else if (lines[i][0] != '\0')
        result.n_done = (guint) g_ascii_strtoull (lines[i], NULL, 10);
    }
  return result;
}

static gboolean
hash_is_one_of (const char *hash, char *const *candidates, guint n)
{
  for (guint i = 0; i < n; i++)
    if (candidates[i] != NULL && strcmp (hash, candidates[i]) == 0)
      return TRUE;
  return FALSE;
}

/* What must hold after the child died having reported `done` operations. */
static void
check_after_kill (Script *script, const char *dir, guint done, const char *what)
{
  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  guint next = MIN (done + 1, N_OPS);
  char *allowed_disk[2] = { script->disk_hash[done], script->disk_hash[next] };
  char *allowed_store[2] = { script->store_hash[done], script->store_hash[next] };

  /* BB.csv is whole: one of the versions the script saved, never a mix. */
  g_autofree char *disk = hash_file (path);
  if (!hash_is_one_of (disk, allowed_disk, 2))
    g_error ("%s: after %u operations BB.csv is neither the old nor the new version", what, done);
  script->n_disk_new += strcmp (disk, script->disk_hash[done]) != 0;
  script->n_mid_save += script->ops[next] == OP_SAVE && done < N_OPS;

  /* The backup, when there is one, is a whole earlier version too. */
  g_autofree char *backup = g_strconcat (path, "~", NULL);
  if (g_file_test (backup, G_FILE_TEST_EXISTS))
    {
      g_autofree char *backup_hash = hash_file (backup);
      if (!hash_is_one_of (backup_hash, script->disk_hash, next + 1))
        g_error ("%s: the backup is not a version of the file", what);
    }

  /* Reopen as the app would: recover a pending journal; every finished edit must come back. */
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, NULL);
  if (recovery != CXR_BBOX_RECOVERY_NONE && recovery != CXR_BBOX_RECOVERY_PENDING)
    g_error ("%s: after %u operations the journal is %s", what, done,
             recovery == CXR_BBOX_RECOVERY_STALE ? "stale" : "in use");
  if (recovery == CXR_BBOX_RECOVERY_PENDING)
    {
      if (!cxr_bbox_store_recover (store, &error))
        g_error ("%s: after %u operations recovery failed: %s", what, done, error->message);
      script->n_recovered++;
    }
  g_autoptr (GBytes) bytes = cxr_bbox_store_serialize (store);
  g_autofree char *state = hash_bytes (bytes);
  if (!hash_is_one_of (state, allowed_store, 2))
    g_error ("%s: after %u operations (the next: %d) the recovered boxes are not the state after operation %u or "
             "%u", what, done, script->ops[next], done, next);
  script->n_recovered_in_flight += strcmp (state, script->store_hash[done]) != 0;

  /* And the recovered store can be saved: no conflict, and the file is then what it shows. */
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_autofree char *saved = hash_file (path);
  g_assert_cmpstr (saved, ==, state);
  /* and no journal is left, not even an obsolete one from a save cut short before its cleanup */
  g_autofree char *journal = g_strconcat (path, ".journal", NULL);
  if (g_file_test (journal, G_FILE_TEST_EXISTS))
    g_error ("%s: a journal is left after a successful save", what);
  script->n_runs++;
}

static void
load_original (Script *script)
{
  /* The real file when it is here (the environment meson test sets), else a file of the same shape. */
  const char *dir = g_getenv ("CXR_NIH14_DIR");
  if (dir == NULL)
    dir = g_getenv ("CXR_DEFAULT_NIH14_DIR");
  g_autofree char *path = dir != NULL ? g_build_filename (dir, "BBox_List_2017.csv", NULL) : NULL;
  if (path != NULL && g_file_get_contents (path, &script->original, &script->original_length, NULL))
    return;
  if (g_getenv ("CI") != NULL)
    g_error ("CI is set but the NIH test data is missing (set CXR_NIH14_DIR)");
  /* Without the NIH data, a file of the same shape. */
  g_autoptr (GString) text = g_string_new ("Image Index,Finding Label,Bbox [x,y,w,h],,,\n");
  for (int i = 0; i < 300; i++)
    g_string_append_printf (text, "%08d_000.png,%s,%d.5,%d.25,%d,%d\n", i, labels[i % 6], i, i + 1, 10 + i, 20 + i);
  script->original_length = text->len;
  script->original = g_string_free (g_steal_pointer (&text), FALSE);
}

static void
free_script (Script *script)
{
  g_free (script->original);
  for (guint k = 0; k <= N_OPS; k++)
    {
      g_free (script->store_hash[k]);
      g_free (script->disk_hash[k]);
    }
}

static void
test_every_crash_point (gconstpointer data)
{
  Script script = { .seed = GPOINTER_TO_UINT (data) };
  load_original (&script);
  simulate (&script);

  /* A full run tells how many crash points the script passes. */
  {
    g_autofree char *dir = fresh_dir (&script);
    ChildResult full = run_child_process (dir, script.seed, 0, FALSE, -1, 0);
    g_assert_false (full.killed);
    g_assert_cmpuint (full.n_done, ==, N_OPS);
    script.n_steps = full.n_steps;
    check_after_kill (&script, dir, N_OPS, "full run");
  }
  g_assert_cmpint (script.n_steps, >, 100);

  for (gint64 step = 1; step <= script.n_steps; step++)
    {
      g_autofree char *dir = fresh_dir (&script);
      ChildResult result = run_child_process (dir, script.seed, step, FALSE, -1, 0);
      g_assert_true (result.killed);
      g_autofree char *what = g_strdup_printf ("seed %u, crash point %" G_GINT64_FORMAT, script.seed, step);
      check_after_kill (&script, dir, result.n_done, what);
    }
  g_test_message ("seed %u: killed at each of %" G_GINT64_FORMAT " crash points: %u checks, %u inside a save, "
                  "%u found the new file, %u recovered from the journal, %u recovered the edit in flight",
                  script.seed, script.n_steps, script.n_runs, script.n_mid_save, script.n_disk_new,
                  script.n_recovered, script.n_recovered_in_flight);
  free_script (&script);
}

static void
test_random_kills (gconstpointer data)
{
  Script script = { .seed = GPOINTER_TO_UINT (data) };
  load_original (&script);
  simulate (&script);

  /* Time a full run with real fsync, for the length of one operation... */
  {
    g_autofree char *dir = fresh_dir (&script);
    gint64 start = g_get_monotonic_time ();
    ChildResult full = run_child_process (dir, script.seed, 0, TRUE, -1, 0);
    script.full_run_us = g_get_monotonic_time () - start;
    g_assert_false (full.killed);
  }
  gint64 op_us = MAX (50, script.full_run_us / N_OPS);
  /* ... then SIGKILL each run at a random moment: after a random operation was reported, within the time of
   * two more, so that kills land inside edits and saves whatever the machine's speed. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (script.seed * 7919u + 1);
  guint n_killed = 0, n_runs = 120;
  for (guint i = 0; i < n_runs; i++)
    {
      g_autofree char *dir = fresh_dir (&script);
      gint after = g_rand_int_range (rand, 0, N_OPS);
      gint64 delay = g_rand_int_range (rand, 0, (gint32) (2 * op_us));
      ChildResult result = run_child_process (dir, script.seed, 0, TRUE, after, delay);
      n_killed += result.killed;
      g_autofree char *what = g_strdup_printf ("seed %u, SIGKILL %" G_GINT64_FORMAT " us after operation %d",
                                               script.seed, delay, after);
      check_after_kill (&script, dir, result.killed ? result.n_done : N_OPS, what);
    }
  g_test_message ("seed %u: a full run takes %.1f ms; %u random SIGKILLs (%u landed before the end): %u recovered "
                  "from the journal, %u found the new file", script.seed, script.full_run_us / 1000.0, n_runs,
                  n_killed, script.n_recovered, script.n_disk_new);
  g_assert_cmpuint (n_killed, >, n_runs / 2);
  free_script (&script);
}

int
main (int argc, char *argv[])
{
  if (argc == 7 && strcmp (argv[1], "--child") == 0)
    return run_child (argv);

  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/bbox-kill/every-crash-point/seed-1", GUINT_TO_POINTER (1), test_every_crash_point);
  g_test_add_data_func ("/bbox-kill/every-crash-point/seed-2", GUINT_TO_POINTER (2), test_every_crash_point);
  g_test_add_data_func ("/bbox-kill/random-kills/seed-3", GUINT_TO_POINTER (3), test_random_kills);
  return g_test_run ();
}
