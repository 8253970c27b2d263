/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-dataset: `cxrcam-cli dataset` and `cxrcam-cli bbox` do what scripts need, on the real NIH subset and
 * on folders made here: right counts, ids that are row numbers, edits that change one line and keep a backup,
 * gt_dict.json following, clear refusals with exit status 1 (and 2 for bad usage). */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

#include "cxr-bbox-store.h"
#include "cxr-test-util.h"

static char *
write_file (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static char *
read_file (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* ---- dataset --------------------------------------------------------------------------------------------- */

static void
test_dataset_info_nih (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_auto (CxrCliRun) text = { 0 };
  cxr_test_run_cli (&text, (const char *[]) { "dataset", "info", nih, NULL });
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "Layout:      NIH ChestX-ray14\n"));
  g_assert_nonnull (strstr (text.out, "Images:      280 found\n"));
  g_assert_nonnull (strstr (text.out, "(984 boxes on 880 images)"));
  g_assert_nonnull (strstr (text.out, "Cardiomegaly         86\n"));

  g_auto (CxrCliRun) json = { 0 };
  cxr_test_run_cli (&json, (const char *[]) { "dataset", "info", "--json", nih, NULL });
  g_assert_cmpint (json.status, ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_data (parser, json.out, -1, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "layout"), ==, "nih");
  g_assert_cmpint (json_object_get_int_member (root, "images"), ==, 280);
  g_assert_cmpint (json_object_get_int_member (root, "label_rows"), ==, 112120);
  g_assert_cmpint (json_object_get_int_member (root, "boxes"), ==, 984);
  g_assert_cmpint (json_object_get_int_member (root, "box_images"), ==, 880);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "findings_of_images"),
                                               "No Finding"), ==, 130);

  /* list: the five Cardiomegaly-box images present, and a balanced subset */
  g_auto (CxrCliRun) list = { 0 };
  cxr_test_run_cli (&list, (const char *[]) { "dataset", "list", nih, "--finding", "Cardiomegaly", "--boxes", "yes",
                                     "--images", "yes", NULL });
  g_assert_cmpint (list.status, ==, 0);
  g_auto (GStrv) lines = g_strsplit (g_strchomp (list.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], "00001369_000.png\t"));
  g_auto (CxrCliRun) balanced = { 0 };
  cxr_test_run_cli (&balanced, (const char *[]) { "dataset", "list", nih, "--balanced", "1", NULL });
  g_auto (GStrv) subset = g_strsplit (g_strchomp (balanced.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (subset), ==, 172);
}

static void
test_dataset_made_here (void)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  g_autofree char *bb = g_build_filename (root, "BB", NULL);
  g_assert_cmpint (g_mkdir (bb, 0755), ==, 0);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 8, 8);
  gdk_pixbuf_fill (pixbuf, 0);
  g_autofree char *png = g_build_filename (bb, "00000007_001.png", NULL);
  g_assert_true (gdk_pixbuf_save (pixbuf, png, "png", NULL, NULL));
  g_autofree char *csv = write_file (root, "BB.csv", "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
                                                     "00000007_001.png,Cardiomegaly,1,2,3,4\n"
                                                     "00000008_000.png,Growth,1,2,3,4\n");
  g_auto (CxrCliRun) info = { 0 };
  cxr_test_run_cli (&info, (const char *[]) { "dataset", "info", root, NULL });
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "Layout:      tutorial"));
  g_assert_nonnull (strstr (info.out, "boxes whose image file was found:     1 of 2 (on 1 of 2 images)"));
  g_assert_nonnull (strstr (info.out, "  Growth (1)\n"));

  /* plain folder */
  g_auto (CxrCliRun) plain = { 0 };
  cxr_test_run_cli (&plain, (const char *[]) { "dataset", "info", bb, NULL });
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_nonnull (strstr (plain.out, "Layout:      plain folder of images\n"));
  g_assert_nonnull (strstr (plain.out, "Images:      1 found\n"));

  /* errors: a bad BB.csv names file:line:column, a missing folder, bad usage */
  g_assert_true (g_file_set_contents (csv, "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,2,3,-4\n", -1,
                                      NULL));
  g_auto (CxrCliRun) bad = { 0 };
  cxr_test_run_cli (&bad, (const char *[]) { "dataset", "info", root, NULL });
  g_assert_cmpint (bad.status, ==, 1);
  g_autofree char *where = g_strdup_printf ("%s:2:18: box h -4 is negative", csv);
  g_assert_nonnull (strstr (bad.err, where));
  g_autofree char *missing = g_build_filename (root, "missing", NULL);
  g_auto (CxrCliRun) none = { 0 };
  cxr_test_run_cli (&none, (const char *[]) { "dataset", "info", missing, NULL });
  g_assert_cmpint (none.status, ==, 1);
  g_auto (CxrCliRun) usage = { 0 };
  cxr_test_run_cli (&usage, (const char *[]) { "dataset", "frobnicate", root, NULL });
  g_assert_cmpint (usage.status, ==, 2);
}

