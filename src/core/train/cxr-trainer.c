/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-trainer.c: the training loop (see cxr-trainer.h). */
#include "cxr-trainer.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cxr-atomic-file.h"
#include "cxr-checkpoint.h"
#include "cxr-dataset-sample.h"
#include "cxr-dataset.h"
#include "cxr-error.h"
#include "cxr-loss.h"
#include "cxr-metrics.h"
#include "cxr-safetensors.h"
#include "cxr-train-loader.h"
#include "cxr-train-state.h"

/* ---- the trainer -------------------------------------------------------- */

struct _CxrTrainer {
  CxrTrainConfig config;
  CxrTrainState state;
  char *best_path;
  CxrModel *model;                 /* after a run */
};

/* Everything one run holds; lives in cxr_trainer_run's frame. */
typedef struct {
  CxrTrainer *trainer;
  const CxrTrainConfig *c;         /* the trainer's (resumed) configuration */
  CxrTrainProgressFunc progress;
  gpointer progress_data;
  GCancellable *cancellable;

  CxrDataset *dataset;
  CxrTrainData *data;
  GArray *train;                   /* data indices (guint) */
  GArray *val;
  int n_outputs, n_labels;

  CxrResnet *net;                  /* owned until handed to the model */
  CxrModelCard *card;
  CxrResnetTrain *training;
  CxrOptimizer *optimizer;
  CxrSchedule schedule;
  guint steps_per_epoch;
  float *features;                 /* head only: [images, F] */
  int n_features;
} Run;

static void
run_clear (Run *run)
{
  g_clear_object (&run->dataset);
  g_clear_pointer (&run->data, cxr_train_data_free);
  g_clear_pointer (&run->train, g_array_unref);
  g_clear_pointer (&run->val, g_array_unref);
  g_clear_pointer (&run->optimizer, cxr_optimizer_free);
  g_clear_pointer (&run->training, cxr_resnet_train_free);
  g_clear_pointer (&run->net, cxr_resnet_free);
  g_clear_pointer (&run->card, cxr_model_card_free);
  g_clear_pointer (&run->features, cxr_free_floats);
}

CxrTrainer *
cxr_trainer_new (const CxrTrainConfig *config)
{
  CxrTrainer *trainer = g_new0 (CxrTrainer, 1);
  cxr_train_config_copy (&trainer->config, config);
  cxr_train_state_init (&trainer->state);
  return trainer;
}

void
cxr_trainer_free (CxrTrainer *trainer)
{
  if (trainer == NULL)
    return;
  cxr_train_config_clear (&trainer->config);
  cxr_train_state_clear (&trainer->state);
  g_free (trainer->best_path);
  g_clear_pointer (&trainer->model, cxr_model_unref);
  g_free (trainer);
}

const CxrTrainConfig *
cxr_trainer_get_config (const CxrTrainer *trainer)
{
  return &trainer->config;
}

GArray *
cxr_trainer_get_history (const CxrTrainer *trainer)
{
  return trainer->state.history;
}

const char *
cxr_trainer_get_best_path (const CxrTrainer *trainer)
{
  return trainer->best_path;
}

CxrModel *
cxr_trainer_dup_model (CxrTrainer *trainer)
{
  return trainer->model ? cxr_model_ref (trainer->model) : NULL;
}

static void
emit (Run *run, const CxrTrainEvent *event)
{
  if (run->progress)
    run->progress (event, run->progress_data);
}

static void
emit_message (Run *run, CxrTrainEventKind kind, const char *message, guint done, guint total)
{
  CxrTrainEvent event = { .kind = kind, .n_epochs = run->c->epochs, .message = message, .done = done,
                          .total = total, .global_step = run->trainer->state.global_step };
  emit (run, &event);
}

/* ---- the images --------------------------------------------------------- */

static void
entry_labels (const CxrDatasetEntry *e, int n_labels, guint8 *labels)
{
  if (n_labels == 1)
    labels[0] = (e->findings & CXR_FINDING_CARDIOMEGALY) != 0;
  else
    for (int k = 0; k < n_labels; k++)
      labels[k] = (e->findings >> k) & 1;   /* CxrFinding's bits are in NIH's order */
}

static gint
compare_indices (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y;
}

/* The images of the task, before the split: ascending dataset indices. */
static GArray *
select_images (Run *run, GError **error)
{
  const CxrTrainConfig *c = run->c;
  GArray *indices;
  if (run->n_labels == 1 && c->subset == CXR_TRAIN_SUBSET_BALANCED)
    indices = cxr_dataset_balanced_subset (run->dataset, CXR_FINDING_CARDIOMEGALY, CXR_FINDING_NO_FINDING, TRUE,
                                           c->seed, NULL);
  else
    {
      CxrDatasetFilter filter = { .has_image = CXR_DATASET_YES };
      filter.any_findings = run->n_labels == 1 ? CXR_FINDING_CARDIOMEGALY | CXR_FINDING_NO_FINDING
                                               : CXR_FINDING_ANY | CXR_FINDING_NO_FINDING;
      indices = cxr_dataset_filter (run->dataset, &filter);
    }

  if (c->max_images > 0 && indices->len > c->max_images)
    {
      /* A seeded sample rather than the first names: those are few patients. */
      g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < indices->len; i++)
        g_array_append_val (order, i);
      guint64 state = cxr_train_seed_mix (c->seed, G_MAXUINT64, G_MAXUINT64 - 1);
      guint *items = (guint *) order->data;
      for (guint i = 0; i < c->max_images; i++)
        {
          state = cxr_train_seed_mix (state, i, 0);
          guint j = i + (guint) (state % (indices->len - i));
          guint t = items[i];
          items[i] = items[j];
          items[j] = t;
        }
      GArray *sample = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < c->max_images; i++)
        g_array_append_val (sample, g_array_index (indices, guint, items[i]));
      g_array_sort (sample, compare_indices);
      g_array_unref (indices);
      indices = sample;
    }
  if (indices->len < 4)
    {
      g_array_unref (indices);
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "%s: only %u images fit the task (%s); training needs more",
                   c->data_dir, indices->len,
                   run->n_labels == 1 ? "Cardiomegaly or No Finding, with an image file" : "labelled, with an image file");
      return NULL;
    }
  return indices;
}

