/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-dataset-dicomdir.c: a folder with a DICOMDIR is a dataset of the images its records reference, in the
 * DICOMDIR's order (docs/dicom.md).
 *
 * The DICOMDIR is read by the DICOM decoder process (cxr_dicom_dir_read), like every DICOM file. Each image is an
 * entry named by its file name (the File ID's last component, "IM000001") in its folder ("IMAGES/"), so that a
 * label table's Image Index names it as it names a PNG. A table may instead hold each image's SOP Instance UID in
 * that column (an export from a PACS): the index is then keyed by the UID, decided by counting which of the two
 * the table's rows match more often. */
#include "cxr-dataset-private.h"

#include <string.h>

#include "cxr-dicom.h"

/* The row of the table (in @rows) for one DICOMDIR image, by file name or by UID. */
static gboolean
find_row (const CxrDatasetIndex *rows, const char *name, const char *uid, gboolean by_uid, guint *position)
{
  return by_uid ? *uid != '\0' && cxr_dataset_index_lookup (rows, uid, position)
                : cxr_dataset_index_lookup (rows, name, position);
}

gboolean
cxr_dataset_index_dicomdir (CxrDatasetIndex *index, const char *folder, const char *dicomdir_path, guint *n_found,
                            GError **error)
{
  *n_found = 0;
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GPtrArray) uids = NULL;
  if (!cxr_dicom_dir_read (dicomdir_path, &files, &uids, error))
    return FALSE;

  /* Which key the label table (already read into @index) uses. */
  guint by_name = 0, by_uid = 0;
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *name = g_path_get_basename (files->pdata[i]);
      by_name += cxr_dataset_index_lookup (index, name, NULL);
      by_uid += *(char *) uids->pdata[i] != '\0' && cxr_dataset_index_lookup (index, uids->pdata[i], NULL);
    }
  gboolean key_uid = by_uid > by_name;

  /* A new index: the DICOMDIR's images in its order, each with its row; then the rows that matched no image. */
  CxrDatasetIndex rows = *index;
  cxr_dataset_index_init (index, files->len + rows.entries->len);
  /* The notes and unknown labels the table gave stay. */
  g_ptr_array_extend_and_steal (index->notes, g_steal_pointer (&rows.notes));
  rows.notes = g_ptr_array_new ();
  GHashTable *swap = index->unknown_labels;
  index->unknown_labels = rows.unknown_labels;
  rows.unknown_labels = swap;

  g_autofree gboolean *used = g_new0 (gboolean, rows.entries->len + 1);
  guint n_duplicates = 0, n_missing = 0;
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *name = g_path_get_basename (files->pdata[i]);
      g_autofree char *dir = g_path_get_dirname (files->pdata[i]);
      g_autofree char *image_folder = strcmp (dir, ".") == 0 ? g_strdup (folder)
                                                               : g_build_filename (folder, dir, NULL);
      gboolean created;
      guint position = cxr_dataset_index_add (index, name, strlen (name), &created);
      if (!created)
        {
          n_duplicates++;
          continue;
        }
      CxrDatasetEntry *entry = &g_array_index (index->entries, CxrDatasetEntry, position);
      guint row;
      if (find_row (&rows, name, uids->pdata[i], key_uid, &row) && !used[row])
        {
          CxrDatasetEntry copy = g_array_index (rows.entries, CxrDatasetEntry, row);
          copy.name = entry->name;
          copy.folder = NULL;
          *entry = copy;
          used[row] = TRUE;
        }
      g_autofree char *path = g_build_filename (image_folder, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          entry->folder = g_string_chunk_insert_const (index->strings, image_folder);
          (*n_found)++;
        }
      else
        n_missing++;
    }
  for (guint row = 0; row < rows.entries->len; row++)
    {
      if (used[row])
        continue;
      const CxrDatasetEntry *old = &g_array_index (rows.entries, CxrDatasetEntry, row);
      gboolean created;
      guint position = cxr_dataset_index_add (index, old->name, strlen (old->name), &created);
      if (!created)
        continue;
      CxrDatasetEntry *entry = &g_array_index (index->entries, CxrDatasetEntry, position);
      CxrDatasetEntry copy = *old;
      copy.name = entry->name;
      copy.folder = NULL;
      *entry = copy;
    }
  cxr_dataset_index_clear (&rows);

  if (key_uid)
    cxr_dataset_index_note (index, "the label table names the images by their SOP Instance UID");
  if (n_duplicates > 0)
    cxr_dataset_index_note (index, "%u images of the DICOMDIR have the same file name as another one in another "
                            "folder; the first one is used", n_duplicates);
  if (n_missing > 0)
    cxr_dataset_index_note (index, "%u images of the DICOMDIR are missing from %s", n_missing, folder);
  return TRUE;
}
