/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gt-dict: gt_dict.json is read in all its shapes, written byte for byte as Python's json.dumps writes it,
 * and rewritten from BB.csv after edits, keeping its shape and the labels it was made of. */
#include <string.h>

#include "cxr-error.h"
#include "cxr-gt-dict.h"
#include "cxr-test-util.h"

static char *
write_file (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Each text is what Python 3's json.dumps wrote (see the comments), so loading and writing it again must give
 * the same bytes. */
static const struct {
  const char *name;
  CxrGtDictShape shape;
  guint n_boxes;
  const char *text;
} python_texts[] = {
  /* json.dumps({"a.png": [10.5, 20.0, 300.0, 200.0], "b.png": [1.25, 2.0, 3.0, 4.0]}) */
  { "box", CXR_GT_DICT_SHAPE_BOX, 2,
    "{\"a.png\": [10.5, 20.0, 300.0, 200.0], \"b.png\": [1.25, 2.0, 3.0, 4.0]}" },
  /* json.dumps({"a.png": [[10.5, 20.0, 300.0, 200.0], [1.0, 2.0, 3.0, 4.0]], "b.png": [[1.25, ...]]}, indent=4) */
  { "box list, indent 4", CXR_GT_DICT_SHAPE_BOX_LIST, 3,
    "{\n    \"a.png\": [\n        [\n            10.5,\n            20.0,\n            300.0,\n            200.0\n        ],\n"
    "        [\n            1.0,\n            2.0,\n            3.0,\n            4.0\n        ]\n    ],\n"
    "    \"b.png\": [\n        [\n            1.25,\n            2.0,\n            3.0,\n            4.0\n        ]\n    ]\n}" },
  /* json.dumps({"a.png": [{"label": "Cardiomegaly", "bbox": [10.5, 20.0, 300.0, 200.0]}]}, indent=2) */
  { "object list, indent 2", CXR_GT_DICT_SHAPE_OBJECT_LIST, 1,
    "{\n  \"a.png\": [\n    {\n      \"label\": \"Cardiomegaly\",\n      \"bbox\": [\n        10.5,\n        20.0,\n"
    "        300.0,\n        200.0\n      ]\n    }\n  ]\n}" },
  /* json.dumps([{"image": "a.png", "label": "Mass", "bbox": [0.1, 0.2, 0.30000000000000004, 1e-07]}]) */
  { "records", CXR_GT_DICT_SHAPE_RECORDS, 1,
    "[{\"image\": \"a.png\", \"label\": \"Mass\", \"bbox\": [0.1, 0.2, 0.30000000000000004, 1e-07]}]" },
  /* json.dumps([{"a.png": [1.0, 2.0, 3.0, 4.0]}, {"a.png": [5.0, 6.0, 7.0, 8.0]}]) */
  { "list of dicts", CXR_GT_DICT_SHAPE_LIST_OF_DICTS, 2,
    "[{\"a.png\": [1.0, 2.0, 3.0, 4.0]}, {\"a.png\": [5.0, 6.0, 7.0, 8.0]}]" },
  /* json.dumps({"a.png": {"label": "x\"y", "bbox": [225.084745762712, 547.019216763771, 86.7796610169491, ...]}}) */
  { "object", CXR_GT_DICT_SHAPE_OBJECT, 1,
    "{\"a.png\": {\"label\": \"x\\\"y\", \"bbox\": [225.084745762712, 547.019216763771, 86.7796610169491, "
    "79.1864406779661]}}" },
};

static void
test_python_texts_round_trip (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  for (gsize i = 0; i < G_N_ELEMENTS (python_texts); i++)
    {
      g_test_message ("shape: %s", python_texts[i].name);
      g_autofree char *path = write_file (dir, "gt_dict.json", python_texts[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrGtDict) dict = cxr_gt_dict_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (dict->shape, ==, python_texts[i].shape);
      g_assert_cmpuint (dict->boxes->len, ==, python_texts[i].n_boxes);
      g_autofree char *json = cxr_gt_dict_to_json (dict);
      g_assert_cmpstr (json, ==, python_texts[i].text);
    }
}

static void
test_values_and_labels (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "gt.json",
                                      "{\"a.png\": {\"label\": \"Mass\", \"box\": [1, 2, 3.5, 4]}, "
                                      "\"b.png\": [5, 6, 7, 8]}");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrGtDict) dict = cxr_gt_dict_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dict->boxes->len, ==, 2);
  const CxrGtDictBox *a = &g_array_index (dict->boxes, CxrGtDictBox, 0);
  const CxrGtDictBox *b = &g_array_index (dict->boxes, CxrGtDictBox, 1);
  g_assert_cmpstr (a->image, ==, "a.png");
  g_assert_cmpstr (a->label, ==, "Mass");
  g_assert_cmpfloat (a->w, ==, 3.5);
  g_assert_cmpstr (b->image, ==, "b.png");
  g_assert_null (b->label);
  g_assert_cmpfloat (b->h, ==, 8);
}

