/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Grad-CAM on the tiny networks (both block kinds, 1, 2 and 14 classes) at every residual block, against
 * PyTorch's autograd and pytorch-grad-cam's formulas (fixtures from tests/reference/gen_cam.py): the
 * gradient at the block, the raw and normalised Grad-CAM and Grad-CAM++ maps, and the upsampling. Also
 * layer names and the errors for bad layers and classes. */
#include "cxr-cam-private.h"
#include "cxr-checkpoint.h"
#include "cxr-error.h"
#include "cxr-npy.h"
#include "cxr-resize.h"
#include "cxr-test-util.h"

#include <string.h>

/* Gradients and raw maps, relative to their largest element (float against float through several
 * blocks); normalised maps absolutely, as the issue states parity. */
#define GRAD_TOLERANCE 1e-4
#define MAP_TOLERANCE 1e-4

static const char *const tiny_networks[] = {
  "basic_c1_k14", "basic_c3_k2", "bottleneck_c1_k1", "bottleneck_c3_k14",
};

static CxrTensor *
load_fixture (const char *name)
{
  return cxr_test_load_npy ("%s", name);
}

static CxrResnet *
load_tiny (const char *name)
{
  g_autofree char *file = g_strdup_printf ("networks/%s.pth", name);
  g_autofree char *path = cxr_test_fixture_path (file);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (path, &error);
  g_assert_no_error (error);
  CxrResnet *net = cxr_resnet_new_from_state_dict (dict, &error);
  g_assert_no_error (error);
  return net;
}

static void
test_tiny_network (gconstpointer data)
{
  const char *name = data;
  g_autoptr (CxrResnet) net = load_tiny (name);
  const CxrResnetArch *arch = cxr_resnet_get_arch (net);
  g_autoptr (CxrTensor) batch = cxr_test_network_input (name);
  g_autofree char *target_file = g_strdup_printf ("cam/%s.target.npy", name);
  g_autoptr (CxrTensor) target_t = load_fixture (target_file);
  int target = (int) target_t->data[0];
  int h = batch->shape[2], w = batch->shape[3];
  const float *input = batch->data;  /* the first image of the batch: [1, C, H, W] */

  int block = 0;
  for (int stage = 0; stage < arch->n_stages; stage++)
    for (int b = 0; b < arch->blocks[stage]; b++, block++)
      {
        g_autofree char *layer = g_strdup_printf ("layer%d.%d", stage + 1, b);
        g_autofree char *grad_file = g_strdup_printf ("cam/%s.%s.grad.npy", name, layer);
        g_autofree char *maps_file = g_strdup_printf ("cam/%s.%s.maps.npy", name, layer);
        g_autoptr (CxrTensor) want_grad = load_fixture (grad_file);
        g_autoptr (CxrTensor) want_maps = load_fixture (maps_file);
        g_test_message ("%s %s", name, layer);

        int fh, fw, channels;
        cxr_cam_feature_size (net, block, h, w, &fh, &fw, &channels);
        g_assert_cmpint (want_grad->shape[0], ==, channels);
        g_assert_cmpint (want_grad->shape[1], ==, fh);
        g_assert_cmpint (want_grad->shape[2], ==, fw);
        gsize plane = (gsize) fh * fw;

        /* The gradient at the block: closed form at the last block, a backward pass elsewhere. */
        CxrCamActivations kept;
        cxr_cam_activations_init (&kept, net, block);
        g_autofree float *logits = g_new (float, arch->n_classes);
        g_autoptr (GError) error = NULL;
        g_assert_true (cxr_cam_forward_keep (net, input, h, w, &kept, logits, &error));
        g_autofree float *grad = g_new (float, channels * plane);
        cxr_cam_gradient (net, &kept, target, grad);
        cxr_cam_activations_clear (&kept);
        cxr_assert_close (grad, want_grad->data, channels * plane, GRAD_TOLERANCE);

        for (int m = 0; m < 2; m++)
          {
            CxrCamMethod method = m == 0 ? CXR_CAM_METHOD_GRADCAM : CXR_CAM_METHOD_GRADCAM_PLUSPLUS;
            g_autofree float *cam = g_new (float, plane);
            g_assert_true (cxr_cam_run_network (net, input, h, w, method, block, target, cam, NULL, NULL, &error));
            g_assert_no_error (error);
            cxr_assert_close (cam, want_maps->data + m * plane, plane, GRAD_TOLERANCE);
            cxr_cam_normalise (cam, plane);
            cxr_assert_close_abs (cam, want_maps->data + (2 + m) * plane, plane, MAP_TOLERANCE);
          }

        /* The name resolves to this block. */
        int resolved = -1;
        g_autofree char *canonical = NULL;
        g_assert_true (cxr_cam_resolve_layer (arch, layer, &resolved, &canonical, &error));
        g_assert_cmpint (resolved, ==, block);
        g_assert_cmpstr (canonical, ==, layer);
      }

  /* Upsampling of the last block's normalised Grad-CAM to 37 x 53, as torch's interpolate. */
  g_autofree char *up_file = g_strdup_printf ("cam/%s.upsampled.npy", name);
  g_autofree char *maps_file = g_strdup_printf ("cam/%s.layer%d.%d.maps.npy", name, arch->n_stages,
                                                arch->blocks[arch->n_stages - 1] - 1);
  g_autoptr (CxrTensor) want_up = load_fixture (up_file);
  g_autoptr (CxrTensor) maps = load_fixture (maps_file);
  int fh = maps->shape[1], fw = maps->shape[2];
  g_autofree float *up = g_new (float, 37 * 53);
  cxr_resize_bilinear (up, 37, 53, maps->data + 2 * fh * fw, fh, fw);
  cxr_assert_close_abs (up, want_up->data, 37 * 53, 1e-6);
}