static GArray *
indices_from_names (Run *run, GPtrArray *names, GError **error)
{
  GArray *indices = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < names->len; i++)
    {
      guint index;
      if (!cxr_dataset_lookup (run->dataset, g_ptr_array_index (names, i), &index))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_MISMATCH,
                       "cannot resume: %s no longer holds %s, which the run trained on", run->c->data_dir,
                       (const char *) g_ptr_array_index (names, i));
          g_array_unref (indices);
          return NULL;
        }
      g_array_append_val (indices, index);
    }
  return indices;
}

static void
names_of (Run *run, GArray *indices, GPtrArray *names)
{
  g_ptr_array_set_size (names, 0);
  for (guint i = 0; i < indices->len; i++)
    g_ptr_array_add (names, g_strdup (cxr_dataset_get_entry (run->dataset, g_array_index (indices, guint, i))->name));
}

static gboolean
prepare_images (Run *run, gboolean resume, GError **error)
{
  CxrTrainState *state = &run->trainer->state;
  run->dataset = cxr_dataset_open (run->c->data_dir, CXR_DATASET_OPEN_REQUIRE_IMAGES, error);
  if (run->dataset == NULL)
    return FALSE;

  g_autoptr (GArray) train_entries = NULL, val_entries = NULL;
  if (resume)
    {
      train_entries = indices_from_names (run, state->train_images, error);
      val_entries = train_entries ? indices_from_names (run, state->val_images, error) : NULL;
      if (val_entries == NULL)
        return FALSE;
    }
  else
    {
      g_autoptr (GArray) selected = select_images (run, error);
      if (selected == NULL)
        return FALSE;
      if (!cxr_dataset_split_by_patient (run->dataset, (const guint *) selected->data, selected->len,
                                         run->c->val_fraction, run->c->seed, &train_entries, &val_entries, error))
        return FALSE;
      if (train_entries->len < 2 || val_entries->len < 1)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID,
                       "the split leaves %u training and %u validation images; use more images or another "
                       "validation fraction", train_entries->len, val_entries->len);
          return FALSE;
        }
      names_of (run, train_entries, state->train_images);
      names_of (run, val_entries, state->val_images);
    }

  CxrPreprocessParams params;
  cxr_preprocess_params_init_default (&params);
  params.width = run->card->input_width;
  params.height = run->card->input_height;
  params.channels = cxr_resnet_get_arch (run->net)->input_channels;
  for (int k = 0; k < 3; k++)
    {
      params.mean[k] = run->card->mean[k];
      params.std[k] = run->card->std[k];
    }
  run->data = cxr_train_data_new (&params, run->n_labels);
  run->train = g_array_new (FALSE, FALSE, sizeof (guint));
  run->val = g_array_new (FALSE, FALSE, sizeof (guint));
  for (int side = 0; side < 2; side++)
    {
      GArray *entries = side ? val_entries : train_entries;
      for (guint i = 0; i < entries->len; i++)
        {
          guint entry = g_array_index (entries, guint, i);
          guint8 labels[CXR_TRAIN_MAX_LABELS];
          entry_labels (cxr_dataset_get_entry (run->dataset, entry), run->n_labels, labels);
          g_autofree char *path = cxr_dataset_dup_image_path (run->dataset, entry);
          guint index = cxr_train_data_add (run->data, path, labels);
          g_array_append_val (side ? run->val : run->train, index);
        }
    }
  return TRUE;
}

/* ---- the network -------------------------------------------------------- */

static gboolean
prepare_network (Run *run, GError **error)
{
  const CxrTrainConfig *c = run->c;
  if (c->model_path)
    {
      g_autoptr (CxrModel) model = cxr_model_load (c->model_path, NULL, error);
      if (model == NULL)
        return FALSE;
      /* A copy of the weights: the loaded model stays untouched. */
      run->net = cxr_resnet_new_from_state_dict (cxr_resnet_get_parameters (cxr_model_get_network (model)), error);
      if (run->net == NULL)
        return FALSE;
      run->card = cxr_model_card_copy (cxr_model_get_card (model));
    }
  else
    {
      CxrResnetArch arch;
      if (!cxr_resnet_arch_from_name (c->arch, 3, c->n_outputs, &arch, error))
        return FALSE;
      run->net = cxr_resnet_new (&arch, c->seed);
      run->card = cxr_model_card_new_default (c->n_outputs);
    }
  if (c->input_size)
    run->card->input_width = run->card->input_height = c->input_size;
  run->card->input_channels = cxr_resnet_get_arch (run->net)->input_channels;
  g_clear_pointer (&run->card->source_path, g_free);

  run->n_outputs = cxr_resnet_get_arch (run->net)->n_classes;
  if (run->n_outputs != 1 && run->n_outputs != 2 && run->n_outputs != 14)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_UNSUPPORTED,
                   "a head of %d outputs: cxrcam trains 1 (Cardiomegaly), 2 (No Finding, Cardiomegaly) or 14 (NIH)",
                   run->n_outputs);
      return FALSE;
    }
  run->n_labels = run->n_outputs == 14 ? 14 : 1;
  return TRUE;
}

