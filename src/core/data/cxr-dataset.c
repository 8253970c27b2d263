/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-dataset.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-dataset-private.h"
#include "cxr-error.h"
#include "cxr-gt-dict.h"

struct _CxrDataset {
  GObject parent_instance;

  char *folder;
  CxrDatasetLayout layout;
  char *label_table_path;
  char *bbox_path;
  char *gt_dict_path;
  char *dicomdir_path;
  CxrBBoxStore *store;
  gboolean new_box_file;    /* the store's file did not exist when the folder was opened */
  CxrDatasetIndex index;
  CxrDatasetReport report;
};

G_DEFINE_FINAL_TYPE (CxrDataset, cxr_dataset, G_TYPE_OBJECT)

static void
cxr_dataset_finalize (GObject *object)
{
  CxrDataset *dataset = CXR_DATASET (object);
  g_free (dataset->folder);
  g_free (dataset->label_table_path);
  g_free (dataset->bbox_path);
  g_free (dataset->gt_dict_path);
  g_free (dataset->dicomdir_path);
  g_clear_object (&dataset->store);
  cxr_dataset_index_clear (&dataset->index);
  g_clear_pointer (&dataset->report.unknown_labels, g_ptr_array_unref);
  /* report.notes is index.notes */
  G_OBJECT_CLASS (cxr_dataset_parent_class)->finalize (object);
}

static void
cxr_dataset_class_init (CxrDatasetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_dataset_finalize;
}

static void
cxr_dataset_init (CxrDataset *dataset)
{
}

const char *
cxr_dataset_layout_get_name (CxrDatasetLayout layout)
{
  switch (layout)
    {
    case CXR_DATASET_LAYOUT_NIH:
      return "NIH ChestX-ray14";
    case CXR_DATASET_LAYOUT_TUTORIAL:
      return "tutorial (BB.csv, BB/, gt_dict.json)";
    case CXR_DATASET_LAYOUT_PLAIN:
      return "plain folder of images";
    case CXR_DATASET_LAYOUT_DICOMDIR:
      return "DICOMDIR (DICOM media folder)";
    }
  return "unknown";
}

/* ---- finding the files ----------------------------------------------------------------------------------- */

static char *
child_if (const char *folder, const char *name, GFileTest test)
{
  char *path = g_build_filename (folder, name, NULL);
  if (g_file_test (path, test))
    return path;
  g_free (path);
  return NULL;
}

static gboolean
is_image_name (const char *name)
{
  const char *dot = strrchr (name, '.');
  return dot != NULL && name[0] != '.'
         && (g_ascii_strcasecmp (dot, ".png") == 0 || g_ascii_strcasecmp (dot, ".jpg") == 0
             || g_ascii_strcasecmp (dot, ".jpeg") == 0 || g_ascii_strcasecmp (dot, ".dcm") == 0
             || g_ascii_strcasecmp (dot, ".dicom") == 0);
}

/* Adds every image file of folder to the index; returns how many there were. */
static guint
scan_images (CxrDataset *dataset, const char *folder, guint *n_duplicates)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  if (dir == NULL)
    return 0;
  const char *interned_folder = g_string_chunk_insert_const (dataset->index.strings, folder);
  guint n = 0;
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (!is_image_name (name))
        continue;
      guint position = cxr_dataset_index_add (&dataset->index, name, strlen (name), NULL);
      CxrDatasetEntry *entry = &g_array_index (dataset->index.entries, CxrDatasetEntry, position);
      if (entry->folder != NULL)
        {
          (*n_duplicates)++;
          continue;
        }
      entry->folder = interned_folder;
      n++;
    }
  return n;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The folders that hold images in each layout, beside the dataset folder itself. */
