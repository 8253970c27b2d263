/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-train: times cxrcam's training step the way bench/run-train compares it with PyTorch.
 *
 *   bench-train step --arch resnet18|resnet50 [--weights FILE.pth] [--batch 16] [--size 224]
 *                    [--runs 5] [--warmup 1] [--freeze none|layer4|head] [--input FILE.npy] [--classes 2]
 *   bench-train head-epoch --data DIR [--arch resnet18] [--batch 16] [--size 224] [--epochs 3]
 *
 * step: one training step is what a trainer does per batch: forward in training mode, the loss
 * (cross-entropy over 2 classes, labels 0, 1, 0, 1, ...), the backward pass, SGD (lr 0.01, momentum
 * 0.9, weight decay 1e-4). Weights are --weights (a torch.save'd state_dict) or torchvision's
 * initialisation; the batch is the first N images of --input (NCHW float32) or seeded noise. Prints
 * one line of key=value pairs: the median and best step time, per step and per image, the loss of
 * the first step (the warm-up, from the initial weights: bench/run-train compares it with
 * PyTorch's), the training buffers, and the process's peak resident set (VmHWM).
 *
 * head-epoch: the trainer's head-only mode over a dataset folder with the 14 NIH findings as the
 * task (every labelled image takes part): decodes and caches the images and computes the frozen
 * backbone's features once, then trains epochs on the cached features; prints the time of the
 * preparation and the median epoch time (training and validation).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bench-util.h"
#include "cxr-checkpoint.h"
#include "cxr-loss.h"
#include "cxr-npy.h"
#include "cxr-optim.h"
#include "cxr-resnet-train.h"
#include "cxr-trainer.h"

static int
run_steps (int argc, char **argv)
{
  g_autofree char *arch_name = g_strdup ("resnet50");
  g_autofree char *freeze = g_strdup ("none");
  g_autofree char *input_path = NULL, *weights_path = NULL;
  int batch = 16, size = 224, runs = 5, warmup = 1, classes = 2;
  const GOptionEntry entries[] = {
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch_name, "Architecture", "NAME" },
    { "weights", 0, 0, G_OPTION_ARG_FILENAME, &weights_path, "Initial weights (.pth)", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Batch size", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Input side", "S" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed steps", "R" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed steps first", "W" },
    { "freeze", 0, 0, G_OPTION_ARG_STRING, &freeze, "head, layer4 or none", "MODE" },
    { "input", 0, 0, G_OPTION_ARG_FILENAME, &input_path, "Batch (NCHW float32 .npy)", "FILE" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes, "Outputs of the head (1, 2 or 14)", "K" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("step — time training steps");
  g_option_context_add_main_entries (context, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      return 2;
    }

  CxrResnetArch arch;
  CxrTrainable trainable;
  if (!cxr_resnet_arch_from_name (arch_name, 3, classes, &arch, &error)
      || !cxr_trainable_from_freeze_name (freeze, &trainable, &error))
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      return 2;
    }
  g_autoptr (CxrResnet) net = NULL;
  if (weights_path)
    {
      g_autoptr (CxrStateDict) weights = cxr_checkpoint_load (weights_path, &error);
      net = weights ? cxr_resnet_new_from_state_dict (weights, &error) : NULL;
      if (net == NULL)
        {
          fprintf (stderr, "bench-train: %s\n", error->message);
          return 2;
        }
      classes = cxr_resnet_get_arch (net)->n_classes;
    }
  else
    net = cxr_resnet_new (&arch, 0);
  g_autoptr (CxrResnetTrain) train = cxr_resnet_train_new (net, trainable);

  g_autoptr (CxrTensor) input = NULL;
  if (input_path)
    {
      input = cxr_npy_load (input_path, &error);
      if (input == NULL || input->shape[0] < batch || input->shape[2] != size)
        {
          fprintf (stderr, "bench-train: %s: %s\n", input_path, error ? error->message : "too few or wrong-size images");
          return 2;
        }
    }
  else
    {
      input = cxr_tensor_new_4d (batch, 3, size, size);
      g_autoptr (GRand) rng = g_rand_new_with_seed (1);
      for (gint64 i = 0; i < cxr_tensor_numel (input); i++)
        input->data[i] = (float) g_rand_double_range (rng, -2.0, 2.0);
    }
  g_autofree guint8 *labels = g_new0 (guint8, (gsize) batch * (classes > 2 ? classes : 1));
  g_autofree double *times = g_new (double, MAX (runs, 1));
  g_autofree double *cpu = g_new (double, MAX (runs, 1));
  for (int i = 0; i < batch; i++)
    labels[i * (classes > 2 ? classes : 1)] = i % 2;

  CxrOptimizerConfig config;
  cxr_optimizer_config_init (&config, CXR_OPTIMIZER_SGD);
  config.momentum = 0.9;
  config.weight_decay = 1e-4;
  g_autoptr (CxrOptimizer) optimizer = cxr_optimizer_new (&config);
  CxrStateDict *grads = cxr_resnet_train_get_gradients (train);
  CxrStateDict *params = cxr_resnet_get_parameters (net);
  for (guint i = 0; i < cxr_state_dict_size (grads); i++)
    {
      const char *key = cxr_state_dict_key_at (grads, i);
      cxr_optimizer_add (optimizer, key, cxr_state_dict_lookup (params, key), cxr_state_dict_lookup (grads, key));
    }

  g_autofree float *logits = g_new (float, (gsize) batch * classes);
  g_autofree float *dlogits = g_new (float, (gsize) batch * classes);
  double first_loss = 0;
  for (int r = -warmup; r < runs; r++)
    {
      double t0 = bench_now_ms (), c0 = bench_cpu_seconds ();
      if (!cxr_resnet_train_forward (train, input->data, batch, size, size, logits, &error))
        {
          fprintf (stderr, "bench-train: %s\n", error->message);
          return 1;
        }
      double loss = cxr_loss_for_head (dlogits, logits, labels, batch, classes, 0);
      cxr_resnet_train_backward (train, dlogits);
      cxr_optimizer_step (optimizer, 0.01, NULL);
      double t = bench_now_ms () - t0;
      if (r == -warmup)
        first_loss = loss;
      if (r >= 0)
        {
          times[r] = t;
          cpu[r] = (bench_cpu_seconds () - c0) * 1e3;
        }
      if (g_getenv ("BENCH_VERBOSE"))
        fprintf (stderr, "step %d: %.0f ms, loss %.5f\n", r, t, loss);
    }
  bench_sort (times, runs);
  bench_sort (cpu, runs);
  double median = times[runs / 2];
  printf ("side=cxrcam arch=%s batch=%d size=%d freeze=%s ms_per_step=%.1f best_ms_per_step=%.1f ms_per_image=%.2f "
          "cpu_ms_per_step=%.0f first_loss=%.7f buffers_mb=%.0f peak_rss_mb=%.0f\n",
          arch_name, batch, size, freeze, median, times[0], median / batch, cpu[runs / 2], first_loss,
          cxr_resnet_train_get_buffer_bytes (train) / 1048576.0, bench_peak_rss_mb ());
  return 0;
}

typedef struct {
  double start_ms, first_step_ms;
  GArray *epoch_seconds;
} HeadTimes;

static void
on_head_event (const CxrTrainEvent *event, gpointer user_data)
{
  HeadTimes *t = user_data;
  if (event->kind == CXR_TRAIN_EVENT_STEP && t->first_step_ms == 0)
    t->first_step_ms = bench_now_ms ();
  if (event->kind == CXR_TRAIN_EVENT_EPOCH)
    g_array_append_val (t->epoch_seconds, event->metrics->seconds);
}

/* rm -r of the benchmark's own temporary folder (flat: files only). */
static void
remove_folder (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  for (const char *name; dir && (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_remove (file);
    }
  g_rmdir (path);
}

static int
run_head_epochs (int argc, char **argv)
{
  g_autofree char *data = NULL, *arch_name = g_strdup ("resnet18");
  int batch = 16, size = 224, epochs = 3;
  const GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data, "Dataset folder", "DIR" },
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch_name, "Architecture", "NAME" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Batch size", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Input side", "S" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, "Epochs", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("head-epoch — time head-only epochs");
  g_option_context_add_main_entries (context, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (context, &argc, &argv, &error) || data == NULL)
    {
      fprintf (stderr, "bench-train: %s\n", error ? error->message : "head-epoch needs --data DIR");
      return 2;
    }
  g_autofree char *out = g_dir_make_tmp ("cxrcam-bench-head-XXXXXX", &error);
  if (out == NULL)
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      return 2;
    }
  CxrTrainConfig c;
  cxr_train_config_init (&c);
  c.data_dir = g_strdup (data);
  g_free (c.arch);
  c.arch = g_strdup (arch_name);
  c.n_outputs = 14;
  c.input_size = size;
  c.out_dir = g_strdup (out);
  c.epochs = epochs;
  c.batch_size = batch;
  c.trainable = CXR_TRAINABLE_HEAD;
  c.augment = FALSE;
  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (&c);
  HeadTimes t = { bench_now_ms (), 0, g_array_new (FALSE, FALSE, sizeof (double)) };
  gboolean ok = cxr_trainer_run (trainer, FALSE, on_head_event, &t, NULL, &error);
  /* The checkpoints are not what is measured: leave no trace. */
  remove_folder (out);
  cxr_train_config_clear (&c);
  if (!ok)
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      g_array_unref (t.epoch_seconds);
      return 1;
    }
  GArray *history = cxr_trainer_get_history (trainer);
  const CxrEpochMetrics *m = &g_array_index (history, CxrEpochMetrics, history->len - 1);
  double *seconds = (double *) t.epoch_seconds->data;
  bench_sort (seconds, t.epoch_seconds->len);
  printf ("side=cxrcam arch=%s images=%u prepare_s=%.2f epoch_s=%.4f epochs=%u val_auc=%.3f peak_rss_mb=%.0f\n",
          arch_name, m->n_train + m->n_val, (t.first_step_ms - t.start_ms) / 1e3, seconds[t.epoch_seconds->len / 2],
          t.epoch_seconds->len, m->val_auc, bench_peak_rss_mb ());
  g_array_unref (t.epoch_seconds);
  return 0;
}

int
main (int argc, char *argv[])
{
  if (argc >= 2 && strcmp (argv[1], "step") == 0)
    return run_steps (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "head-epoch") == 0)
    return run_head_epochs (argc - 1, argv + 1);
  fprintf (stderr, "usage: bench-train step [OPTION...] | bench-train head-epoch [OPTION...]\n");
  return 2;
}
