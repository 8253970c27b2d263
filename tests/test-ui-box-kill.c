/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ui-box-kill: the review window, editing boxes, killed with SIGKILL at random moments, more than a hundred
 * times; every edit the window had done comes back when the folder is opened again, and BB.csv always parses.
 *
 * The child is this program run as `test-ui-box-kill --child DIR SEED`: the real window (CxrWindow in a
 * CxrApplication) on the dataset DIR, autosave off, running a script of window actions (win.select-box,
 * win.nudge-box, win.delete-box, win.undo, win.redo, win.save) that depends only on SEED and the file. After each
 * action has returned (its edit journaled, the panes told) and the main loop has turned, it prints
 * "K STORE-SHA256 FILE-SHA256": the content the window shows and the bytes of BB.csv.
 *
 * The datasets are in /dev/shm when it exists (see main()). For each seed the parent first runs the child to the
 * end, which gives the reference sequence S[k], D[k]. Then it runs it again on fresh copies and kills it at a random
 * moment after it reported "ready" (the dataset is open and the image shown): after a random number of its reports
 * (0 to all), a random part of an action's mean time later. The moment is drawn in the script's progress, not in
 * seconds since "ready": the child runs as fast as the machine lets it, and a delay drawn from the reference run's
 * seconds landed early in the script whenever the machine had got busier since (UI tests run two at a time beside
 * other work). If the last report was K (action K+1 may have been under way), then:
 *   - BB.csv parses, and its bytes are D[K] or D[K+1] (a save is atomic);
 *   - opening the folder finds no stale or held journal, and the boxes it gives, recovered from the journal when
 *     one is pending or else the file's, are S[K] or S[K+1]: every edit that had been reported done is back;
 *   - every seventh kill that left edits is reopened in a window instead, which must ask "Recover (N Edits)" with
 *     the journal's N, and its answer "recover" must give that content in the window's store.
 */
#include <adwaita.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

/* Seeds of the full storm (104 kills); CXR_BOX_KILL_SEEDS sets fewer, for the sanitized build, where every start
 * of the window costs several seconds. */
#define N_SEEDS 4
#define KILLS_PER_SEED 26
#define N_ACTIONS 32
#define WINDOW_CHECK_EVERY 7

/* Eight boxes on the image the window shows first, and one on another. */
static const char box_file[] =
  "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
  "00000001_000.png,Cardiomegaly,64.4745762711864,80.2033898305085,96.5423728813559,64.2711864406779\n"
  "00000001_000.png,Nodule,180,170,20,16\n"
  "00000002_000.png,Effusion,20.5,30.25,50,40,,\n"
  "00000001_000.png,Mass,30,40,25.5,25\n"
  "00000001_000.png,Atelectasis,100,20,40,30\n"
  "00000001_000.png,Infiltrate,150,60,50,50\n"
  "00000001_000.png,Pneumonia,20,150,60,40\n"
  "00000001_000.png,Effusion,200,200,30,30\n"
  "00000001_000.png,Pneumothorax,120,120,10,10\n";

static char *
sha256_of_bytes (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static char *
sha256_of_file (const char *path)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &text, &length, NULL))
    return g_strdup ("missing");
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
}

/* ---- the child: the window and its script ---------------------------------------------------------------- */

static gboolean
enabled (CxrWindow *window, const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), name);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* One action of the script: the same seed and the same window state give the same action. */
static void
run_action (CxrWindow *window, GRand *rand)
{
  guint r = (guint) g_rand_int_range (rand, 0, 100);
  double dx = g_rand_int_range (rand, -3, 4), dy = g_rand_int_range (rand, -3, 4);
  const char *name;
  GVariant *parameter = NULL;
  if (r < 8 && enabled (window, "save"))
    name = "save";
  else if (r < 22 && enabled (window, "undo"))
    name = "undo";
  else if (r < 30 && enabled (window, "redo"))
    name = "redo";
  else if (r < 40 && enabled (window, "delete-box"))
    name = "delete-box";
  else if (r < 85 && enabled (window, "nudge-box"))
    {
      name = "nudge-box";
      parameter = g_variant_new ("(dd)", dx == 0 ? 1.0 : dx, dy);
    }
  else
    {
      name = "select-box";
      parameter = g_variant_new_int32 (r % 2 == 0 ? 1 : -1);
    }
  g_action_group_activate_action (G_ACTION_GROUP (window), name, parameter);
}

