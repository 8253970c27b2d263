/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-locale-files: every file cxrcam-cli writes is byte for byte the same under LC_ALL=de_DE.UTF-8 (a decimal
 * comma) as under LC_ALL=C, and what it prints as CSV too.
 *
 * In each locale, in a folder of its own: make-demo (the phantoms' PNGs, Data_Entry_2017.csv, BBox_List_2017.csv);
 * train, one epoch of a tiny ResNet (checkpoints .pth and .safetensors, model cards, history.csv, steps.csv,
 * train-state.json, the resume point); cam with --save-cam (bb_results.csv, original_, gtimage_, mask_ and pred_
 * pictures, .cam.npy); bbox add, set and rm with fractional coordinates (BBox_List_2017.csv, its journal and
 * backup, and a gt_dict.json beside it); and the stdout of predict, sweep and bbox list. Then both trees must hold
 * the same files with the same bytes. Only measured times differ between two runs: history.csv's seconds and
 * images_per_second (in history.csv and train-state.json), steps.csv's images_per_second; those are blanked before
 * comparing, nothing else is.
 */
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "cxr-review.h"
#include "cxr-test-util.h"

static const char *const locales[] = { "de_DE.UTF-8", "C" };

typedef struct {
  char *root;       /* everything this locale's run wrote */
  GString *stdout_; /* the CSV that predict, sweep and bbox list printed */
} LocaleRun;

/* Runs one command under @locale; keeps its stdout when it prints CSV (the others print reports for people, whose
 * numbers follow the locale). */
static void
run_command (LocaleRun *r, const char *locale, gboolean prints_csv, const char *const *args)
{
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "LC_ALL", locale, TRUE);
  env = g_environ_unsetenv (env, "LANGUAGE");
  g_auto (CxrCliRun) cli = { 0 };
  cxr_test_run_cli_with_env (&cli, (const char *const *) env, args);
  if (cli.status != 0)
    g_error ("LC_ALL=%s cxrcam-cli %s exited with %d:\n%s", locale, args[0], cli.status, cli.err);
  if (prints_csv)
    g_string_append_printf (r->stdout_, "$ %s %s\n%s", args[0], args[1] ? args[1] : "", cli.out);
}

static void
run (LocaleRun *r, const char *locale, const char *const *args)
{
  run_command (r, locale, FALSE, args);
}

static void
run_csv (LocaleRun *r, const char *locale, const char *const *args)
{
  run_command (r, locale, TRUE, args);
}

static char *
in (const LocaleRun *r, const char *relative)
{
  return g_build_filename (r->root, relative, NULL);
}

static void
run_everything (LocaleRun *r, const char *locale)
{
  g_autofree char *data = in (r, "data");
  g_autofree char *model_dir = in (r, "model");
  g_autofree char *best = in (r, "model/best.pth");
  g_autofree char *output = in (r, "output");
  g_autofree char *bbox = in (r, "data/BBox_List_2017.csv");
  g_autofree char *gt_dict = in (r, "data/gt_dict.json");
  g_autofree char *image = in (r, "data/images/90000002_000.png");
  g_autofree char *tiny = cxr_test_fixture_path ("networks/basic_c3_k2.pth");

  run (r, locale, (const char *[]) { "make-demo", "--images", "20", "--size", "96", data, NULL });
  run (r, locale, (const char *[]) { "train", "--data", data, "--model", tiny, "--out", model_dir, "--size", "48",
                                     "--epochs", "1", "--batch", "8", "--lr", "0.0125", "--optimizer", "adamw",
                                     "--quiet", NULL });
  run (r, locale, (const char *[]) { "cam", "--model", best, "--dataset", data, "--threshold", "0.35",
                                     "--save-cam", "--out", output, NULL });
  run_csv (r, locale, (const char *[]) { "predict", "--model", best, image, NULL });
  run_csv (r, locale, (const char *[]) { "sweep", "--model", best, "--dataset", data, NULL });

  /* A gt_dict.json beside BB.csv is rewritten by every edit; start it in the tutorial's shape. */
  g_autoptr (GError) error = NULL;
  g_file_set_contents (gt_dict, "{\"90000002_000.png\": [1.5, 2.25, 3, 4]}", -1, &error);
  g_assert_no_error (error);
  run (r, locale, (const char *[]) { "bbox", "add", bbox, "90000003_000.png", "Nodule", "10.25", "20.5", "30.125",
                                     "4e-3", NULL });
  run (r, locale, (const char *[]) { "bbox", "set", bbox, "1", "12.0625", "14.75", "33.3", "21.875", NULL });
  run (r, locale, (const char *[]) { "bbox", "rm", bbox, "2", NULL });
  run_csv (r, locale, (const char *[]) { "bbox", "list", bbox, NULL });
}

