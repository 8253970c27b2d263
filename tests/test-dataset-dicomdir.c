/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dataset-dicomdir: a folder with a DICOMDIR opens as a dataset of the images its records reference, in the
 * DICOMDIR's order, with findings from a label table keyed by file name or by SOP Instance UID.
 *
 * The DICOMDIR is made in the test by GDCM's gdcmgendir (libgdcm-tools, installed by .ci/setup) over copies of
 * image files from ../shared/data/dicom-samples; the order and UIDs expected are what gdcmdump reads from it. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cxr-dataset.h"
#include "cxr-error.h"
#include "cxr-dataset-findings.h"
#include "cxr-image.h"
#include "cxr-test-util.h"

/* Sample files, copied under media-style names (8 characters, no extension). gdcmgendir refuses the samples
 * without the patient and study attributes a DICOMDIR record needs (and two files of one SOP Instance UID, such
 * as MR_small.dcm and its compressed copies); these three it takes. */
static const char *const samples[][2] = {
  { "MR_small.dcm", "IM000003" },
  { "CT_small.dcm", "IM000001" },
  { "examples_overlay.dcm", "IM000002" },
};

typedef struct {
  char *root;
  GPtrArray *files;  /* File IDs as gdcmdump reads them, in the DICOMDIR's order: "IMAGES/IM000001" */
  GPtrArray *uids;
} Media;

