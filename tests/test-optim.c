/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Optimisers and schedules against torch.optim (fixtures from tests/reference/gen_train_kernels.py):
 * six steps of SGD (plain, momentum with dampening and weight decay, Nesterov), Adam (with and without
 * L2) and AdamW with a learning rate that changes every step; the schedules against
 * torch.optim.lr_scheduler; and the state round trip that resuming relies on. */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-error.h"
#include "cxr-npy.h"
#include "cxr-optim.h"
#include "cxr-test-util.h"

static JsonNode *
load_json (const char *name)
{
  g_autofree char *file = g_strdup_printf ("training/kernels/%s", name);
  g_autofree char *path = cxr_test_fixture_path (file);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  return json_node_copy (json_parser_get_root (parser));
}

static CxrTensor *
load (const char *kase, const char *what)
{
  return cxr_test_load_npy ("training/kernels/%s.%s.npy", kase, what);
}

static void
config_from_json (CxrOptimizerConfig *config, JsonObject *o)
{
  CxrOptimizerKind kind;
  g_assert_true (cxr_optimizer_kind_from_name (json_object_get_string_member (o, "kind"), &kind, NULL));
  cxr_optimizer_config_init (config, kind);
  config->momentum = json_object_get_double_member (o, "momentum");
  config->dampening = json_object_get_double_member (o, "dampening");
  config->nesterov = json_object_get_boolean_member (o, "nesterov");
  JsonArray *betas = json_object_get_array_member (o, "betas");
  config->beta1 = json_array_get_double_element (betas, 0);
  config->beta2 = json_array_get_double_element (betas, 1);
  config->eps = json_object_get_double_member (o, "eps");
  config->weight_decay = json_object_get_double_member (o, "weight_decay");
}

static void
test_against_torch (gconstpointer data)
{
  const char *kase = data;
  g_autoptr (JsonNode) root = load_json ("optim_cases.json");
  JsonObject *o = json_object_get_object_member (json_node_get_object (root), kase);
  CxrOptimizerConfig config;
  config_from_json (&config, o);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_optimizer_config_validate (&config, &error));
  JsonArray *lrs = json_object_get_array_member (o, "lrs");

  g_autoptr (CxrTensor) param = load (kase, "param");
  g_autoptr (CxrTensor) grads = load (kase, "grads");
  g_autoptr (CxrTensor) want = load (kase, "params");
  gsize numel = cxr_tensor_numel (param);
  g_autoptr (CxrTensor) grad = cxr_tensor_new_1d (numel);
  g_autoptr (CxrOptimizer) optimizer = cxr_optimizer_new (&config);
  cxr_optimizer_add (optimizer, "p", param, grad);
  g_autoptr (CxrParallel) team = cxr_parallel_new (2);

  gsize exact = 0;
  for (guint t = 0; t < json_array_get_length (lrs); t++)
    {
      memcpy (grad->data, grads->data + t * numel, numel * sizeof (float));
      cxr_optimizer_step (optimizer, json_array_get_double_element (lrs, t), t % 2 ? team : NULL);
      const float *w = want->data + t * numel;
      cxr_assert_close (param->data, w, numel, 1e-6);
      for (gsize i = 0; i < numel; i++)
        exact += param->data[i] == w[i];
    }
  g_assert_cmpuint (cxr_optimizer_get_steps (optimizer), ==, json_array_get_length (lrs));
  g_test_message ("%s: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " values bit-identical to torch.optim's", kase,
                  exact, numel * json_array_get_length (lrs));
}

static CxrScheduleKind
schedule_kind (const char *name)
{
  CxrScheduleKind kind;
  g_assert_true (cxr_schedule_kind_from_name (name, &kind, NULL));
  return kind;
}

static void
test_schedules (void)
{
  g_autoptr (JsonNode) root = load_json ("schedules.json");
  JsonArray *specs = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (specs); i++)
    {
      JsonObject *o = json_array_get_object_element (specs, i);
      CxrSchedule s;
      cxr_schedule_init (&s, schedule_kind (json_object_get_string_member (o, "kind")),
                         json_object_get_double_member (o, "base_lr"));
      s.warmup_steps = json_object_get_int_member (o, "warmup");
      s.total_steps = json_object_get_int_member (o, "total");
      s.step_size = json_object_get_int_member (o, "step_size");
      s.gamma = json_object_get_double_member (o, "gamma");
      s.min_lr = json_object_get_double_member (o, "min_lr");
      JsonArray *lrs = json_object_get_array_member (o, "lrs");
      double worst = 0;
      for (guint t = 0; t < json_array_get_length (lrs); t++)
        {
          double want = json_array_get_double_element (lrs, t);
          double got = cxr_schedule_lr (&s, t);
          worst = MAX (worst, fabs (got - want) / s.base_lr);
        }
      g_test_message ("%s, %u warmup steps: worst difference %.2e of the base rate",
                      cxr_schedule_kind_name (s.kind), s.warmup_steps, worst);
      g_assert_cmpfloat (worst, <, 1e-12);
    }
}