/* ---- bbox ------------------------------------------------------------------------------------------------ */

static const char small[] = "Image Index,Finding Label,Bbox [x,y,w,h],,,\r\n"
                            "a.png,Mass,10.125,20,30,40\r\n"
                            "b.png,Nodule,1,2,3,4\r\n"
                            "c.png,Cardiomegaly,5,6,7,8\r\n";

static void
test_bbox_edits (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *csv = write_file (dir, "BB.csv", small);
  g_autofree char *gt = write_file (dir, "gt_dict.json", "{\"c.png\": [5, 6, 7, 8]}");

  g_auto (CxrCliRun) list = { 0 };
  cxr_test_run_cli (&list, (const char *[]) { "bbox", "list", csv, NULL });
  g_assert_cmpint (list.status, ==, 0);
  g_assert_cmpstr (list.out, ==, "# id\timage\tlabel\tx\ty\tw\th\n1\ta.png\tMass\t10.125\t20\t30\t40\n"
                                 "2\tb.png\tNodule\t1\t2\t3\t4\n3\tc.png\tCardiomegaly\t5\t6\t7\t8\n");

  g_auto (CxrCliRun) add = { 0 };
  cxr_test_run_cli (&add, (const char *[]) { "bbox", "add", csv, "d.png", "Cardiomegaly", "1.5", "2", "3", "4", NULL });
  g_assert_cmpint (add.status, ==, 0);
  g_assert_cmpstr (add.out, ==, "4\n");
  g_auto (CxrCliRun) set = { 0 };
  cxr_test_run_cli (&set, (const char *[]) { "bbox", "set", csv, "1", "11", "20", "30", "40", "--label", "Effusion", NULL });
  g_assert_cmpint (set.status, ==, 0);
  g_auto (CxrCliRun) rm = { 0 };
  cxr_test_run_cli (&rm, (const char *[]) { "bbox", "rm", csv, "2", NULL });
  g_assert_cmpint (rm.status, ==, 0);

  g_autofree char *after = read_file (csv);
  g_assert_cmpstr (after, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\r\n"
                              "a.png,Effusion,11,20,30,40\r\n"
                              "c.png,Cardiomegaly,5,6,7,8\r\n"
                              "d.png,Cardiomegaly,1.5,2,3,4\r\n");
  g_autofree char *backup_path = g_strconcat (csv, "~", NULL);
  g_autofree char *backup = read_file (backup_path);
  g_assert_nonnull (strstr (backup, "b.png"));
  g_autofree char *gt_after = read_file (gt);
  g_assert_cmpstr (gt_after, ==, "{\"c.png\": [5.0, 6.0, 7.0, 8.0], \"d.png\": [1.5, 2.0, 3.0, 4.0]}");

  /* refusals: bad values and ids change nothing; bad usage is status 2 */
  g_auto (CxrCliRun) huge = { 0 };
  cxr_test_run_cli (&huge, (const char *[]) { "bbox", "set", csv, "1", "0", "0", "1e9", "1", NULL });
  g_assert_cmpint (huge.status, ==, 1);
  g_auto (CxrCliRun) missing = { 0 };
  cxr_test_run_cli (&missing, (const char *[]) { "bbox", "rm", csv, "1", "77", NULL });
  g_assert_cmpint (missing.status, ==, 1);
  g_auto (CxrCliRun) word = { 0 };
  cxr_test_run_cli (&word, (const char *[]) { "bbox", "add", csv, "e.png", "Mass", "one", "2", "3", "4", NULL });
  g_assert_cmpint (word.status, ==, 2);
  /* A name that is not UTF-8 is refused before any edit: once, it was saved and bricked BB.csv. */
  g_auto (CxrCliRun) binary = { 0 };
  cxr_test_run_cli (&binary, (const char *[]) { "bbox", "add", csv, "\xff.png", "Mass", "1", "2", "3", "4", NULL });
  g_assert_cmpint (binary.status, ==, 1);
  g_assert_nonnull (strstr (binary.err, "is not valid UTF-8"));
  g_auto (CxrCliRun) relist = { 0 };
  cxr_test_run_cli (&relist, (const char *[]) { "bbox", "list", csv, NULL });
  g_assert_cmpint (relist.status, ==, 0);
  g_autofree char *unchanged = read_file (csv);
  g_assert_cmpstr (unchanged, ==, after);
  g_autofree char *journal = g_strconcat (csv, ".journal", NULL);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_bbox_recovery (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *csv = write_file (dir, "BB.csv", small);
  g_autofree char *journal = g_strconcat (csv, ".journal", NULL);

  /* Leave a journal as a crashed session would: an edit of row 2 that was never saved. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (csv, &error);
    g_assert_true (cxr_bbox_store_set_label (store, 2, "Mass", &error));
  }
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));

  g_auto (CxrCliRun) refused = { 0 };
  cxr_test_run_cli (&refused, (const char *[]) { "bbox", "add", csv, "x.png", "Mass", "1", "1", "1", "1", NULL });
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "1 unsaved edits from an earlier session"));
  g_assert_nonnull (strstr (refused.err, "cxrcam-cli bbox recover"));

  g_auto (CxrCliRun) recover = { 0 };
  cxr_test_run_cli (&recover, (const char *[]) { "bbox", "recover", csv, NULL });
  g_assert_cmpint (recover.status, ==, 0);
  g_autofree char *after = read_file (csv);
  g_assert_nonnull (strstr (after, "\r\nb.png,Mass,1,2,3,4\r\n"));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  /* and discard */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (CxrBBoxStore) store = cxr_bbox_store_open (csv, &error);
    g_assert_true (cxr_bbox_store_remove (store, 1, &error));
  }
  g_auto (CxrCliRun) discard = { 0 };
  cxr_test_run_cli (&discard, (const char *[]) { "bbox", "discard", csv, NULL });
  g_assert_cmpint (discard.status, ==, 0);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_autofree char *kept = read_file (csv);
  g_assert_cmpstr (kept, ==, after);
}

