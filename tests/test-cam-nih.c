/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Grad-CAM parity on real NIH radiographs: a torchvision ResNet-50 made from a fixed seed in this run (with
 * non-trivial BatchNorm statistics), Grad-CAM and Grad-CAM++ at layer4 (no backward pass: the closed-form
 * gradient) and at layer3 (a backward pass through layer4), against PyTorch's autograd and pytorch-grad-cam's
 * formulas (tests/reference/cam_resnet50.py). Limits, as the issue states them: 1e-4 max abs at feature
 * resolution, 1e-3 at image resolution. */
#include "cxr-cam.h"
#include "cxr-npy.h"
#include "cxr-test-util.h"

#define FEATURE_TOLERANCE 1e-4
#define IMAGE_TOLERANCE 1e-3
#define LOGIT_TOLERANCE 1e-4

static const char *const images[] = { "00001369_000.png", "00022215_012.png" };

static CxrTensor *
load_npy (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  CxrTensor *t = cxr_npy_load (path, &error);
  g_assert_no_error (error);
  return t;
}

static void
test_resnet50_parity (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return;
  g_autofree char *tmp = cxr_test_make_tmpdir ();
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup (tmp));
  for (gsize i = 0; i < G_N_ELEMENTS (images); i++)
    g_ptr_array_add (args, g_build_filename (nih, "images", images[i], NULL));
  g_ptr_array_add (args, NULL);
  if (!cxr_test_run_reference ("cam_resnet50.py", (const char *const *) args->pdata))
    return;

  g_autofree char *weights = g_build_filename (tmp, "resnet50.pth", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (weights, NULL, &error);
  g_assert_no_error (error);

  double worst_features[2][2] = { { 0 } }, worst_image[2][2] = { { 0 } };
  static const char *const layers[] = { "layer4", "layer3" };
  for (gsize i = 0; i < G_N_ELEMENTS (images); i++)
    for (int l = 0; l < 2; l++)
      for (int m = 0; m < 2; m++)
        {
          CxrCamOptions options;
          cxr_cam_options_init_default (&options);
          options.layer = layers[l];
          options.method = m ? CXR_CAM_METHOD_GRADCAM_PLUSPLUS : CXR_CAM_METHOD_GRADCAM;
          g_autofree char *path = g_build_filename (nih, "images", images[i], NULL);
          g_autoptr (CxrCamResult) result = cxr_cam_compute_file (model, path, &options, &error);
          g_assert_no_error (error);
          g_assert_cmpint (result->target_class, ==, 1);
          g_assert_cmpstr (result->target_name, ==, "Cardiomegaly");
          g_assert_cmpstr (result->layer, ==, l == 0 ? "layer4.2" : "layer3.5");
          g_test_message ("%s %s %s", images[i], result->layer, cxr_cam_method_get_name (options.method));

          g_autofree char *stem = g_strdup_printf ("%s.%s.%s", images[i], result->layer,
                                                   cxr_cam_method_get_name (options.method));
          g_autofree char *features_name = g_strconcat (stem, ".features.npy", NULL);
          g_autofree char *image_name = g_strconcat (stem, ".image.npy", NULL);
          g_autofree char *logits_name = g_strconcat (images[i], ".logits.npy", NULL);
          g_autoptr (CxrTensor) want_features = load_npy (tmp, features_name);
          g_autoptr (CxrTensor) want_image = load_npy (tmp, image_name);
          g_autoptr (CxrTensor) want_logits = load_npy (tmp, logits_name);

          g_assert_cmpint (want_features->shape[0], ==, result->feature_height);
          g_assert_cmpint (want_features->shape[1], ==, result->feature_width);
          g_assert_cmpint (want_image->shape[0], ==, result->height);
          g_assert_cmpint (want_image->shape[1], ==, result->width);
          gsize n_features = (gsize) result->feature_height * result->feature_width;
          gsize n_image = (gsize) result->height * result->width;

          /* The reference map has structure: a quarter of it strictly between 0.05 and 0.95. */
          gsize inside = 0;
          for (gsize k = 0; k < n_features; k++)
            inside += want_features->data[k] > 0.05f && want_features->data[k] < 0.95f;
          g_assert_cmpuint (inside * 4, >=, n_features);

          cxr_assert_close (result->logits, want_logits->data, 2, LOGIT_TOLERANCE);
          cxr_assert_close_abs (result->cam_features, want_features->data, n_features, FEATURE_TOLERANCE);
          cxr_assert_close_abs (result->cam, want_image->data, n_image, IMAGE_TOLERANCE);
          worst_features[l][m] = MAX (worst_features[l][m],
                                      cxr_test_max_abs_diff (result->cam_features, want_features->data,
                                                             n_features, NULL));
          worst_image[l][m] = MAX (worst_image[l][m],
                                   cxr_test_max_abs_diff (result->cam, want_image->data, n_image, NULL));
        }
  for (int l = 0; l < 2; l++)
    for (int m = 0; m < 2; m++)
      g_test_message ("worst over the images: %s %s: %.3g at feature resolution, %.3g at image resolution",
                      layers[l], m ? "gradcam++" : "gradcam", worst_features[l][m], worst_image[l][m]);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cam/nih/resnet50-parity", test_resnet50_parity);
  return g_test_run ();
}