static void
test_bad_files (void)
{
  const struct {
    const char *text;
    const char *message;   /* after the path */
  } cases[] = {
    { "{\"a.png\": [1, 2, 3]}", ": \"a.png\": " },
    { "{\"a.png\": \"x\"}", ": \"a.png\": " },
    { "{\"a.png\": [1, 2, 3, 4],\n \"b.png\": [1, 2, 3, }", ":2:" },
    { "\x89PNG", ":1:" },
    { "42", ": not a gt_dict" },
    { "[{\"image\": \"a.png\", \"label\": \"x\"}]", ": \"a.png\": " },
    /* Escapes json-glib reads but JSON does not have; each gave a name cxrcam wrote back as bytes that are not
     * UTF-8, into a file it then could not read (the gt_dict fuzzer's \333, issue 13). */
    { "{\"a\\333.png\": [1, 2, 3, 4]}", ":1:4: an escape JSON does not have" },
    { "{\"a\\x41.png\": [1, 2, 3, 4]}", ":1:4: an escape JSON does not have" },
    { "{\"a\\ud800.png\": [1, 2, 3, 4]}", ":1:4: a lone high surrogate" },
    { "{\"a\\udc00.png\": [1, 2, 3, 4]}", ":1:4: a lone low surrogate" },
    { "{\"a\\u0000.png\": [1, 2, 3, 4]}", ":1:4: a NUL character" },
    { "{\n\"a\tb.png\": [1, 2, 3, 4]}", ":2:3: a raw control character" },
  };
  g_autofree char *dir = cxr_test_make_tmpdir ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (dir, "gt_dict.json", cases[i].text);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrGtDict) dict = cxr_gt_dict_load (path, &error);
      g_test_message ("%s", error != NULL ? error->message : "(loaded)");
      g_assert_null (dict);
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_autofree char *expected = g_strconcat (path, cases[i].message, NULL);
      g_assert_true (g_str_has_prefix (error->message, expected));
    }
}

/* 80,000 nested arrays (160 KB) overflowed json-glib's recursion and crashed the store's save (gt_dict.json follows BB.csv); the nesting limit comes first. */
static void
test_deep_nesting (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autoptr (GString) deep = g_string_new ("{\"a.png\": ");
  for (int i = 0; i < 80000; i++)
    g_string_append_c (deep, '[');
  g_autofree char *path = write_file (dir, "gt_dict.json", deep->str);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrGtDict) loaded = cxr_gt_dict_load (path, &error);
  g_assert_null (loaded);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "nesting limit"));
}

