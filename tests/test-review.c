/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-review: the review sidecar records reviewed, note, who and when per image, keeps members it does not
 * know, saves atomically with a backup, refuses to overwrite changes made by others, and names file, line and
 * column in bad input. */
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-review.h"
#include "cxr-test-util.h"

static char *
write_file (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

static void
test_new_file (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cxrcam-review.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (cxr_review_is_dirty (review));
  CxrReviewEntry entry;
  g_assert_false (cxr_review_lookup (review, "a.png", &entry));
  g_assert_false (entry.reviewed);
  g_assert_cmpstr (entry.note, ==, "");

  guint notes = 0;
  g_signal_connect (review, "notify::dirty", G_CALLBACK (count_notify), &notes);
  cxr_review_set_reviewed (review, "a.png", TRUE);
  cxr_review_set_note (review, "b.png", "box \"too\" wide\nsecond line");
  g_assert_true (cxr_review_is_dirty (review));
  g_assert_true (cxr_review_lookup (review, "a.png", &entry));
  g_assert_true (entry.reviewed);
  g_assert_cmpstr (entry.who, ==, g_get_user_name ());
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", entry.when, 0, 0));
  g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (entry.when, NULL);
  g_assert_nonnull (when);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_assert_cmpint (g_date_time_difference (now, when), <, 5 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (cxr_review_count_reviewed (review), ==, 1);

  g_assert_true (cxr_review_save (review, &error));
  g_assert_no_error (error);
  g_assert_false (cxr_review_is_dirty (review));
  g_assert_cmpuint (notes, ==, 2);

  g_autoptr (CxrReview) again = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_review_lookup (again, "b.png", &entry));
  g_assert_false (entry.reviewed);
  g_assert_cmpstr (entry.note, ==, "box \"too\" wide\nsecond line");
  g_assert_cmpuint (cxr_review_count_reviewed (again), ==, 1);

  /* A second save of the same store works (its identity follows its own writes) and keeps a backup. */
  cxr_review_set_reviewed (review, "b.png", TRUE);
  g_assert_true (cxr_review_save (review, &error));
  g_assert_no_error (error);
  g_autofree char *backup = g_strconcat (path, "~", NULL);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
}

static void
test_unknown_members_are_kept (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "cxrcam-review.json",
                                      "{\"version\": 1, \"tool\": \"other\", \"images\": {\"a.png\": "
                                      "{\"reviewed\": false, \"note\": \"n\", \"color\": \"red\"}}}");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  cxr_review_set_note (review, "a.png", "checked");
  g_assert_true (cxr_review_save (review, &error));

  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "tool"), ==, "other");
  JsonObject *a = json_object_get_object_member (json_object_get_object_member (root, "images"), "a.png");
  g_assert_cmpstr (json_object_get_string_member (a, "color"), ==, "red");
  g_assert_cmpstr (json_object_get_string_member (a, "note"), ==, "checked");
  g_assert_false (json_object_get_boolean_member (a, "reviewed"));
}

