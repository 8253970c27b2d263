/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-bbox-store: BB.csv round trips byte for byte, edits change only their line, saves are atomic with a backup
 * and refuse to overwrite changed files, bad input names file:line:column and writes nothing, and the journal
 * brings back unsaved edits. */
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cxr-bbox-store.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

/* ---- helpers --------------------------------------------------------------------------------------------- */

static char *
write_file (const char *dir, const char *name, const char *contents, gssize length)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return path;
}

static char *
read_file (const char *path, gsize *length)
{
  char *contents = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  if (length)
    *length = len;
  return contents;
}

/* Splits text into lines that keep their terminators, so that a changed terminator shows as a changed line. */
static GPtrArray *
split_lines (const char *text, gsize length)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  gsize start = 0;
  for (gsize i = 0; i < length; i++)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= length || text[i + 1] != '\n')))
      {
        g_ptr_array_add (lines, g_strndup (text + start, i + 1 - start));
        start = i + 1;
      }
  if (start < length)
    g_ptr_array_add (lines, g_strndup (text + start, length - start));
  return lines;
}

/* The number of lines that differ between a and b, when b is a with lines replaced, inserted or removed in one
 * place: strips the common head and tail and returns the larger middle. */
static guint
count_changed_lines (const char *a, gsize a_len, const char *b, gsize b_len)
{
  g_autoptr (GPtrArray) la = split_lines (a, a_len);
  g_autoptr (GPtrArray) lb = split_lines (b, b_len);
  guint head = 0;
  while (head < la->len && head < lb->len && strcmp (la->pdata[head], lb->pdata[head]) == 0)
    head++;
  guint tail = 0;
  while (tail < la->len - head && tail < lb->len - head
         && strcmp (la->pdata[la->len - 1 - tail], lb->pdata[lb->len - 1 - tail]) == 0)
    tail++;
  return MAX (la->len - head - tail, lb->len - head - tail);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, (char *) name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
assert_store_text (CxrBBoxStore *store, const char *expected)
{
  g_autoptr (GBytes) bytes = cxr_bbox_store_serialize (store);
  g_autofree char *got = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_cmpstr (got, ==, expected);
}

static char *
copy_real_bbox_list (const char *dir)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return NULL;
  g_autofree char *source = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  gsize length;
  g_autofree char *contents = read_file (source, &length);
  return write_file (dir, "BB.csv", contents, (gssize) length);
}

/* ---- the real file --------------------------------------------------------------------------------------- */

static void
test_real_file_round_trip (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = copy_real_bbox_list (dir);
  if (path == NULL)
    return;
  gsize original_length;
  g_autofree char *original = read_file (path, &original_length);

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_bbox_store_get_n_boxes (store), ==, 984);
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, NULL), ==, CXR_BBOX_RECOVERY_NONE);
  g_assert_false (cxr_bbox_store_is_dirty (store));

  /* ids are row numbers; the first row is line 2 */
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store, 1, &box));
  g_assert_cmpstr (box.image, ==, "00013118_008.png");
  g_assert_cmpstr (box.label, ==, "Atelectasis");
  g_assert_cmpfloat (box.x, ==, 225.084745762712);
  g_assert_cmpfloat (box.h, ==, 79.1864406779661);
  g_assert_cmpuint (cxr_bbox_store_get_line (store, 1), ==, 2);
  g_assert_cmpuint (cxr_bbox_store_get_line (store, 984), ==, 985);
  g_autoptr (GArray) infiltrates = cxr_bbox_store_list (store);
  guint n_infiltrate = 0, n_cardiomegaly = 0;
  for (guint i = 0; i < infiltrates->len; i++)
    {
      const CxrBBox *b = &g_array_index (infiltrates, CxrBBox, i);
      g_assert_cmpuint (b->id, ==, i + 1);
      n_infiltrate += strcmp (b->label, "Infiltrate") == 0;
      n_cardiomegaly += strcmp (b->label, "Cardiomegaly") == 0;
    }
  g_assert_cmpuint (n_infiltrate, ==, 123);
  g_assert_cmpuint (n_cardiomegaly, ==, 146);

  /* open + save with no edit: byte-identical, and the backup holds the same bytes */
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  gsize saved_length;
  g_autofree char *saved = read_file (path, &saved_length);
  g_assert_cmpmem (saved, saved_length, original, original_length);
  g_autofree char *backup = cxr_bbox_store_dup_backup_path (store);
  g_assert_true (g_str_has_suffix (backup, "BB.csv~"));
  g_autofree char *backup_contents = read_file (backup, &saved_length);
  g_assert_cmpmem (backup_contents, saved_length, original, original_length);
  g_autofree char *listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "BB.csv BB.csv~");
}