static GPtrArray *
image_folders (CxrDataset *dataset)
{
  GPtrArray *folders = g_ptr_array_new_with_free_func (g_free);
  if (dataset->layout == CXR_DATASET_LAYOUT_TUTORIAL)
    {
      char *bb = child_if (dataset->folder, "BB", G_FILE_TEST_IS_DIR);
      if (bb != NULL)
        g_ptr_array_add (folders, bb);
    }
  else if (dataset->layout == CXR_DATASET_LAYOUT_NIH)
    {
      char *images = child_if (dataset->folder, "images", G_FILE_TEST_IS_DIR);
      if (images != NULL)
        g_ptr_array_add (folders, images);
      /* Kaggle: images_001/images/ ... images_012/images/, in name order */
      g_autoptr (GDir) dir = g_dir_open (dataset->folder, 0, NULL);
      g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_prefix (name, "images_"))
          g_ptr_array_add (parts, g_strdup (name));
      g_ptr_array_sort (parts, compare_strings);
      for (guint i = 0; i < parts->len; i++)
        {
          g_autofree char *part = g_build_filename (dataset->folder, parts->pdata[i], NULL);
          char *inner = child_if (part, "images", G_FILE_TEST_IS_DIR);
          if (inner != NULL)
            g_ptr_array_add (folders, inner);
          else if (g_file_test (part, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (folders, g_steal_pointer (&part));
        }
    }
  return folders;
}

static void
detect_layout (CxrDataset *dataset)
{
  const char *folder = dataset->folder;
  /* The files by their names, whatever they are: a FIFO or a folder called Data_Entry_2017.csv is then refused
   * by name when it is read ("is not a regular file (it is a FIFO)"), where skipping it said the table was
   * missing. */
  const GFileTest file = G_FILE_TEST_EXISTS;
  dataset->label_table_path = child_if (folder, "Data_Entry_2017_v2020.csv", file);
  g_autofree char *older = child_if (folder, "Data_Entry_2017.csv", file);
  if (dataset->label_table_path == NULL)
    dataset->label_table_path = g_steal_pointer (&older);
  else if (older != NULL)
    cxr_dataset_index_note (&dataset->index, "both Data_Entry_2017.csv and Data_Entry_2017_v2020.csv are here; "
                            "the labels come from the 2020 revision");
  g_autofree char *nih_boxes = child_if (folder, "BBox_List_2017.csv", file);
  g_autofree char *tutorial_boxes = child_if (folder, "BB.csv", file);
  g_autofree char *bb_folder = child_if (folder, "BB", G_FILE_TEST_IS_DIR);
  dataset->gt_dict_path = child_if (folder, "gt_dict.json", file);
  dataset->dicomdir_path = child_if (folder, "DICOMDIR", file);

  /* A DICOMDIR names the images wherever they are; a label table, if there is one, gives their findings. */
  if (dataset->dicomdir_path != NULL)
    dataset->layout = CXR_DATASET_LAYOUT_DICOMDIR;
  else if (dataset->label_table_path != NULL || nih_boxes != NULL)
    dataset->layout = CXR_DATASET_LAYOUT_NIH;
  else if (tutorial_boxes != NULL || bb_folder != NULL || dataset->gt_dict_path != NULL)
    dataset->layout = CXR_DATASET_LAYOUT_TUTORIAL;
  else
    dataset->layout = CXR_DATASET_LAYOUT_PLAIN;

  if (dataset->layout == CXR_DATASET_LAYOUT_NIH
      || (dataset->layout == CXR_DATASET_LAYOUT_DICOMDIR && tutorial_boxes == NULL))
    dataset->bbox_path = nih_boxes != NULL ? g_steal_pointer (&nih_boxes) : g_steal_pointer (&tutorial_boxes);
  else
    dataset->bbox_path = g_steal_pointer (&tutorial_boxes);
}

/* ---- opening --------------------------------------------------------------------------------------------- */

static void
add_boxes (CxrDataset *dataset)
{
  if (dataset->store == NULL)
    return;
  g_autoptr (GArray) boxes = cxr_bbox_store_list (dataset->store);
  for (guint i = 0; i < boxes->len; i++)
    {
      const CxrBBox *box = &g_array_index (boxes, CxrBBox, i);
      gboolean created;
      guint position = cxr_dataset_index_add (&dataset->index, box->image, strlen (box->image), &created);
      CxrDatasetEntry *entry = &g_array_index (dataset->index.entries, CxrDatasetEntry, position);
      CxrFinding finding = cxr_finding_from_name (box->label, -1);
      if (finding == 0)
        {
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (dataset->index.unknown_labels, box->label));
          g_hash_table_replace (dataset->index.unknown_labels, g_strdup (box->label), GUINT_TO_POINTER (count + 1));
          finding = CXR_FINDING_OTHER;
        }
      /* An image without a label-table row takes its findings from its boxes. */
      if (entry->line == 0)
        entry->findings |= finding;
    }
}

