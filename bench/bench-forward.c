/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-forward: times cxrcam's ResNet inference the way bench/run-forward compares it with PyTorch.
 *
 *   bench-forward (--weights FILE.pth | --arch resnet50) [--input FILE.npy] [--batch N]
 *                 [--size S] [--runs R] [--warmup W] [--logits OUT.npy]
 *
 * Loads the weights (or builds the architecture with random weights), takes the first N images of
 * the input batch (NCHW float32; random when absent), runs W warm-up forwards and R timed ones, and
 * prints one line of key=value pairs: the median and best time per forward, per image, and the
 * process's peak resident set (VmHWM), which covers loading as well as inference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "cxr-checkpoint.h"
#include "cxr-cpu.h"
#include "cxr-npy.h"
#include "cxr-resnet.h"

/* The size of the network's thread team (cxr_parallel_new (0)). */
static int
kernel_threads (void)
{
  const char *env = g_getenv ("CXR_NUM_THREADS");
  int n = env ? (int) g_ascii_strtoll (env, NULL, 10) : 0;
  return n > 0 ? n : cxr_cpu_cores ();
}

static CxrResnet *
load_network (const char *weights, const char *arch_name, int channels, GError **error)
{
  if (weights != NULL)
    {
      g_autoptr (CxrStateDict) dict = cxr_checkpoint_load (weights, error);
      return dict ? cxr_resnet_new_from_state_dict (dict, error) : NULL;
    }
  CxrResnetArch arch;
  if (!cxr_resnet_arch_from_name (arch_name, channels, 1000, &arch, error))
    return NULL;
  return cxr_resnet_new (&arch, 0);
}

typedef struct {
  char *weights, *arch_name, *input_path, *logits_path;
  int batch, size, runs, warmup;
} Options;

static CxrTensor *
load_input (const Options *o, GError **error)
{
  if (o->input_path == NULL)
    {
      CxrTensor *input = cxr_tensor_new_4d (o->batch, 3, o->size, o->size);
      g_autoptr (GRand) rng = g_rand_new_with_seed (1);
      for (gint64 i = 0; i < cxr_tensor_numel (input); i++)
        input->data[i] = (float) g_rand_double_range (rng, -2.0, 2.0);
      return input;
    }
  g_autoptr (CxrTensor) input = cxr_npy_load (o->input_path, error);
  if (input != NULL && (input->ndim != 4 || input->shape[0] < o->batch))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s holds fewer than %d images", o->input_path, o->batch);
      return NULL;
    }
  return g_steal_pointer (&input);
}

static gboolean
run (const Options *o, GError **error)
{
  g_autoptr (CxrTensor) input = load_input (o, error);
  if (input == NULL)
    return FALSE;
  g_autoptr (CxrResnet) net = load_network (o->weights, o->arch_name ? o->arch_name : "resnet50",
                                            input->shape[1], error);
  if (net == NULL)
    return FALSE;

  int classes = cxr_resnet_get_arch (net)->n_classes;
  int h = input->shape[2], w = input->shape[3];
  g_autofree float *logits = g_new0 (float, (gsize) o->batch * classes);
  g_autofree double *times = g_new (double, o->runs);
  for (int i = 0; i < o->warmup + o->runs; i++)
    {
      double start = bench_now_ms ();
      if (!cxr_resnet_forward (net, input->data, o->batch, h, w, logits, error))
        return FALSE;
      if (i >= o->warmup)
        times[i - o->warmup] = bench_now_ms () - start;
    }
  bench_sort (times, o->runs);
  int r = o->runs;
  double median = r % 2 ? times[r / 2] : (times[r / 2 - 1] + times[r / 2]) / 2;

  if (o->logits_path != NULL
      && !cxr_npy_save (o->logits_path, logits, 2, (gint64[]) { o->batch, classes }, error))
    return FALSE;

  g_autofree char *description = cxr_resnet_arch_describe (cxr_resnet_get_arch (net));
  printf ("side=cxrcam batch=%d runs=%d median_ms=%.3f min_ms=%.3f ms_per_image=%.3f peak_rss_mb=%.1f "
          "threads=%d cpu=%s model=\"%s\"\n",
          o->batch, r, median, times[0], median / o->batch, bench_peak_rss_mb (), kernel_threads (),
          cxr_cpu_level_name (cxr_cpu_level ()), description);
  return TRUE;
}

int
main (int argc, char *argv[])
{
  Options o = { .batch = 1, .size = 224, .runs = 7, .warmup = 2 };
  GOptionEntry entries[] = {
    { "weights", 0, 0, G_OPTION_ARG_FILENAME, &o.weights, "PyTorch checkpoint (state_dict)", "FILE" },
    { "arch", 0, 0, G_OPTION_ARG_STRING, &o.arch_name, "Architecture with random weights (default resnet50)", "NAME" },
    { "input", 0, 0, G_OPTION_ARG_FILENAME, &o.input_path, "Input batch, NCHW float32 .npy", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &o.batch, "Images per forward (default 1)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &o.size, "Side of the random input (default 224)", "S" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &o.runs, "Timed forwards (default 7)", "R" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &o.warmup, "Untimed forwards first (default 2)", "W" },
    { "logits", 0, 0, G_OPTION_ARG_FILENAME, &o.logits_path, "Write the last logits here (.npy)", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- time cxrcam's ResNet forward");
  g_autoptr (GError) error = NULL;
  g_option_context_add_main_entries (context, entries, NULL);
  gboolean ok = g_option_context_parse (context, &argc, &argv, &error);
  if (ok && (o.batch < 1 || o.runs < 1 || o.warmup < 0))
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--batch and --runs must be positive");
  if (error == NULL)
    run (&o, &error);

  g_free (o.weights);
  g_free (o.arch_name);
  g_free (o.input_path);
  g_free (o.logits_path);
  if (error != NULL)
    {
      g_printerr ("bench-forward: %s\n", error->message);
      return 1;
    }
  return 0;
}
