/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-cam-scale: `cxrcam-cli cam` at dataset scale, on real NIH images with a tiny committed network.
 *   - shards 1/3, 2/3 and 3/3 joined by `merge` give the unsharded run's folder: the same files, byte for byte
 *     (bb_results.csv and every picture), and the same summary; a missing shard is refused;
 *   - a run killed with SIGKILL part way and started again skips the images already in bb_results.csv and ends
 *     with the uninterrupted run's files, byte for byte, and nothing else (no note, no temporary file).
 * That the pictures keep their pixels across the change of PNG writer is test-png-write's job. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cxr-test-util.h"

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in @dir, sorted, one per line. */
static char *
list_folder (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (out, "%s\n", (const char *) g_ptr_array_index (names, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Both folders hold the same names with the same bytes. */
static void
assert_same_folders (const char *a, const char *b)
{
  g_autofree char *names_a = list_folder (a);
  g_autofree char *names_b = list_folder (b);
  g_assert_cmpstr (names_a, ==, names_b);
  g_auto (GStrv) names = g_strsplit (names_a, "\n", -1);
  guint n = 0;
  for (guint i = 0; names[i] != NULL && names[i][0] != '\0'; i++, n++)
    {
      g_autofree char *pa = g_build_filename (a, names[i], NULL);
      g_autofree char *pb = g_build_filename (b, names[i], NULL);
      g_autofree char *ca = NULL, *cb = NULL;
      gsize la = 0, lb = 0;
      g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
      g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
      if (la != lb || memcmp (ca, cb, la) != 0)
        g_error ("%s differs from %s", pb, pa);
    }
  g_assert_cmpuint (n, >, 0);
}

static guint
count_rows (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "bb_results.csv", NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  guint lines = 0;
  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  return lines ? lines - 1 : 0;
}

static void
test_shards_merge (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *tmp = cxr_test_make_tmpdir ();
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autofree char *full = g_build_filename (tmp, "full", NULL);
  g_autofree char *merged = g_build_filename (tmp, "merged", NULL);
  char *shard[3];
  for (int k = 0; k < 3; k++)
    shard[k] = g_strdup_printf ("%s/shard-%d", tmp, k + 1);

  /* The five images with a Cardiomegaly box, as test-cli-cam runs them. */
  g_auto (CxrCliRun) whole = { 0 };
  const char *args[] = { "cam", "--model", model, "--dataset", nih, "--out", full, "--save-cam", "--threshold",
                         "0.4", "--layer", "layer3", "--method", "gradcam++", NULL, NULL, NULL };
  cxr_test_run_cli (&whole, args);
  g_assert_cmpint (whole.status, ==, 0);
  g_assert_cmpuint (count_rows (full), ==, 5);

  guint expected_rows[3] = { 1, 2, 2 };   /* [5 (k - 1) / 3, 5 k / 3) */
  for (int k = 0; k < 3; k++)
    {
      g_autofree char *spec = g_strdup_printf ("%d/3", k + 1);
      args[6] = shard[k];
      args[14] = "--shard";
      args[15] = spec;
      g_auto (CxrCliRun) run = { 0 };
      cxr_test_run_cli (&run, args);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpuint (count_rows (shard[k]), ==, expected_rows[k]);
    }

  /* A shard missing: refused, nothing written. */
  g_auto (CxrCliRun) partial = { 0 };
  const char *merge_two[] = { "merge", merged, shard[0], shard[2], NULL };
  cxr_test_run_cli (&partial, merge_two);
  g_assert_cmpint (partial.status, ==, 2);
  g_assert_nonnull (strstr (partial.err, "needs shards 1/N … N/N"));
  g_assert_false (g_file_test (merged, G_FILE_TEST_EXISTS));

  /* All three, in any order. */
  g_auto (CxrCliRun) join = { 0 };
  const char *merge[] = { "merge", merged, shard[2], shard[0], shard[1], NULL };
  cxr_test_run_cli (&join, merge);
  g_assert_cmpint (join.status, ==, 0);
  g_assert_cmpstr (join.out, ==, whole.out);
  g_assert_nonnull (strstr (join.out, "images: 5 explained, 5 with Cardiomegaly ground truth, 0 failed"));
  assert_same_folders (full, merged);
  for (int k = 0; k < 3; k++)
    g_free (shard[k]);
}

static void
test_resume_after_kill (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *tmp = cxr_test_make_tmpdir ();
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autofree char *bbox = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_autofree char *full = g_build_filename (tmp, "full", NULL);
  g_autofree char *resumed = g_build_filename (tmp, "resumed", NULL);

  /* Forty images, long enough to be killed in the middle. */
  g_autofree char *images = g_build_filename (nih, "images", NULL);
  g_autofree char *listing = list_folder (images);
  g_auto (GStrv) names = g_strsplit (listing, "\n", -1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *fixed[] = { "cam", "--model", model, "--bbox", bbox, "--layer", "layer3", "--method", "gradcam++",
                          "--threshold", "0.4", "--out" };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (argv, g_strdup (fixed[i]));
  guint out_arg = argv->len;
  g_ptr_array_add (argv, g_strdup (full));
  for (guint i = 0; i < 40; i++)
    {
      g_assert_true (g_str_has_suffix (names[i], ".png"));
      g_ptr_array_add (argv, g_build_filename (images, names[i], NULL));
    }
  g_ptr_array_add (argv, NULL);

  g_auto (CxrCliRun) whole = { 0 };
  cxr_test_run_cli (&whole, (const char *const *) argv->pdata);
  g_assert_cmpint (whole.status, ==, 0);
  g_assert_cmpuint (count_rows (full), ==, 40);

  /* The same run into another folder, killed once three images are done. */
  g_free (argv->pdata[out_arg]);
  argv->pdata[out_arg] = g_strdup (resumed);
  g_autoptr (GPtrArray) spawn_argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (spawn_argv, cxr_test_cli_path ());
  for (guint i = 0; argv->pdata[i] != NULL; i++)
    g_ptr_array_add (spawn_argv, g_strdup (argv->pdata[i]));
  g_ptr_array_add (spawn_argv, NULL);
  GPid pid;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) spawn_argv->pdata, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  int wait_status = 0;
  gboolean exited = FALSE;
  while (count_rows (resumed) < 3)
    {
      if (waitpid (pid, &wait_status, WNOHANG) == pid)
        {
          exited = TRUE;
          break;
        }
      g_usleep (5000);
    }
  g_assert_false (exited);   /* killed, not finished */
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFSIGNALED (wait_status));
  guint done = count_rows (resumed);
  g_test_message ("killed with %u of 40 rows in bb_results.csv", done);
  g_assert_cmpuint (done, >=, 3);
  g_assert_cmpuint (done, <, 40);
  g_autofree char *note = g_build_filename (resumed, ".cxrcam-cam-run", NULL);
  g_assert_true (g_file_test (note, G_FILE_TEST_EXISTS));

  g_auto (CxrCliRun) again = { 0 };
  cxr_test_run_cli (&again, (const char *const *) argv->pdata);
  g_assert_cmpint (again.status, ==, 0);
  g_autofree char *said = g_strdup_printf ("resuming the run in %s: %u of 40 images are done", resumed, done);
  g_assert_nonnull (strstr (again.err, said));
  /* Only the rest was explained again. */
  g_autofree char *last = g_strdup_printf ("[%u/%u] ", 40 - done, 40 - done);
  g_assert_nonnull (strstr (again.err, last));
  g_assert_cmpstr (again.out, ==, whole.out);
  assert_same_folders (full, resumed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-cam-scale/shards-merge", test_shards_merge);
  g_test_add_func ("/cli-cam-scale/resume-after-kill", test_resume_after_kill);
  return g_test_run ();
}