static void
test_bbox_real_file_one_line (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *source = g_build_filename (nih, "BBox_List_2017.csv", NULL);
  g_autofree char *original = read_file (source);
  g_autofree char *csv = write_file (dir, "BB.csv", original);
  g_auto (CxrCliRun) set = { 0 };
  cxr_test_run_cli (&set, (const char *[]) { "bbox", "set", csv, "146", "--label", "Mass", NULL });
  g_assert_cmpint (set.status, ==, 0);
  g_autofree char *after = read_file (csv);
  g_auto (GStrv) a = g_strsplit (original, "\n", -1);
  g_auto (GStrv) b = g_strsplit (after, "\n", -1);
  g_assert_cmpuint (g_strv_length (a), ==, g_strv_length (b));
  guint changed = 0;
  for (guint i = 0; a[i] != NULL; i++)
    changed += strcmp (a[i], b[i]) != 0;
  g_assert_cmpuint (changed, ==, 1);
  g_auto (GStrv) old_fields = g_strsplit (a[146], ",", -1);
  g_auto (GStrv) new_fields = g_strsplit (b[146], ",", -1);
  g_assert_cmpstr (new_fields[1], ==, "Mass");
  g_assert_cmpstr (new_fields[2], ==, old_fields[2]);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/dataset/info-nih", test_dataset_info_nih);
  g_test_add_func ("/cli/dataset/made-here", test_dataset_made_here);
  g_test_add_func ("/cli/bbox/edits", test_bbox_edits);
  g_test_add_func ("/cli/bbox/recovery", test_bbox_recovery);
  g_test_add_func ("/cli/bbox/real-file-one-line", test_bbox_real_file_one_line);
  return g_test_run ();
}
