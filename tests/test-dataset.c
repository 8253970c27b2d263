/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset: layouts are detected, the real NIH subset opens with the counts found independently (by listing
 * the folder and splitting the CSV lines here, not with the library's parser), queries, the balanced subset and
 * the patient split behave, and imperfect data is reported rather than refused. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cxr-dataset-sample.h"
#include "cxr-dataset.h"
#include "cxr-error.h"
#include "cxr-gt-dict.h"
#include "cxr-test-util.h"

/* ---- independent counting -------------------------------------------------------------------------------- */

/* The first field of each line after the header, and the second; no quotes in these files. */
static GPtrArray *
read_column (const char *path, int column)
{
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* g_strsplit_set, not g_strsplit: the latter calls strstr once per line, and AddressSanitizer's strstr measures
   * the rest of the 8 MB text each time (6 minutes for the 112,120-line table in the sanitized build). */
  g_auto (GStrv) lines = g_strsplit_set (text, "\n", -1);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", -1);
      g_ptr_array_add (values, g_strdup (fields[column]));
    }
  return values;
}

static GHashTable *
list_pngs (const char *folder)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png"))
      g_hash_table_add (names, g_strdup (name));
  return names;
}

static guint
count_filter (CxrDataset *dataset, const CxrDatasetFilter *filter)
{
  g_autoptr (GArray) hits = cxr_dataset_filter (dataset, filter);
  return hits->len;
}

/* ---- the real NIH subset --------------------------------------------------------------------------------- */

