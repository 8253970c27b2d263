/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The model input for real NIH radiographs against the torchvision pipeline
 * run live (tests/reference/img_preprocess.py): PIL decode, float32 [0, 1],
 * interpolate (bilinear, align_corners=False, antialias=True), three
 * channels, ImageNet Normalize. */
#include <string.h>

#include "cxr-image.h"
#include "cxr-npy.h"
#include "cxr-preprocess.h"
#include "cxr-test-util.h"

#define PREPROCESS_TOLERANCE 1e-5

/* Two of NIH's RGBA files (alpha 255, equal channels) and three gray ones;
 * 00001369_000 and 00022215_012 have Cardiomegaly boxes. */
static const char *nih_images[] = {
  "00001369_000.png",
  "00000004_000.png",
  "00000001_000.png",
  "00022215_012.png",
  "00030164_000.png",
};

static GPtrArray *
nih_image_paths (const char *nih)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; i < G_N_ELEMENTS (nih_images); i++)
    {
      char *path = g_build_filename (nih, "images", nih_images[i], NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_error ("NIH test image missing: %s", path);
      g_ptr_array_add (paths, path);
    }
  return paths;
}

/* Runs the reference for the given parameters; it writes <dir>/<name>.gray.npy and <name>.input.npy. */
static gboolean
run_reference (const char *dir, const CxrPreprocessParams *params, GPtrArray *paths)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup (dir));
  g_ptr_array_add (args, g_strdup_printf ("%d", params->height));
  g_ptr_array_add (args, g_strdup_printf ("%d", params->width));
  g_ptr_array_add (args, g_strdup_printf ("%d", params->channels));
  /* %.9g round-trips a float exactly through Python's double and back to float32. */
  for (int c = 0; c < 3; c++)
    g_ptr_array_add (args, g_strdup_printf ("%.9g", (double) params->mean[c]));
  for (int c = 0; c < 3; c++)
    g_ptr_array_add (args, g_strdup_printf ("%.9g", (double) params->std[c]));
  for (guint i = 0; i < paths->len; i++)
    g_ptr_array_add (args, g_strdup (g_ptr_array_index (paths, i)));
  g_ptr_array_add (args, NULL);
  return cxr_test_run_reference ("img_preprocess.py", (const char * const *) args->pdata);
}

static CxrTensor *
load_reference (const char *dir, const char *path, const char *kind)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *file = g_strdup_printf ("%s/%s.%s.npy", dir, base, kind);
  g_autoptr (GError) error = NULL;
  CxrTensor *t = cxr_npy_load (file, &error);
  g_assert_no_error (error);
  return t;
}

static void
check_against_reference (const CxrPreprocessParams *params, gboolean check_decode)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autoptr (GPtrArray) paths = nih_image_paths (nih);
  g_autofree char *dir = cxr_test_make_tmpdir ();
  if (!run_reference (dir, params, paths))
    return;

  gsize n = cxr_preprocess_output_size (params);
  g_autofree float *got = g_new (float, n);
  double worst = 0.0;
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrImage) image = cxr_image_load (path, &error);
      g_assert_no_error (error);

      /* The decode first: PIL and libpng must give the same gray to the bit. */
      if (check_decode)
        {
          g_autoptr (CxrTensor) gray = load_reference (dir, path, "gray");
          g_assert_cmpint (gray->shape[0], ==, image->height);
          g_assert_cmpint (gray->shape[1], ==, image->width);
          g_test_message ("%s: %dx%d %s %d-bit, decode vs PIL: worst %.3g", base, image->width, image->height,
                          cxr_image_color_name (image->color), image->bit_depth,
                          cxr_test_max_abs_diff (image->pixels, gray->data, (gsize) image->width * image->height, NULL));
          cxr_assert_close_abs (image->pixels, gray->data, (gsize) image->width * image->height, 0.0);
        }

      /* Then the whole pipeline, through the convenience entry point. */
      g_assert_true (cxr_preprocess_file (got, path, params, &error));
      g_assert_no_error (error);
      g_autoptr (CxrTensor) want = load_reference (dir, path, "input");
      g_assert_true (cxr_tensor_shape_equal (want, 3, (gint64[]) { params->channels, params->height, params->width }));
      gsize at = 0;
      double err = cxr_test_max_abs_diff (got, want->data, n, &at);
      worst = MAX (worst, err);
      g_test_message ("%s -> %dx%dx%d: worst |error| %.3g at [%" G_GSIZE_FORMAT "]%s", base, params->channels,
                      params->height, params->width, err, at, err == 0.0 ? " (bit-exact)" : "");
      cxr_assert_close_abs (got, want->data, n, PREPROCESS_TOLERANCE);
    }
  g_test_message ("worst |error| over %u images: %.3g (tolerance %.0e)", paths->len, worst, PREPROCESS_TOLERANCE);
}