static void
test_conflicts (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "cxrcam-review.json", "{\"version\": 1, \"images\": {}}");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  cxr_review_set_reviewed (review, "a.png", TRUE);
  g_assert_true (g_file_set_contents (path, "{\"version\": 1, \"images\": {\"z.png\": {}}}", -1, NULL));
  g_assert_false (cxr_review_save (review, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (cxr_review_is_dirty (review));

  /* created by somebody else after we found none */
  g_autofree char *other = g_build_filename (dir, "other.json", NULL);
  g_autoptr (CxrReview) fresh = cxr_review_open (other, &error);
  cxr_review_set_reviewed (fresh, "a.png", TRUE);
  g_assert_true (g_file_set_contents (other, "{}", -1, NULL));
  g_assert_false (cxr_review_save (fresh, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
}

static void
test_bad_files (void)
{
  const struct {
    const char *text;
    const char *message;   /* after the path */
  } cases[] = {
    { "{\"images\": {\"a.png\": {\"reviewed\": yes}}}", ":1:" },
    { "{\n\"images\": [1, 2]}", ": \"images\" is not an object" },
    { "{\"images\": {\"a.png\": {\"reviewed\": \"yes\"}}}", ": \"a.png\": \"reviewed\" is not true or false" },
    { "{\"images\": {\"a.png\": {\"note\": 3}}}", ": \"a.png\": \"note\", \"who\" and \"when\" must be text" },
    { "{\"images\": {\"a.png\": 3}}", ": \"a.png\": a review is an object" },
    { "\x89PNG\r\n", ":1:1: invalid UTF-8" },
    { "[]", ": not a review file" },
  };
  g_autofree char *dir = cxr_test_make_tmpdir ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (dir, "cxrcam-review.json", cases[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrReview) review = cxr_review_open (path, &error);
      g_test_message ("%s", error != NULL ? error->message : "(opened)");
      g_assert_null (review);
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_autofree char *expected = g_strconcat (path, cases[i].message, NULL);
      g_assert_true (g_str_has_prefix (error->message, expected));
    }
}

/* A save killed half way leaves its temporary file; opening the sidecar removes it, and only it. */
static void
test_sweeps_dead_saves (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "cxrcam-review.json", "{}");
  g_autofree char *stale = cxr_test_make_dead_writer_file (dir, "cxrcam-review.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* 80,000 nested arrays (160 KB) overflowed json-glib's recursion and crashed the window as it opened the folder; the nesting limit comes first. */
static void
test_deep_nesting (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autoptr (GString) deep = g_string_new ("{\"a.png\": ");
  for (int i = 0; i < 80000; i++)
    g_string_append_c (deep, '[');
  g_autofree char *path = write_file (dir, "cxrcam-review.json", deep->str);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) loaded = cxr_review_open (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "nesting limit"));
}

/* A file written before verdicts existed reads as before; verdicts round-trip, mark the image reviewed, and a bad
 * one names the image. */
static void
test_verdicts (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "cxrcam-review.json",
                                      "{\"version\": 1, \"images\": {\"a.png\": {\"reviewed\": true, \"note\": \"ok\"}}}\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  CxrReviewEntry entry;
  g_assert_true (cxr_review_lookup (review, "a.png", &entry));
  g_assert_true (entry.reviewed);
  g_assert_cmpint (entry.verdict, ==, CXR_VERDICT_NONE);
  g_assert_cmpstr (entry.note, ==, "ok");

  cxr_review_set_verdict (review, "b.png", CXR_VERDICT_DISAGREE);
  cxr_review_set_verdict (review, "a.png", CXR_VERDICT_UNSURE);
  g_assert_true (cxr_review_save (review, &error));
  g_assert_no_error (error);
  g_autoptr (CxrReview) again = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_review_lookup (again, "b.png", &entry));
  g_assert_true (entry.reviewed);
  g_assert_cmpint (entry.verdict, ==, CXR_VERDICT_DISAGREE);
  g_assert_true (cxr_review_lookup (again, "a.png", &entry));
  g_assert_cmpint (entry.verdict, ==, CXR_VERDICT_UNSURE);
  g_assert_cmpstr (entry.note, ==, "ok");
  g_assert_cmpuint (cxr_review_count_reviewed (again), ==, 2);

  /* Taking the verdict back removes the member; the image stays reviewed. */
  cxr_review_set_verdict (again, "b.png", CXR_VERDICT_NONE);
  g_assert_true (cxr_review_save (again, &error));
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "\"disagree\""));
  g_assert_nonnull (strstr (text, "\"unsure\""));

  g_autofree char *bad = write_file (dir, "bad.json",
                                     "{\"images\": {\"x.png\": {\"reviewed\": true, \"verdict\": \"maybe\"}}}\n");
  g_autoptr (CxrReview) none = cxr_review_open (bad, &error);
  g_assert_null (none);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "x.png"));
}