static void
media_clear (Media *m)
{
  g_free (m->root);
  g_clear_pointer (&m->files, g_ptr_array_unref);
  g_clear_pointer (&m->uids, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Media, media_clear)

static char *
run (const char *cwd, const char *const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (cwd, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

/* The value in brackets of a gdcmdump line. */
static char *
bracketed (const char *line)
{
  const char *open = strchr (line, '['), *close = open != NULL ? strchr (open, ']') : NULL;
  g_assert_nonnull (close);
  return g_strstrip (g_strndup (open + 1, close - open - 1));
}

static void
make_media (Media *m)
{
  m->root = cxr_test_make_tmpdir ();
  g_autofree char *images = g_build_filename (m->root, "IMAGES", NULL);
  g_assert_cmpint (g_mkdir (images, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autofree char *from = g_build_filename (cxr_test_dicom_samples_dir (), samples[i][0], NULL);
      g_autofree char *to = g_build_filename (images, samples[i][1], NULL);
      g_autofree char *data = NULL;
      gsize length = 0;
      g_assert_true (g_file_get_contents (from, &data, &length, NULL));
      g_assert_true (g_file_set_contents (to, data, length, NULL));
    }
  const char *gendir[] = { "gdcmgendir", "-i", ".", "-o", "DICOMDIR", "-r", NULL };
  g_free (run (m->root, gendir));
  const char *dump[] = { "gdcmdump", "DICOMDIR", NULL };
  g_autofree char *text = run (m->root, dump);
  m->files = g_ptr_array_new_with_free_func (g_free);
  m->uids = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (strstr (*l, "(0004,1500)") != NULL)
      {
        g_autofree char *id = bracketed (*l);
        g_strdelimit (id, "\\", '/');
        g_ptr_array_add (m->files, g_steal_pointer (&id));
      }
    else if (strstr (*l, "(0004,1511)") != NULL)
      g_ptr_array_add (m->uids, bracketed (*l));
  g_assert_cmpuint (m->files->len, ==, G_N_ELEMENTS (samples));
  g_assert_cmpuint (m->uids->len, ==, m->files->len);
}

static void
write_table (const Media *m, gboolean by_uid)
{
  /* The first image in the DICOMDIR's order has Mass, the second Cardiomegaly; the others no finding. */
  g_autoptr (GString) table = g_string_new ("Image Index,Finding Labels\n");
  for (guint i = 0; i < m->files->len; i++)
    {
      g_autofree char *name = g_path_get_basename (m->files->pdata[i]);
      g_string_append_printf (table, "%s,%s\n", by_uid ? (char *) m->uids->pdata[i] : name,
                              i == 0 ? "Mass" : i == 1 ? "Cardiomegaly" : "No Finding");
    }
  g_autofree char *path = g_build_filename (m->root, "Data_Entry_2017.csv", NULL);
  g_assert_true (g_file_set_contents (path, table->str, -1, NULL));
}

static void
check_dataset (const Media *m, gboolean with_table, gboolean by_uid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (m->root, CXR_DATASET_OPEN_REQUIRE_IMAGES, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cxr_dataset_get_layout (dataset), ==, CXR_DATASET_LAYOUT_DICOMDIR);
  const CxrDatasetReport *report = cxr_dataset_get_report (dataset);
  g_assert_cmpuint (report->n_images, ==, G_N_ELEMENTS (samples));
  g_assert_cmpuint (report->n_rows_without_image, ==, 0);
  g_assert_cmpuint (cxr_dataset_get_n_entries (dataset), ==, m->files->len);
  gboolean noted = FALSE;
  for (guint i = 0; i < report->notes->len; i++)
    noted |= strstr (report->notes->pdata[i], "SOP Instance UID") != NULL;
  g_assert_cmpint (noted, ==, by_uid);
  for (guint i = 0; i < m->files->len; i++)
    {
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (dataset, i);
      g_autofree char *name = g_path_get_basename (m->files->pdata[i]);
      g_assert_cmpstr (entry->name, ==, name);
      g_autofree char *path = cxr_dataset_dup_image_path (dataset, i);
      g_autofree char *expected = g_build_filename (m->root, m->files->pdata[i], NULL);
      g_assert_cmpstr (path, ==, expected);
      guint32 findings = !with_table ? 0 : i == 0 ? CXR_FINDING_MASS : i == 1 ? CXR_FINDING_CARDIOMEGALY
                                                                     : CXR_FINDING_NO_FINDING;
      g_assert_cmpuint (entry->findings, ==, findings);
      g_assert_cmpuint (entry->line != 0, ==, with_table);
      /* And the image opens, as every dataset image does. */
      g_autoptr (CxrImage) image = cxr_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (image->file_type, ==, CXR_IMAGE_FILE_DICOM);
    }
}

static void
test_order_without_table (void)
{
  g_auto (Media) m = { 0 };
  make_media (&m);
  check_dataset (&m, FALSE, FALSE);
}

static void
test_table_by_name (void)
{
  g_auto (Media) m = { 0 };
  make_media (&m);
  write_table (&m, FALSE);
  check_dataset (&m, TRUE, FALSE);
}

static void
test_table_by_uid (void)
{
  g_auto (Media) m = { 0 };
  make_media (&m);
  write_table (&m, TRUE);
  check_dataset (&m, TRUE, TRUE);
}

/* A DICOMDIR cut short, or one that is an image: the folder does not open, with a message naming the DICOMDIR. */
static void
test_damaged_dicomdir (void)
{
  g_auto (Media) m = { 0 };
  make_media (&m);
  g_autofree char *path = g_build_filename (m.root, "DICOMDIR", NULL);
  g_autofree char *data = NULL;
  gsize length = 0;
  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  for (gsize cut = 1; cut < length; cut += 97)
    {
      g_assert_true (g_file_set_contents (path, data, cut, NULL));
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrDataset) dataset = cxr_dataset_open (m.root, 0, &error);
      g_assert_null (dataset);
      g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
      g_assert_true (strstr (error->message, path) != NULL);
    }
  g_autofree char *image = g_build_filename (cxr_test_dicom_samples_dir (), "CT_small.dcm", NULL);
  g_autofree char *image_data = NULL;
  g_assert_true (g_file_get_contents (image, &image_data, &length, NULL));
  g_assert_true (g_file_set_contents (path, image_data, length, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (m.root, 0, &error);
  g_assert_null (dataset);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_assert_true (strstr (error->message, "not a DICOMDIR (its class is CT Image Storage") != NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dataset-dicomdir/order", test_order_without_table);
  g_test_add_func ("/dataset-dicomdir/table-by-name", test_table_by_name);
  g_test_add_func ("/dataset-dicomdir/table-by-uid", test_table_by_uid);
  g_test_add_func ("/dataset-dicomdir/damaged", test_damaged_dicomdir);
  return g_test_run ();
}