static void
test_nih_subset_counts (void)
{
  const char *root = cxr_test_nih14_dir ();
  if (root == NULL)
    return;
  g_autofree char *images_dir = g_build_filename (root, "images", NULL);
  g_autofree char *bbox_path = g_build_filename (root, "BBox_List_2017.csv", NULL);
  g_autofree char *table_path = g_build_filename (root, "Data_Entry_2017_v2020.csv", NULL);
  g_autofree char *labels_path = g_build_filename (root, "labels.csv", NULL);

  /* What is there, counted here */
  g_autoptr (GHashTable) pngs = list_pngs (images_dir);
  g_autoptr (GPtrArray) box_images = read_column (bbox_path, 0);
  g_autoptr (GPtrArray) table_images = read_column (table_path, 0);
  g_autoptr (GPtrArray) subset_images = read_column (labels_path, 0);
  g_autoptr (GPtrArray) subset_labels = read_column (labels_path, 1);
  guint boxes_with_image = 0;
  g_autoptr (GHashTable) distinct_box_images = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) distinct_box_images_present = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < box_images->len; i++)
    {
      gboolean present = g_hash_table_contains (pngs, box_images->pdata[i]);
      boxes_with_image += present;
      g_hash_table_add (distinct_box_images, box_images->pdata[i]);
      if (present)
        g_hash_table_add (distinct_box_images_present, box_images->pdata[i]);
    }
  guint cardiomegaly = 0, no_finding = 0;
  for (guint i = 0; i < subset_labels->len; i++)
    {
      cardiomegaly += strstr (subset_labels->pdata[i], "Cardiomegaly") != NULL;
      no_finding += strcmp (subset_labels->pdata[i], "No Finding") == 0;
    }
  g_test_message ("counted here: %u PNGs, %u table rows, %u boxes on %u images, %u boxes (%u images) present, "
                  "%u Cardiomegaly and %u No Finding images", g_hash_table_size (pngs), table_images->len,
                  box_images->len, g_hash_table_size (distinct_box_images), boxes_with_image,
                  g_hash_table_size (distinct_box_images_present), cardiomegaly, no_finding);
  g_assert_cmpuint (g_hash_table_size (pngs), ==, 280);
  g_assert_cmpuint (box_images->len, ==, 984);
  g_assert_cmpuint (subset_images->len, ==, 280);

  gint64 start = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, CXR_DATASET_OPEN_REQUIRE_IMAGES, &error);
  g_assert_no_error (error);
  g_test_message ("opened in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);

  g_assert_cmpint (cxr_dataset_get_layout (dataset), ==, CXR_DATASET_LAYOUT_NIH);
  g_assert_cmpstr (cxr_dataset_get_label_table_path (dataset), ==, table_path);
  g_assert_cmpstr (cxr_dataset_get_bbox_path (dataset), ==, bbox_path);
  const CxrDatasetReport *report = cxr_dataset_get_report (dataset);
  g_assert_cmpuint (report->n_images, ==, 280);
  g_assert_cmpuint (report->n_label_rows, ==, table_images->len);
  g_assert_cmpuint (report->n_label_rows, ==, 112120);
  g_assert_cmpuint (report->n_rows_without_image, ==, table_images->len - 280);
  g_assert_cmpuint (report->n_images_without_row, ==, 0);
  g_assert_cmpuint (report->n_boxes, ==, 984);
  g_assert_cmpuint (report->n_boxes_with_image, ==, boxes_with_image);
  g_assert_cmpuint (report->n_box_images, ==, g_hash_table_size (distinct_box_images));
  g_assert_cmpuint (report->n_box_images, ==, 880);
  g_assert_cmpuint (report->n_box_images_with_image, ==, g_hash_table_size (distinct_box_images_present));
  g_assert_cmpuint (report->unknown_labels->len, ==, 0);   /* "Infiltrate" is Infiltration */
  for (guint i = 0; i < report->notes->len; i++)
    g_test_message ("note: %s", (char *) report->notes->pdata[i]);
  g_assert_cmpuint (report->notes->len, ==, 0);
  g_assert_cmpuint (cxr_dataset_get_n_entries (dataset), ==, 112120);

  /* One entry in full */
  guint index;
  g_assert_true (cxr_dataset_lookup (dataset, "00000001_001.png", &index));
  const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, index);
  g_assert_cmpstr (entry->name, ==, "00000001_001.png");
  g_assert_cmpuint (entry->findings, ==, CXR_FINDING_CARDIOMEGALY | CXR_FINDING_EMPHYSEMA);
  g_assert_cmpuint (entry->patient_id, ==, 1);
  g_assert_cmpint (entry->age, ==, 58);
  g_assert_cmpint (entry->sex, ==, 'M');
  g_assert_cmpstr (entry->view, ==, "PA");
  g_assert_cmpuint (entry->follow_up, ==, 1);
  g_assert_cmpuint (entry->line, ==, 3);
  g_autofree char *path = cxr_dataset_dup_image_path (dataset, index);
  g_autofree char *expected_path = g_build_filename (images_dir, "00000001_001.png", NULL);
  g_assert_cmpstr (path, ==, expected_path);

  /* The five Cardiomegaly-box images of PROVENANCE.md; 00022215_012 also has a Pneumonia box */
  const char *const cardiomegaly_boxes[] = { "00001369_000.png", "00001373_009.png", "00001373_039.png",
                                             "00001534_005.png", "00022215_012.png" };
  for (gsize i = 0; i < G_N_ELEMENTS (cardiomegaly_boxes); i++)
    {
      g_assert_true (cxr_dataset_lookup (dataset, cardiomegaly_boxes[i], &index));
      g_assert_nonnull (cxr_dataset_get_entry (dataset, index)->folder);
      g_autoptr (GArray) boxes = cxr_dataset_get_boxes (dataset, index);
      gboolean found = FALSE;
      for (guint b = 0; b < boxes->len; b++)
        found |= strcmp (g_array_index (boxes, CxrBBox, b).label, "Cardiomegaly") == 0;
      g_assert_true (found);
      if (i == 4)
        g_assert_cmpuint (boxes->len, ==, 2);
    }

  /* Queries */
  CxrDatasetFilter present = { .has_image = CXR_DATASET_YES };
  g_assert_cmpuint (count_filter (dataset, &present), ==, 280);
  CxrDatasetFilter cardio = { .any_findings = CXR_FINDING_CARDIOMEGALY, .has_image = CXR_DATASET_YES };
  g_assert_cmpuint (count_filter (dataset, &cardio), ==, cardiomegaly);
  g_assert_cmpuint (cardiomegaly, ==, 86);
  CxrDatasetFilter normal = { .any_findings = CXR_FINDING_NO_FINDING, .has_image = CXR_DATASET_YES };
  g_assert_cmpuint (count_filter (dataset, &normal), ==, no_finding);
  CxrDatasetFilter any = { .any_findings = CXR_FINDING_ANY, .has_image = CXR_DATASET_YES };
  g_assert_cmpuint (count_filter (dataset, &any), ==, 280 - no_finding);
  CxrDatasetFilter boxed = { .has_boxes = CXR_DATASET_YES, .has_image = CXR_DATASET_YES };
  g_assert_cmpuint (count_filter (dataset, &boxed), ==, g_hash_table_size (distinct_box_images_present));
  CxrDatasetFilter all_boxed = { .has_boxes = CXR_DATASET_YES };
  g_assert_cmpuint (count_filter (dataset, &all_boxed), ==, 880);
  guint patient_13 = 0;
  for (guint i = 0; i < table_images->len; i++)
    patient_13 += g_str_has_prefix (table_images->pdata[i], "00000013_");
  CxrDatasetFilter by_patient = { .patient_id = 13 };
  g_assert_cmpuint (count_filter (dataset, &by_patient), ==, patient_13);
  CxrDatasetFilter by_prefix = { .name_prefix = "00000013_" };
  g_assert_cmpuint (count_filter (dataset, &by_prefix), ==, patient_13);

}

