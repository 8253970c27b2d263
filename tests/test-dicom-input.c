/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom-input: the network's input from DICOM (issue 16, point 3; docs/dicom.md).
 *
 * tests/reference/dicom_from_png.py writes an NIH PNG as CR/DX DICOM files in this run: 8-bit without a window,
 * 12-bit (x16) with centre 2040.5 and width 4081, 16-bit (x257), MONOCHROME1 twins, a VOI LUT, implicit VR, and
 * gdcmconv's RLE, JPEG lossless, JPEG-LS, JPEG 2000 and deflated copies; and, for every file, the [0, 1] gray of
 * the same pipeline written in NumPy. Each file must give exactly that NumPy array, exactly the PNG's own
 * v / 255.0f, and so exactly the PNG's preprocessed network input.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "cxr-dicom.h"
#include "cxr-image.h"
#include "cxr-npy.h"
#include "cxr-preprocess.h"
#include "cxr-test-util.h"

static void
assert_same (const float *got, const float *want, gsize n, const char *what)
{
  for (gsize i = 0; i < n; i++)
    if (memcmp (&got[i], &want[i], sizeof (float)) != 0)
      g_error ("%s: element %" G_GSIZE_FORMAT " is %.9g, want %.9g", what, i, got[i], want[i]);
}