/* The cardiothoracic ratio (issue 16): old files without it load as before, a measurement goes in as two
 * calipers and a ratio and comes back, other members are kept, and broken ones are refused with the image named. */
static void
test_ctr (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "cxrcam-review.json",
                                      "{\"version\": 1, \"images\": {\"a.png\": {\"reviewed\": true, \"note\": \"ok\", "
                                      "\"verdict\": \"agree\"}}}\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  CxrCtr ctr;
  g_assert_false (cxr_review_get_ctr (review, "a.png", &ctr));

  CxrCtr measured = { { 412.54, 690.0, 601.23 }, { 198.0, 860.44, 640.0 } };
  cxr_review_set_ctr (review, "a.png", &measured);
  g_assert_true (cxr_review_save (review, &error));
  g_assert_no_error (error);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_test_message ("%s", text);
  /* Tenths of a pixel, the ratio of what is stored to four decimals: (690 - 412.5) / (860.4 - 198). */
  g_autoptr (GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  g_autofree char *flat = g_regex_replace (spaces, text, -1, 0, "", 0, NULL);
  g_assert_nonnull (strstr (flat, "\"ctr\":{\"heart\":[412.5,690.0,601.2],\"thorax\":[198.0,860.4,640.0],\"ratio\":0.4189}"));
  g_assert_nonnull (strstr (flat, "\"verdict\":\"agree\""));

  g_autoptr (CxrReview) again = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_review_get_ctr (again, "a.png", &ctr));
  g_assert_cmpfloat (ctr.heart.left, ==, 412.5);
  g_assert_cmpfloat (ctr.heart.right, ==, 690.0);
  g_assert_cmpfloat (ctr.heart.y, ==, 601.2);
  g_assert_cmpfloat (ctr.thorax.right, ==, 860.4);
  g_assert_cmpfloat (fabs (cxr_ctr_ratio (&ctr) - 277.5 / 662.4), <, 1e-12);
  g_assert_false (cxr_ctr_flagged (&ctr));
  CxrReviewEntry entry;
  g_assert_true (cxr_review_lookup (again, "a.png", &entry));
  g_assert_cmpint (entry.verdict, ==, CXR_VERDICT_AGREE);

  /* Removed again. */
  cxr_review_set_ctr (again, "a.png", NULL);
  g_assert_false (cxr_review_get_ctr (again, "a.png", &ctr));

  const char *broken[] = {
    "{\"images\": {\"x.png\": {\"ctr\": {\"heart\": [1, 2], \"thorax\": [1, 2, 3]}}}}\n",
    "{\"images\": {\"x.png\": {\"ctr\": {\"heart\": [1, 2, \"3\"], \"thorax\": [1, 2, 3]}}}}\n",
    "{\"images\": {\"x.png\": {\"ctr\": {\"heart\": [1, 2, 3]}}}}\n",
    "{\"images\": {\"x.png\": {\"ctr\": 0.5}}}\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *bad = write_file (dir, "bad.json", broken[i]);
      g_autoptr (GError) bad_error = NULL;
      g_autoptr (CxrReview) none = cxr_review_open (bad, &bad_error);
      g_assert_null (none);
      g_assert_error (bad_error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_assert_nonnull (strstr (bad_error->message, "x.png"));
      g_assert_nonnull (strstr (bad_error->message, "\"ctr\""));
    }

  /* The flag: above one half. */
  CxrCtr big = { { 100, 160, 10 }, { 0, 100, 20 } };
  g_assert_true (cxr_ctr_flagged (&big));
  CxrCtr half = { { 100, 150, 10 }, { 0, 100, 20 } };
  g_assert_false (cxr_ctr_flagged (&half));
  CxrCaliper from_box = cxr_caliper_from_box (10, 20, 30, 40);
  g_assert_cmpfloat (from_box.left, ==, 10);
  g_assert_cmpfloat (from_box.right, ==, 40);
  g_assert_cmpfloat (from_box.y, ==, 40);
}

/* Line measurements (issue 16): old files without them load as before, lines go in to a tenth of a pixel, in the
 * order drawn, and come back after the file is read again; other members are kept; deleting the last line removes
 * the member; broken members are refused with the image named. */
static void
test_lines (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const char *old = "{\"version\": 1, \"images\": {\"a.png\": {\"reviewed\": true, \"note\": \"ok\", "
                    "\"verdict\": \"agree\", \"ctr\": {\"heart\": [1, 2, 3], \"thorax\": [0, 10, 3]}}}}\n";
  g_autofree char *path = write_file (dir, "cxrcam-review.json", old);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) none = cxr_review_get_lines (review, "a.png");
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr (GArray) unknown = cxr_review_get_lines (review, "nobody.png");
  g_assert_cmpuint (unknown->len, ==, 0);

  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (CxrMeasureLine));
  g_array_append_val (lines, ((CxrMeasureLine) { 412.54, 300.96, 690.25, 588.35 }));
  g_array_append_val (lines, ((CxrMeasureLine) { 100, 80.5, 140, 80.5 }));
  cxr_review_set_lines (review, "a.png", lines);
  g_assert_true (cxr_review_is_dirty (review));
  g_assert_true (cxr_review_save (review, &error));
  g_assert_no_error (error);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_test_message ("%s", text);
  g_autoptr (GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  g_autofree char *flat = g_regex_replace (spaces, text, -1, 0, "", 0, NULL);
  /* Tenths: 690.25 is exact in binary and rounds half away from zero, to 690.3. */
  g_assert_nonnull (strstr (flat, "\"lines\":[[412.5,301.0,690.3,588.4],[100.0,80.5,140.0,80.5]]"));
  g_assert_nonnull (strstr (flat, "\"verdict\":\"agree\""));
  g_assert_nonnull (strstr (flat, "\"ctr\":{\"heart\":[1,2,3]"));

  g_autoptr (CxrReview) again = cxr_review_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) back = cxr_review_get_lines (again, "a.png");
  g_assert_cmpuint (back->len, ==, 2);
  const CxrMeasureLine *first = &g_array_index (back, CxrMeasureLine, 0);
  g_assert_cmpfloat (first->x0, ==, 412.5);
  g_assert_cmpfloat (first->y0, ==, 301.0);
  g_assert_cmpfloat (first->x1, ==, 690.3);
  g_assert_cmpfloat (first->y1, ==, 588.4);
  g_assert_cmpfloat (g_array_index (back, CxrMeasureLine, 1).y1, ==, 80.5);
  CxrCtr ctr;
  g_assert_true (cxr_review_get_ctr (again, "a.png", &ctr));

  /* The last line deleted: no member, and the file is as it was but for who and when. */
  g_array_set_size (back, 0);
  cxr_review_set_lines (again, "a.png", back);
  g_assert_true (cxr_review_save (again, &error));
  g_autofree char *emptied = NULL;
  g_assert_true (g_file_get_contents (path, &emptied, NULL, NULL));
  g_assert_null (strstr (emptied, "\"lines\""));

  const char *broken[] = {
    "{\"images\": {\"x.png\": {\"lines\": [[1, 2, 3]]}}}\n",
    "{\"images\": {\"x.png\": {\"lines\": [[1, 2, 3, \"4\"]]}}}\n",
    "{\"images\": {\"x.png\": {\"lines\": [[1, 2, 3, 4], 5]}}}\n",
    "{\"images\": {\"x.png\": {\"lines\": [1, 2, 3, 4]}}}\n",
    "{\"images\": {\"x.png\": {\"lines\": {\"0\": [1, 2, 3, 4]}}}}\n",
    "{\"images\": {\"x.png\": {\"lines\": [[1, 2, 3, 4, 5]]}}}\n",
    "{\"images\": {\"x.png\": {\"lines\": [[1, 2, 3, null]]}}}\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *bad = write_file (dir, "bad.json", broken[i]);
      g_autoptr (GError) bad_error = NULL;
      g_autoptr (CxrReview) refused = cxr_review_open (bad, &bad_error);
      g_assert_null (refused);
      g_assert_error (bad_error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_test_message ("%s", bad_error->message);
      g_assert_nonnull (strstr (bad_error->message, "\"x.png\""));
      g_assert_nonnull (strstr (bad_error->message, "\"lines\""));
    }
  /* An empty list and null read as no lines. */
  g_autofree char *empty = write_file (dir, "empty.json", "{\"images\": {\"x.png\": {\"lines\": []}, "
                                       "\"y.png\": {\"lines\": null}}}\n");
  g_autoptr (CxrReview) empty_review = cxr_review_open (empty, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) x_lines = cxr_review_get_lines (empty_review, "x.png");
  g_autoptr (GArray) y_lines = cxr_review_get_lines (empty_review, "y.png");
  g_assert_cmpuint (x_lines->len + y_lines->len, ==, 0);

  /* The geometry the window uses: length, and the distance from a point to the segment (past an end: to it). */
  CxrMeasureLine line = { 0, 0, 30, 40 };
  g_assert_cmpfloat (cxr_measure_line_length (&line), ==, 50.0);
  g_assert_cmpfloat (fabs (cxr_measure_line_distance (&line, 40, -30) - 50.0), <, 1e-12);
  g_assert_cmpfloat (fabs (cxr_measure_line_distance (&line, 60, 80) - 50.0), <, 1e-12);
  g_assert_cmpfloat (fabs (cxr_measure_line_distance (&line, 15, 20)), <, 1e-12);
  CxrMeasureLine dot = { 5, 5, 5, 5 };
  g_assert_cmpfloat (cxr_measure_line_distance (&dot, 8, 9), ==, 5.0);
}