/* Box queries follow the store as it is edited. The edits go to a folder of links made here, so that no journal
 * is ever written into the shared data. */
static void
test_nih_queries_follow_edits (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *root = cxr_test_make_tmpdir ();
  const char *const names[] = { "Data_Entry_2017_v2020.csv", "BBox_List_2017.csv", "images" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *target = g_build_filename (nih, names[i], NULL);
      g_autofree char *link = g_build_filename (root, names[i], NULL);
      g_assert_cmpint (symlink (target, link), ==, 0);
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
  CxrDatasetFilter all_boxed = { .has_boxes = CXR_DATASET_YES };
  CxrDatasetFilter boxed_here = { .has_boxes = CXR_DATASET_YES, .has_image = CXR_DATASET_YES };
  guint before = count_filter (dataset, &boxed_here);
  g_assert_cmpuint (cxr_bbox_store_add (store, "00000001_000.png", "Cardiomegaly", 1, 2, 3, 4, &error), !=, 0);
  g_assert_cmpuint (count_filter (dataset, &all_boxed), ==, 881);
  g_assert_cmpuint (count_filter (dataset, &boxed_here), ==, before + 1);
  guint index;
  g_assert_true (cxr_dataset_lookup (dataset, "00000001_000.png", &index));
  g_autoptr (GArray) boxes = cxr_dataset_get_boxes (dataset, index);
  g_assert_cmpuint (boxes->len, ==, 1);
  g_assert_true (cxr_bbox_store_revert (store, &error));
  g_assert_cmpuint (count_filter (dataset, &all_boxed), ==, 880);
}

static void
test_nih_balanced_subset_and_split (void)
{
  const char *root = cxr_test_nih14_dir ();
  if (root == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);

  guint n_positive = 0;
  g_autoptr (GArray) subset = cxr_dataset_balanced_subset (dataset, CXR_FINDING_CARDIOMEGALY, CXR_FINDING_NO_FINDING,
                                                           TRUE, 42, &n_positive);
  g_assert_cmpuint (n_positive, ==, 86);
  g_assert_cmpuint (subset->len, ==, 172);
  guint positives = 0, negatives = 0;
  for (guint i = 0; i < subset->len; i++)
    {
      guint index = g_array_index (subset, guint, i);
      if (i > 0)
        g_assert_cmpuint (index, >, g_array_index (subset, guint, i - 1));
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, index);
      g_assert_nonnull (entry->folder);
      positives += (entry->findings & CXR_FINDING_CARDIOMEGALY) != 0;
      negatives += entry->findings == CXR_FINDING_NO_FINDING;
    }
  g_assert_cmpuint (positives, ==, 86);
  g_assert_cmpuint (negatives, ==, 86);

  /* Fixed seed: the same draw; another seed: another draw */
  g_autoptr (GArray) again = cxr_dataset_balanced_subset (dataset, CXR_FINDING_CARDIOMEGALY, CXR_FINDING_NO_FINDING,
                                                          TRUE, 42, NULL);
  g_assert_cmpmem (again->data, again->len * sizeof (guint), subset->data, subset->len * sizeof (guint));
  g_autoptr (GArray) other = cxr_dataset_balanced_subset (dataset, CXR_FINDING_CARDIOMEGALY, CXR_FINDING_NO_FINDING,
                                                          TRUE, 43, NULL);
  g_assert_cmpuint (other->len, ==, 172);
  g_assert_false (memcmp (other->data, subset->data, subset->len * sizeof (guint)) == 0);

  /* Over the whole table (no images needed): the tutorial's numbers for v2020 */
  g_autoptr (GArray) full = cxr_dataset_balanced_subset (dataset, CXR_FINDING_CARDIOMEGALY, CXR_FINDING_NO_FINDING,
                                                         FALSE, 42, &n_positive);
  g_test_message ("whole table: %u Cardiomegaly images, subset of %u", n_positive, full->len);
  g_assert_cmpuint (n_positive, ==, 2776);
  g_assert_cmpuint (full->len, ==, 2 * 2776);

  /* Split by patient */
  g_autoptr (GArray) train = NULL, validation = NULL;
  g_assert_true (cxr_dataset_split_by_patient (dataset, (const guint *) full->data, full->len, 0.2, 7, &train,
                                               &validation, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (train->len + validation->len, ==, full->len);
  g_test_message ("split: %u train, %u validation", train->len, validation->len);
  g_assert_cmpfloat (validation->len, >=, 0.19 * full->len);
  g_assert_cmpfloat (validation->len, <=, 0.21 * full->len);
  g_autoptr (GHashTable) train_patients = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < train->len; i++)
    g_hash_table_add (train_patients,
                      GUINT_TO_POINTER (cxr_dataset_get_entry (dataset, g_array_index (train, guint, i))->patient_id));
  for (guint i = 0; i < validation->len; i++)
    {
      guint32 patient = cxr_dataset_get_entry (dataset, g_array_index (validation, guint, i))->patient_id;
      g_assert_cmpuint (patient, !=, 0);
      g_assert_false (g_hash_table_contains (train_patients, GUINT_TO_POINTER (patient)));
    }
  g_autoptr (GArray) train2 = NULL, validation2 = NULL;
  g_assert_true (cxr_dataset_split_by_patient (dataset, (const guint *) full->data, full->len, 0.2, 7, &train2,
                                               &validation2, &error));
  g_assert_cmpmem (validation2->data, validation2->len * sizeof (guint), validation->data,
                   validation->len * sizeof (guint));
  g_assert_false (cxr_dataset_split_by_patient (dataset, (const guint *) full->data, full->len, 1.5, 7, &train2,
                                                &validation2, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
}

/* ---- folders made here ----------------------------------------------------------------------------------- */

static void
write_png (const char *folder, const char *name)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 12);
  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (gdk_pixbuf_save (pixbuf, path, g_str_has_suffix (name, ".png") ? "png" : "jpeg", &error, NULL));
}

static void
write_text (const char *folder, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static char *
make_folder (const char *parent, const char *name)
{
  char *path = g_build_filename (parent, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  return path;
}

static void
test_tutorial_layout (void)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  g_autofree char *bb = make_folder (root, "BB");
  g_autofree char *output = make_folder (root, "output");
  write_png (bb, "00000001_000.png");
  write_png (bb, "00000002_000.png");
  write_png (bb, "00000003_000.png");
  write_text (root, "BB.csv",
              "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
              "00000001_000.png,Cardiomegaly,10.5,20,300,200\n"
              "00000002_000.png,Cardiomegaly,11,21,301,201\n"
              "00000002_000.png,Infiltrate,1,2,3,4\n"
              "00000009_000.png,Cardiomegaly,1,1,1,1\n"
              "00000003_000.png,Weird,5,5,5,5\n");
  write_text (root, "gt_dict.json", "{\"00000001_000.png\": [10.5, 20, 300, 200], "
                                    "\"00000002_000.png\": [11, 21, 301, 201], \"00000009_000.png\": [1, 1, 1, 1]}");

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, CXR_DATASET_OPEN_REQUIRE_IMAGES, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cxr_dataset_get_layout (dataset), ==, CXR_DATASET_LAYOUT_TUTORIAL);
  const CxrDatasetReport *report = cxr_dataset_get_report (dataset);
  g_assert_cmpuint (report->n_images, ==, 3);
  g_assert_cmpuint (report->n_label_rows, ==, 0);
  g_assert_cmpuint (report->n_images_without_row, ==, 3);
  g_assert_cmpuint (report->n_boxes, ==, 5);
  g_assert_cmpuint (report->n_boxes_with_image, ==, 4);
  g_assert_cmpuint (report->n_box_images, ==, 4);
  g_assert_cmpuint (report->n_box_images_with_image, ==, 3);
  g_assert_cmpuint (report->unknown_labels->len, ==, 1);
  g_assert_cmpstr (report->unknown_labels->pdata[0], ==, "Weird (1)");
  g_assert_cmpuint (cxr_dataset_get_n_entries (dataset), ==, 4);

  guint index;
  g_assert_true (cxr_dataset_lookup (dataset, "00000002_000.png", &index));
  g_assert_cmpuint (cxr_dataset_get_entry (dataset, index)->findings, ==,
                    CXR_FINDING_CARDIOMEGALY | CXR_FINDING_INFILTRATION);
  g_assert_cmpuint (cxr_dataset_get_entry (dataset, index)->patient_id, ==, 2);
  g_autofree char *path = cxr_dataset_dup_image_path (dataset, index);
  g_autofree char *expected = g_build_filename (bb, "00000002_000.png", NULL);
  g_assert_cmpstr (path, ==, expected);
  g_assert_true (cxr_dataset_lookup (dataset, "00000009_000.png", &index));
  g_assert_null (cxr_dataset_dup_image_path (dataset, index));
  g_autofree char *review = cxr_dataset_dup_review_path (dataset);
  g_autofree char *expected_review = g_build_filename (root, "cxrcam-review.json", NULL);
  g_assert_cmpstr (review, ==, expected_review);

  /* An edit saved through the dataset also rewrites gt_dict.json, in its shape, with the Cardiomegaly boxes */
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
  g_assert_true (cxr_bbox_store_set_rect (store, 1, 12.25, 20, 300, 200, &error));
  g_assert_cmpuint (cxr_bbox_store_add (store, "00000003_000.png", "Cardiomegaly", 7, 8, 9, 10, &error), !=, 0);
  g_assert_true (cxr_dataset_save_boxes (dataset, &error));
  g_assert_no_error (error);
  g_autofree char *gt_path = g_build_filename (root, "gt_dict.json", NULL);
  g_autofree char *gt = NULL;
  g_assert_true (g_file_get_contents (gt_path, &gt, NULL, NULL));
  g_assert_cmpstr (gt, ==, "{\"00000001_000.png\": [12.25, 20.0, 300.0, 200.0], "
                           "\"00000002_000.png\": [11.0, 21.0, 301.0, 201.0], "
                           "\"00000009_000.png\": [1.0, 1.0, 1.0, 1.0], "
                           "\"00000003_000.png\": [7.0, 8.0, 9.0, 10.0]}");
}

static void
test_plain_folder (void)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  write_png (root, "b.png");
  write_png (root, "a.PNG");
  write_png (root, "c.jpg");
  write_text (root, "notes.txt", "not an image");
  write_text (root, ".hidden.png", "not an image either");
  /* gt_dict.json's save, killed half way: the folder is swept as it opens */
  g_autofree char *stale = cxr_test_make_dead_writer_file (root, "gt_dict.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_cmpint (cxr_dataset_get_layout (dataset), ==, CXR_DATASET_LAYOUT_PLAIN);
  /* No box file: an empty store for one, which does not exist until it is saved. */
  g_assert_null (cxr_dataset_get_bbox_path (dataset));
  g_assert_cmpuint (cxr_bbox_store_get_n_boxes (cxr_dataset_get_bbox_store (dataset)), ==, 0);
  g_autofree char *new_csv = g_build_filename (root, "BB.csv", NULL);
  g_assert_cmpstr (cxr_bbox_store_get_path (cxr_dataset_get_bbox_store (dataset)), ==, new_csv);
  g_assert_false (g_file_test (new_csv, G_FILE_TEST_EXISTS));
  const CxrDatasetReport *report = cxr_dataset_get_report (dataset);
  g_assert_cmpuint (report->n_images, ==, 3);
  g_assert_cmpuint (report->n_boxes, ==, 0);
  g_assert_cmpuint (report->notes->len, ==, 0);
  guint index;
  g_assert_true (cxr_dataset_lookup (dataset, "a.PNG", &index));
  g_assert_cmpuint (cxr_dataset_get_entry (dataset, index)->patient_id, ==, 0);
  g_assert_false (cxr_dataset_lookup (dataset, "notes.txt", &index));

  /* Each image of unknown patient is a patient of its own in a split */
  g_autoptr (GArray) all = cxr_dataset_filter (dataset, &(CxrDatasetFilter) { 0 });
  g_autoptr (GArray) train = NULL, validation = NULL;
  g_assert_true (cxr_dataset_split_by_patient (dataset, (const guint *) all->data, all->len, 1.0 / 3, 1, &train,
                                               &validation, &error));
  g_assert_cmpuint (validation->len, ==, 1);
  g_assert_cmpuint (train->len, ==, 2);

  /* An empty folder opens as a plain folder with a note */
  g_autofree char *empty = make_folder (root, "empty");
  g_autoptr (CxrDataset) nothing = cxr_dataset_open (empty, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_dataset_get_report (nothing)->notes->len, ==, 1);
}

static const char kaggle_table[] =
  "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
  "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n"
  "00000001_000.png,Cardiomegaly,0,1,058Y,M,PA,2682,2749,0.143,0.143,\n"
  "00000002_000.png,No Finding,0,2,081Y,M,PA,2500,2048,0.171,0.171,\n"
  "00000003_000.png,Hernia|Pleural_Thickening,0,3,011M,F,AP,2500,2048,0.168,0.168,\n"
  "00000003_000.png,Hernia,0,3,081,F,PA,2500,2048,0.168,0.168,\n"
  "00000004_000.png,Mass|Nodule|Pneumonitis,0,4,abc,F,PA,2500,2048,0.168,0.168,\n"
  "00000005_000.png,No Finding\n"
  "\n";

static void
test_kaggle_layout_and_imperfect_rows (void)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  g_autofree char *part1 = make_folder (root, "images_001/images");
  g_autofree char *part2 = make_folder (root, "images_002/images");
  write_png (part1, "00000001_000.png");
  write_png (part2, "00000002_000.png");
  write_png (part2, "00000099_000.png");
  write_text (root, "Data_Entry_2017.csv", kaggle_table);

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cxr_dataset_get_layout (dataset), ==, CXR_DATASET_LAYOUT_NIH);
  /* No box file: a store for the NIH name, empty. */
  g_assert_null (cxr_dataset_get_bbox_path (dataset));
  g_autofree char *new_csv = g_build_filename (root, "BBox_List_2017.csv", NULL);
  g_assert_cmpstr (cxr_bbox_store_get_path (cxr_dataset_get_bbox_store (dataset)), ==, new_csv);
  g_assert_cmpuint (cxr_bbox_store_get_n_boxes (cxr_dataset_get_bbox_store (dataset)), ==, 0);
  const CxrDatasetReport *report = cxr_dataset_get_report (dataset);
  g_assert_cmpuint (report->n_images, ==, 3);
  g_assert_cmpuint (report->n_label_rows, ==, 4);
  g_assert_cmpuint (report->n_rows_without_image, ==, 2);
  g_assert_cmpuint (report->n_images_without_row, ==, 1);
  g_assert_cmpuint (report->unknown_labels->len, ==, 1);
  g_assert_cmpstr (report->unknown_labels->pdata[0], ==, "Pneumonitis (1)");
  for (guint i = 0; i < report->notes->len; i++)
    g_test_message ("note: %s", (char *) report->notes->pdata[i]);
  /* a short row, a duplicate, an unreadable age */
  g_assert_cmpuint (report->notes->len, ==, 3);

  guint index;
  g_assert_true (cxr_dataset_lookup (dataset, "00000002_000.png", &index));
  g_autofree char *path = cxr_dataset_dup_image_path (dataset, index);
  g_autofree char *expected = g_build_filename (part2, "00000002_000.png", NULL);
  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpint (cxr_dataset_get_entry (dataset, index)->age, ==, 81);
  g_assert_true (cxr_dataset_lookup (dataset, "00000003_000.png", &index));
  const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, index);
  g_assert_cmpint (entry->age, ==, 0);
  g_assert_cmpint (entry->sex, ==, 'F');
  g_assert_cmpstr (entry->view, ==, "AP");
  g_assert_cmpuint (entry->findings, ==, CXR_FINDING_HERNIA | CXR_FINDING_PLEURAL_THICKENING);
  g_assert_true (cxr_dataset_lookup (dataset, "00000004_000.png", &index));
  g_assert_cmpuint (cxr_dataset_get_entry (dataset, index)->findings, ==,
                    CXR_FINDING_MASS | CXR_FINDING_NODULE | CXR_FINDING_OTHER);
  g_assert_cmpint (cxr_dataset_get_entry (dataset, index)->age, ==, -1);
}