static void
prepare_optimizer (Run *run)
{
  run->training = cxr_resnet_train_new (run->net, run->c->trainable);
  run->optimizer = cxr_optimizer_new (&run->c->optimizer);
  CxrStateDict *grads = cxr_resnet_train_get_gradients (run->training);
  CxrStateDict *params = cxr_resnet_get_parameters (run->net);
  for (guint i = 0; i < cxr_state_dict_size (grads); i++)
    {
      const char *key = cxr_state_dict_key_at (grads, i);
      cxr_optimizer_add (run->optimizer, key, cxr_state_dict_lookup (params, key), cxr_state_dict_lookup (grads, key));
    }
}

static guint
batches_per_epoch (guint images, guint batch)
{
  /* The loader's rule for training: a last batch of one image is dropped. */
  guint rest = images % batch;
  return images / batch + (rest > 1 ? 1 : 0);
}

static void
prepare_schedule (Run *run)
{
  const CxrTrainConfig *c = run->c;
  run->steps_per_epoch = batches_per_epoch (run->train->len, c->batch_size);
  cxr_schedule_init (&run->schedule, c->schedule, c->lr);
  run->schedule.total_steps = run->steps_per_epoch * c->epochs;
  run->schedule.warmup_steps = (guint) lround (c->warmup_epochs * run->steps_per_epoch);
  run->schedule.step_size = MAX (1, (guint) lround (c->step_epochs * run->steps_per_epoch));
  run->schedule.gamma = c->gamma;
  run->schedule.min_lr = c->min_lr;
}

/* ---- steps and evaluation ----------------------------------------------- */

/* Probability of the positive class (or of each finding) from logits [n, outputs] into p [n, labels]. */
static void
probabilities (int outputs, const float *logits, int n, float *p)
{
  for (int i = 0; i < n; i++)
    {
      const float *z = logits + (gsize) i * outputs;
      if (outputs == 2)
        p[i] = (float) (1.0 / (1.0 + exp ((double) z[0] - z[1])));
      else
        for (int k = 0; k < outputs; k++)
          p[(gsize) i * outputs + k] = (float) (1.0 / (1.0 + exp (-(double) z[k])));
    }
}

/* Correct calls at 0.5 over n images (n x labels calls for 14 outputs). */
static guint
correct_calls (int outputs, int n_labels, const float *logits, const guint8 *labels, int n)
{
  g_autofree float *p = g_new (float, (gsize) n * n_labels);
  probabilities (outputs, logits, n, p);
  guint correct = 0;
  for (gsize i = 0; i < (gsize) n * n_labels; i++)
    correct += (p[i] >= 0.5f) == (labels[i] != 0);
  return correct;
}

static gboolean
check_cancelled (Run *run, GError **error)
{
  return g_cancellable_set_error_if_cancelled (run->cancellable, error);
}