static void
test_layer_names (void)
{
  CxrResnetArch arch;
  g_assert_true (cxr_resnet_arch_from_name ("resnet50", 3, 2, &arch, NULL));
  static const struct {
    const char *name;
    int block;
    const char *canonical;
  } good[] = {
    { "layer4", 15, "layer4.2" }, { "layer3", 12, "layer3.5" }, { "layer4.1", 14, "layer4.1" },
    { "layer1.0", 0, "layer1.0" }, { "layer1", 2, "layer1.2" }, { "layer2.3", 6, "layer2.3" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      int block = -1;
      g_autofree char *canonical = NULL;
      g_autoptr (GError) error = NULL;
      g_assert_true (cxr_cam_resolve_layer (&arch, good[i].name, &block, &canonical, &error));
      g_assert_cmpint (block, ==, good[i].block);
      g_assert_cmpstr (canonical, ==, good[i].canonical);
    }
  static const char *const bad[] = {
    "layer5", "layer0", "layer4.3", "layer4.", "layer", "conv1", "layer4.1x", "fc", "", "layer-1", "layer4.-1",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (cxr_cam_resolve_layer (&arch, bad[i], NULL, NULL, &error));
      g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "layer4 (= layer4.2)"));
    }
}

static void
test_bad_target (void)
{
  g_autoptr (CxrResnet) net = load_tiny ("basic_c3_k2");
  g_autoptr (CxrTensor) batch = cxr_test_network_input ("basic_c3_k2");
  float cam[4];
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_cam_run_network (net, batch->data, 64, 64, CXR_CAM_METHOD_GRADCAM, 0, 2, cam, NULL, NULL,
                                       &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (cxr_cam_run_network (net, batch->data, 64, 64, CXR_CAM_METHOD_GRADCAM, 99, 0, cam, NULL, NULL,
                                       &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
}

static void
test_normalise (void)
{
  /* Min-max with eps 1e-7: the maximum lands just below 1 for a small range. */
  float x[] = { 2.0f, 3.0f, 2.5f, 2.0f };
  cxr_cam_normalise (x, 4);
  g_assert_cmpfloat (x[0], ==, 0.0f);
  g_assert_cmpfloat (x[3], ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (x[1], 1.0f / (1.0f + 1e-7f), 1e-7);
  g_assert_cmpfloat_with_epsilon (x[2], 0.5f, 1e-6);
  /* A constant map becomes all zeros, not NaN. */
  float flat[] = { 0.0f, 0.0f, 0.0f };
  cxr_cam_normalise (flat, 3);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (flat[i], ==, 0.0f);
}

static void
test_method_names (void)
{
  CxrCamMethod method;
  g_assert_true (cxr_cam_method_from_name ("gradcam++", &method, NULL));
  g_assert_cmpint (method, ==, CXR_CAM_METHOD_GRADCAM_PLUSPLUS);
  g_assert_true (cxr_cam_method_from_name ("GradCAM", &method, NULL));
  g_assert_cmpint (method, ==, CXR_CAM_METHOD_GRADCAM);
  g_assert_cmpstr (cxr_cam_method_get_name (CXR_CAM_METHOD_GRADCAM_PLUSPLUS), ==, "gradcam++");
  /* Every method's name reads back; spellings with case, hyphens, underscores and "pp" are accepted. */
  for (int m = 0; m < CXR_CAM_N_METHODS; m++)
    {
      g_assert_true (cxr_cam_method_from_name (cxr_cam_method_get_name (m), &method, NULL));
      g_assert_cmpint (method, ==, m);
    }
  static const struct {
    const char *name;
    CxrCamMethod method;
  } spellings[] = {
    { "Grad-CAM++", CXR_CAM_METHOD_GRADCAM_PLUSPLUS }, { "gradcampp", CXR_CAM_METHOD_GRADCAM_PLUSPLUS },
    { "grad_cam_plusplus", CXR_CAM_METHOD_GRADCAM_PLUSPLUS }, { "HiResCAM", CXR_CAM_METHOD_HIRESCAM },
    { "gradcam_elementwise", CXR_CAM_METHOD_GRADCAM_ELEMENTWISE }, { "XGrad-CAM", CXR_CAM_METHOD_XGRADCAM },
    { "LayerCAM", CXR_CAM_METHOD_LAYERCAM }, { "Eigen-CAM", CXR_CAM_METHOD_EIGENCAM },
    { "EigenGradCAM", CXR_CAM_METHOD_EIGENGRADCAM }, { "Score-CAM", CXR_CAM_METHOD_SCORECAM },
    { "ablation_cam", CXR_CAM_METHOD_ABLATIONCAM },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_assert_true (cxr_cam_method_from_name (spellings[i].name, &method, NULL));
      g_assert_cmpint (method, ==, spellings[i].method);
    }
  g_assert_false (cxr_cam_method_uses_gradients (CXR_CAM_METHOD_EIGENCAM));
  g_assert_true (cxr_cam_method_uses_gradients (CXR_CAM_METHOD_EIGENGRADCAM));
  g_assert_true (cxr_cam_method_is_perturbation (CXR_CAM_METHOD_ABLATIONCAM));
  g_assert_false (cxr_cam_method_is_perturbation (CXR_CAM_METHOD_LAYERCAM));

  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_cam_method_from_name ("fullgrad", &method, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "ablationcam"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (tiny_networks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cam/tiny/%s", tiny_networks[i]);
      g_test_add_data_func (path, tiny_networks[i], test_tiny_network);
    }
  g_test_add_func ("/cam/layer-names", test_layer_names);
  g_test_add_func ("/cam/bad-target", test_bad_target);
  g_test_add_func ("/cam/normalise", test_normalise);
  g_test_add_func ("/cam/method-names", test_method_names);
  return g_test_run ();
}
