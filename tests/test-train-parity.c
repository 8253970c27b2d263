/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training parity with PyTorch (fixtures from tests/reference/gen_training.py): every trainable
 * parameter's gradient after one forward/backward, the losses of 20 SGD and 20 Adam(W) steps, the
 * BatchNorm running statistics and the head after them; for tiny networks of both block kinds in the
 * three freeze modes' worth of cases and the three losses. */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-checkpoint.h"
#include "cxr-loss.h"
#include "cxr-npy.h"
#include "cxr-optim.h"
#include "cxr-resnet-train.h"
#include "cxr-test-util.h"

#define STEPS 20

typedef struct {
  char *name;
  char *network;
  char *freeze;
  float pos_weight;           /* <= 0: none */
  int n_optimizers;
  char *optimizers[2];
  CxrOptimizerConfig configs[2];
  double lrs[2];
  gint64 input_shape[5];   /* [B, N, C, H, W] */
  guint64 input_seed;      /* the inputs are cxr_test_fill_pattern's */
} ParityCase;

/* The cases as tests/reference/gen_training.py wrote them (fixtures/training/cases.json). */
static GPtrArray *
load_cases (void)
{
  g_autofree char *path = cxr_test_fixture_path ("training/cases.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  GPtrArray *cases = g_ptr_array_new ();
  g_autoptr (GList) names = json_object_get_members (root);
  for (GList *l = names; l; l = l->next)
    {
      JsonObject *o = json_object_get_object_member (root, l->data);
      ParityCase *pc = g_new0 (ParityCase, 1);
      pc->name = g_strdup (l->data);
      pc->network = g_strdup (json_object_get_string_member (o, "network"));
      pc->freeze = g_strdup (json_object_get_string_member (o, "freeze"));
      pc->pos_weight = json_object_get_double_member (o, "pos_weight");
      JsonObject *inputs = json_object_get_object_member (o, "inputs");
      JsonArray *shape = json_object_get_array_member (inputs, "shape");
      g_assert_cmpuint (json_array_get_length (shape), ==, 5);
      for (guint d = 0; d < 5; d++)
        pc->input_shape[d] = json_array_get_int_element (shape, d);
      pc->input_seed = json_object_get_int_member (inputs, "seed");
      JsonObject *opts = json_object_get_object_member (o, "optimizers");
      g_autoptr (GList) kinds = json_object_get_members (opts);
      for (GList *k = kinds; k && pc->n_optimizers < 2; k = k->next)
        {
          JsonObject *c = json_object_get_object_member (opts, k->data);
          CxrOptimizerConfig *config = &pc->configs[pc->n_optimizers];
          CxrOptimizerKind kind;
          g_assert_true (cxr_optimizer_kind_from_name (k->data, &kind, &error));
          cxr_optimizer_config_init (config, kind);
          config->weight_decay = json_object_get_double_member (c, "weight_decay");
          if (kind == CXR_OPTIMIZER_SGD)
            {
              config->momentum = json_object_get_double_member (c, "momentum");
              config->dampening = json_object_get_double_member (c, "dampening");
              config->nesterov = json_object_get_boolean_member (c, "nesterov");
            }
          else
            {
              JsonArray *betas = json_object_get_array_member (c, "betas");
              config->beta1 = json_array_get_double_element (betas, 0);
              config->beta2 = json_array_get_double_element (betas, 1);
              config->eps = json_object_get_double_member (c, "eps");
            }
          pc->lrs[pc->n_optimizers] = json_object_get_double_member (c, "lr");
          pc->optimizers[pc->n_optimizers++] = g_strdup (k->data);
        }
      g_ptr_array_add (cases, pc);
    }
  return cases;
}

static CxrStateDict *
load_dict (const char *dir, const char *name)
{
  g_autofree char *file = g_build_filename (dir, name, NULL);
  g_autofree char *path = cxr_test_fixture_path (file);
  g_autoptr (GError) error = NULL;
  CxrStateDict *dict = cxr_checkpoint_load (path, &error);
  g_assert_no_error (error);
  return dict;
}

static CxrTensor *
load_array (const char *name)
{
  return cxr_test_load_npy ("training/%s", name);
}

/* max |got - want| <= tolerance * max |want| over one tensor; returns the relative error. */
static double
assert_relative (const char *what, const float *got, const float *want, gsize n, double tolerance)
{
  gsize worst = 0;
  double diff = cxr_test_max_abs_diff (got, want, n, &worst);
  double scale = cxr_test_max_abs (want, n);
  double relative = scale > 0 ? diff / scale : diff;
  if (!(relative <= tolerance))
    g_error ("%s: max |diff| %.3g at [%" G_GSIZE_FORMAT "] (got %.9g, want %.9g) is %.3g of max |want| %.3g, over %.1g",
             what, diff, worst, got[worst], want[worst], relative, scale, tolerance);
  return relative;
}

typedef struct {
  CxrResnet *net;
  CxrResnetTrain *train;
  CxrTensor *inputs;          /* [B, N, C, H, W] */
  CxrTensor *labels;          /* [B, N, K] */
  guint8 *label_bytes;
  int batches, n, c, h, w, k, classes;
  float pos_weight;
} Fixture;

static void
fixture_clear (Fixture *f)
{
  cxr_resnet_train_free (f->train);
  cxr_resnet_free (f->net);
  cxr_tensor_free (f->inputs);
  cxr_tensor_free (f->labels);
  g_free (f->label_bytes);
}

static void
fixture_init (Fixture *f, const ParityCase *pc)
{
  g_autofree char *weights = g_strdup_printf ("%s.pth", pc->network);
  g_autoptr (CxrStateDict) dict = load_dict ("networks", weights);
  g_autoptr (GError) error = NULL;
  f->net = cxr_resnet_new_from_state_dict (dict, &error);
  g_assert_no_error (error);
  CxrTrainable trainable;
  g_assert_true (cxr_trainable_from_freeze_name (pc->freeze, &trainable, &error));
  f->train = cxr_resnet_train_new (f->net, trainable);

  g_autofree char *labels = g_strdup_printf ("%s.labels.npy", pc->name);
  f->inputs = cxr_tensor_new (5, pc->input_shape);
  cxr_test_fill_pattern (f->inputs->data, cxr_tensor_numel (f->inputs), pc->input_seed);
  f->labels = load_array (labels);
  f->batches = f->inputs->shape[0];
  f->n = f->inputs->shape[1];
  f->c = f->inputs->shape[2];
  f->h = f->inputs->shape[3];
  f->w = f->inputs->shape[4];
  f->k = f->labels->shape[2];
  f->classes = cxr_resnet_get_arch (f->net)->n_classes;
  f->pos_weight = pc->pos_weight;
  gsize n_labels = cxr_tensor_numel (f->labels);
  f->label_bytes = g_new (guint8, n_labels);
  for (gsize i = 0; i < n_labels; i++)
    f->label_bytes[i] = f->labels->data[i] != 0;
}

/* One forward and backward on batch @b; returns the loss. */
static double
forward_backward (Fixture *f, int b)
{
  gsize per_batch = (gsize) f->n * f->c * f->h * f->w;
  g_autofree float *logits = g_new (float, (gsize) f->n * f->classes);
  g_autofree float *dlogits = g_new (float, (gsize) f->n * f->classes);
  g_autoptr (GError) error = NULL;
  gboolean ok = cxr_resnet_train_forward (f->train, f->inputs->data + b * per_batch, f->n, f->h, f->w, logits, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  double loss = cxr_loss_for_head (dlogits, logits, f->label_bytes + (gsize) b * f->n * f->k, f->n, f->classes,
                                   f->pos_weight);
  cxr_resnet_train_backward (f->train, dlogits);
  return loss;
}

static void
test_gradients (gconstpointer data)
{
  const ParityCase *pc = data;
  Fixture f = { 0 };
  fixture_init (&f, pc);

  forward_backward (&f, 0);

  g_autofree char *name = g_strdup_printf ("%s.grads.pth", pc->name);
  g_autoptr (CxrStateDict) want = load_dict ("training", name);
  CxrStateDict *got = cxr_resnet_train_get_gradients (f.train);
  g_assert_cmpuint (cxr_state_dict_size (got), ==, cxr_state_dict_size (want));
  double worst = 0;
  const char *worst_key = NULL;
  for (guint i = 0; i < cxr_state_dict_size (want); i++)
    {
      const char *key = cxr_state_dict_key_at (want, i);
      g_assert_cmpstr (cxr_state_dict_key_at (got, i), ==, key);
      const CxrTensor *w = cxr_state_dict_lookup (want, key);
      const CxrTensor *g = cxr_state_dict_lookup (got, key);
      g_assert_cmpint (cxr_tensor_numel (g), ==, cxr_tensor_numel (w));
      double r = assert_relative (key, g->data, w->data, cxr_tensor_numel (w), 1e-4);
      if (r >= worst)
        worst = r, worst_key = key;
    }
  g_test_message ("%s: %u gradients, worst relative error %.2e (%s)", pc->name, cxr_state_dict_size (want),
                  worst, worst_key);
  fixture_clear (&f);
}

static void
test_steps (const ParityCase *pc, int which)
{
  Fixture f = { 0 };
  fixture_init (&f, pc);
  const CxrOptimizerConfig *config = &pc->configs[which];
  const char *opt_name = pc->optimizers[which];
  g_assert_cmpstr (opt_name, ==, cxr_optimizer_kind_name (config->kind));

  g_autoptr (CxrOptimizer) optimizer = cxr_optimizer_new (config);
  CxrStateDict *grads = cxr_resnet_train_get_gradients (f.train);
  CxrStateDict *params = cxr_resnet_get_parameters (f.net);
  for (guint i = 0; i < cxr_state_dict_size (grads); i++)
    {
      const char *key = cxr_state_dict_key_at (grads, i);
      cxr_optimizer_add (optimizer, key, cxr_state_dict_lookup (params, key), cxr_state_dict_lookup (grads, key));
    }

  g_autofree char *losses_name = g_strdup_printf ("%s.%s.losses.npy", pc->name, opt_name);
  g_autoptr (CxrTensor) want_losses = load_array (losses_name);
  float losses[STEPS];
  for (int t = 0; t < STEPS; t++)
    {
      losses[t] = (float) forward_backward (&f, t % f.batches);
      cxr_optimizer_step (optimizer, pc->lrs[which], NULL);
    }
  for (int t = 0; t < STEPS && g_getenv ("CXR_TEST_VERBOSE"); t++)
    g_test_message ("step %2d: loss %.9g, PyTorch %.9g", t, losses[t], want_losses->data[t]);
  double loss_error = assert_relative ("losses", losses, want_losses->data, STEPS, 1e-4);
  for (int t = 0; t < STEPS; t++)
    {
      double r = fabs (losses[t] - want_losses->data[t]) / fabs (want_losses->data[t]);
      if (r > 1e-4)
        g_error ("step %d: loss %.9g, PyTorch %.9g (relative %.2e)", t, losses[t], want_losses->data[t], r);
      loss_error = MAX (loss_error, r);
    }

  g_autofree char *bn_name = g_strdup_printf ("%s.%s.bn.pth", pc->name, opt_name);
  g_autoptr (CxrStateDict) want_bn = load_dict ("training", bn_name);
  double bn_error = 0;
  for (guint i = 0; i < cxr_state_dict_size (want_bn); i++)
    {
      const char *key = cxr_state_dict_key_at (want_bn, i);
      const CxrTensor *w = cxr_state_dict_lookup (want_bn, key);
      const CxrTensor *g = cxr_state_dict_lookup (params, key);
      g_assert_nonnull (g);
      if (g_str_has_suffix (key, "num_batches_tracked"))
        {
          g_assert_cmpfloat (g->data[0], ==, w->data[0]);
          continue;
        }
      gsize worst;
      double d = cxr_test_max_abs_diff (g->data, w->data, cxr_tensor_numel (w), &worst);
      if (d > 1e-5)
        g_error ("%s: running statistic differs by %.3g at [%" G_GSIZE_FORMAT "] (%.9g vs %.9g)", key, d, worst,
                 g->data[worst], w->data[worst]);
      bn_error = MAX (bn_error, d);
    }

  g_autofree char *fc_name = g_strdup_printf ("%s.%s.fc.pth", pc->name, opt_name);
  g_autoptr (CxrStateDict) want_fc = load_dict ("training", fc_name);
  for (guint i = 0; i < cxr_state_dict_size (want_fc); i++)
    {
      const char *key = cxr_state_dict_key_at (want_fc, i);
      const CxrTensor *w = cxr_state_dict_lookup (want_fc, key);
      assert_relative (key, cxr_state_dict_lookup (params, key)->data, w->data, cxr_tensor_numel (w), 1e-4);
    }
  g_test_message ("%s/%s: %d steps, worst loss relative error %.2e, worst running-statistic error %.2e",
                  pc->name, opt_name, STEPS, loss_error, bn_error);
  fixture_clear (&f);
}

static void
test_steps_first (gconstpointer data)
{
  test_steps (data, 0);
}

static void
test_steps_second (gconstpointer data)
{
  test_steps (data, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The cases live as long as the process. */
  GPtrArray *cases = load_cases ();
  for (guint i = 0; i < cases->len; i++)
    {
      ParityCase *pc = g_ptr_array_index (cases, i);
      g_autofree char *grads = g_strdup_printf ("/train-parity/%s/gradients", pc->name);
      g_test_add_data_func (grads, pc, test_gradients);
      g_autofree char *first = g_strdup_printf ("/train-parity/%s/%s", pc->name, pc->optimizers[0]);
      g_test_add_data_func (first, pc, test_steps_first);
      g_autofree char *second = g_strdup_printf ("/train-parity/%s/%s", pc->name, pc->optimizers[1]);
      g_test_add_data_func (second, pc, test_steps_second);
    }
  return g_test_run ();
}
