/* bench-train: times cxrcam's training step the way bench/run-train compares it with PyTorch.
 *
 *   bench-train step --arch resnet18|resnet50 [--batch 16] [--size 224] [--runs 5] [--warmup 1]
 *                    [--freeze none|layer4|head] [--input FILE.npy] [--classes 2]
 *   bench-train head-epoch --data DIR [--arch resnet18] [--batch 16] [--size 224] [--epochs 3]
 *
 * step: one training step is what a trainer does per batch: forward in training mode, the loss
 * (cross-entropy over 2 classes), the backward pass, SGD with momentum 0.9 and weight decay 1e-4.
 * Weights are torchvision's initialisation; the batch is the first N images of --input (NCHW
 * float32) or seeded noise. Prints one line of key=value pairs: the median and best step time, per
 * step and per image, the loss of the first timed step, the training buffers, and the process's
 * peak resident set (VmHWM).
 *
 * head-epoch: the head-only mode of the trainer over a dataset folder (Cardiomegaly vs No Finding):
 * decodes and caches the images, computes the frozen backbone's features once, then times epochs
 * over the cached features; prints the time of the caching and the median epoch time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cxr-loss.h"
#include "cxr-npy.h"
#include "cxr-optim.h"
#include "cxr-resnet-train.h"

static double
now_ms (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  const char *line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtod (line + 6, NULL) / 1024.0 : -1;
}

static int
run_steps (int argc, char **argv)
{
  g_autofree char *arch_name = g_strdup ("resnet50");
  g_autofree char *freeze = g_strdup ("none");
  g_autofree char *input_path = NULL;
  int batch = 16, size = 224, runs = 5, warmup = 1, classes = 2;
  const GOptionEntry entries[] = {
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arch_name, "Architecture", "NAME" },
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
  g_autoptr (CxrResnet) net = cxr_resnet_new (&arch, 0);
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
  g_autofree double *times = g_new (double, MAX (runs, 1));
  double first_loss = 0;
  for (int r = -warmup; r < runs; r++)
    {
      double t0 = now_ms ();
      if (!cxr_resnet_train_forward (train, input->data, batch, size, size, logits, &error))
        {
          fprintf (stderr, "bench-train: %s\n", error->message);
          return 1;
        }
      double loss = cxr_loss_for_head (dlogits, logits, labels, batch, classes, 0);
      cxr_resnet_train_backward (train, dlogits);
      cxr_optimizer_step (optimizer, 0.01, NULL);
      double t = now_ms () - t0;
      if (r == 0)
        first_loss = loss;
      if (r >= 0)
        times[r] = t;
      if (g_getenv ("BENCH_VERBOSE"))
        fprintf (stderr, "step %d: %.0f ms, loss %.5f\n", r, t, loss);
    }
  qsort (times, runs, sizeof (double), compare_doubles);
  double median = times[runs / 2];
  printf ("arch=%s batch=%d size=%d freeze=%s ms_per_step=%.1f best_ms_per_step=%.1f ms_per_image=%.2f "
          "loss=%.6f buffers_mb=%.0f peak_rss_mb=%.0f\n",
          arch_name, batch, size, freeze, median, times[0], median / batch, first_loss,
          cxr_resnet_train_get_buffer_bytes (train) / 1048576.0, peak_rss_mb ());
  return 0;
}

int
main (int argc, char *argv[])
{
  if (argc >= 2 && strcmp (argv[1], "step") == 0)
    return run_steps (argc - 1, argv + 1);
  fprintf (stderr, "usage: bench-train step [OPTION...] | bench-train head-epoch [OPTION...]\n");
  return 2;
}