/* Blanks the columns named in @columns of a CSV whose first line names them. */
static char *
blank_columns (const char *text, const char *const *columns)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL)
    return g_strdup (text);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", -1);
      for (guint k = 0; fields[k] != NULL; k++)
        {
          gboolean timed = i > 0 && k < g_strv_length (header) && g_strv_contains (columns, header[k]);
          g_string_append_printf (out, "%s%s", k ? "," : "", timed ? "<time>" : fields[k]);
        }
      if (lines[i + 1] != NULL)
        g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static char *
comparable_contents (const char *path, gsize *length)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  const char *history[] = { "seconds", "images_per_second", NULL };
  const char *steps[] = { "images_per_second", NULL };
  g_autofree char *name = g_path_get_basename (path);
  if (strcmp (name, "train-state.json") == 0)
    {
      g_autoptr (GRegex) times = g_regex_new ("\"(seconds|images_per_second)\": [^,\n]*", 0, 0, NULL);
      char *blanked = g_regex_replace (times, contents, -1, 0, "\"\\1\": <time>", 0, NULL);
      *length = strlen (blanked);
      return blanked;
    }
  const char *const *timed = strcmp (name, "history.csv") == 0 ? history : strcmp (name, "steps.csv") == 0 ? steps
                                                                                                         : NULL;
  if (timed == NULL)
    return g_steal_pointer (&contents);
  char *blanked = blank_columns (contents, timed);
  *length = strlen (blanked);
  return blanked;
}

/* Every file under @root, as paths relative to it, sorted. */
static void
list_files (const char *root, const char *relative, GPtrArray *files)
{
  g_autofree char *folder = g_build_filename (root, relative, NULL);
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *child = relative[0] ? g_build_filename (relative, name, NULL) : g_strdup (name);
      g_autofree char *path = g_build_filename (root, child, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_files (root, child, files);
      else
        g_ptr_array_add (files, g_steal_pointer (&child));
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
has_suffix_in (const GPtrArray *files, const char *suffix)
{
  for (guint i = 0; i < files->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (files, i), suffix))
      return TRUE;
  return FALSE;
}

static void
test_same_files_in_every_locale (void)
{
  if (!cxr_test_have_locale ("de_DE.UTF-8"))
    return;
  g_autofree char *tmp = cxr_test_make_tmpdir ();
  /* Each run works in the same folder (paths are written into train-state.json), then moves aside. */
  g_autofree char *work = g_build_filename (tmp, "work", NULL);
  LocaleRun runs[G_N_ELEMENTS (locales)];
  for (gsize i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      LocaleRun working = { work, g_string_new (NULL) };
      g_assert_cmpint (g_mkdir (work, 0755), ==, 0);
      run_everything (&working, locales[i]);
      runs[i].root = g_build_filename (tmp, locales[i], NULL);
      runs[i].stdout_ = working.stdout_;
      g_assert_cmpint (g_rename (work, runs[i].root), ==, 0);
    }

  g_autoptr (GPtrArray) german_files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) c_files = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *files[2] = { german_files, c_files };
  for (int i = 0; i < 2; i++)
    {
      list_files (runs[i].root, "", files[i]);
      g_ptr_array_sort (files[i], compare_strings);
    }
  /* Every kind of file the issue names was written. */
  const char *expected[] = { "BBox_List_2017.csv", "Data_Entry_2017.csv", "gt_dict.json", "history.csv",
                             "steps.csv", "train-state.json", "best.pth", "best.json", "best.safetensors",
                             "bb_results.csv", ".cam.npy", "original_90000002_000.png", "gtimage_90000002_000.png",
                             "mask_90000002_000.png", "pred_90000002_000.png" };
  for (gsize k = 0; k < G_N_ELEMENTS (expected); k++)
    if (!has_suffix_in (files[1], expected[k]))
      g_error ("no file *%s was written", expected[k]);

  g_assert_cmpuint (files[0]->len, ==, files[1]->len);
  guint n_bytes = 0;
  for (guint k = 0; k < files[0]->len; k++)
    {
      const char *name = g_ptr_array_index (files[0], k);
      g_assert_cmpstr (name, ==, g_ptr_array_index (files[1], k));
      g_autofree char *german_path = g_build_filename (runs[0].root, name, NULL);
      g_autofree char *c_path = g_build_filename (runs[1].root, name, NULL);
      gsize lengths[2];
      g_autofree char *german = comparable_contents (german_path, &lengths[0]);
      g_autofree char *c = comparable_contents (c_path, &lengths[1]);
      if (lengths[0] != lengths[1] || memcmp (german, c, lengths[0]) != 0)
        {
          if (memchr (c, '\0', lengths[1]) == NULL && lengths[1] < 100000)
            g_error ("%s differs between de_DE.UTF-8 and C:\n--- de_DE.UTF-8\n%s\n--- C\n%s", name, german, c);
          g_error ("%s differs between de_DE.UTF-8 and C (%" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT " bytes)", name,
                   lengths[0], lengths[1]);
        }
      n_bytes += lengths[0];
    }
  g_test_message ("%u files, %u bytes, identical", files[0]->len, n_bytes);

  /* What they printed as CSV. */
  g_assert_cmpstr (runs[0].stdout_->str, ==, runs[1].stdout_->str);
  g_assert_nonnull (strstr (runs[1].stdout_->str, "\n0.05,"));
  g_assert_nonnull (strstr (runs[1].stdout_->str, "\t12.0625\t14.75\t33.3\t21.875"));

  for (gsize i = 0; i < G_N_ELEMENTS (locales); i++)
    {
      g_free (runs[i].root);
      g_string_free (runs[i].stdout_, TRUE);
    }
}