static void
test_real_file_one_edit_one_line (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = copy_real_bbox_list (dir);
  if (path == NULL)
    return;
  gsize original_length;
  g_autofree char *original = read_file (path, &original_length);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);

  /* Move one box: only its x text changes; y, w, h keep their 15 digits. */
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store, 500, &box));
  guint line = cxr_bbox_store_get_line (store, 500);
  g_assert_true (cxr_bbox_store_set_rect (store, 500, 100.5, box.y, box.w, box.h, &error));
  g_assert_no_error (error);
  g_assert_true (cxr_bbox_store_is_dirty (store));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_false (cxr_bbox_store_is_dirty (store));

  gsize saved_length;
  g_autofree char *saved = read_file (path, &saved_length);
  g_assert_cmpuint (count_changed_lines (original, original_length, saved, saved_length), ==, 1);
  g_autoptr (GPtrArray) old_lines = split_lines (original, original_length);
  g_autoptr (GPtrArray) new_lines = split_lines (saved, saved_length);
  g_auto (GStrv) old_fields = g_strsplit (old_lines->pdata[line - 1], ",", -1);
  g_auto (GStrv) new_fields = g_strsplit (new_lines->pdata[line - 1], ",", -1);
  g_assert_cmpstr (new_fields[2], ==, "100.5");
  for (int k = 0; k < 6; k++)
    if (k != 2)
      g_assert_cmpstr (new_fields[k], ==, old_fields[k]);

  /* Relabel another, delete a third, add one: three more line changes, all local. */
  g_assert_true (cxr_bbox_store_set_label (store, 10, "Cardiomegaly", &error));
  g_assert_true (cxr_bbox_store_remove (store, 20, &error));
  guint id = cxr_bbox_store_add (store, "00000001_000.png", "Cardiomegaly", 10, 20, 300.25, 400, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id, ==, 985);
  g_autoptr (GBytes) bytes = cxr_bbox_store_serialize (store);
  const char *text = g_bytes_get_data (bytes, NULL);
  g_assert_true (g_str_has_suffix (text, "\n00000001_000.png,Cardiomegaly,10,20,300.25,400\n"));

  /* Undo all three: back to what was saved. */
  for (int i = 0; i < 3; i++)
    g_assert_true (cxr_bbox_store_undo (store, &error));
  g_assert_false (cxr_bbox_store_is_dirty (store));
  g_autoptr (GBytes) back = cxr_bbox_store_serialize (store);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), saved, saved_length);
  /* and one more undo reaches the original file */
  g_assert_true (cxr_bbox_store_undo (store, &error));
  g_autoptr (GBytes) first = cxr_bbox_store_serialize (store);
  g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first), original, original_length);
  g_assert_true (cxr_bbox_store_is_dirty (store));   /* it differs from the saved file */
  g_assert_false (cxr_bbox_store_can_undo (store));
  for (int i = 0; i < 4; i++)
    g_assert_true (cxr_bbox_store_redo (store, &error));
  g_assert_false (cxr_bbox_store_can_redo (store));
  g_assert_cmpuint (cxr_bbox_store_get_n_boxes (store), ==, 984);
  g_assert_false (cxr_bbox_store_get (store, 20, &box));
}

/* ---- styles ---------------------------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *original;
  guint edit_id;               /* a row to move to x = 1 */
  const char *after_edit;      /* the whole file after that edit */
  const char *after_add;       /* ... and after adding "new.png,Mass,1,2,3,4" */
  const char *after_remove;    /* ... and after removing the last original row */
} StyleCase;