static void
test_nih_as_dicom (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *png = g_build_filename (nih, "images", "00000001_000.png", NULL);
  g_autofree char *tmpdir = cxr_test_make_tmpdir ();
  const char *args[] = { png, tmpdir, NULL };
  if (!cxr_test_run_reference ("dicom_from_png.py", args))
    return;

  g_autoptr (GError) error = NULL;
  g_autoptr (CxrImage) png_image = cxr_image_load (png, &error);
  g_assert_no_error (error);
  gsize n = (gsize) png_image->width * png_image->height;
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  gsize input_size = cxr_preprocess_output_size (&params);
  g_autofree float *png_input = g_new (float, input_size);
  cxr_preprocess (png_input, png_image, &params);

  g_autofree char *manifest_path = g_build_filename (tmpdir, "manifest.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (parser, manifest_path, &error));
  JsonArray *entries = json_node_get_array (json_parser_get_root (parser));
  guint compressed = 0;
  g_autoptr (GHashTable) syntaxes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *file = json_object_get_string_member (entry, "file");
      g_autofree char *path = g_build_filename (tmpdir, file, NULL);
      g_autofree char *npy = g_build_filename (tmpdir, json_object_get_string_member (entry, "npy"), NULL);

      g_autoptr (CxrDicomImage) dicom = NULL;
      g_assert_true (cxr_dicom_read (path, &dicom, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %s, %d bits, %s, %d window(s)%s", file, dicom->photometric, dicom->bits_stored,
                      dicom->transfer_syntax_name, dicom->n_windows, dicom->has_voi_lut ? ", VOI LUT" : "");
      if (json_object_get_boolean_member (entry, "compressed"))
        {
          /* gdcmconv really compressed it */
          g_assert_cmpstr (dicom->transfer_syntax_uid, !=, "1.2.840.10008.1.2.1");
          g_hash_table_add (syntaxes, g_strdup (dicom->transfer_syntax_uid));
          compressed++;
        }
      g_assert_cmpfloat (dicom->spacing_row_mm, ==, 0.143);
      g_assert_cmpstr (dicom->spacing_source, ==, "ImagerPixelSpacing");

      g_autoptr (CxrImage) image = cxr_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (image->file_type, ==, CXR_IMAGE_FILE_DICOM);
      g_assert_cmpint (image->width, ==, png_image->width);
      g_assert_cmpint (image->height, ==, png_image->height);
      g_autoptr (CxrTensor) want = cxr_npy_load (npy, &error);
      g_assert_no_error (error);
      g_assert_cmpint (cxr_tensor_numel (want), ==, (gint64) n);
      g_autofree char *vs_numpy = g_strdup_printf ("%s against NumPy", file);
      assert_same (image->pixels, want->data, n, vs_numpy);
      g_autofree char *vs_png = g_strdup_printf ("%s against the PNG", file);
      assert_same (image->pixels, png_image->pixels, n, vs_png);

      g_autofree float *input = g_new (float, input_size);
      cxr_preprocess (input, image, &params);
      g_autofree char *vs_input = g_strdup_printf ("%s: network input against the PNG's", file);
      assert_same (input, png_input, input_size, vs_input);
    }
  g_test_message ("%u files, %u compressed in %u transfer syntaxes", json_array_get_length (entries), compressed,
                  g_hash_table_size (syntaxes));
  g_assert_cmpuint (g_hash_table_size (syntaxes), ==, 5);
  g_assert_cmpuint (json_array_get_length (entries), >=, 27);
}

/* cxrcam-cli predict and dataset take DICOM like any image: the same probabilities as the PNG's, and a folder of
 * .dcm files with a Data_Entry table keyed by their file names is a dataset whose findings come from it. */
static void
test_cli (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *png = g_build_filename (nih, "images", "00000001_000.png", NULL);
  g_autofree char *tmpdir = cxr_test_make_tmpdir ();
  const char *args[] = { png, tmpdir, NULL };
  if (!cxr_test_run_reference ("dicom_from_png.py", args))
    return;
  g_autofree char *model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  const char *variants[] = { "m2-8.dcm", "m1-12-window-j2k.dcm", "m2-12-voilut.dcm", "m1-16-jpegls.dcm" };
  g_auto (CxrCliRun) png_run = { 0 };
  const char *png_args[] = { "predict", "--model", model, png, NULL };
  cxr_test_run_cli (&png_run, png_args);
  g_assert_cmpint (png_run.status, ==, 0);
  const char *png_probabilities = strchr (strchr (png_run.out, '\n') + 1, ',');
  g_assert_nonnull (png_probabilities);
  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *path = g_build_filename (tmpdir, variants[i], NULL);
      g_auto (CxrCliRun) run = { 0 };
      const char *dicom_args[] = { "predict", "--model", model, path, NULL };
      cxr_test_run_cli (&run, dicom_args);
      g_assert_cmpint (run.status, ==, 0);
      const char *probabilities = strchr (strchr (run.out, '\n') + 1, ',');
      g_assert_cmpstr (probabilities, ==, png_probabilities);
    }

  /* The folder as a dataset, findings from a table keyed by file name. */
  g_autofree char *table = g_build_filename (tmpdir, "Data_Entry_2017.csv", NULL);
  const char *csv = "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
                    "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n"
                    "m2-8.dcm,Cardiomegaly,0,1,58,M,PA,1024,1024,0.143,0.143,\n"
                    "m1-16.dcm,No Finding,1,1,58,M,PA,1024,1024,0.143,0.143,\n";
  g_assert_true (g_file_set_contents (table, csv, -1, NULL));
  g_auto (CxrCliRun) list = { 0 };
  const char *list_args[] = { "dataset", "list", tmpdir, "--finding", "Cardiomegaly", NULL };
  cxr_test_run_cli (&list, list_args);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (g_str_has_prefix (list.out, "m2-8.dcm\t"));
  g_auto (GStrv) listed = g_strsplit (g_strstrip (list.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  g_auto (CxrCliRun) all = { 0 };
  const char *all_args[] = { "dataset", "list", tmpdir, NULL };
  cxr_test_run_cli (&all, all_args);
  g_assert_cmpint (all.status, ==, 0);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (all.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 27);
}

/* The window of PS3.3 C.11.2.1.2.1 at its edges: centre 2040.5, width 4081 puts 0 at 0 and 4080 at 1. */
static void
test_window_function (void)
{
  g_assert_cmpfloat (cxr_dicom_voi_linear (0, 2040.5, 4081), ==, 0.0);
  g_assert_cmpfloat (cxr_dicom_voi_linear (4080, 2040.5, 4081), ==, 1.0);
  g_assert_cmpfloat (cxr_dicom_voi_linear (2040, 2040.5, 4081), ==, 0.5);
  g_assert_cmpfloat ((float) cxr_dicom_voi_linear (16 * 17, 2040.5, 4081), ==, 17 / 255.0f);
  /* the standard's example: centre 2048, width 4096 maps 0 to 0 and 4095 to 1 */
  g_assert_cmpfloat (cxr_dicom_voi_linear (-1, 2048, 4096), ==, 0.0);
  g_assert_cmpfloat (cxr_dicom_voi_linear (4096, 2048, 4096), ==, 1.0);
  /* width 1: a step at centre - 0.5 */
  g_assert_cmpfloat (cxr_dicom_voi_linear (99.5, 100, 1), ==, 0.0);
  g_assert_cmpfloat (cxr_dicom_voi_linear (99.6, 100, 1), ==, 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dicom-input/window-function", test_window_function);
  g_test_add_func ("/dicom-input/nih-as-dicom", test_nih_as_dicom);
  g_test_add_func ("/dicom-input/cli", test_cli);
  return g_test_run ();
}