static int
run_child (const char *dir, guint seed)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  if (!gtk_init_check ())
    g_error ("no display");
  adw_init ();
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_boolean (settings, "autosave-boxes", FALSE);

  g_autoptr (CxrApplication) app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  CxrWindow *window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_autoptr (GFile) folder = g_file_new_for_path (dir);
  cxr_window_open_dataset (window, folder);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!enabled (window, "select-box"))
    {
      g_main_context_iteration (NULL, TRUE);
      if (g_get_monotonic_time () > deadline)
        g_error ("the dataset did not open in the window");
    }

  g_autofree char *path = g_build_filename (dir, "BBox_List_2017.csv", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  printf ("ready\n");
  fflush (stdout);
  for (guint k = 1; k <= N_ACTIONS; k++)
    {
      run_action (window, rand);
      spin (2);   /* the panes draw what the action did */
      g_autoptr (GBytes) content = cxr_bbox_store_serialize (cxr_dataset_get_bbox_store (window->dataset));
      g_autofree char *store_hash = sha256_of_bytes (content);
      g_autofree char *file_hash = sha256_of_file (path);
      printf ("%u %s %s\n", k, store_hash, file_hash);
      fflush (stdout);
    }
  printf ("done\n");
  fflush (stdout);
  /* Like a crash: no save, no question; the journal stays. */
  _exit (0);
}

/* ---- the parent ------------------------------------------------------------------------------------------ */

typedef struct {
  char *store_hash[N_ACTIONS + 1];   /* [0]: as opened */
  char *file_hash[N_ACTIONS + 1];
  double seconds;                     /* from "ready" to "done" */
} Reference;

static char *
make_dataset (void)
{
  char *dir = cxr_ui_test_make_dataset ();
  g_autofree char *path = g_build_filename (dir, "BBox_List_2017.csv", NULL);
  g_assert_true (g_file_set_contents (path, box_file, -1, NULL));
  return dir;
}

typedef struct {
  GPid pid;
  FILE *out;
} Child;

static void
start_child (Child *child, const char *dir, guint seed)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *seed_text = g_strdup_printf ("%u", seed);
  char *argv[] = { self, (char *) "--child", (char *) dir, seed_text, NULL };
  int out_fd = -1;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &child->pid,
                                           NULL, &out_fd, NULL, &error));
  g_assert_no_error (error);
  child->out = fdopen (out_fd, "r");
  char line[256];
  g_assert_nonnull (fgets (line, sizeof line, child->out));
  g_assert_cmpstr (line, ==, "ready\n");
}

/* Reads the child's reports after report @last, up to report @until (or the end, G_MAXUINT); returns the last
 * action number reported (0: none). At the end it reaps the child. */
static guint
read_reports_until (Child *child, guint last, guint until, char **store_hash, char **file_hash, gboolean *done)
{
  char line[256];
  *done = FALSE;
  while (last < until && fgets (line, sizeof line, child->out) != NULL)
    {
      if (g_str_equal (line, "done\n"))
        {
          *done = TRUE;
          continue;
        }
      g_auto (GStrv) parts = g_strsplit (g_strchomp (line), " ", 3);
      g_assert_cmpuint (g_strv_length (parts), ==, 3);
      guint k = (guint) g_ascii_strtoull (parts[0], NULL, 10);
      g_assert_cmpuint (k, ==, last + 1);
      last = k;
      if (store_hash != NULL)
        {
          g_free (store_hash[k]);
          store_hash[k] = g_strdup (parts[1]);
          g_free (file_hash[k]);
          file_hash[k] = g_strdup (parts[2]);
        }
    }
  if (until != G_MAXUINT)
    return last;
  fclose (child->out);
  int status = 0;
  g_assert_cmpint (waitpid (child->pid, &status, 0), ==, child->pid);
  g_spawn_close_pid (child->pid);
  return last;
}