/* The tutorial's file: every Cardiomegaly box of BB.csv, one per image. */
static void
test_sync_follows_bb_csv (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *source = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_autofree char *text = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (source, &text, &length, NULL));
  g_autofree char *bb_path = g_build_filename (dir, "BB.csv", NULL);
  g_assert_true (g_file_set_contents (bb_path, text, (gssize) length, NULL));

  /* Build the tutorial's gt_dict the way a Python script would: {image: [x, y, w, h]} for Cardiomegaly rows. */
  g_autoptr (GString) json = g_string_new ("{");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);
      if (strcmp (f[1], "Cardiomegaly") != 0)
        continue;
      /* float(text) then repr(): the same digits, and "224" becomes "224.0" */
      g_string_append_printf (json, "%s\"%s\": [", n++ ? ", " : "", f[0]);
      for (int k = 2; k < 6; k++)
        g_string_append_printf (json, "%s%s%s", k > 2 ? ", " : "", f[k], strchr (f[k], '.') ? "" : ".0");
      g_string_append (json, "]");
    }
  g_string_append (json, "}");
  g_assert_cmpuint (n, ==, 146);
  g_autofree char *gt_path = write_file (dir, "gt_dict.json", json->str);

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (bb_path, &error);
  g_assert_no_error (error);
  g_autoptr (CxrGtDict) before = cxr_gt_dict_load (gt_path, &error);
  g_assert_no_error (error);
  g_autoptr (GHashTable) labels = cxr_gt_dict_match_labels (before, store);
  g_assert_cmpuint (g_hash_table_size (labels), ==, 1);
  g_assert_true (g_hash_table_contains (labels, "Cardiomegaly"));

  /* Unchanged BB.csv: the rewrite is the same file (Python would have written the same numbers) */
  g_assert_true (cxr_gt_dict_sync (gt_path, store, &error));
  g_assert_no_error (error);
  g_autofree char *same = NULL;
  g_assert_true (g_file_get_contents (gt_path, &same, NULL, NULL));
  g_assert_cmpstr (same, ==, json->str);

  /* Move the first Cardiomegaly box, relabel a Mass box as Cardiomegaly, save, sync */
  g_autoptr (GArray) rows = cxr_bbox_store_list (store);
  guint first_cardio = 0, first_mass = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const CxrBBox *row = &g_array_index (rows, CxrBBox, i);
      if (first_cardio == 0 && strcmp (row->label, "Cardiomegaly") == 0)
        first_cardio = row->id;
      if (first_mass == 0 && strcmp (row->label, "Mass") == 0)
        first_mass = row->id;
    }
  CxrBBox moved, relabelled;
  g_assert_true (cxr_bbox_store_get (store, first_cardio, &moved));
  g_assert_true (cxr_bbox_store_set_rect (store, first_cardio, 100, 200, 300, 400, &error));
  g_assert_true (cxr_bbox_store_set_label (store, first_mass, "Cardiomegaly", &error));
  g_assert_true (cxr_bbox_store_get (store, first_mass, &relabelled));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_true (cxr_gt_dict_sync (gt_path, store, &error));
  g_assert_no_error (error);

  g_autoptr (CxrGtDict) after = cxr_gt_dict_load (gt_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->shape, ==, CXR_GT_DICT_SHAPE_BOX);
  g_assert_cmpuint (after->boxes->len, ==, 147);
  gboolean saw_moved = FALSE, saw_relabelled = FALSE;
  for (guint i = 0; i < after->boxes->len; i++)
    {
      const CxrGtDictBox *box = &g_array_index (after->boxes, CxrGtDictBox, i);
      if (strcmp (box->image, moved.image) == 0)
        saw_moved = box->x == 100 && box->h == 400;
      if (strcmp (box->image, relabelled.image) == 0)
        saw_relabelled = box->x == relabelled.x;
    }
  g_assert_true (saw_moved);
  g_assert_true (saw_relabelled);
  g_autofree char *backup = g_strconcat (gt_path, "~", NULL);
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gt-dict/python-texts-round-trip", test_python_texts_round_trip);
  g_test_add_func ("/gt-dict/values-and-labels", test_values_and_labels);
  g_test_add_func ("/gt-dict/bad-files", test_bad_files);
  g_test_add_func ("/gt-dict/deep-nesting", test_deep_nesting);
  g_test_add_func ("/gt-dict/sync-follows-bb-csv", test_sync_follows_bb_csv);
  return g_test_run ();
}
