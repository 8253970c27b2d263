/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Training parity against live PyTorch on torchvision's full ResNet-18 (tests/reference/train_live.py),
 * with real NIH radiographs (64 x 64, a batch of 4) as the batch:
 *   - every trainable parameter's gradient after one forward/backward (1e-4 of the tensor's largest)
 *     and the BatchNorm running statistics after that forward pass (1e-5), with nothing frozen and
 *     with layer4 + head trainable;
 *   - the losses of SGD steps with momentum and weight decay (1e-4 relative) and the running
 *     statistics after them (1e-5): 1 step with nothing frozen, 5 with layer4 + head trainable;
 *   - the checkpoint cxrcam writes after the layer4 steps, torch.load-ed into torchvision's resnet18 with
 *     strict load_state_dict, gives cxrcam's logits in eval mode (1e-4).
 *
 * Why not more steps with everything trainable, or larger images. ReLU and max pooling are
 * discontinuous in their gradient: an input within float rounding of zero (ReLU) or of its window's
 * maximum (max pool) sends its gradient one way in one implementation and the other way in another,
 * and one such element moves a whole weight gradient by about 1/sqrt(positions) of its largest
 * element. How many such elements a batch has is chance, growing with the number of activations:
 * at 160 x 160 PyTorch's own float32 and float64 gradients of this batch differ by 1e-2, at 64 x 64
 * by 6e-6 (the reference script measures it: conditioning.txt, reported next to any failure). Over
 * several steps with the stem and max pool trainable a near-tie turns up sooner or later (PyTorch
 * float32 against float64 meets one after a single step at lr 1e-5), and a batch of 4 then
 * amplifies it step by step through BatchNorm. With layer4 + head trainable the few activations
 * there keep the steps well-posed; the tiny networks of test-train-parity take 20 steps of every
 * optimiser.
 *
 * Even there a near-tie can turn up, and PyTorch's float32 agreeing with its float64 does not rule it
 * out: both may fall on one side by luck. At lr 5e-4 the third step's forward pass put an input of
 * layer4.1's first ReLU at -9.4e-7 in float64 (-3.2e-6 in PyTorch's float32) while float32 rounding
 * moves those inputs by up to 1.5e-5: cxrcam built with clang landed at +2.0e-6, its gradient took
 * the other way and the running statistics after five steps differed by 2.4e-4 (issue 13). So the
 * reference reports the smallest ReLU input in float64 over the steps and float32's rounding of those
 * inputs, and the steps are compared only where the first is at least twice the second (at lr 3e-4:
 * 3.7e-5 against 1.4e-5). */
#include <math.h>
#include <string.h>

#include "cxr-checkpoint.h"
#include "cxr-dataset.h"
#include "cxr-loss.h"
#include "cxr-npy.h"
#include "cxr-optim.h"
#include "cxr-preprocess.h"
#include "cxr-resnet-train.h"
#include "cxr-test-util.h"

#define BATCH 4
#define SIDE 64
#define LR 3e-4
#define MOMENTUM 0.9
#define WEIGHT_DECAY 1e-4

static float
noise (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return (float) ((*state >> 8) / 16777216.0);
}

/* torchvision's initialisation, then BatchNorm statistics and affines away from identity so that
 * every term of the backward pass matters. */
static CxrResnet *
make_network (void)
{
  CxrResnetArch arch;
  g_assert_true (cxr_resnet_arch_from_name ("resnet18", 3, 2, &arch, NULL));
  CxrResnet *net = cxr_resnet_new (&arch, 11);
  CxrStateDict *params = cxr_resnet_get_parameters (net);
  guint32 seed = 3;
  for (guint i = 0; i < cxr_state_dict_size (params); i++)
    {
      const char *key = cxr_state_dict_key_at (params, i);
      CxrTensor *t = cxr_state_dict_lookup (params, key);
      if (t->ndim != 1 || g_str_has_prefix (key, "fc."))
        continue;
      for (gint64 c = 0; c < t->shape[0]; c++)
        {
          float u = noise (&seed);
          if (g_str_has_suffix (key, ".weight"))
            t->data[c] = 0.6f + 0.8f * u;
          else if (g_str_has_suffix (key, ".bias"))
            t->data[c] = 0.2f * (u - 0.5f);
          else if (g_str_has_suffix (key, ".running_mean"))
            t->data[c] = 0.4f * (u - 0.5f);
          else if (g_str_has_suffix (key, ".running_var"))
            t->data[c] = 0.6f + 0.8f * u;
        }
    }
  cxr_resnet_parameters_changed (net);
  return net;
}