static void
test_missing_image_folder (void)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  write_text (root, "Data_Entry_2017.csv", kaggle_table);
  write_text (root, "BBox_List_2017.csv", "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
                                          "00000001_000.png,Cardiomegaly,1,2,3,4\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  const CxrDatasetReport *report = cxr_dataset_get_report (dataset);
  g_assert_cmpuint (report->n_images, ==, 0);
  g_assert_cmpuint (report->n_boxes_with_image, ==, 0);
  gboolean noted = FALSE;
  for (guint i = 0; i < report->notes->len; i++)
    noted |= strstr (report->notes->pdata[i], "no image folder") != NULL;
  g_assert_true (noted);

  g_autoptr (CxrDataset) strict = cxr_dataset_open (root, CXR_DATASET_OPEN_REQUIRE_IMAGES, &error);
  g_assert_null (strict);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, root));
  g_assert_nonnull (strstr (error->message, "images/"));
  g_clear_error (&error);

  g_autofree char *missing = g_build_filename (root, "nope", NULL);
  g_autoptr (CxrDataset) none = cxr_dataset_open (missing, 0, &error);
  g_assert_null (none);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);

  /* Nothing was written */
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  guint n = 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_assert_cmpuint (n, ==, 2);
}

static void
test_bad_files_name_line_and_column (void)
{
  struct {
    const char *file;
    const char *text;
    gsize length;
    const char *where;
  } cases[] = {
    { "Data_Entry_2017.csv", "Image Index,Labels\na.png,x\n", 0, "Data_Entry_2017.csv:1:1: not a label table" },
    { "Data_Entry_2017.csv", "Image Index,Finding Labels\na.png,Mass\nb.png,\"Mass\n", 0,
      "Data_Entry_2017.csv:3:7: quoted field is never closed" },
    { "Data_Entry_2017.csv", "Image Index,Finding Labels\na.png,Mass\n\x89PNG\0\0", 44, "Data_Entry_2017.csv:3:5: NUL" },
    { "Data_Entry_2017.csv", "", 0, "Data_Entry_2017.csv:1:1: the file is empty" },
    { "BB.csv", "Image Index,Finding Label,Bbox [x,y,w,h],,,\na.png,Mass,1,2,x,4\n", 0, "BB.csv:2:16: box w" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = cxr_test_make_tmpdir ();
      g_autofree char *path = g_build_filename (root, cases[i].file, NULL);
      g_assert_true (g_file_set_contents (path, cases[i].text, cases[i].length ? (gssize) cases[i].length : -1,
                                          NULL));
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
      g_test_message ("%s", error ? error->message : "(opened)");
      g_assert_null (dataset);
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_autofree char *where = g_build_filename (root, cases[i].where, NULL);
      g_assert_true (g_str_has_prefix (error->message, where));
    }
}

static void
test_findings (void)
{
  g_assert_cmpuint (cxr_finding_from_name ("Infiltrate", -1), ==, CXR_FINDING_INFILTRATION);
  g_assert_cmpuint (cxr_finding_from_name ("pleural thickening", -1), ==, CXR_FINDING_PLEURAL_THICKENING);
  g_assert_cmpuint (cxr_finding_from_name ("No Finding", -1), ==, CXR_FINDING_NO_FINDING);
  g_assert_cmpuint (cxr_finding_from_name ("Pneumonitis", -1), ==, 0);
  g_autoptr (GHashTable) unknown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *list = "Cardiomegaly| Effusion |Foo|Foo";
  g_assert_cmpuint (cxr_finding_parse_list (list, strlen (list), unknown), ==,
                    CXR_FINDING_CARDIOMEGALY | CXR_FINDING_EFFUSION | CXR_FINDING_OTHER);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (unknown, "Foo")), ==, 2);
  g_autofree char *text = cxr_finding_format_list (CXR_FINDING_EFFUSION | CXR_FINDING_CARDIOMEGALY);
  g_assert_cmpstr (text, ==, "Cardiomegaly|Effusion");
}