/* The CSV: quoted where needed, a point in numbers whatever the locale, empty fields for what is unknown. */
static void
test_csv (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "cxrcam-review.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrReview) review = cxr_review_open (path, &error);
  g_assert_no_error (error);
  cxr_review_set_verdict (review, "a.png", CXR_VERDICT_AGREE);
  cxr_review_set_note (review, "a.png", "box \"too\" wide, left");

  const char *saved = setlocale (LC_NUMERIC, NULL);
  g_autofree char *old_locale = g_strdup (saved);
  setlocale (LC_NUMERIC, "de_DE.UTF-8");   /* a comma locale, where it exists */
  g_autoptr (GString) csv = g_string_new (CXR_REVIEW_CSV_HEADER);
  cxr_review_csv_append_row (review, csv, "a.png", "Cardiomegaly|Effusion", 0.87654);
  cxr_review_csv_append_row (review, csv, "b.png", "No Finding", NAN);
  setlocale (LC_NUMERIC, old_locale);

  CxrReviewEntry entry;
  cxr_review_lookup (review, "a.png", &entry);
  g_autofree char *want = g_strdup_printf ("image,finding_labels,probability,reviewed,verdict,note,who,when\n"
                                           "a.png,Cardiomegaly|Effusion,0.8765,yes,agree,\"box \"\"too\"\" wide, left\",%s,%s\n"
                                           "b.png,No Finding,,no,,,,\n", entry.who, entry.when);
  g_assert_cmpstr (csv->str, ==, want);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/review/new-file", test_new_file);
  g_test_add_func ("/review/unknown-members-are-kept", test_unknown_members_are_kept);
  g_test_add_func ("/review/conflicts", test_conflicts);
  g_test_add_func ("/review/bad-files", test_bad_files);
  g_test_add_func ("/review/deep-nesting", test_deep_nesting);
  g_test_add_func ("/review/verdicts", test_verdicts);
  g_test_add_func ("/review/csv", test_csv);
  g_test_add_func ("/review/ctr", test_ctr);
  g_test_add_func ("/review/lines", test_lines);
  g_test_add_func ("/review/sweeps-dead-saves", test_sweeps_dead_saves);
  return g_test_run ();
}