/* Two Cardiomegaly and two No Finding radiographs, preprocessed as cxrcam does, NCHW. */
static gboolean
make_batch (float *inputs, guint8 *labels)
{
  const char *dir = cxr_test_nih14_dir ();
  if (dir == NULL)
    return FALSE;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (dir, CXR_DATASET_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  params.width = params.height = SIDE;
  int found[2] = { 0, 0 };
  int k = 0;
  for (guint i = 0; i < cxr_dataset_get_n_entries (dataset) && k < BATCH; i++)
    {
      const CxrDatasetEntry *e = cxr_dataset_get_entry (dataset, i);
      int label = (e->findings & CXR_FINDING_CARDIOMEGALY) ? 1 : (e->findings & CXR_FINDING_NO_FINDING) ? 0 : -1;
      if (label < 0 || e->folder == NULL || found[label] == BATCH / 2)
        continue;
      g_autofree char *path = cxr_dataset_dup_image_path (dataset, i);
      g_assert_true (cxr_preprocess_file (inputs + (gsize) k * cxr_preprocess_output_size (&params), path, &params,
                                          &error));
      labels[k++] = label;
      found[label]++;
    }
  g_assert_cmpint (k, ==, BATCH);
  return TRUE;
}

static void
save_npy (const char *dir, const char *name, const float *data, int ndim, const gint64 *shape)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_npy_save (path, data, ndim, shape, &error));
}

static CxrStateDict *
load_dict (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  CxrStateDict *dict = cxr_checkpoint_load (path, &error);
  g_assert_no_error (error);
  return dict;
}

static double
step (CxrResnetTrain *train, const float *inputs, const guint8 *labels)
{
  float logits[BATCH * 2], dlogits[BATCH * 2];

  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_resnet_train_forward (train, inputs, BATCH, SIDE, SIDE, logits, &error));
  double loss = cxr_loss_for_head (dlogits, logits, labels, BATCH, 2, 0);
  cxr_resnet_train_backward (train, dlogits);
  return loss;
}

typedef struct {
  const char *freeze;
  int steps;
  gboolean check_checkpoint;
} LiveCase;

static double
compare_batchnorm (CxrStateDict *params, const char *dir, const char *name)
{
  g_autoptr (CxrStateDict) want = load_dict (dir, name);
  double worst = 0;
  for (guint i = 0; i < cxr_state_dict_size (want); i++)
    {
      const char *key = cxr_state_dict_key_at (want, i);
      const CxrTensor *w = cxr_state_dict_lookup (want, key);
      const CxrTensor *g = cxr_state_dict_lookup (params, key);
      gsize at;
      double d = cxr_test_max_abs_diff (g->data, w->data, cxr_tensor_numel (w), &at);
      if (d > 1e-5)
        g_error ("%s: %s differs by %.3g at %" G_GSIZE_FORMAT " (%.9g vs %.9g)", name, key, d, at, g->data[at],
                 w->data[at]);
      worst = MAX (worst, d);
    }
  return worst;
}