/* A folder without a box file: boxes drawn there are journaled like any others (a session killed before its first
 * save gets them back), and the first save creates BB.csv in NIH's format; a gt_dict.json that was there before
 * it is left alone. */
static void
test_first_save_creates_box_file (void)
{
  g_autofree char *root = cxr_test_make_tmpdir ();
  g_autofree char *images = make_folder (root, "BB");
  write_png (images, "x.png");
  write_text (root, "gt_dict.json", "{\"old.png\": [1, 2, 3, 4]}");
  g_autofree char *csv = g_build_filename (root, "BB.csv", NULL);
  g_autoptr (GError) error = NULL;

  /* A session that adds two boxes and ends without saving. */
  {
    g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (cxr_dataset_get_layout (dataset), ==, CXR_DATASET_LAYOUT_TUTORIAL);
    CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
    g_assert_cmpuint (cxr_bbox_store_add (store, "x.png", "Cardiomegaly", 1.5, 2, 10.25, 8, &error), ==, 1);
    g_assert_cmpuint (cxr_bbox_store_add (store, "x.png", "Mass", 3, 4, 5, 6, &error), ==, 2);
    g_assert_true (cxr_bbox_store_set_rect (store, 2, 3, 4, 5, 7, &error));
    g_assert_no_error (error);
  }
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));

  g_autoptr (CxrDataset) dataset = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (dataset);
  guint n_edits = 0;
  g_assert_cmpint (cxr_bbox_store_get_recovery (store, &n_edits), ==, CXR_BBOX_RECOVERY_PENDING);
  g_assert_cmpuint (n_edits, ==, 3);
  g_assert_true (cxr_bbox_store_recover (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_bbox_store_get_n_boxes (store), ==, 2);
  g_assert_null (cxr_dataset_get_bbox_path (dataset));

  g_assert_true (cxr_dataset_save_boxes (dataset, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cxr_dataset_get_bbox_path (dataset), ==, csv);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
                             "x.png,Cardiomegaly,1.5,2,10.25,8\n"
                             "x.png,Mass,3,4,5,7\n");
  g_autofree char *gt_dict_path = g_build_filename (root, "gt_dict.json", NULL);
  g_autofree char *gt_dict = NULL;
  g_assert_true (g_file_get_contents (gt_dict_path, &gt_dict, NULL, NULL));
  g_assert_cmpstr (gt_dict, ==, "{\"old.png\": [1, 2, 3, 4]}");
  g_autofree char *journal = g_strconcat (csv, ".journal", NULL);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  /* Reopened, the new file is the tutorial folder's BB.csv, and later saves keep gt_dict.json in step. */
  g_autoptr (CxrDataset) again = cxr_dataset_open (root, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cxr_dataset_get_bbox_path (again), ==, csv);
  g_assert_cmpuint (cxr_dataset_get_report (again)->n_boxes, ==, 2);
  g_assert_true (cxr_bbox_store_remove (cxr_dataset_get_bbox_store (again), 1, &error));
  g_assert_true (cxr_dataset_save_boxes (again, &error));
  g_assert_no_error (error);
  g_clear_pointer (&gt_dict, g_free);
  g_assert_true (g_file_get_contents (gt_dict_path, &gt_dict, NULL, NULL));
  g_assert_cmpstr (gt_dict, ==, "{\"x.png\": [3.0, 4.0, 5.0, 7.0]}");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dataset/findings", test_findings);
  g_test_add_func ("/dataset/nih/counts", test_nih_subset_counts);
  g_test_add_func ("/dataset/nih/queries-follow-edits", test_nih_queries_follow_edits);
  g_test_add_func ("/dataset/nih/balanced-subset-and-split", test_nih_balanced_subset_and_split);
  g_test_add_func ("/dataset/tutorial-layout", test_tutorial_layout);
  g_test_add_func ("/dataset/plain-folder", test_plain_folder);
  g_test_add_func ("/dataset/first-save-creates-box-file", test_first_save_creates_box_file);
  g_test_add_func ("/dataset/kaggle-layout-and-imperfect-rows", test_kaggle_layout_and_imperfect_rows);
  g_test_add_func ("/dataset/missing-image-folder", test_missing_image_folder);
  g_test_add_func ("/dataset/bad-files", test_bad_files_name_line_and_column);
  return g_test_run ();
}
