/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxrcam-cli train: train (or fine-tune) a ResNet on a dataset folder, through the engine's training job.
 *
 * A progress line per step, the epoch table after every epoch. Ctrl+C stops after the current step
 * and leaves a resume point (continue with --resume --out DIR); a second Ctrl+C quits at once, which
 * is safe too: every file is written atomically.
 */
#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>

#include "cli-commands.h"
#include "cli-util.h"
#include "cxr-engine-train.h"

typedef struct {
  GCancellable *cancellable;
  GAsyncResult *result;
  guint interrupts;
  GArray *history;               /* CxrEpochMetrics, for the table */
  gboolean quiet;
} TrainCli;

static gboolean
on_sigint (gpointer user_data)
{
  TrainCli *cli = user_data;
  if (++cli->interrupts > 1)
    {
      fprintf (stderr, "\ncxrcam-cli train: interrupted again, quitting now (files stay whole)\n");
      exit (130);
    }
  fprintf (stderr, "\ncxrcam-cli train: stopping after this step (Ctrl+C again to quit at once)…\n");
  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
print_number (double value, int width, int precision)
{
  if (isfinite (value))
    printf (" %*.*f", width, precision, value);
  else
    printf (" %*s", width, "-");
}

static void
print_table (GArray *history)
{
  printf ("\n epoch  train_loss  train_acc  val_loss  val_acc  val_auc  sensitivity  specificity   time_s  img/s\n");
  for (guint i = 0; i < history->len; i++)
    {
      const CxrEpochMetrics *m = &g_array_index (history, CxrEpochMetrics, i);
      printf (" %5u", m->epoch);
      print_number (m->train_loss, 11, 4);
      print_number (m->train_accuracy, 10, 3);
      print_number (m->val_loss, 9, 4);
      print_number (m->val_accuracy, 8, 3);
      print_number (m->val_auc, 8, 3);
      print_number (m->val_sensitivity, 12, 3);
      print_number (m->val_specificity, 12, 3);
      print_number (m->seconds, 8, 1);
      print_number (m->images_per_second, 6, 1);
      printf ("%s\n", m->best ? "  *best" : "");
    }
  printf ("\n");
  fflush (stdout);
}

static void
on_progress (const CxrTrainEvent *event, gpointer user_data)
{
  TrainCli *cli = user_data;
  switch (event->kind)
    {
    case CXR_TRAIN_EVENT_PREPARING:
      if (event->total)
        printf ("%s: %u/%u\n", event->message, event->done, event->total);
      else
        printf ("%s\n", event->message);
      break;
    case CXR_TRAIN_EVENT_STEP:
      if (!cli->quiet)
        printf ("epoch %u/%u  step %u/%u  loss %.4f  lr %.6g  %.1f img/s\n", event->epoch, event->n_epochs,
                event->step, event->n_steps, event->loss, event->lr, event->images_per_second);
      break;
    case CXR_TRAIN_EVENT_EPOCH:
      g_array_append_val (cli->history, *event->metrics);
      print_table (cli->history);
      break;
    case CXR_TRAIN_EVENT_SAVED:
      printf ("saved %s\n", event->message);
      break;
    }
  fflush (stdout);
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TrainCli *cli = user_data;
  cli->result = g_object_ref (result);
}

int
cli_train (int argc, char **argv)
{
  CxrTrainConfig config;
  cxr_train_config_init (&config);
  g_autofree char *data = NULL, *model = NULL, *arch = NULL, *out = NULL;
  g_autofree char *optimizer = NULL, *freeze = NULL, *schedule = NULL, *subset = NULL;
  int epochs = 0, batch = 0, outputs = 0, size = 0, max_images = 0;
  double lr = 0, momentum = -1, weight_decay = -1, dampening = -1, beta1 = -1, beta2 = -1, eps = -1;
  double warmup = -1, step_epochs = -1, gamma = -1, min_lr = -1, val_fraction = -1, pos_weight = 0;
  gint64 seed = 0;
  gboolean nesterov = FALSE, balanced = FALSE, no_augment = FALSE, resume = FALSE, quiet = FALSE;
  const GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data, "Dataset folder (NIH, tutorial or plain layout)", "DIR" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Start from these weights (.pth, .safetensors) and their card", "FILE" },
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &arch, "Or start from torchvision's initialisation: resnet18, resnet34, resnet50, …", "NAME" },
    { "outputs", 0, 0, G_OPTION_ARG_INT, &outputs, "With --arch: 1 (BCE), 2 (cross-entropy, default) or 14 (NIH multi-label)", "K" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output folder: checkpoints, cards, history, resume state", "DIR" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, "Epochs (default 5)", "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Batch size (default 16)", "B" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "Learning rate (default 0.01)", "LR" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "sgd (default), adam or adamw", "NAME" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &momentum, "SGD momentum (default 0.9)", "M" },
    { "dampening", 0, 0, G_OPTION_ARG_DOUBLE, &dampening, "SGD dampening (default 0)", "D" },
    { "nesterov", 0, 0, G_OPTION_ARG_NONE, &nesterov, "SGD with Nesterov momentum", NULL },
    { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &weight_decay, "Weight decay (default 1e-4; AdamW's is decoupled)", "WD" },
    { "beta1", 0, 0, G_OPTION_ARG_DOUBLE, &beta1, "Adam beta1 (default 0.9)", "B1" },
    { "beta2", 0, 0, G_OPTION_ARG_DOUBLE, &beta2, "Adam beta2 (default 0.999)", "B2" },
    { "eps", 0, 0, G_OPTION_ARG_DOUBLE, &eps, "Adam eps (default 1e-8)", "EPS" },
    { "schedule", 0, 0, G_OPTION_ARG_STRING, &schedule, "constant, step or cosine (default)", "NAME" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "Linear warmup, in epochs (default 0)", "EPOCHS" },
    { "step-epochs", 0, 0, G_OPTION_ARG_DOUBLE, &step_epochs, "Step schedule: epochs between decays (default 1)", "EPOCHS" },
    { "gamma", 0, 0, G_OPTION_ARG_DOUBLE, &gamma, "Step schedule: decay factor (default 0.1)", "G" },
    { "min-lr", 0, 0, G_OPTION_ARG_DOUBLE, &min_lr, "Cosine schedule: the final rate (default 0)", "LR" },
    { "freeze", 'f', 0, G_OPTION_ARG_STRING, &freeze, "head (train the head only), layer4 (layer4 and head) or none (default)", "MODE" },
    { "balanced", 0, 0, G_OPTION_ARG_NONE, &balanced, "Class-balanced sampling each epoch", NULL },
    { "subset", 0, 0, G_OPTION_ARG_STRING, &subset, "all (default) or balanced: every Cardiomegaly image and as many No Finding", "NAME" },
    { "no-augment", 0, 0, G_OPTION_ARG_NONE, &no_augment, "No augmentation", NULL },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Input size (default: the model card's, 224)", "PIXELS" },
    { "val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &val_fraction, "Validation share, split by patient (default 0.2)", "F" },
    { "pos-weight", 0, 0, G_OPTION_ARG_DOUBLE, &pos_weight, "Weight of the positive class in the loss", "W" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the split, order, augmentation and initialisation (default 0)", "N" },
    { "max-images", 0, 0, G_OPTION_ARG_INT, &max_images, "Use at most this many images (a seeded sample)", "N" },
    { "resume", 'r', 0, G_OPTION_ARG_NONE, &resume, "Continue the run in --out (its settings; --epochs may add epochs)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No line per step", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— train a ResNet on chest X-rays");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The task follows the head: 1 output is Cardiomegaly (BCE), 2 are No Finding vs Cardiomegaly\n"
    "(cross-entropy), 14 are the NIH findings (multi-label BCE). Images are split into training and\n"
    "validation by patient. After every epoch: OUT/epoch-NNN.pth (+ .json model card), OUT/best.pth by\n"
    "validation AUC, ties by validation loss (+ .json, .safetensors), OUT/history.csv and a resume point.\n"
    "PyTorch loads the checkpoints: model.load_state_dict(torch.load('OUT/best.pth')).\n"
    "Ctrl+C stops after the current step; continue with --resume --out OUT.");
  int status;
  if (!cli_parse_options (context, &argc, &argv, "train", &status))
    {
      cxr_train_config_clear (&config);
      return status;
    }

  g_autoptr (GError) error = NULL;
  CxrOptimizerKind kind = CXR_OPTIMIZER_SGD;
  if ((optimizer && !cxr_optimizer_kind_from_name (optimizer, &kind, &error))
      || (schedule && !cxr_schedule_kind_from_name (schedule, &config.schedule, &error))
      || (freeze && !cxr_trainable_from_freeze_name (freeze, &config.trainable, &error)))
    {
      cli_error ("train", "%s", error->message);
      cxr_train_config_clear (&config);
      return 2;
    }
  if (optimizer)
    {
      /* The kind's PyTorch defaults (AdamW's weight decay 0.01), then what was given. */
      CxrOptimizerConfig defaults;
      cxr_optimizer_config_init (&defaults, kind);
      config.optimizer.kind = kind;
      if (kind == CXR_OPTIMIZER_ADAMW)
        config.optimizer.weight_decay = defaults.weight_decay;
    }
  const char *usage_problem = NULL;
  if (subset && !g_str_equal (subset, "all") && !g_str_equal (subset, "balanced"))
    usage_problem = "--subset takes all or balanced";
  else if (resume && out == NULL)
    usage_problem = "--resume needs --out DIR, the folder of the run to continue";
  else if (!resume && (data == NULL || out == NULL))
    usage_problem = "needs --data DIR and --out DIR (and --model FILE or --arch NAME; try --help)";
  else if (model && arch)
    usage_problem = "give --model or --arch, not both";
  else if (epochs < 0 || batch < 0 || outputs < 0 || size < 0 || max_images < 0 || lr < 0)
    /* 0 stands for "not given"; a negative number was silently taken as the default */
    usage_problem = "--epochs, --batch, --outputs, --size, --max-images and --lr take positive numbers";
  if (usage_problem)
    {
      cli_error ("train", "%s", usage_problem);
      cxr_train_config_clear (&config);
      return 2;
    }

  config.data_dir = g_steal_pointer (&data);
  config.out_dir = g_steal_pointer (&out);
  if (model)
    {
      config.model_path = g_steal_pointer (&model);
      g_clear_pointer (&config.arch, g_free);
    }
  if (arch)
    {
      g_free (config.arch);
      config.arch = g_steal_pointer (&arch);
    }
  if (outputs)
    config.n_outputs = outputs;
  if (epochs > 0)
    config.epochs = epochs;
  else if (resume)
    config.epochs = 0;   /* the run's own */
  if (batch > 0)
    config.batch_size = batch;
  if (lr > 0)
    config.lr = lr;
  if (momentum >= 0)
    config.optimizer.momentum = momentum;
  if (dampening >= 0)
    config.optimizer.dampening = dampening;
  config.optimizer.nesterov = nesterov;
  if (weight_decay >= 0)
    config.optimizer.weight_decay = weight_decay;
  if (beta1 >= 0)
    config.optimizer.beta1 = beta1;
  if (beta2 >= 0)
    config.optimizer.beta2 = beta2;
  if (eps >= 0)
    config.optimizer.eps = eps;
  if (config.optimizer.kind != CXR_OPTIMIZER_SGD)
    config.optimizer.momentum = 0;
  if (warmup >= 0)
    config.warmup_epochs = warmup;
  if (step_epochs >= 0)
    config.step_epochs = step_epochs;
  if (gamma >= 0)
    config.gamma = gamma;
  if (min_lr >= 0)
    config.min_lr = min_lr;
  config.balanced_sampling = balanced;
  config.subset = g_strcmp0 (subset, "balanced") == 0 ? CXR_TRAIN_SUBSET_BALANCED : CXR_TRAIN_SUBSET_ALL;
  config.augment = !no_augment;
  if (size > 0)
    config.input_size = size;
  if (val_fraction >= 0)
    config.val_fraction = val_fraction;
  config.pos_weight = pos_weight;
  config.seed = (guint64) seed;
  if (max_images > 0)
    config.max_images = max_images;

  if (!resume && !cxr_train_config_validate (&config, &error))
    {
      cli_error ("train", "%s", error->message);
      cxr_train_config_clear (&config);
      return 2;
    }

  g_autoptr (GMainContext) main_context = g_main_context_new ();
  g_main_context_push_thread_default (main_context);
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GArray) history = g_array_new (FALSE, TRUE, sizeof (CxrEpochMetrics));
  TrainCli cli = { cancellable, NULL, 0, history, quiet };
  g_autoptr (GSource) sigint = g_unix_signal_source_new (SIGINT);
  g_source_set_callback (sigint, on_sigint, &cli, NULL);
  g_source_attach (sigint, main_context);

  cxr_engine_train_async (engine, &config, resume, on_progress, &cli, NULL, cancellable, store_result, &cli);
  g_autofree char *out_dir = g_strdup (config.out_dir);
  cxr_train_config_clear (&config);
  while (cli.result == NULL)
    g_main_context_iteration (main_context, TRUE);
  while (g_main_context_pending (main_context))
    g_main_context_iteration (main_context, FALSE);
  g_source_destroy (sigint);

  g_autoptr (GAsyncResult) result = cli.result;
  g_autoptr (CxrTrainResult) trained = cxr_engine_train_finish (engine, result, &error);
  g_main_context_pop_thread_default (main_context);
  if (trained == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fprintf (stderr, "cxrcam-cli train: stopped; a resume point is saved: continue with --resume --out %s\n",
                   out_dir);
          return 130;
        }
      cli_error ("train", "%s", error->message);
      return 1;
    }
  const CxrEpochMetrics *best = NULL;
  for (guint i = 0; i < trained->history->len; i++)
    if (g_array_index (trained->history, CxrEpochMetrics, i).best)
      best = &g_array_index (trained->history, CxrEpochMetrics, i);
  if (best)
    printf ("best: epoch %u, validation AUC %.3f: %s\n", best->epoch, best->val_auc, trained->best_path);
  return 0;
}