/* Reads the child's reports to the end and reaps it; returns the last action number reported (0: none). */
static guint
read_reports (Child *child, char **store_hash, char **file_hash, gboolean *done)
{
  return read_reports_until (child, 0, G_MAXUINT, store_hash, file_hash, done);
}

static void
make_reference (Reference *ref, guint seed)
{
  g_autofree char *dir = make_dataset ();
  g_autofree char *path = g_build_filename (dir, "BBox_List_2017.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) opened = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) content = cxr_bbox_store_serialize (opened);
  ref->store_hash[0] = sha256_of_bytes (content);
  ref->file_hash[0] = sha256_of_file (path);
  Child child;
  gint64 start;
  start_child (&child, dir, seed);
  start = g_get_monotonic_time ();
  gboolean done;
  guint last = read_reports (&child, ref->store_hash, ref->file_hash, &done);
  ref->seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_true (done);
  g_assert_cmpuint (last, ==, N_ACTIONS);
}

static void
reference_clear (Reference *ref)
{
  for (guint k = 0; k <= N_ACTIONS; k++)
    {
      g_free (ref->store_hash[k]);
      g_free (ref->file_hash[k]);
    }
}

static gboolean
is_one_of (const char *hash, const char *a, const char *b)
{
  return g_strcmp0 (hash, a) == 0 || g_strcmp0 (hash, b) == 0;
}

typedef struct {
  guint kills;
  guint recovered_edits;      /* journal records brought back */
  guint with_journal;         /* kills that left edits to recover */
  guint through_window;
  guint in_flight;            /* the recovered content was S[K+1]: the action under way had been journaled */
} Tally;

static gboolean
dialog_shown (gpointer data)
{
  CxrWindowFixture *f = data;
  return f->window->box_dialog != NULL && gtk_widget_get_mapped (f->window->box_dialog);
}

/* Opens @dir in a window, which must ask to recover @n_edits edits; answers "recover" and returns the content. */
static char *
recover_in_window (const char *dir, guint n_edits)
{
  CxrWindowFixture f = { 0 };
  cxr_window_fixture_set_up_sized (&f, 1000, 700);
  g_free (f.dataset);
  f.dataset = g_strdup (dir);
  cxr_window_fixture_open_dataset (&f);
  cxr_ui_test_wait_until (dialog_shown, &f, 10000, "the recovery question");
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (f.window->box_dialog);
  g_autofree char *label = g_strdup_printf (n_edits == 1 ? "_Recover (%u Edit)" : "_Recover (%u Edits)", n_edits);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "recover"), ==, label);
  adw_message_dialog_response (dialog, "recover");
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (f.window->dataset);
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, NULL), ==, CXR_BBOX_RECOVERY_NONE);
  g_autoptr (GBytes) content = cxr_bbox_store_serialize (store);
  char *hash = sha256_of_bytes (content);
  /* Leave the window without saving or asking: the next kill's folder is another one. */
  g_assert_true (cxr_bbox_store_revert (store, NULL));
  cxr_window_fixture_tear_down (&f, NULL);
  return hash;
}

