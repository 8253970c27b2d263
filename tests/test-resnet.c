/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ResNet tests: architecture inference, strict loading, and tiny networks' logits against PyTorch
 * (fixtures from tests/reference/gen_networks.py). */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-checkpoint.h"
#include "cxr-error.h"
#include "cxr-model.h"
#include "cxr-npy.h"
#include "cxr-resnet.h"
#include "cxr-test-util.h"

static CxrStateDict *
load_fixture_weights (const char *name)
{
  g_autofree char *file = g_strdup_printf ("networks/%s.pth", name);
  g_autofree char *path = cxr_test_fixture_path (file);
  g_autoptr (GError) error = NULL;
  CxrStateDict *dict = cxr_checkpoint_load (path, &error);
  g_assert_no_error (error);
  return dict;
}

static CxrTensor *
load_fixture_array (const char *name, const char *what)
{
  return cxr_test_load_npy ("networks/%s.%s.npy", name, what);
}

/* Tiny networks of both block kinds, 1 and 3 input channels, 1, 2 and 14 classes. */
static void
test_tiny_logits (gconstpointer data)
{
  const char *name = data;
  g_autoptr (CxrStateDict) weights = load_fixture_weights (name);
  g_autoptr (CxrTensor) input = cxr_test_network_input (name);
  g_autoptr (CxrTensor) want = load_fixture_array (name, "logits");
  g_autoptr (GError) error = NULL;

  g_autoptr (CxrResnet) net = cxr_resnet_new_from_state_dict (weights, &error);
  g_assert_no_error (error);
  const CxrResnetArch *arch = cxr_resnet_get_arch (net);
  g_assert_cmpint (arch->input_channels, ==, input->shape[1]);
  g_assert_cmpint (arch->n_classes, ==, want->shape[1]);
  g_autofree char *description = cxr_resnet_arch_describe (arch);
  g_test_message ("%s: %s", name, description);

  int n = input->shape[0], h = input->shape[2], w = input->shape[3];
  g_autofree float *logits = g_new0 (float, cxr_tensor_numel (want));
  g_assert_true (cxr_resnet_forward (net, input->data, n, h, w, logits, &error));
  g_assert_no_error (error);
  cxr_assert_close (logits, want->data, cxr_tensor_numel (want), 1e-5);

  /* Batch of one gives the same first row (buffers are re-planned for the new shape). */
  g_autofree float *single = g_new0 (float, arch->n_classes);
  g_assert_true (cxr_resnet_forward (net, input->data, 1, h, w, single, &error));
  cxr_assert_close (single, want->data, arch->n_classes, 1e-5);
}

/* The parameters cxrcam builds for a named architecture have torchvision's keys, order and shapes
 * (torchvision's own models, listed by tests/reference/torchvision_layouts.py in this run). */
static void
test_torchvision_layouts (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "layouts.json", NULL);
  if (!cxr_test_run_reference ("torchvision_layouts.py", (const char *[]) { path, NULL }))
    return;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  JsonObject *layouts = json_node_get_object (json_parser_get_root (parser));

  g_autoptr (GList) names = json_object_get_members (layouts);
  g_assert_cmpuint (g_list_length (names), ==, 6);
  for (GList *l = names; l; l = l->next)
    {
      const char *name = l->data;
      JsonArray *keys = json_object_get_array_member (layouts, name);
      CxrResnetArch arch;
      g_assert_true (cxr_resnet_arch_from_name (name, 1, 2, &arch, &error));
      g_autoptr (CxrResnet) net = cxr_resnet_new (&arch, 7);
      CxrStateDict *params = cxr_resnet_get_parameters (net);

      g_assert_cmpuint (cxr_state_dict_size (params), ==, json_array_get_length (keys));
      for (guint i = 0; i < json_array_get_length (keys); i++)
        {
          JsonArray *entry = json_array_get_array_element (keys, i);
          const char *key = json_array_get_string_element (entry, 0);
          JsonArray *shape = json_array_get_array_element (entry, 1);
          g_assert_cmpstr (cxr_state_dict_key_at (params, i), ==, key);
          const CxrTensor *t = cxr_state_dict_lookup (params, key);
          g_assert_cmpuint (t->ndim, ==, json_array_get_length (shape));
          for (int d = 0; d < t->ndim; d++)
            g_assert_cmpint (t->shape[d], ==, json_array_get_int_element (shape, d));
        }

      /* And reading the architecture back off those parameters gives the same one. */
      CxrResnetArch inferred;
      g_assert_true (cxr_resnet_arch_from_state_dict (params, &inferred, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (&inferred, sizeof inferred, &arch, sizeof arch);
      g_autofree char *description = cxr_resnet_arch_describe (&inferred);
      g_assert_true (g_str_has_prefix (description, name));
    }
}

static void
test_initialisation_statistics (void)
{
  /* torchvision: Kaiming normal, fan_out, ReLU gain -> std sqrt(2 / (Cout * k * k)). */
  CxrResnetArch arch;
  g_assert_true (cxr_resnet_arch_from_name ("resnet18", 3, 2, &arch, NULL));
  g_autoptr (CxrResnet) net = cxr_resnet_new (&arch, 42);
  const CxrTensor *w = cxr_state_dict_lookup (cxr_resnet_get_parameters (net), "layer3.0.conv2.weight");
  gint64 n = cxr_tensor_numel (w);
  double sum = 0, sum2 = 0;
  for (gint64 i = 0; i < n; i++)
    {
      sum += w->data[i];
      sum2 += (double) w->data[i] * w->data[i];
    }
  double mean = sum / n, std = sqrt (sum2 / n - mean * mean);
  double want = sqrt (2.0 / (256 * 9));
  g_assert_cmpfloat (fabs (mean), <, 0.01 * want * 10);
  g_assert_cmpfloat (fabs (std / want - 1.0), <, 0.01);

  const CxrTensor *gamma = cxr_state_dict_lookup (cxr_resnet_get_parameters (net), "bn1.weight");
  g_assert_cmpfloat (gamma->data[0], ==, 1.0f);
  const CxrTensor *fc = cxr_state_dict_lookup (cxr_resnet_get_parameters (net), "fc.weight");
  double bound = 1.0 / sqrt (512.0);
  for (gint64 i = 0; i < cxr_tensor_numel (fc); i++)
    g_assert_cmpfloat (fabs (fc->data[i]), <=, bound);
}

static void
test_missing_and_unexpected_keys (void)
{
  g_autoptr (CxrStateDict) weights = load_fixture_weights ("basic_c3_k2");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrResnet) net = cxr_resnet_new_from_state_dict (weights, &error);
  g_assert_no_error (error);

  g_autoptr (CxrTensor) removed = cxr_state_dict_steal (weights, "layer2.0.bn1.running_var");
  cxr_state_dict_insert (weights, "layer9.0.conv1.weight", cxr_tensor_new_1d (3));
  g_assert_false (cxr_resnet_load_state_dict (net, weights, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "1 missing key: layer2.0.bn1.running_var"));
  g_assert_nonnull (strstr (error->message, "1 unexpected key: layer9.0.conv1.weight"));
}