/* The default: 224 x 224, 3 channels, ImageNet statistics. */
static void
test_default_pipeline (void)
{
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  g_assert_cmpint (params.width, ==, 224);
  g_assert_cmpint (params.channels, ==, 3);
  check_against_reference (&params, TRUE);
}

/* A one-channel model with its own statistics and a non-square input. */
static void
test_one_channel_custom (void)
{
  CxrPreprocessParams params = {
    .width = 320,
    .height = 256,
    .channels = 1,
    .mean = { 0.5f, 0.0f, 0.0f },
    .std = { 0.25f, 1.0f, 1.0f },
  };
  check_against_reference (&params, FALSE);
}

/* Without PyTorch or data: a constant image resizes to itself, and each
 * channel is (v - mean[c]) / std[c] computed in float. */
static void
test_constant_image (void)
{
  g_autoptr (CxrImage) image = cxr_image_new (97, 61);
  for (gsize i = 0; i < 97 * 61; i++)
    image->pixels[i] = 0.75f;
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  params.width = 40;
  params.height = 30;
  gsize n = cxr_preprocess_output_size (&params);
  g_assert_cmpuint (n, ==, 3 * 30 * 40);
  g_autofree float *out = g_new (float, n);
  cxr_preprocess (out, image, &params);
  for (int c = 0; c < 3; c++)
    {
      float want = (0.75f - params.mean[c]) / params.std[c];
      for (gsize i = 0; i < 30 * 40; i++)
        g_assert_cmpfloat_with_epsilon (out[c * 30 * 40 + i], want, 1e-6);
    }
}

/* Decode and preprocess times for the log (no bound asserted). */
static void
test_report_speed (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *path = g_build_filename (nih, "images", nih_images[2], NULL);
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  g_autofree float *out = g_new (float, cxr_preprocess_output_size (&params));
  g_autoptr (CxrImage) image = cxr_image_load (path, NULL);
  g_assert_nonnull (image);

  double best_file = G_MAXDOUBLE, best_pre = G_MAXDOUBLE;
  for (int rep = 0; rep < 5; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_assert_true (cxr_preprocess_file (out, path, &params, NULL));
      gint64 t1 = g_get_monotonic_time ();
      cxr_preprocess (out, image, &params);
      gint64 t2 = g_get_monotonic_time ();
      best_file = MIN (best_file, (t1 - t0) / 1000.0);
      best_pre = MIN (best_pre, (t2 - t1) / 1000.0);
    }
  g_test_message ("%s: load + preprocess %.1f ms, preprocess alone %.2f ms (best of 5)", nih_images[2], best_file,
                  best_pre);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preprocess-real/default", test_default_pipeline);
  g_test_add_func ("/preprocess-real/one-channel-custom", test_one_channel_custom);
  g_test_add_func ("/preprocess-real/constant-image", test_constant_image);
  g_test_add_func ("/preprocess-real/speed", test_report_speed);
  return g_test_run ();
}