static const StyleCase style_cases[] = {
  { "lf",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,10.5,20,30,40\nb.png,Nodule,1.25,2,3,4\n",
    1,
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,20,30,40\nb.png,Nodule,1.25,2,3,4\n",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,20,30,40\nb.png,Nodule,1.25,2,3,4\nnew.png,Mass,1,2,3,4\n",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,20,30,40\nnew.png,Mass,1,2,3,4\n" },
  { "crlf",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\r\na.png,Mass,10.5,20,30,40\r\nb.png,Nodule,1.25,2,3,4\r\n",
    2,
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\r\na.png,Mass,10.5,20,30,40\r\nb.png,Nodule,1,2,3,4\r\n",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\r\na.png,Mass,10.5,20,30,40\r\nb.png,Nodule,1,2,3,4\r\nnew.png,Mass,1,2,3,4\r\n",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\r\na.png,Mass,10.5,20,30,40\r\nnew.png,Mass,1,2,3,4\r\n" },
  { "no final newline",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,10.5,20,30,40\nb.png,Nodule,1.25,2,3,4",
    2,
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,10.5,20,30,40\nb.png,Nodule,1,2,3,4",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,10.5,20,30,40\nb.png,Nodule,1,2,3,4\nnew.png,Mass,1,2,3,4",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,10.5,20,30,40\nnew.png,Mass,1,2,3,4" },
  { "trailing empty fields",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,10.5,20,30,40,,,\nb.png,Nodule,1.25,2,3,4,,,\n",
    1,
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,20,30,40,,,\nb.png,Nodule,1.25,2,3,4,,,\n",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,20,30,40,,,\nb.png,Nodule,1.25,2,3,4,,,\nnew.png,Mass,1,2,3,4,,,\n",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,20,30,40,,,\nnew.png,Mass,1,2,3,4,,,\n" },
  { "quoted fields and extra columns",
    "\"Image Index\",\"Finding Label\",\"Bbox [x,y,w,h]\",,,,Reader\n\"a.png\",\"Mass\",\"10.5\",20,30,40,,,,\"Dr. A, MD\"\n"
    "\"b, c.png\",Nodule,1.25,2,3,4,,,,x\n",
    2,
    "\"Image Index\",\"Finding Label\",\"Bbox [x,y,w,h]\",,,,Reader\n\"a.png\",\"Mass\",\"10.5\",20,30,40,,,,\"Dr. A, MD\"\n"
    "\"b, c.png\",Nodule,1,2,3,4,,,,x\n",
    "\"Image Index\",\"Finding Label\",\"Bbox [x,y,w,h]\",,,,Reader\n\"a.png\",\"Mass\",\"10.5\",20,30,40,,,,\"Dr. A, MD\"\n"
    "\"b, c.png\",Nodule,1,2,3,4,,,,x\nnew.png,Mass,1,2,3,4,,,,\n",
    "\"Image Index\",\"Finding Label\",\"Bbox [x,y,w,h]\",,,,Reader\n\"a.png\",\"Mass\",\"10.5\",20,30,40,,,,\"Dr. A, MD\"\n"
    "new.png,Mass,1,2,3,4,,,,\n" },
  { "mixed endings, blank lines, BOM, x,y,w,h header",
    "\xEF\xBB\xBFImage Index,Finding Label,x,y,w,h\r\na.png,Mass,10.5,20,30,40\n\nb.png,Nodule,1.25,2,3,4\r\n",
    1,
    "\xEF\xBB\xBFImage Index,Finding Label,x,y,w,h\r\na.png,Mass,1,20,30,40\n\nb.png,Nodule,1.25,2,3,4\r\n",
    "\xEF\xBB\xBFImage Index,Finding Label,x,y,w,h\r\na.png,Mass,1,20,30,40\n\nb.png,Nodule,1.25,2,3,4\r\nnew.png,Mass,1,2,3,4\r\n",
    "\xEF\xBB\xBFImage Index,Finding Label,x,y,w,h\r\na.png,Mass,1,20,30,40\n\nnew.png,Mass,1,2,3,4\r\n" },
  { "header only, no newline",
    "Image Index,Finding Label,Bbox [x,y,w,h],,,",
    0, NULL,
    "Image Index,Finding Label,Bbox [x,y,w,h],,,\nnew.png,Mass,1,2,3,4",
    NULL },
};

static void
test_styles_are_kept (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (style_cases); i++)
    {
      const StyleCase *c = &style_cases[i];
      g_test_message ("style: %s", c->name);
      g_autofree char *dir = cxr_test_make_tmpdir ();
      g_autofree char *path = write_file (dir, "BB.csv", c->original, -1);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
      g_assert_no_error (error);
      assert_store_text (store, c->original);

      guint n_rows = cxr_bbox_store_get_n_boxes (store);
      if (c->edit_id != 0)
        {
          CxrBBox box;
          g_assert_true (cxr_bbox_store_get (store, c->edit_id, &box));
          g_assert_true (cxr_bbox_store_set_rect (store, c->edit_id, 1, box.y, box.w, box.h, &error));
          g_assert_no_error (error);
          assert_store_text (store, c->after_edit);
        }
      g_assert_cmpuint (cxr_bbox_store_add (store, "new.png", "Mass", 1, 2, 3, 4, &error), !=, 0);
      assert_store_text (store, c->after_add);
      if (c->after_remove != NULL)
        {
          g_assert_true (cxr_bbox_store_remove (store, n_rows, &error));
          assert_store_text (store, c->after_remove);
        }

      /* The saved file is what serialize showed, and it reads back to the same rows. */
      g_assert_true (cxr_bbox_store_save (store, &error));
      g_assert_no_error (error);
      g_autofree char *saved = read_file (path, NULL);
      g_assert_cmpstr (saved, ==, c->after_remove != NULL ? c->after_remove : c->after_add);
      assert_store_text (store, saved);
      g_autoptr (CxrBBoxStore) again = cxr_bbox_store_open (path, &error);
      g_assert_no_error (error);
      assert_store_text (again, saved);
    }
}

static void
test_undo_after_save_restores_in_place (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const char *original = "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,L,1,1,1,1\nb,L,2,2,2,2\nc,L,3,3,3,3\n";
  g_autofree char *path = write_file (dir, "BB.csv", original, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_remove (store, 2, &error));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_autofree char *saved = read_file (path, NULL);
  g_assert_cmpstr (saved, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,L,1,1,1,1\nc,L,3,3,3,3\n");
  g_assert_false (cxr_bbox_store_is_dirty (store));
  g_assert_true (cxr_bbox_store_undo (store, &error));
  g_assert_true (cxr_bbox_store_is_dirty (store));
  assert_store_text (store, original);
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store, 3, &box));
  g_assert_cmpstr (box.image, ==, "c");
}

/* ---- bad input ------------------------------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *contents;
  gsize length;           /* 0: strlen */
  const char *where;      /* "BB.csv:LINE:COLUMN: " expected after the folder */
  const char *what;       /* a word the message must hold */
} BadFile;

static void
test_bad_input_names_line_and_column (void)
{
  static const char png_garbage[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x04\0";
  const BadFile cases[] = {
    { "non-numeric", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,1,2,3,4\nb,Mass,1,two,3,4\n", 0,
      "BB.csv:3:10: ", "not a number" },
    { "negative", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,1,-2,3,4\n", 0, "BB.csv:2:10: ", "negative" },
    { "huge", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,1,2,1e300,4\n", 0, "BB.csv:2:12: ", "out of range" },
    { "infinite", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,inf,2,3,4\n", 0, "BB.csv:2:8: ", "not a number" },
    { "unknown column", "Image Index,Disease,x,y,w,h\n", 0, "BB.csv:1:13: ", "unknown column 'Disease'" },
    { "corner columns", "Image Index,Finding Label,x1,y1,x2,y2\n", 0, "BB.csv:1:27: ", "unknown column 'x1'" },
    { "binary garbage", png_garbage, sizeof png_garbage - 1, "BB.csv:1:", "" },
    { "empty file", "", 0, "BB.csv:1:1: ", "empty" },
    { "blank first line", "\nImage Index,Finding Label,Bbox [x,y,w,h],,,\n", 0, "BB.csv:1:1: ", "empty" },
    { "too few fields", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,1,2\n", 0, "BB.csv:2:11: ", "6 fields" },
    { "empty image", "Image Index,Finding Label,Bbox [x,y,w,h],,,\n,Mass,1,2,3,4\n", 0, "BB.csv:2:1: ", "image name" },
    { "unclosed quote", "Image Index,Finding Label,Bbox [x,y,w,h],,,\n\"a,Mass,1,2,3,4\n", 0, "BB.csv:2:1: ", "never closed" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadFile *c = &cases[i];
      g_autofree char *dir = cxr_test_make_tmpdir ();
      gsize length = c->length ? c->length : strlen (c->contents);
      g_autofree char *path = write_file (dir, "BB.csv", c->contents, (gssize) length);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
      g_test_message ("%s: %s", c->name, error ? error->message : "(opened)");
      g_assert_null (store);
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_autofree char *where = g_build_filename (dir, c->where, NULL);
      g_assert_true (g_str_has_prefix (error->message, where));
      g_assert_nonnull (strstr (error->message, c->what));
      /* nothing written: no backup, no journal, no temporary file, and the file as it was */
      g_autofree char *listing = list_dir (dir);
      g_assert_cmpstr (listing, ==, "BB.csv");
      gsize after_length;
      g_autofree char *after = read_file (path, &after_length);
      g_assert_cmpmem (after, after_length, c->contents, length);
    }
}

static void
test_ten_megabyte_line (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  gsize length = 10u << 20;
  g_autofree char *contents = g_malloc (length);
  memset (contents, '7', length);
  const char *head = "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,";
  memcpy (contents, head, strlen (head));
  g_autofree char *path = write_file (dir, "BB.csv", contents, (gssize) length);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_autofree char *where = g_strdup_printf ("%s:2:1048577: ", path);
  g_assert_true (g_str_has_prefix (error->message, where));
  g_autofree char *listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "BB.csv");
}

static void
test_missing_file (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_bad_edits_change_nothing (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,L,1,1,1,1\n", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_cmpuint (cxr_bbox_store_add (store, "b", "L", -1, 0, 1, 1, &error), ==, 0);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (cxr_bbox_store_add (store, "b", "L", 0, 0, 1e9, 1, &error), ==, 0);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (cxr_bbox_store_add (store, "", "L", 0, 0, 1, 1, &error), ==, 0);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_set_rect (store, 1, 0, NAN, 1, 1, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_set_label (store, 1, "", &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  /* Names that are not UTF-8 would make BB.csv unreadable (`bbox add BB.csv $'\xff.png' ...` once saved one). */
  g_assert_cmpuint (cxr_bbox_store_add (store, "\xff.png", "L", 0, 0, 1, 1, &error), ==, 0);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "not valid UTF-8"));
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_set_label (store, 1, "Mass\xc3", &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_remove (store, 7, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_undo (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_is_dirty (store));
  g_assert_false (cxr_bbox_store_can_undo (store));
  g_autofree char *listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "BB.csv");
}

/* ---- saving ---------------------------------------------------------------------------------------------- */

static const char small_file[] = "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,L,1,1,1,1\nb,L,2,2,2,2\n";

static void
test_conflicts_are_refused (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_set_label (store, 1, "Mass", &error));

  /* Somebody else rewrites the file with the same size: the content hash notices. */
  g_autofree char *theirs_text = g_strdup (small_file);
  theirs_text[strlen (theirs_text) - 2] = '9';
  g_assert_true (g_file_set_contents (path, theirs_text, -1, NULL));
  g_assert_true (cxr_bbox_store_has_changed_on_disk (store));
  g_assert_false (cxr_bbox_store_save (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (cxr_bbox_store_is_dirty (store));
  g_autofree char *theirs = read_file (path, NULL);
  g_assert_cmpstr (theirs, ==, theirs_text);

  /* Deleted on disk: a conflict too. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (cxr_bbox_store_save (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Saving elsewhere works, and the store follows the new file. */
  g_autofree char *other = g_build_filename (dir, "BB-mine.csv", NULL);
  g_assert_true (cxr_bbox_store_save_as (store, other, &error));
  g_assert_no_error (error);
  g_assert_false (cxr_bbox_store_is_dirty (store));
  g_autofree char *mine = read_file (other, NULL);
  g_assert_cmpstr (mine, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,1,1,1,1\nb,L,2,2,2,2\n");
  g_assert_cmpstr (cxr_bbox_store_get_path (store), ==, other);
  g_autofree char *old_journal = g_strconcat (path, ".journal", NULL);
  g_assert_false (g_file_test (old_journal, G_FILE_TEST_EXISTS));
}

static void
test_touched_file_is_not_a_conflict (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_set_label (store, 2, "Mass", &error));
  /* same bytes, new mtime: nothing of anybody's would be lost */
  g_usleep (20000);
  g_assert_true (g_file_set_contents (path, small_file, -1, NULL));
  g_assert_false (cxr_bbox_store_has_changed_on_disk (store));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
}

static void
test_failed_save_stays_dirty (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_remove (store, 1, &error));

  /* A folder where the backup should go makes the save fail after the new version was written to a temporary
   * file (this works as root too, unlike a read-only folder). */
  g_autofree char *backup = cxr_bbox_store_dup_backup_path (store);
  g_assert_cmpint (g_mkdir (backup, 0755), ==, 0);
  g_autofree char *inside = g_build_filename (backup, "x", NULL);
  g_assert_true (g_file_set_contents (inside, "x", -1, NULL));
  g_assert_false (cxr_bbox_store_save (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (cxr_bbox_store_is_dirty (store));
  g_autofree char *unchanged = read_file (path, NULL);
  g_assert_cmpstr (unchanged, ==, small_file);
  g_autofree char *listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "BB.csv BB.csv.journal BB.csv~");

  /* Once the obstacle is gone the same store saves. */
  g_assert_cmpint (g_unlink (inside), ==, 0);
  g_assert_cmpint (g_rmdir (backup), ==, 0);
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_false (cxr_bbox_store_is_dirty (store));
  g_autofree char *saved = read_file (path, NULL);
  g_assert_cmpstr (saved, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\nb,L,2,2,2,2\n");
  g_autofree char *backup_text = read_file (backup, NULL);
  g_assert_cmpstr (backup_text, ==, small_file);
  g_autofree char *listing_after = list_dir (dir);
  g_assert_cmpstr (listing_after, ==, "BB.csv BB.csv~");
}

/* A BB.csv made read-only (mode 0444) in a folder that can be written: the rename of a save could replace it, and
 * did before, as root too. Its own file is refused, named, with the edits kept; Save As to another file works. */
static void
test_read_only_file_is_not_replaced (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (cxr_bbox_store_remove (store, 1, &error));
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  GStatBuf before, after;
  g_assert_cmpint (g_stat (path, &before), ==, 0);

  g_assert_false (cxr_bbox_store_save (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_clear_error (&error);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  g_autofree char *unchanged = read_file (path, NULL);
  g_assert_cmpstr (unchanged, ==, small_file);
  g_assert_true (cxr_bbox_store_is_dirty (store));

  g_autofree char *other = g_build_filename (dir, "mine.csv", NULL);
  g_assert_true (cxr_bbox_store_save_as (store, other, &error));
  g_assert_no_error (error);
  g_autofree char *copy = read_file (other, NULL);
  g_assert_cmpstr (copy, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\nb,L,2,2,2,2\n");
}

static void
test_symlink_stays_a_link (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *real_dir = g_build_filename (dir, "real", NULL);
  g_assert_cmpint (g_mkdir (real_dir, 0755), ==, 0);
  g_autofree char *target = write_file (real_dir, "boxes.csv", small_file, -1);
  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  g_assert_cmpint (symlink (target, path), ==, 0);

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_set_label (store, 1, "Mass", &error));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  g_autofree char *through_link = read_file (target, NULL);
  g_assert_cmpstr (through_link, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,Mass,1,1,1,1\nb,L,2,2,2,2\n");
  g_autofree char *backup = cxr_bbox_store_dup_backup_path (store);
  g_autofree char *old = read_file (backup, NULL);
  g_assert_cmpstr (old, ==, small_file);
  /* and the next save still sees no conflict */
  g_assert_true (cxr_bbox_store_set_label (store, 2, "Mass", &error));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
}

static void
test_new_file (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "BB.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_new_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_bbox_store_add (store, "x.png", "Cardiomegaly", 1.5, 2, 3, 4, &error), ==, 1);
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_autofree char *saved = read_file (path, NULL);
  g_assert_cmpstr (saved, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\nx.png,Cardiomegaly,1.5,2,3,4\n");

  /* Somebody creates the file meanwhile: the second new store may not overwrite it. */
  g_autofree char *other = g_build_filename (dir, "BB2.csv", NULL);
  g_autoptr (CxrBBoxStore) store2 = cxr_bbox_store_new_file (other, &error);
  g_assert_true (g_file_set_contents (other, small_file, -1, NULL));
  g_assert_false (cxr_bbox_store_save (store2, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

static void
count_changed (CxrBBoxStore *store, guint id, gpointer data)
{
  (*(guint *) data)++;
}

static void
test_signals (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  guint dirty_notes = 0, changes = 0;
  g_signal_connect (store, "notify::dirty", G_CALLBACK (count_notify), &dirty_notes);
  g_signal_connect (store, "changed", G_CALLBACK (count_changed), &changes);
  g_assert_true (cxr_bbox_store_set_rect (store, 1, 5, 5, 5, 5, &error));
  g_assert_true (cxr_bbox_store_set_rect (store, 1, 6, 5, 5, 5, &error));
  g_assert_true (cxr_bbox_store_set_rect (store, 1, 6, 5, 5, 5, &error));   /* no change: no step, no signal */
  g_assert_true (cxr_bbox_store_set_label (store, 1, "L", &error));
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_cmpuint (dirty_notes, ==, 2);   /* clean -> dirty, dirty -> clean */
  g_assert_cmpuint (changes, ==, 2);
  gboolean dirty = TRUE;
  g_object_get (store, "dirty", &dirty, NULL);
  g_assert_false (dirty);
  g_assert_true (cxr_bbox_store_undo (store, &error));
  g_assert_true (cxr_bbox_store_undo (store, &error));
  g_assert_false (cxr_bbox_store_can_undo (store));
}

/* ---- the journal ----------------------------------------------------------------------------------------- */

static void
test_journal_recovers_unsaved_edits (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = NULL;
  {
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
    g_assert_true (cxr_bbox_store_set_rect (store, 1, 7, 8, 9, 10, &error));
    g_assert_cmpuint (cxr_bbox_store_add (store, "c, \"quoted\".png", "Mass", 1, 2, 3, 4, &error), ==, 3);
    g_assert_true (cxr_bbox_store_remove (store, 2, &error));
    g_assert_true (cxr_bbox_store_undo (store, &error));
    g_assert_true (cxr_bbox_store_remove (store, 1, &error));   /* drops the redo of the remove of 2 */
    g_assert_no_error (error);
    expected = cxr_bbox_store_serialize (store);
    /* the store goes away unsaved, as in a crash */
  }
  g_autofree char *journal = g_strconcat (path, ".journal", NULL);
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_autofree char *untouched = read_file (path, NULL);
  g_assert_cmpstr (untouched, ==, small_file);

  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  guint n_edits = 0;
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, &n_edits), ==, CXR_BBOX_RECOVERY_PENDING);
  g_assert_cmpuint (n_edits, ==, 5);
  g_assert_false (cxr_bbox_store_set_rect (store, 2, 1, 1, 1, 1, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_save (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_true (cxr_bbox_store_recover (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, NULL), ==, CXR_BBOX_RECOVERY_NONE);
  g_autoptr (GBytes) recovered = cxr_bbox_store_serialize (store);
  g_assert_true (g_bytes_equal (recovered, expected));
  g_assert_true (cxr_bbox_store_is_dirty (store));
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store, 3, &box));
  g_assert_cmpstr (box.image, ==, "c, \"quoted\".png");
  /* the undo history came back too: undo the remove of 1, the undo... */
  g_assert_true (cxr_bbox_store_undo (store, &error));
  g_assert_true (cxr_bbox_store_get (store, 1, &box));
  g_assert_cmpfloat (box.x, ==, 7);

  /* Editing goes on in the same journal; a save clears it. */
  g_assert_true (cxr_bbox_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_autoptr (CxrBBoxStore) reopened = cxr_bbox_store_open (path, &error);
  g_assert_cmpint (cxr_bbox_store_get_recovery (reopened, NULL), ==, CXR_BBOX_RECOVERY_NONE);
}

static void
test_journal_after_save_keeps_ids (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  const char *original = "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,L,1,1,1,1\nb,L,2,2,2,2\nc,L,3,3,3,3\n";
  g_autofree char *path = write_file (dir, "BB.csv", original, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = NULL;
  {
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
    g_assert_true (cxr_bbox_store_remove (store, 2, &error));
    g_assert_cmpuint (cxr_bbox_store_add (store, "d", "L", 4, 4, 4, 4, &error), ==, 4);
    g_assert_true (cxr_bbox_store_save (store, &error));
    /* after the save, row 2 is out of the file but can come back in its place */
    g_assert_true (cxr_bbox_store_undo (store, &error));   /* the add of d */
    g_assert_true (cxr_bbox_store_undo (store, &error));   /* the remove of b */
    g_assert_true (cxr_bbox_store_set_rect (store, 3, 30, 30, 30, 30, &error));
    g_assert_no_error (error);
    expected = cxr_bbox_store_serialize (store);
  }
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, NULL), ==, CXR_BBOX_RECOVERY_PENDING);
  g_assert_true (cxr_bbox_store_recover (store, &error));
  g_assert_no_error (error);
  g_autoptr (GBytes) recovered = cxr_bbox_store_serialize (store);
  g_assert_true (g_bytes_equal (recovered, expected));
  CxrBBox box;
  g_assert_true (cxr_bbox_store_get (store, 2, &box));
  g_assert_cmpstr (box.image, ==, "b");
  g_assert_true (cxr_bbox_store_get (store, 3, &box));
  g_assert_cmpstr (box.image, ==, "c");
  g_assert_cmpfloat (box.x, ==, 30);
  g_assert_false (cxr_bbox_store_get (store, 4, &box));
  g_assert_false (cxr_bbox_store_can_redo (store));
}

static void
test_journal_discard_and_stale (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autofree char *journal = g_strconcat (path, ".journal", NULL);
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
    g_assert_true (cxr_bbox_store_set_label (store, 1, "Mass", &error));
  }
  {
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
    g_assert_cmpint (cxr_bbox_store_get_recovery (store, NULL), ==, CXR_BBOX_RECOVERY_PENDING);
    g_assert_true (cxr_bbox_store_discard_recovery (store, &error));
    g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
    g_assert_false (cxr_bbox_store_is_dirty (store));
    g_assert_true (cxr_bbox_store_set_label (store, 2, "Nodule", &error));
  }
  /* The file changes under the journal: its edits no longer apply. */
  g_assert_true (g_file_set_contents (path, "Image Index,Finding Label,Bbox [x,y,w,h],,,\nz,L,1,1,1,1\n", -1, NULL));
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, NULL), ==, CXR_BBOX_RECOVERY_STALE);
  g_assert_false (cxr_bbox_store_recover (store, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (cxr_bbox_store_discard_recovery (store, &error));
  g_assert_true (cxr_bbox_store_set_label (store, 1, "Mass", &error));
  g_assert_no_error (error);
}

static void
test_journal_in_use_by_another_store (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) first = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_set_label (first, 1, "Mass", &error));
  g_autoptr (CxrBBoxStore) second = cxr_bbox_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cxr_bbox_store_get_recovery (second, NULL), ==, CXR_BBOX_RECOVERY_IN_USE);
  g_assert_false (cxr_bbox_store_set_label (second, 1, "Nodule", &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (cxr_bbox_store_discard_recovery (second, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
}

static void
test_revert (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  g_assert_true (cxr_bbox_store_set_label (store, 1, "Mass", &error));
  g_assert_cmpuint (cxr_bbox_store_add (store, "q", "L", 1, 1, 1, 1, &error), ==, 3);
  g_assert_true (cxr_bbox_store_revert (store, &error));
  g_assert_false (cxr_bbox_store_is_dirty (store));
  g_assert_false (cxr_bbox_store_can_undo (store));
  assert_store_text (store, small_file);
  g_autofree char *listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "BB.csv");
}

static void
test_edits_undone_by_hand_leave_no_journal (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
    g_assert_true (cxr_bbox_store_set_rect (store, 1, 5, 1, 1, 1, &error));
    g_assert_true (cxr_bbox_store_set_rect (store, 1, 1, 1, 1, 1, &error));
    g_assert_false (cxr_bbox_store_is_dirty (store));
  }
  g_autofree char *listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "BB.csv");
}

/* A journal write cut short (a full disk, here a file size limit) fails the edit and is cut back, so that the
 * edits after it are still readable. */
static void
test_journal_survives_a_short_write (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "BB.csv", small_file, -1);
  g_autofree char *journal = g_strconcat (path, ".journal", NULL);
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
    g_assert_true (cxr_bbox_store_set_rect (store, 1, 5, 5, 5, 5, &error));
    GStatBuf st;
    g_assert_cmpint (g_stat (journal, &st), ==, 0);

    struct rlimit old_limit, limit;
    g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
    limit = old_limit;
    limit.rlim_cur = (rlim_t) st.st_size + 20;   /* room for a fifth of the next record */
    void (*old_handler) (int) = signal (SIGXFSZ, SIG_IGN);
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
    gboolean edited = cxr_bbox_store_set_rect (store, 2, 6, 6, 6, 6, &error);
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
    signal (SIGXFSZ, old_handler);
    g_assert_false (edited);
    g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
    CxrBBox box;
    g_assert_true (cxr_bbox_store_get (store, 2, &box));
    g_assert_cmpfloat (box.x, ==, 2);   /* the failed edit changed nothing */
    GStatBuf after;
    g_assert_cmpint (g_stat (journal, &after), ==, 0);
    g_assert_cmpint (after.st_size, ==, st.st_size);

    g_assert_true (cxr_bbox_store_set_label (store, 2, "Mass", &error));
    g_assert_no_error (error);
  }
  g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (path, &error);
  guint n_edits = 0;
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, &n_edits), ==, CXR_BBOX_RECOVERY_PENDING);
  g_assert_cmpuint (n_edits, ==, 2);
  g_assert_true (cxr_bbox_store_recover (store, &error));
  assert_store_text (store, "Image Index,Finding Label,Bbox [x,y,w,h],,,\na,L,5,5,5,5\nb,Mass,2,2,2,2\n");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bbox-store/real-file/round-trip", test_real_file_round_trip);
  g_test_add_func ("/bbox-store/real-file/one-edit-one-line", test_real_file_one_edit_one_line);
  g_test_add_func ("/bbox-store/styles-are-kept", test_styles_are_kept);
  g_test_add_func ("/bbox-store/undo-after-save-restores-in-place", test_undo_after_save_restores_in_place);
  g_test_add_func ("/bbox-store/bad-input/line-and-column", test_bad_input_names_line_and_column);
  g_test_add_func ("/bbox-store/bad-input/ten-megabyte-line", test_ten_megabyte_line);
  g_test_add_func ("/bbox-store/bad-input/missing-file", test_missing_file);
  g_test_add_func ("/bbox-store/bad-edits-change-nothing", test_bad_edits_change_nothing);
  g_test_add_func ("/bbox-store/save/conflicts-are-refused", test_conflicts_are_refused);
  g_test_add_func ("/bbox-store/save/touched-file-is-not-a-conflict", test_touched_file_is_not_a_conflict);
  g_test_add_func ("/bbox-store/save/failed-save-stays-dirty", test_failed_save_stays_dirty);
  g_test_add_func ("/bbox-store/save/new-file", test_new_file);
  g_test_add_func ("/bbox-store/save/symlink-stays-a-link", test_symlink_stays_a_link);
  g_test_add_func ("/bbox-store/save/read-only-file-is-not-replaced", test_read_only_file_is_not_replaced);
  g_test_add_func ("/bbox-store/signals", test_signals);
  g_test_add_func ("/bbox-store/journal/recovers-unsaved-edits", test_journal_recovers_unsaved_edits);
  g_test_add_func ("/bbox-store/journal/after-save-keeps-ids", test_journal_after_save_keeps_ids);
  g_test_add_func ("/bbox-store/journal/discard-and-stale", test_journal_discard_and_stale);
  g_test_add_func ("/bbox-store/journal/in-use-by-another-store", test_journal_in_use_by_another_store);
  g_test_add_func ("/bbox-store/journal/revert", test_revert);
  g_test_add_func ("/bbox-store/journal/edits-undone-leave-no-journal", test_edits_undone_by_hand_leave_no_journal);
  g_test_add_func ("/bbox-store/journal/survives-a-short-write", test_journal_survives_a_short_write);
  return g_test_run ();
}