/* Head only: the pooled features of every image (training then validation), once. */
static gboolean
compute_features (Run *run, GError **error)
{
  guint total = cxr_train_data_get_size (run->data);
  int batch = run->c->batch_size;
  const CxrPreprocessParams *p = cxr_train_data_get_params (run->data);
  run->n_features = cxr_resnet_train_get_n_features (run->training);
  run->features = cxr_alloc_floats ((gsize) total * run->n_features);
  g_autofree guint *all = g_new (guint, total);
  for (guint i = 0; i < total; i++)
    all[i] = i;
  g_autoptr (CxrLoader) loader = cxr_loader_new (run->data, all, total, batch, FALSE, NULL, run->c->seed, 0, 0);
  g_autofree float *padded = cxr_alloc_floats (cxr_train_data_get_image_floats (run->data) * batch);
  g_autofree float *out = cxr_alloc_floats ((gsize) batch * run->n_features);
  guint done = 0;
  GError *local_error = NULL;
  for (CxrBatch *b; (b = cxr_loader_next (loader, &local_error)) != NULL; cxr_loader_recycle (loader, b))
    {
      if (check_cancelled (run, error))
        return FALSE;
      /* Always a full batch (eval mode: the padding does not touch the real images). */
      gsize floats = cxr_train_data_get_image_floats (run->data);
      memcpy (padded, b->input, floats * b->n * sizeof (float));
      memset (padded + floats * b->n, 0, floats * (batch - b->n) * sizeof (float));
      if (!cxr_resnet_train_features (run->training, padded, batch, p->height, p->width, out, error))
        return FALSE;
      for (int i = 0; i < b->n; i++)
        memcpy (run->features + (gsize) b->indices[i] * run->n_features, out + (gsize) i * run->n_features,
                run->n_features * sizeof (float));
      done += b->n;
      emit_message (run, CXR_TRAIN_EVENT_PREPARING, "computing the frozen backbone's features", done, total);
    }
  if (local_error)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* Validation in eval mode: metrics of every validation image. */
static gboolean
evaluate (Run *run, CxrEpochMetrics *m, GError **error)
{
  guint n_val = run->val->len;
  int batch = run->c->batch_size, outputs = run->n_outputs, k = run->n_labels;
  const CxrPreprocessParams *p = cxr_train_data_get_params (run->data);
  gsize floats = cxr_train_data_get_image_floats (run->data);
  g_autofree float *logits = g_new (float, (gsize) n_val * outputs);
  g_autofree guint8 *labels = g_new (guint8, (gsize) n_val * k);

  if (run->features)
    {
      g_autofree float *rows = g_new (float, (gsize) n_val * run->n_features);
      for (guint i = 0; i < n_val; i++)
        {
          guint index = g_array_index (run->val, guint, i);
          memcpy (rows + (gsize) i * run->n_features, run->features + (gsize) index * run->n_features,
                  run->n_features * sizeof (float));
          memcpy (labels + (gsize) i * k, cxr_train_data_get_labels (run->data, index), k);
        }
      cxr_resnet_train_head_forward (run->training, rows, n_val, logits);
    }
  else
    {
      g_autoptr (CxrLoader) loader = cxr_loader_new (run->data, (const guint *) run->val->data, n_val, batch, FALSE,
                                                     NULL, run->c->seed, 0, 0);
      g_autofree float *padded = cxr_alloc_floats (floats * batch);
      g_autofree float *out = g_new (float, (gsize) batch * outputs);
      guint done = 0;
      GError *local_error = NULL;
      for (CxrBatch *b; (b = cxr_loader_next (loader, &local_error)) != NULL; cxr_loader_recycle (loader, b))
        {
          if (check_cancelled (run, error))
            return FALSE;
          memcpy (padded, b->input, floats * b->n * sizeof (float));
          memset (padded + floats * b->n, 0, floats * (batch - b->n) * sizeof (float));
          if (!cxr_resnet_train_evaluate (run->training, padded, batch, p->height, p->width, out, error))
            return FALSE;
          memcpy (logits + (gsize) done * outputs, out, (gsize) b->n * outputs * sizeof (float));
          memcpy (labels + (gsize) done * k, b->labels, (gsize) b->n * k);
          done += b->n;
        }
      if (local_error)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }

  m->n_val = n_val;
  m->val_loss = cxr_loss_for_head (NULL, logits, labels, n_val, outputs, run->c->pos_weight);
  g_autofree float *prob = g_new (float, (gsize) n_val * k);
  probabilities (outputs, logits, n_val, prob);
  if (k == 1)
    {
      CxrBinaryMetrics b;
      cxr_binary_metrics (prob, labels, n_val, 0.5, &b);
      m->val_accuracy = b.accuracy;
      m->val_auc = b.auc;
      m->val_sensitivity = b.sensitivity;
      m->val_specificity = b.specificity;
      return TRUE;
    }
  /* 14 findings: AUC averaged over the findings with both classes; the rest pooled over all pairs. */
  CxrBinaryMetrics pooled;
  cxr_binary_metrics (prob, labels, n_val * k, 0.5, &pooled);
  m->val_accuracy = pooled.accuracy;
  m->val_sensitivity = pooled.sensitivity;
  m->val_specificity = pooled.specificity;
  double auc_sum = 0;
  int auc_count = 0;
  g_autofree float *column = g_new (float, n_val);
  g_autofree guint8 *column_labels = g_new (guint8, n_val);
  for (int f = 0; f < k; f++)
    {
      for (guint i = 0; i < n_val; i++)
        {
          column[i] = prob[(gsize) i * k + f];
          column_labels[i] = labels[(gsize) i * k + f];
        }
      double auc = cxr_roc_auc (column, column_labels, n_val);
      if (isfinite (auc))
        auc_sum += auc, auc_count++;
    }
  m->val_auc = auc_count ? auc_sum / auc_count : NAN;
  return TRUE;
}

/* ---- checkpoints -------------------------------------------------------- */

static char *
out_path (Run *run, const char *name)
{
  return g_build_filename (run->c->out_dir, name, NULL);
}

/* weights.pth and the card beside it (weights stem + .json). */
static gboolean
save_weights (Run *run, const char *stem, gboolean with_safetensors, GError **error)
{
  g_autofree char *pth_name = g_strconcat (stem, ".pth", NULL);
  g_autofree char *card_name = g_strconcat (stem, ".json", NULL);
  g_autofree char *pth = out_path (run, pth_name);
  g_autofree char *card = out_path (run, card_name);
  CxrStateDict *params = cxr_resnet_get_parameters (run->net);
  if (!cxr_checkpoint_save_pth (pth, params, error) || !cxr_model_card_save (run->card, card, error))
    return FALSE;
  if (with_safetensors)
    {
      g_autofree char *st_name = g_strconcat (stem, ".safetensors", NULL);
      g_autofree char *st = out_path (run, st_name);
      if (!cxr_safetensors_save (st, params, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
save_resume_point (Run *run, GError **error)
{
  g_autoptr (CxrStateDict) optimizer_state = cxr_optimizer_save_state (run->optimizer);
  if (!cxr_train_state_save (run->c->out_dir, &run->trainer->state, cxr_resnet_get_parameters (run->net),
                             optimizer_state, error))
    return FALSE;
  g_autofree char *message = g_strdup_printf ("resume point %s", run->trainer->state.tensors_file);
  emit_message (run, CXR_TRAIN_EVENT_SAVED, message, 0, 0);
  return TRUE;
}

/* After an epoch: its checkpoint, the best one, the history, the resume point. */
static gboolean
finish_epoch (Run *run, CxrEpochMetrics *m, GError **error)
{
  CxrTrainState *state = &run->trainer->state;
  g_autofree char *stem = g_strdup_printf ("epoch-%03u", m->epoch);
  if (!save_weights (run, stem, FALSE, error))
    return FALSE;
  gboolean better = cxr_train_state_is_new_best (state, m);
  if (better)
    {
      if (!save_weights (run, "best", TRUE, error))
        return FALSE;
      state->best_auc = m->val_auc;
      state->best_epoch = m->epoch;
      m->best = TRUE;
      g_free (run->trainer->best_path);
      run->trainer->best_path = out_path (run, "best.pth");
    }
  g_array_append_val (state->history, *m);
  g_autofree char *history = out_path (run, "history.csv");
  if (!cxr_train_history_save (history, state->history, error))
    return FALSE;

  state->epochs_done = m->epoch;
  state->step_in_epoch = 0;
  state->epoch_loss_sum = 0;
  state->epoch_correct = 0;
  state->epoch_seen = 0;
  state->epoch_seconds = 0;
  if (!save_resume_point (run, error))
    return FALSE;
  g_autofree char *message = g_strdup_printf ("%s.pth%s", stem, better ? " (best so far: best.pth)" : "");
  emit_message (run, CXR_TRAIN_EVENT_SAVED, message, 0, 0);
  return TRUE;
}

/* ---- epochs ------------------------------------------------------------- */

/* One step on a batch; returns the loss. */
static double
train_step (Run *run, const float *input, const float *features, const guint8 *labels, int n, double lr,
            guint *correct, GError **error)
{
  int outputs = run->n_outputs;
  const CxrPreprocessParams *p = cxr_train_data_get_params (run->data);
  g_autofree float *logits = g_new (float, (gsize) n * outputs);
  g_autofree float *dlogits = g_new (float, (gsize) n * outputs);
  if (features)
    cxr_resnet_train_head_forward (run->training, features, n, logits);
  else if (!cxr_resnet_train_forward (run->training, input, n, p->height, p->width, logits, error))
    return NAN;
  double loss = cxr_loss_for_head (dlogits, logits, labels, n, outputs, run->c->pos_weight);
  if (features)
    cxr_resnet_train_head_backward (run->training, features, dlogits, n);
  else
    cxr_resnet_train_backward (run->training, dlogits);
  cxr_optimizer_step (run->optimizer, lr, cxr_resnet_train_get_parallel (run->training));
  cxr_resnet_parameters_changed (run->net);
  *correct = correct_calls (outputs, run->n_labels, logits, labels, n);
  return loss;
}

static gboolean
run_epoch (Run *run, guint epoch, GError **error)
{
  const CxrTrainConfig *c = run->c;
  CxrTrainState *state = &run->trainer->state;
  g_autoptr (GArray) order = cxr_train_data_epoch_order (run->data, (const guint *) run->train->data, run->train->len,
                                                         c->balanced_sampling, c->seed, epoch);
  gint64 epoch_start = g_get_monotonic_time ();
  guint first = state->step_in_epoch;
  int k = run->n_labels;

  if (run->features)
    {
      /* Head only: batches are rows of the cached features, in the epoch's order. */
      int batch = c->batch_size;
      g_autofree float *rows = g_new (float, (gsize) batch * run->n_features);
      g_autofree guint8 *labels = g_new (guint8, (gsize) batch * k);
      for (guint step = first; step < run->steps_per_epoch; step++)
        {
          if (check_cancelled (run, error))
            return FALSE;
          gint64 t0 = g_get_monotonic_time ();
          guint start = step * batch;
          int n = MIN ((guint) batch, order->len - start);
          for (int i = 0; i < n; i++)
            {
              guint index = g_array_index (order, guint, start + i);
              memcpy (rows + (gsize) i * run->n_features, run->features + (gsize) index * run->n_features,
                      run->n_features * sizeof (float));
              memcpy (labels + (gsize) i * k, cxr_train_data_get_labels (run->data, index), k);
            }
          double lr = cxr_schedule_lr (&run->schedule, state->global_step);
          guint correct;
          double loss = train_step (run, NULL, rows, labels, n, lr, &correct, error);
          state->global_step++;
          state->step_in_epoch = step + 1;
          state->epoch_loss_sum += loss * n;
          state->epoch_correct += correct;
          state->epoch_seen += n;
          double seconds = (g_get_monotonic_time () - t0) / 1e6;
          state->epoch_seconds += seconds;
          CxrTrainEvent event = { CXR_TRAIN_EVENT_STEP, epoch + 1, c->epochs, step + 1, run->steps_per_epoch,
                                  state->global_step, loss, lr, n / MAX (seconds, 1e-9) };
          emit (run, &event);
        }
    }
  else
    {
      g_autoptr (CxrLoader) loader = cxr_loader_new (run->data, (const guint *) order->data, order->len,
                                                     c->batch_size, TRUE, c->augment ? &c->augment_params : NULL,
                                                     c->seed, epoch, first);
      gint64 t0 = g_get_monotonic_time ();
      GError *local_error = NULL;
      for (CxrBatch *b; (b = cxr_loader_next (loader, &local_error)) != NULL; cxr_loader_recycle (loader, b))
        {
          if (g_cancellable_is_cancelled (run->cancellable))
            {
              cxr_loader_recycle (loader, b);
              check_cancelled (run, error);
              return FALSE;
            }
          double lr = cxr_schedule_lr (&run->schedule, state->global_step);
          guint correct;
          double loss = train_step (run, b->input, NULL, b->labels, b->n, lr, &correct, &local_error);
          if (local_error)
            {
              cxr_loader_recycle (loader, b);
              break;
            }
          state->global_step++;
          state->step_in_epoch = b->number + 1;
          state->epoch_loss_sum += loss * b->n;
          state->epoch_correct += correct;
          state->epoch_seen += b->n;
          gint64 t1 = g_get_monotonic_time ();
          double seconds = (t1 - t0) / 1e6;
          t0 = t1;
          state->epoch_seconds += seconds;
          CxrTrainEvent event = { CXR_TRAIN_EVENT_STEP, epoch + 1, c->epochs, b->number + 1, run->steps_per_epoch,
                                  state->global_step, loss, lr, b->n / MAX (seconds, 1e-9) };
          emit (run, &event);
          if (g_cancellable_is_cancelled (run->cancellable))
            {
              cxr_loader_recycle (loader, b);
              check_cancelled (run, error);
              return FALSE;
            }
        }
      if (local_error)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }

  CxrEpochMetrics m = { .epoch = epoch + 1 };
  m.n_train = state->epoch_seen;
  m.train_loss = state->epoch_seen ? state->epoch_loss_sum / state->epoch_seen : NAN;
  m.train_accuracy = state->epoch_seen ? (double) state->epoch_correct / ((double) state->epoch_seen * k) : NAN;
  m.images_per_second = state->epoch_seconds > 0 ? state->epoch_seen / state->epoch_seconds : 0;
  if (!evaluate (run, &m, error))
    return FALSE;
  m.seconds = (g_get_monotonic_time () - epoch_start) / 1e6;
  if (!finish_epoch (run, &m, error))
    return FALSE;
  CxrTrainEvent event = { .kind = CXR_TRAIN_EVENT_EPOCH, .epoch = epoch + 1, .n_epochs = c->epochs,
                          .global_step = state->global_step, .metrics = &m };
  emit (run, &event);
  return TRUE;
}

/* ---- the run ------------------------------------------------------------ */

static gboolean
prepare_output (const CxrTrainConfig *c, gboolean resume, GError **error)
{
  if (g_mkdir_with_parents (c->out_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot create %s: %s", c->out_dir, g_strerror (saved));
      return FALSE;
    }
  /* Checkpoints and resume points that a killed run left half written. */
  cxr_atomic_file_sweep (c->out_dir);
  g_autofree char *state = g_build_filename (c->out_dir, "train-state.json", NULL);
  if (!resume && g_file_test (state, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_CONFLICT,
                   "%s already holds a training run; resume it, or train into another folder", c->out_dir);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_all (Run *run, gboolean resume, CxrStateDict *resume_model, CxrStateDict *resume_optimizer, GError **error)
{
  const CxrTrainConfig *c = run->c;
  CxrTrainState *state = &run->trainer->state;

  if (check_cancelled (run, error) || !prepare_network (run, error))
    return FALSE;
  if (resume_model && !cxr_resnet_load_state_dict (run->net, resume_model, error))
    {
      g_prefix_error (error, "cannot resume: ");
      return FALSE;
    }
  emit_message (run, CXR_TRAIN_EVENT_PREPARING, "reading the dataset", 0, 0);
  if (!prepare_images (run, resume, error) || check_cancelled (run, error))
    return FALSE;
  prepare_optimizer (run);
  if (resume_optimizer && !cxr_optimizer_load_state (run->optimizer, resume_optimizer, state->global_step, error))
    {
      g_prefix_error (error, "cannot resume: ");
      return FALSE;
    }
  prepare_schedule (run);
  if (!resume)
    {
      state->best_auc = NAN;
      /* A resume point before the first step, so that a run killed at any moment from here on can go on (a kill
       * during the first epoch used to leave nothing to resume from). */
      g_autoptr (CxrStateDict) optimizer_state = cxr_optimizer_save_state (run->optimizer);
      if (!cxr_train_state_save (c->out_dir, state, cxr_resnet_get_parameters (run->net), optimizer_state, error))
        return FALSE;
    }
  if (state->best_epoch > 0)
    run->trainer->best_path = out_path (run, "best.pth");
  /* A resumed run tells its past epochs first, so that a plot of the run is whole. */
  for (guint i = 0; i < state->history->len; i++)
    {
      CxrTrainEvent event = { .kind = CXR_TRAIN_EVENT_EPOCH, .epoch = i + 1, .n_epochs = c->epochs,
                              .metrics = &g_array_index (state->history, CxrEpochMetrics, i) };
      emit (run, &event);
    }

  /* Nothing to keep yet if this is cancelled: no step has been taken. */
  if (c->trainable == CXR_TRAINABLE_HEAD && !compute_features (run, error))
    return FALSE;

  for (guint epoch = state->epochs_done; epoch < c->epochs; epoch++)
    {
      GError *local_error = NULL;
      if (run_epoch (run, epoch, &local_error))
        continue;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Stopped between steps: keep where we are. */
          GError *save_error = NULL;
          if (!save_resume_point (run, &save_error))
            {
              g_clear_error (&local_error);
              g_propagate_prefixed_error (&local_error, save_error, "cancelled, but the resume point was not saved: ");
            }
        }
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
cxr_trainer_run (CxrTrainer *trainer, gboolean resume, CxrTrainProgressFunc progress, gpointer user_data,
                 GCancellable *cancellable, GError **error)
{
  g_autoptr (CxrStateDict) resume_model = NULL, resume_optimizer = NULL;
  if (resume)
    {
      g_autofree char *out_dir = g_strdup (trainer->config.out_dir);
      guint epochs = trainer->config.epochs;
      cxr_train_state_clear (&trainer->state);
      cxr_train_state_init (&trainer->state);
      if (out_dir == NULL)
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "resuming needs the run's output folder");
          return FALSE;
        }
      g_autofree char *state_path = g_build_filename (out_dir, "train-state.json", NULL);
      if (!g_file_test (state_path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "%s holds no training run to resume (no "
                       "train-state.json): start one with --data and --out", out_dir);
          return FALSE;
        }
      if (!cxr_train_state_load (out_dir, &trainer->state, &resume_model, &resume_optimizer, error))
        return FALSE;
      cxr_train_config_clear (&trainer->config);
      cxr_train_config_copy (&trainer->config, &trainer->state.config);
      /* The folder may have moved since. */
      g_free (trainer->config.out_dir);
      trainer->config.out_dir = g_steal_pointer (&out_dir);
      /* More epochs than the run had: train on (0 keeps the run's). */
      trainer->config.epochs = MAX (trainer->config.epochs, epochs);
    }
  if (!cxr_train_config_validate (&trainer->config, error) || !prepare_output (&trainer->config, resume, error))
    return FALSE;
  cxr_train_config_clear (&trainer->state.config);
  cxr_train_config_copy (&trainer->state.config, &trainer->config);
  g_clear_pointer (&trainer->model, cxr_model_unref);

  Run run = { trainer, &trainer->config, progress, user_data, cancellable };
  gboolean ok = run_all (&run, resume, resume_model, resume_optimizer, error);
  if (ok)
    {
      /* The trained network becomes a model (the last epoch's weights, with their card). */
      g_clear_pointer (&run.optimizer, cxr_optimizer_free);
      g_clear_pointer (&run.training, cxr_resnet_train_free);
      g_autofree char *last = g_strdup_printf ("epoch-%03u.pth", trainer->state.epochs_done);
      g_autofree char *path = out_path (&run, last);
      trainer->model = cxr_model_new (g_steal_pointer (&run.net), run.card, path);
    }
  run_clear (&run);
  return ok;
}

/* ---- before a run: the split and the time per epoch ---------------------- */

static int
compare_seconds (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static guint
count_positive (Run *run, GArray *indices)
{
  guint positive = 0;
  for (guint i = 0; i < indices->len; i++)
    {
      const guint8 *labels = cxr_train_data_get_labels (run->data, g_array_index (indices, guint, i));
      for (int k = 0; k < run->n_labels; k++)
        if (labels[k])
          {
            positive++;
            break;
          }
    }
  return positive;
}

/* Seconds of one call of the frozen backbone (head only) or of validation, on a full batch of the
 * first images: the second of two calls, the first paying for allocation. */
static gboolean
time_eval_batch (Run *run, gboolean features, double *seconds, GError **error)
{
  int batch = run->c->batch_size;
  const CxrPreprocessParams *p = cxr_train_data_get_params (run->data);
  gsize floats = cxr_train_data_get_image_floats (run->data);
  guint total = MIN ((guint) batch, run->train->len);
  g_autoptr (CxrLoader) loader = cxr_loader_new (run->data, (const guint *) run->train->data, total, batch, FALSE,
                                                 NULL, run->c->seed, 0, 0);
  GError *local_error = NULL;
  CxrBatch *b = cxr_loader_next (loader, &local_error);
  if (b == NULL)
    {
      if (local_error)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, CXR_ERROR, CXR_ERROR_FAILED, "no image to time");
      return FALSE;
    }
  g_autofree float *padded = cxr_alloc_floats (floats * batch);
  memcpy (padded, b->input, floats * b->n * sizeof (float));
  memset (padded + floats * b->n, 0, floats * (batch - b->n) * sizeof (float));
  cxr_loader_recycle (loader, b);
  int width = features ? cxr_resnet_train_get_n_features (run->training) : run->n_outputs;
  g_autofree float *out = cxr_alloc_floats ((gsize) batch * width);
  for (int round = 0; round < 2; round++)
    {
      if (check_cancelled (run, error))
        return FALSE;
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = features ? cxr_resnet_train_features (run->training, padded, batch, p->height, p->width, out, error)
                             : cxr_resnet_train_evaluate (run->training, padded, batch, p->height, p->width, out, error);
      if (!ok)
        return FALSE;
      *seconds = (g_get_monotonic_time () - t0) / 1e6;
    }
  return TRUE;
}

/* Median seconds per training step (loading included, as the run counts it) over @timed_steps steps
 * after one untimed step (fewer when the epoch is shorter): *n_timed. */
static gboolean
time_steps (Run *run, guint timed_steps, double *seconds, guint *n_timed, GError **error)
{
  const CxrTrainConfig *c = run->c;
  int k = run->n_labels;
  g_autoptr (GArray) order = cxr_train_data_epoch_order (run->data, (const guint *) run->train->data, run->train->len,
                                                         c->balanced_sampling, c->seed, 0);
  g_autofree double *times = g_new (double, timed_steps);
  guint timed = 0;
  guint correct;

  if (run->features)
    {
      int batch = c->batch_size;
      int n = MIN ((guint) batch, order->len);
      g_autofree float *rows = g_new0 (float, (gsize) batch * run->n_features);
      g_autofree guint8 *labels = g_new0 (guint8, (gsize) batch * k);
      for (guint step = 0; step <= timed_steps; step++)
        {
          if (check_cancelled (run, error))
            return FALSE;
          gint64 t0 = g_get_monotonic_time ();
          train_step (run, NULL, rows, labels, n, c->lr, &correct, error);
          if (step > 0)
            times[timed++] = (g_get_monotonic_time () - t0) / 1e6;
        }
    }
  else
    {
      guint wanted = MIN ((timed_steps + 1) * c->batch_size, order->len);
      g_autoptr (CxrLoader) loader = cxr_loader_new (run->data, (const guint *) order->data, wanted, c->batch_size,
                                                     TRUE, c->augment ? &c->augment_params : NULL, c->seed, 0, 0);
      GError *local_error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      guint step = 0;
      for (CxrBatch *b; (b = cxr_loader_next (loader, &local_error)) != NULL; cxr_loader_recycle (loader, b), step++)
        {
          if (check_cancelled (run, error))
            {
              cxr_loader_recycle (loader, b);
              return FALSE;
            }
          train_step (run, b->input, NULL, b->labels, b->n, c->lr, &correct, &local_error);
          if (local_error)
            {
              cxr_loader_recycle (loader, b);
              break;
            }
          gint64 t1 = g_get_monotonic_time ();
          if (step > 0 && timed < timed_steps)
            times[timed++] = (t1 - t0) / 1e6;
          t0 = t1;
        }
      if (local_error)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }
  if (timed == 0)
    {
      g_set_error (error, CXR_ERROR, CXR_ERROR_INVALID, "too few training images to time a step");
      return FALSE;
    }
  qsort (times, timed, sizeof (double), compare_seconds);
  *n_timed = timed;
  *seconds = timed % 2 ? times[timed / 2] : (times[timed / 2 - 1] + times[timed / 2]) / 2;
  return TRUE;
}

static gboolean
estimate_run (Run *run, guint timed_steps, CxrTrainEstimate *e, GError **error)
{
  const CxrTrainConfig *c = run->c;
  if (!prepare_network (run, error) || !prepare_images (run, FALSE, error))
    return FALSE;
  e->n_labels = run->n_labels;
  e->n_train = run->train->len;
  e->n_val = run->val->len;
  e->n_train_positive = count_positive (run, run->train);
  e->n_val_positive = count_positive (run, run->val);
  e->steps_per_epoch = batches_per_epoch (run->train->len, c->batch_size);
  if (timed_steps == 0)
    return TRUE;

  prepare_optimizer (run);
  prepare_schedule (run);
  guint batches_val = (run->val->len + c->batch_size - 1) / c->batch_size;
  if (c->trainable == CXR_TRAINABLE_HEAD)
    {
      /* The backbone runs once per image before the first epoch; the epochs train the head alone. */
      double per_batch;
      if (!time_eval_batch (run, TRUE, &per_batch, error))
        return FALSE;
      guint images = run->train->len + run->val->len;
      e->seconds_preparing = per_batch * ((images + c->batch_size - 1) / c->batch_size);
      run->n_features = cxr_resnet_train_get_n_features (run->training);
      run->features = cxr_alloc_floats ((gsize) cxr_train_data_get_size (run->data) * run->n_features);
      memset (run->features, 0, sizeof (float) * cxr_train_data_get_size (run->data) * run->n_features);
      e->seconds_validation = 0;
    }
  else
    {
      double per_batch;
      if (!time_eval_batch (run, FALSE, &per_batch, error))
        return FALSE;
      e->seconds_validation = per_batch * batches_val;
    }
  if (!time_steps (run, timed_steps, &e->seconds_per_step, &e->timed_steps, error))
    return FALSE;
  e->seconds_per_epoch = e->seconds_per_step * e->steps_per_epoch + e->seconds_validation;
  return TRUE;
}

gboolean
cxr_trainer_estimate (const CxrTrainConfig *config, guint timed_steps, GCancellable *cancellable,
                      CxrTrainEstimate *estimate, GError **error)
{
  memset (estimate, 0, sizeof *estimate);
  if (!cxr_train_config_validate (config, error))
    return FALSE;
  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (config);
  Run run = { trainer, &trainer->config, NULL, NULL, cancellable };
  gboolean ok = estimate_run (&run, timed_steps, estimate, error);
  run_clear (&run);
  return ok;
}