static void
fill_report (CxrDataset *dataset)
{
  CxrDatasetReport *report = &dataset->report;
  GArray *entries = dataset->index.entries;
  report->layout = dataset->layout;
  for (guint i = 0; i < entries->len; i++)
    {
      const CxrDatasetEntry *entry = &g_array_index (entries, CxrDatasetEntry, i);
      gboolean has_row = entry->line != 0, has_image = entry->folder != NULL;
      report->n_images += has_image;
      report->n_label_rows += has_row;
      report->n_rows_without_image += has_row && !has_image;
      report->n_images_without_row += has_image && !has_row;
    }
  if (dataset->store != NULL)
    {
      g_autoptr (GArray) boxes = cxr_bbox_store_list (dataset->store);
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      report->n_boxes = boxes->len;
      for (guint i = 0; i < boxes->len; i++)
        {
          const CxrBBox *box = &g_array_index (boxes, CxrBBox, i);
          guint position;
          gboolean has_image = cxr_dataset_index_lookup (&dataset->index, box->image, &position)
                               && g_array_index (entries, CxrDatasetEntry, position).folder != NULL;
          report->n_boxes_with_image += has_image;
          if (g_hash_table_add (seen, (gpointer) box->image))
            {
              report->n_box_images++;
              report->n_box_images_with_image += has_image;
            }
        }
    }

  report->unknown_labels = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, dataset->index.unknown_labels);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (report->unknown_labels, g_strdup_printf ("%s (%u)", (char *) key, GPOINTER_TO_UINT (value)));
  g_ptr_array_sort (report->unknown_labels, compare_strings);
  report->notes = dataset->index.notes;
}

CxrDataset *
cxr_dataset_open (const char *folder, CxrDatasetOpenFlags flags, GError **error)
{
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s is not a folder", folder);
      return NULL;
    }
  g_autoptr (CxrDataset) dataset = g_object_new (CXR_TYPE_DATASET, NULL);
  dataset->folder = g_strdup (folder);
  /* gt_dict.json and the review sidecar may be saved here: what a killed save left goes (BB.csv's folder is swept
   * when the store opens). */
  cxr_atomic_file_sweep (folder);
  /* Size the index for the label table at once: its rows take about 80 bytes each. */
  g_autofree char *table = child_if (folder, "Data_Entry_2017_v2020.csv", G_FILE_TEST_IS_REGULAR);
  if (table == NULL)
    table = child_if (folder, "Data_Entry_2017.csv", G_FILE_TEST_IS_REGULAR);
  GStatBuf st;
  gsize expected_rows = table != NULL && g_stat (table, &st) == 0 ? (gsize) st.st_size / 80 : 0;
  cxr_dataset_index_init (&dataset->index, expected_rows);
  detect_layout (dataset);

  if (dataset->label_table_path != NULL)
    {
      if (!cxr_dataset_table_read (dataset->label_table_path, &dataset->index, error))
        return NULL;
    }
  else if (dataset->layout == CXR_DATASET_LAYOUT_NIH)
    cxr_dataset_index_note (&dataset->index, "%s has no label table (Data_Entry_2017.csv): findings come from "
                            "the boxes only", folder);

  /* The DICOMDIR's images first, in its order, with their rows (before the boxes, which are keyed by name). */
  guint n_dicomdir = 0;
  if (dataset->layout == CXR_DATASET_LAYOUT_DICOMDIR
      && !cxr_dataset_index_dicomdir (&dataset->index, folder, dataset->dicomdir_path, &n_dicomdir, error))
    return NULL;

  if (dataset->bbox_path != NULL)
    {
      dataset->store = cxr_bbox_store_open (dataset->bbox_path, error);
      if (dataset->store == NULL)
        return NULL;
      add_boxes (dataset);
    }
  else
    {
      /* No box file yet: an empty store, so that boxes can be drawn; its first save creates the file in NIH's
       * format, under the name this layout uses. */
      const char *name = dataset->layout == CXR_DATASET_LAYOUT_NIH ? "BBox_List_2017.csv" : "BB.csv";
      g_autofree char *path = g_build_filename (folder, name, NULL);
      dataset->store = cxr_bbox_store_new_file (path, error);
      if (dataset->store == NULL)
        return NULL;
      dataset->new_box_file = TRUE;
    }

  guint n_duplicates = 0, n_found = 0;
  g_autoptr (GPtrArray) folders = image_folders (dataset);
  for (guint i = 0; i < folders->len; i++)
    n_found += scan_images (dataset, folders->pdata[i], &n_duplicates);
  guint n_in_root = dataset->layout == CXR_DATASET_LAYOUT_DICOMDIR ? n_dicomdir
                                                                   : scan_images (dataset, folder, &n_duplicates);
  n_found += n_in_root;
  if (n_duplicates > 0)
    cxr_dataset_index_note (&dataset->index, "%u image files have the same name as another one in another "
                            "folder; the first one found is used", n_duplicates);
  if (folders->len == 0 && n_in_root == 0 && dataset->layout != CXR_DATASET_LAYOUT_PLAIN
      && dataset->layout != CXR_DATASET_LAYOUT_DICOMDIR)
    {
      const char *expected = dataset->layout == CXR_DATASET_LAYOUT_NIH
                             ? "images/ or images_001/images/ ... images_012/images/" : "BB/";
      if (flags & CXR_DATASET_OPEN_REQUIRE_IMAGES)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s: the image folder is missing (expected %s)", folder,
                       expected);
          return NULL;
        }
      cxr_dataset_index_note (&dataset->index, "no image folder: expected %s in %s", expected, folder);
    }
  else if (n_found == 0)
    {
      if (flags & CXR_DATASET_OPEN_REQUIRE_IMAGES)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "%s: no image files (.png, .jpg, .dcm) were found", folder);
          return NULL;
        }
      cxr_dataset_index_note (&dataset->index, "no image files (.png, .jpg, .dcm) were found in %s", folder);
    }

  fill_report (dataset);
  return g_steal_pointer (&dataset);
}