static void
kill_once (const Reference *ref, guint seed, GRand *rand, Tally *tally)
{
  g_autofree char *dir = make_dataset ();
  g_autofree char *path = g_build_filename (dir, "BBox_List_2017.csv", NULL);
  Child child;
  start_child (&child, dir, seed);
  /* A moment within the script's run, past its end now and then: after report 0 ("ready") to N_ACTIONS, up to
   * 1.1 times an action's mean time later. */
  guint after = (guint) g_rand_int_range (rand, 0, N_ACTIONS + 1);
  gint64 delay_us = (gint64) (g_rand_double (rand) * ref->seconds / N_ACTIONS * 1.1 * 1e6);
  gboolean done;
  guint reported = read_reports_until (&child, 0, after, NULL, NULL, &done);
  g_assert_cmpuint (reported, ==, after);
  g_usleep ((gulong) delay_us);
  kill (child.pid, SIGKILL);
  guint last = read_reports_until (&child, reported, G_MAXUINT, NULL, NULL, &done);
  const char *next_store = last < N_ACTIONS ? ref->store_hash[last + 1] : NULL;
  const char *next_file = last < N_ACTIONS ? ref->file_hash[last + 1] : NULL;
  tally->kills++;

  /* BB.csv parses and is a version the window had saved (or the one it was saving). */
  g_autofree char *file_hash = sha256_of_file (path);
  if (!is_one_of (file_hash, ref->file_hash[last], next_file))
    g_error ("seed %u, killed after action %u: BB.csv is no version the window saved", seed, last);
  g_autoptr (GError) error = NULL;
  guint n_edits = 0;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  CxrBBoxRecovery recovery = cxr_bbox_store_get_recovery (store, &n_edits);
  g_assert_cmpint (recovery, !=, CXR_BBOX_RECOVERY_STALE);
  g_assert_cmpint (recovery, !=, CXR_BBOX_RECOVERY_IN_USE);
  g_autofree char *store_hash = NULL;
  if (recovery == CXR_BBOX_RECOVERY_PENDING)
    {
      tally->with_journal++;
      tally->recovered_edits += n_edits;
    }
  if (recovery == CXR_BBOX_RECOVERY_PENDING && tally->with_journal % WINDOW_CHECK_EVERY == 1)
    {
      /* Through the window: its question, its answer. The store above only looked (it leaves the journal). */
      g_clear_object (&store);
      store_hash = recover_in_window (dir, n_edits);
      tally->through_window++;
    }
  else
    {
      if (recovery == CXR_BBOX_RECOVERY_PENDING)
        {
          g_assert_true (cxr_bbox_store_recover (store, &error));
          g_assert_no_error (error);
        }
      g_autoptr (GBytes) content = cxr_bbox_store_serialize (store);
      store_hash = sha256_of_bytes (content);
    }
  if (!is_one_of (store_hash, ref->store_hash[last], next_store))
    g_error ("seed %u, killed after action %u: the recovered boxes are not what the window had shown", seed, last);
  tally->in_flight += g_strcmp0 (store_hash, ref->store_hash[last]) != 0;
}

static void
test_kill (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261203);
  Tally tally = { 0 };
  const char *seeds_env = g_getenv ("CXR_BOX_KILL_SEEDS");
  guint n_seeds = seeds_env ? CLAMP ((guint) g_ascii_strtoull (seeds_env, NULL, 10), 1, N_SEEDS) : N_SEEDS;
  gint64 start = g_get_monotonic_time ();
  for (guint seed = 1; seed <= n_seeds; seed++)
    {
      Reference ref = { 0 };
      make_reference (&ref, seed);
      for (guint i = 0; i < KILLS_PER_SEED; i++)
        kill_once (&ref, seed, rand, &tally);
      g_test_message ("seed %u: the script's %u actions take %.2f s", seed, N_ACTIONS, ref.seconds);
      reference_clear (&ref);
    }
  g_test_message ("%u kills in %.0f s: %u left a journal, %u edits recovered (%u through the window's dialog), %u "
                  "times the action under way had been journaled too", tally.kills,
                  (g_get_monotonic_time () - start) / 1e6, tally.with_journal, tally.recovered_edits,
                  tally.through_window, tally.in_flight);
  g_assert_cmpuint (tally.kills, >=, 25 * n_seeds);   /* 104 for the full storm */
  /* The moments are spread over the script: most kills must leave edits to recover. */
  g_assert_cmpuint (tally.with_journal, >=, tally.kills / 2);
  g_assert_cmpuint (tally.through_window, >=, 5 * n_seeds / 4);
}

int
main (int argc, char *argv[])
{
  /* Under Xvfb GTK's GL renderer draws with software GL and repaints the whole window each frame (about 70 ms);
   * the cairo renderer repaints what changed, so a child gets through its script in a fraction of the time. */
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10));
  /* The datasets live in memory (tmpfs) where there is one: a SIGKILL keeps what the killed process wrote (the
   * kernel has it), so fsync's cost, about 50 ms a call on this shared disk, says nothing here and would only
   * stretch each run (test-bbox-kill crashes the store at each of its sync points instead). */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && g_access ("/dev/shm", W_OK) == 0)
    g_setenv ("TMPDIR", "/dev/shm", TRUE);
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();
  g_test_add_func ("/ui/box-kill/random-moments", test_kill);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