static void
test_resnet18 (gconstpointer data)
{
  const LiveCase *live = data;
  const char *freeze = live->freeze;
  gsize per_image = (gsize) 3 * SIDE * SIDE;
  g_autofree float *inputs = g_new (float, per_image * BATCH);
  guint8 labels[BATCH];
  if (!make_batch (inputs, labels))
    return;

  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autoptr (CxrResnet) net = make_network ();
  g_autofree char *init = g_build_filename (dir, "init.pth", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_checkpoint_save_pth (init, cxr_resnet_get_parameters (net), &error));
  g_assert_no_error (error);
  save_npy (dir, "inputs.npy", inputs, 4, (gint64[]) { BATCH, 3, SIDE, SIDE });
  float label_floats[BATCH];
  for (int i = 0; i < BATCH; i++)
    label_floats[i] = labels[i];
  save_npy (dir, "labels.npy", label_floats, 2, (gint64[]) { BATCH, 1 });

  g_autofree char *steps = g_strdup_printf ("%d", live->steps);
  g_autofree char *lr = g_strdup_printf ("%.17g", LR);
  g_autofree char *momentum = g_strdup_printf ("%.17g", MOMENTUM);
  g_autofree char *wd = g_strdup_printf ("%.17g", WEIGHT_DECAY);
  const char *args[] = { "reference", dir, "resnet18", freeze, steps, lr, momentum, wd, NULL };
  if (!cxr_test_run_reference ("train_live.py", args))
    return;
  g_autofree char *conditioning_path = g_build_filename (dir, "conditioning.txt", NULL);
  g_autofree char *conditioning_text = NULL;
  g_assert_true (g_file_get_contents (conditioning_path, &conditioning_text, NULL, &error));
  double self_discrepancy = g_ascii_strtod (conditioning_text, NULL);
  g_test_message ("PyTorch float32 vs float64 on this batch: worst gradient difference %.2e of the largest",
                  self_discrepancy);

  /* Gradients after one forward/backward. */
  CxrTrainable trainable;
  g_assert_true (cxr_trainable_from_freeze_name (freeze, &trainable, &error));
  {
    g_autoptr (CxrResnetTrain) train = cxr_resnet_train_new (net, trainable);
    step (train, inputs, labels);
    g_autoptr (CxrStateDict) want = load_dict (dir, "grads.pth");
    CxrStateDict *got = cxr_resnet_train_get_gradients (train);
    g_assert_cmpuint (cxr_state_dict_size (got), ==, cxr_state_dict_size (want));
    double worst = 0;
    const char *worst_key = "";
    for (guint i = 0; i < cxr_state_dict_size (want); i++)
      {
        const char *key = cxr_state_dict_key_at (want, i);
        const CxrTensor *w = cxr_state_dict_lookup (want, key);
        const CxrTensor *g = cxr_state_dict_lookup (got, key);
        g_assert_nonnull (g);
        gsize n = cxr_tensor_numel (w), at;
        double rel = cxr_test_max_abs_diff (g->data, w->data, n, &at) / cxr_test_max_abs (w->data, n);
        if (g_getenv ("CXR_TEST_VERBOSE"))
          g_test_message ("%s: %.2e", key, rel);
        if (rel > 1e-4 && !g_getenv ("CXR_TEST_VERBOSE"))
          g_error ("%s: gradient differs by %.2e of its largest (at %" G_GSIZE_FORMAT ": %.9g vs %.9g); PyTorch's "
                   "own float32 and float64 gradients differ by %.2e on this batch", key, rel, at,
                   g->data[at], w->data[at], self_discrepancy);
        if (rel >= worst)
          worst = rel, worst_key = key;
      }
    double bn_error = compare_batchnorm (cxr_resnet_get_parameters (net), dir, "bn_first.pth");
    g_test_message ("resnet18, freeze %s: %u gradients, worst relative error %.2e (%s); running statistics "
                    "after the forward pass: worst error %.2e", freeze, cxr_state_dict_size (want), worst, worst_key,
                    bn_error);
  }

  /* SGD steps from the initial weights. */
  g_autofree char *margin_path = g_build_filename (dir, "relu_margin.txt", NULL);
  g_autofree char *margin_text = NULL;
  g_assert_true (g_file_get_contents (margin_path, &margin_text, NULL, &error));
  g_auto (GStrv) margin_fields = g_strsplit (g_strstrip (margin_text), " ", -1);
  g_assert_cmpuint (g_strv_length (margin_fields), ==, 3);
  double margin = g_ascii_strtod (margin_fields[0], NULL), rounding = g_ascii_strtod (margin_fields[1], NULL);
  g_test_message ("smallest ReLU input in float64 over the steps %.2e (step %s), float32 rounding of those "
                  "inputs up to %.2e", margin, margin_fields[2], rounding);
  /* A single step's backward pass feeds nothing compared after it; several steps' do. */
  if (live->steps > 1 && margin < 2 * rounding)
    g_error ("ill-posed comparison: at step %s a ReLU input is %.2e in float64 while float32 rounding moves "
             "these inputs by up to %.2e, so its gradient goes either way; choose another learning rate or "
             "number of steps", margin_fields[2], margin, rounding);
  g_autoptr (CxrStateDict) init_weights = load_dict (dir, "init.pth");
  g_assert_true (cxr_resnet_load_state_dict (net, init_weights, &error));
  g_autoptr (CxrResnetTrain) train = cxr_resnet_train_new (net, trainable);
  CxrOptimizerConfig config;
  cxr_optimizer_config_init (&config, CXR_OPTIMIZER_SGD);
  config.momentum = MOMENTUM;
  config.weight_decay = WEIGHT_DECAY;
  g_autoptr (CxrOptimizer) optimizer = cxr_optimizer_new (&config);
  CxrStateDict *grads = cxr_resnet_train_get_gradients (train);
  CxrStateDict *params = cxr_resnet_get_parameters (net);
  for (guint i = 0; i < cxr_state_dict_size (grads); i++)
    {
      const char *key = cxr_state_dict_key_at (grads, i);
      cxr_optimizer_add (optimizer, key, cxr_state_dict_lookup (params, key), cxr_state_dict_lookup (grads, key));
    }
  float losses[8];
  for (int t = 0; t < live->steps; t++)
    {
      losses[t] = step (train, inputs, labels);
      cxr_optimizer_step (optimizer, LR, NULL);
    }
  cxr_resnet_parameters_changed (net);
  g_autofree char *losses_path = g_build_filename (dir, "losses.npy", NULL);
  g_autoptr (CxrTensor) want_losses = cxr_npy_load (losses_path, &error);
  g_assert_no_error (error);
  double loss_error = 0;
  for (int t = 0; t < live->steps; t++)
    {
      double rel = fabs (losses[t] - want_losses->data[t]) / fabs (want_losses->data[t]);
      g_test_message ("step %d: loss %.7f, PyTorch %.7f", t, losses[t], want_losses->data[t]);
      g_assert_cmpfloat (rel, <=, 1e-4);
      loss_error = MAX (loss_error, rel);
    }
  g_autofree char *steps_conditioning_path = g_build_filename (dir, "steps_conditioning.txt", NULL);
  g_autofree char *steps_conditioning_text = NULL;
  g_assert_true (g_file_get_contents (steps_conditioning_path, &steps_conditioning_text, NULL, &error));
  g_test_message ("PyTorch float32 vs float64 after the steps: worst running statistic difference %.2e",
                  g_ascii_strtod (steps_conditioning_text, NULL));
  double bn_error = compare_batchnorm (params, dir, "bn.pth");
  g_test_message ("resnet18, freeze %s: %d SGD steps, worst loss error %.2e, worst running statistic error %.2e",
                  freeze, live->steps, loss_error, bn_error);

  /* The trained network as a checkpoint, read back by PyTorch (once: the code path is the same). */
  if (!live->check_checkpoint)
    return;
  g_autofree char *trained = g_build_filename (dir, "trained.pth", NULL);
  g_assert_true (cxr_checkpoint_save_pth (trained, params, &error));
  g_autofree char *inputs_path = g_build_filename (dir, "inputs.npy", NULL);
  const char *logit_args[] = { "logits", dir, "resnet18", trained, inputs_path, NULL };
  if (!cxr_test_run_reference ("train_live.py", logit_args))
    return;
  float logits[BATCH * 2];
  g_assert_true (cxr_resnet_forward (net, inputs, BATCH, SIDE, SIDE, logits, &error));
  g_autofree char *logits_path = g_build_filename (dir, "logits.npy", NULL);
  g_autoptr (CxrTensor) want_logits = cxr_npy_load (logits_path, &error);
  g_assert_no_error (error);
  cxr_assert_close (logits, want_logits->data, BATCH * 2, 1e-4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  static const LiveCase none = { "none", 1, FALSE }, layer4 = { "layer4", 5, TRUE };
  g_test_add_data_func ("/train-live/resnet18/freeze-none", &none, test_resnet18);
  g_test_add_data_func ("/train-live/resnet18/freeze-layer4", &layer4, test_resnet18);
  return g_test_run ();
}