/* Saving the state after k steps and restoring it into a fresh optimiser continues exactly as
 * if nothing had happened: the basis of resuming. */
static void
test_state_round_trip (void)
{
  CxrOptimizerKind kinds[] = { CXR_OPTIMIZER_SGD, CXR_OPTIMIZER_ADAM, CXR_OPTIMIZER_ADAMW };
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      CxrOptimizerConfig config;
      cxr_optimizer_config_init (&config, kinds[k]);
      config.momentum = 0.9;
      config.weight_decay = 1e-3;
      g_autoptr (CxrTensor) a = cxr_tensor_new_2d (3, 5), b = cxr_tensor_new_2d (3, 5);
      g_autoptr (CxrTensor) ga = cxr_tensor_new_2d (3, 5), gb = cxr_tensor_new_2d (3, 5);
      for (int i = 0; i < 15; i++)
        a->data[i] = b->data[i] = 0.1f * i - 0.7f;
      g_autoptr (CxrOptimizer) straight = cxr_optimizer_new (&config);
      cxr_optimizer_add (straight, "w", a, ga);
      g_autoptr (CxrOptimizer) first = cxr_optimizer_new (&config);
      cxr_optimizer_add (first, "w", b, gb);

      for (int t = 0; t < 6; t++)
        {
          for (int i = 0; i < 15; i++)
            ga->data[i] = gb->data[i] = sinf (t * 15 + i);
          cxr_optimizer_step (straight, 0.01, NULL);
          if (t < 3)
            cxr_optimizer_step (first, 0.01, NULL);
          if (t == 2)
            {
              /* Replace `first` by a fresh optimiser that takes its state. */
              g_autoptr (CxrStateDict) state = cxr_optimizer_save_state (first);
              g_assert_cmpuint (cxr_state_dict_size (state), ==, kinds[k] == CXR_OPTIMIZER_SGD ? 1 : 2);
              guint64 steps = cxr_optimizer_get_steps (first);
              g_clear_pointer (&first, cxr_optimizer_free);
              first = cxr_optimizer_new (&config);
              cxr_optimizer_add (first, "w", b, gb);
              g_autoptr (GError) error = NULL;
              g_assert_true (cxr_optimizer_load_state (first, state, steps, &error));
              g_assert_no_error (error);
            }
          if (t >= 3)
            cxr_optimizer_step (first, 0.01, NULL);
        }
      g_assert_cmpmem (a->data, 15 * sizeof (float), b->data, 15 * sizeof (float));
    }
}

static void
test_state_errors (void)
{
  CxrOptimizerConfig config;
  cxr_optimizer_config_init (&config, CXR_OPTIMIZER_ADAM);
  g_autoptr (CxrTensor) p = cxr_tensor_new_1d (4), g = cxr_tensor_new_1d (4);
  g_autoptr (CxrOptimizer) optimizer = cxr_optimizer_new (&config);
  cxr_optimizer_add (optimizer, "fc.weight", p, g);
  g_autoptr (GError) error = NULL;

  g_autoptr (CxrStateDict) empty = cxr_state_dict_new ();
  g_assert_false (cxr_optimizer_load_state (optimizer, empty, 3, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "fc.weight.exp_avg"));
  g_clear_error (&error);

  g_autoptr (CxrStateDict) wrong = cxr_state_dict_new ();
  cxr_state_dict_insert (wrong, "fc.weight.exp_avg", cxr_tensor_new_1d (5));
  cxr_state_dict_insert (wrong, "fc.weight.exp_avg_sq", cxr_tensor_new_1d (4));
  g_assert_false (cxr_optimizer_load_state (optimizer, wrong, 3, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "[5]"));
  g_clear_error (&error);

  g_autoptr (CxrStateDict) extra = cxr_state_dict_new ();
  cxr_state_dict_insert (extra, "fc.weight.exp_avg", cxr_tensor_new_1d (4));
  cxr_state_dict_insert (extra, "fc.weight.exp_avg_sq", cxr_tensor_new_1d (4));
  cxr_state_dict_insert (extra, "fc.bias.exp_avg", cxr_tensor_new_1d (2));
  g_assert_false (cxr_optimizer_load_state (optimizer, extra, 3, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_MISMATCH);
  g_clear_error (&error);

  CxrOptimizerConfig bad;
  cxr_optimizer_config_init (&bad, CXR_OPTIMIZER_SGD);
  bad.nesterov = TRUE;
  g_assert_false (cxr_optimizer_config_validate (&bad, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  CxrOptimizerKind kind;
  g_assert_false (cxr_optimizer_kind_from_name ("rmsprop", &kind, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
}

int
main (int argc, char *argv[])
{
  static const char *cases[] = { "sgd_plain", "sgd_momentum", "sgd_nesterov", "adam", "adam_l2", "adamw" };
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/optim/torch/%s", cases[i]);
      g_test_add_data_func (path, cases[i], test_against_torch);
    }
  g_test_add_func ("/optim/schedules", test_schedules);
  g_test_add_func ("/optim/state-round-trip", test_state_round_trip);
  g_test_add_func ("/optim/state-errors", test_state_errors);
  return g_test_run ();
}