/* ---- reading --------------------------------------------------------------------------------------------- */

CxrDatasetLayout
cxr_dataset_get_layout (CxrDataset *dataset)
{
  return dataset->layout;
}

const char *
cxr_dataset_get_folder (CxrDataset *dataset)
{
  return dataset->folder;
}

const CxrDatasetReport *
cxr_dataset_get_report (CxrDataset *dataset)
{
  return &dataset->report;
}

const char *
cxr_dataset_get_label_table_path (CxrDataset *dataset)
{
  return dataset->label_table_path;
}

const char *
cxr_dataset_get_bbox_path (CxrDataset *dataset)
{
  return dataset->bbox_path;
}

const char *
cxr_dataset_get_gt_dict_path (CxrDataset *dataset)
{
  return dataset->gt_dict_path;
}

char *
cxr_dataset_dup_review_path (CxrDataset *dataset)
{
  g_autofree char *folder = dataset->bbox_path != NULL ? g_path_get_dirname (dataset->bbox_path)
                                                       : g_strdup (dataset->folder);
  return g_build_filename (folder, "cxrcam-review.json", NULL);
}

CxrBBoxStore *
cxr_dataset_get_bbox_store (CxrDataset *dataset)
{
  return dataset->store;
}

guint
cxr_dataset_get_n_entries (CxrDataset *dataset)
{
  return dataset->index.entries->len;
}

const CxrDatasetEntry *
cxr_dataset_get_entry (CxrDataset *dataset, guint index)
{
  g_return_val_if_fail (index < dataset->index.entries->len, NULL);
  return &g_array_index (dataset->index.entries, CxrDatasetEntry, index);
}

gboolean
cxr_dataset_lookup (CxrDataset *dataset, const char *name, guint *index)
{
  return cxr_dataset_index_lookup (&dataset->index, name, index);
}

char *
cxr_dataset_dup_image_path (CxrDataset *dataset, guint index)
{
  const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, index);
  if (entry == NULL || entry->folder == NULL)
    return NULL;
  return g_build_filename (entry->folder, entry->name, NULL);
}

GArray *
cxr_dataset_get_boxes (CxrDataset *dataset, guint index)
{
  const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, index);
  if (entry == NULL || dataset->store == NULL)
    return g_array_new (FALSE, FALSE, sizeof (CxrBBox));
  return cxr_bbox_store_list_for_image (dataset->store, entry->name);
}