static void
test_shape_mismatch (void)
{
  g_autoptr (CxrStateDict) weights = load_fixture_weights ("basic_c3_k2");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrResnet) net = cxr_resnet_new_from_state_dict (weights, &error);
  g_assert_no_error (error);

  /* A head for 5 classes instead of 2. */
  cxr_state_dict_insert (weights, "fc.weight", cxr_tensor_new_2d (5, 24));
  cxr_state_dict_insert (weights, "fc.bias", cxr_tensor_new_1d (5));
  g_assert_false (cxr_resnet_load_state_dict (net, weights, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message,
                            "size mismatch for fc.weight: the checkpoint has [5, 24], the network expects [2, 24]"));
  g_assert_nonnull (strstr (error->message, "size mismatch for fc.bias: the checkpoint has [5], the network expects [2]"));
}

static void
test_not_a_resnet (void)
{
  g_autoptr (CxrStateDict) dict = cxr_state_dict_new ();
  cxr_state_dict_insert (dict, "features.0.weight", cxr_tensor_new_4d (8, 3, 3, 3));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrResnet) net = cxr_resnet_new_from_state_dict (dict, &error);
  g_assert_null (net);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "conv1.weight"));
}

/* Weights no network can compute with, saved by PyTorch: once integer weights printed 0.5,0.5 for every image
 * and a NaN printed nan, both with exit status 0. Now each is refused naming the tensor. */
static void
test_broken_weights (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *source = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  const struct { const char *file, *how, *key, *what; CxrErrorCode code; const char *mention; } cases[] = {
    { "int64.pth", "dtype", "fc.weight", "int64", CXR_ERROR_UNSUPPORTED, "tensor 'fc.weight' has dtype int64" },
    { "uint8.pth", "dtype", "conv1.weight", "uint8", CXR_ERROR_UNSUPPORTED, "tensor 'conv1.weight' has dtype uint8" },
    { "nan.pth", "value", "fc.weight", "nan", CXR_ERROR_INVALID, "tensor 'fc.weight' holds NaN (element 0 of 48)" },
    { "inf.pth", "value", "bn1.running_var", "inf", CXR_ERROR_INVALID, "tensor 'bn1.running_var' holds an infinity" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, cases[i].file, NULL);
      if (!cxr_test_run_reference ("bad_checkpoints.py", (const char *[]) { cases[i].how, path, source, cases[i].key,
                                                                              cases[i].what, NULL }))
        return;
      g_autoptr (GError) error = NULL;
      g_autoptr (CxrModel) model = cxr_model_load (path, NULL, &error);
      g_assert_null (model);
      g_assert_error (error, CXR_ERROR, (gint) cases[i].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].mention));
    }
}

int
main (int argc, char *argv[])
{
  static const char *tiny[] = { "basic_c3_k2", "basic_c1_k14", "bottleneck_c1_k1", "bottleneck_c3_k14" };

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (tiny); i++)
    {
      g_autofree char *path = g_strdup_printf ("/resnet/tiny-logits/%s", tiny[i]);
      g_test_add_data_func (path, tiny[i], test_tiny_logits);
    }
  g_test_add_func ("/resnet/torchvision-layouts", test_torchvision_layouts);
  g_test_add_func ("/resnet/initialisation", test_initialisation_statistics);
  g_test_add_func ("/resnet/missing-unexpected-keys", test_missing_and_unexpected_keys);
  g_test_add_func ("/resnet/shape-mismatch", test_shape_mismatch);
  g_test_add_func ("/resnet/not-a-resnet", test_not_a_resnet);
  g_test_add_func ("/resnet/broken-weights", test_broken_weights);
  return g_test_run ();
}