/* The review sidecar, written by the window (in process, so under setlocale): members it keeps from the file,
 * numbers among them, come back the same under a decimal-comma locale. */
static char *
review_saved_under (const char *locale, const char *folder)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  g_assert_nonnull (setlocale (LC_ALL, locale));
  g_autofree char *path = g_build_filename (folder, "cxrcam-review.json", NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, "{\"version\": 1, \"threshold\": 0.35, \"images\": {\"a.png\": {\"reviewed\": false, "
                       "\"zoom\": 1e-07, \"window\": [12.5, 3]}}}", -1, &error);
  g_assert_no_error (error);
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  cxr_review_set_reviewed (review, "a.png", TRUE);
  cxr_review_set_note (review, "b.png", "box 3,5 cm too wide");
  cxr_review_set_verdict (review, "c.png", CXR_VERDICT_DISAGREE);
  CxrCtr ctr = { { 412.54, 690.0, 601.23 }, { 198.0, 860.44, 640.0 } };
  cxr_review_set_ctr (review, "c.png", &ctr);
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (CxrMeasureLine));
  g_array_append_val (lines, ((CxrMeasureLine) { 412.54, 300.96, 690.25, 588.35 }));
  cxr_review_set_lines (review, "c.png", lines);
  g_assert_true (cxr_review_save (review, &error));
  g_assert_no_error (error);
  g_autofree char *contents = NULL;
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  setlocale (LC_ALL, saved);
  /* Who and when change from run to run (the clock may tick between the two saves). */
  g_autoptr (GRegex) stamps = g_regex_new ("\"(who|when)\"\\s*:\\s*\"[^\"]*\"", 0, 0, NULL);
  g_autofree char *stamped = g_regex_replace (stamps, contents, -1, 0, "\"\\1\": <stamp>", 0, NULL);
  g_assert_nonnull (strstr (stamped, "\"when\": <stamp>"));
  return g_steal_pointer (&stamped);
}

static void
test_review_sidecar (void)
{
  if (!cxr_test_have_locale ("de_DE.UTF-8"))
    return;
  g_autofree char *tmp = cxr_test_make_tmpdir ();
  g_autofree char *german_dir = g_build_filename (tmp, "de", NULL);
  g_autofree char *c_dir = g_build_filename (tmp, "c", NULL);
  g_assert_cmpint (g_mkdir (german_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (c_dir, 0755), ==, 0);
  g_autofree char *german = review_saved_under ("de_DE.UTF-8", german_dir);
  g_autofree char *c = review_saved_under ("C", c_dir);
  g_test_message ("%s", c);
  g_assert_cmpstr (german, ==, c);
  g_assert_nonnull (strstr (c, "0.35"));
  g_assert_nonnull (strstr (c, "12.5"));
  g_assert_nonnull (strstr (c, "0.4189"));
  g_assert_nonnull (strstr (c, "412.5,"));
  g_assert_nonnull (strstr (c, "588.4"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/locale-files/same-files-in-every-locale", test_same_files_in_every_locale);
  g_test_add_func ("/locale-files/review-sidecar", test_review_sidecar);
  return g_test_run ();
}