/* ---- queries --------------------------------------------------------------------------------------------- */

/* One flag per entry: does it have a box now. */
static GByteArray *
entries_with_boxes (CxrDataset *dataset)
{
  guint n = dataset->index.entries->len;
  GByteArray *flags = g_byte_array_sized_new (n);
  g_byte_array_set_size (flags, n);
  memset (flags->data, 0, n);
  if (dataset->store == NULL)
    return flags;
  g_autoptr (GArray) boxes = cxr_bbox_store_list (dataset->store);
  for (guint i = 0; i < boxes->len; i++)
    {
      guint position;
      if (cxr_dataset_index_lookup (&dataset->index, g_array_index (boxes, CxrBBox, i).image, &position))
        flags->data[position] = 1;
    }
  return flags;
}

static gboolean
condition_holds (CxrDatasetCondition condition, gboolean value)
{
  return condition == CXR_DATASET_ANY || (condition == CXR_DATASET_YES) == value;
}

GArray *
cxr_dataset_filter (CxrDataset *dataset, const CxrDatasetFilter *filter)
{
  GArray *result = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GByteArray) with_boxes = filter->has_boxes != CXR_DATASET_ANY ? entries_with_boxes (dataset) : NULL;
  const char *prefix = filter->name_prefix != NULL && *filter->name_prefix != '\0' ? filter->name_prefix : NULL;
  gsize prefix_length = prefix != NULL ? strlen (prefix) : 0;
  GArray *entries = dataset->index.entries;
  for (guint i = 0; i < entries->len; i++)
    {
      const CxrDatasetEntry *entry = &g_array_index (entries, CxrDatasetEntry, i);
      if (filter->any_findings != 0 && (entry->findings & filter->any_findings) == 0)
        continue;
      if ((entry->findings & filter->no_findings) != 0)
        continue;
      if (filter->patient_id != 0 && entry->patient_id != filter->patient_id)
        continue;
      if (!condition_holds (filter->has_image, entry->folder != NULL))
        continue;
      if (with_boxes != NULL && !condition_holds (filter->has_boxes, with_boxes->data[i]))
        continue;
      if (prefix != NULL && strncmp (entry->name, prefix, prefix_length) != 0)
        continue;
      g_array_append_val (result, i);
    }
  return result;
}

/* ---- saving ---------------------------------------------------------------------------------------------- */

gboolean
cxr_dataset_reload_boxes (CxrDataset *dataset, GError **error)
{
  const char *path = cxr_bbox_store_get_path (dataset->store);
  /* Its unsaved edits go, and with them its journal, which the new store would otherwise find held. */
  if (!cxr_bbox_store_revert (dataset->store, error))
    return FALSE;
  gboolean exists = g_file_test (path, G_FILE_TEST_EXISTS);
  CxrBBoxStore *store = exists ? cxr_bbox_store_open (path, error) : cxr_bbox_store_new_file (path, error);
  if (store == NULL)
    return FALSE;   /* the old store stays, as it was read */
  g_object_unref (dataset->store);
  dataset->store = store;
  dataset->new_box_file = !exists;
  return TRUE;
}

gboolean
cxr_dataset_save_boxes (CxrDataset *dataset, GError **error)
{
  if (dataset->store == NULL)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "%s has no box file to save", dataset->folder);
      return FALSE;
    }
  if (!cxr_bbox_store_save (dataset->store, error))
    return FALSE;
  if (dataset->new_box_file)
    {
      /* The file exists now; it is what the dataset's boxes are read from. A gt_dict.json that was there before
       * it did not come from it, so it is left as it is rather than overwritten with the new file's boxes. */
      dataset->new_box_file = FALSE;
      g_free (dataset->bbox_path);
      dataset->bbox_path = g_strdup (cxr_bbox_store_get_path (dataset->store));
      return TRUE;
    }
  /* BB.csv is the source of truth and is saved; gt_dict.json only follows it. */
  if (dataset->gt_dict_path != NULL)
    return cxr_gt_dict_sync (dataset->gt_dict_path, dataset->store, error);
  return TRUE;
}
