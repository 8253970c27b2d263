/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-trainer.h: a training run, from a dataset folder to checkpoints PyTorch loads.
 *
 * The task follows the head: 1 output is Cardiomegaly by BCE with logits, 2 outputs are
 * [No Finding, Cardiomegaly] by cross-entropy (the tutorial's), 14 outputs are the NIH findings by
 * multi-label BCE. For 1 and 2 outputs the images are those labelled Cardiomegaly (positive) or
 * No Finding (negative), all of them or the tutorial's balanced subset; for 14, every image with a
 * label-table row. They are split into training and validation by patient (no patient on both
 * sides) from the seed (cxr-dataset-sample.h).
 *
 * Every epoch: the training images in an order drawn from (seed, epoch) — shuffled, or sampled
 * class-balanced — in batches prepared by a loader thread (cxr-train-loader.h), a training step per
 * batch (forward in train mode, loss, backward, optimiser step at the schedule's learning rate),
 * then validation (eval mode, no augmentation): loss, accuracy, ROC AUC, sensitivity and
 * specificity at 0.5 (for 14 outputs: AUC averaged over the findings present, the rest pooled over
 * all image-finding pairs).
 *
 * With only the head trainable the backbone's pooled features are computed once per image (from
 * unaugmented images: augmentation does not apply) and every epoch runs on them.
 *
 * Output folder (every file written atomically; a cancelled or killed run leaves each file either
 * as it was or complete):
 *   epoch-NNN.pth, epoch-NNN.json   the weights after epoch NNN (torch.save's state_dict format)
 *                                   and their model card
 *   best.pth, best.json, best.safetensors   the epoch with the best validation AUC so far (ties: lower val loss)
 *   history.csv                     one row per epoch: the table the CLI prints
 *   resume-<step>.safetensors       weights, BatchNorm statistics and optimiser state ("model." and
 *                                   "optimizer." keys) at the last resume point
 *   train-state.json                the run's configuration, position (epoch, step), history, best
 *                                   epoch, the split, and which resume-<step> file holds its tensors;
 *                                   written after that file and before older ones are removed, so
 *                                   it always names a complete one
 * A resume point is written after every epoch and when a run is cancelled (after the step in
 * progress). Resuming continues as if never stopped: same batches, same augmentation, same
 * optimiser state (bit for bit on the same machine).
 */
#pragma once

#include <gio/gio.h>

#include "cxr-model.h"
#include "cxr-train-config.h"

G_BEGIN_DECLS

typedef enum {
  CXR_TRAIN_EVENT_PREPARING,  /* message; done / total: images cached or features computed */
  CXR_TRAIN_EVENT_STEP,       /* epoch, step, loss, lr, images_per_second */
  CXR_TRAIN_EVENT_EPOCH,      /* metrics */
  CXR_TRAIN_EVENT_SAVED,      /* message: the files of a checkpoint or resume point */
} CxrTrainEventKind;

typedef struct {
  CxrTrainEventKind kind;
  guint epoch, n_epochs;      /* 1-based */
  guint step, n_steps;        /* 1-based step in the epoch, steps per epoch */
  guint64 global_step;        /* optimiser steps so far */
  double loss;                /* this step's */
  double lr;                  /* this step's */
  double images_per_second;   /* this step's, loading included */
  const CxrEpochMetrics *metrics;
  const char *message;
  guint done, total;
} CxrTrainEvent;

/* Called on the thread that runs the trainer, with @event borrowed for the call. */
typedef void (*CxrTrainProgressFunc) (const CxrTrainEvent *event, gpointer user_data);

typedef struct _CxrTrainer CxrTrainer;

CxrTrainer   *cxr_trainer_new              (const CxrTrainConfig *config);
void          cxr_trainer_free             (CxrTrainer *trainer);

/* Runs the configured epochs. With @resume the run continues from the output folder's
 * train-state.json: its stored configuration replaces this trainer's, except the number of epochs
 * when this one's is larger (to train on); the stored epochs are reported first (EPOCH events).
 * Cancelling stops after the current step, writes a resume point, and fails with
 * G_IO_ERROR_CANCELLED. */
gboolean      cxr_trainer_run              (CxrTrainer *trainer, gboolean resume, CxrTrainProgressFunc progress,
                                            gpointer user_data, GCancellable *cancellable, GError **error);

const CxrTrainConfig *cxr_trainer_get_config  (const CxrTrainer *trainer);
/* CxrEpochMetrics of every epoch so far (resumed ones included). */
GArray       *cxr_trainer_get_history      (const CxrTrainer *trainer);
/* best.pth in the output folder, or NULL before the first epoch. */
const char   *cxr_trainer_get_best_path    (const CxrTrainer *trainer);
/* The trained network with its card (a new reference), after cxr_trainer_run. */
CxrModel     *cxr_trainer_dup_model        (CxrTrainer *trainer);

/* What a run of a configuration would train on and how long its epochs would take, before it starts. */
typedef struct {
  guint n_labels;              /* 1, or 14 for the NIH findings */
  guint n_train, n_val;        /* images on each side of the patient split */
  guint n_train_positive;      /* ... with the positive label (for 14 outputs: any finding) */
  guint n_val_positive;
  guint steps_per_epoch;
  guint timed_steps;           /* steps measured (fewer than asked when an epoch is shorter); 0: the split only */
  double seconds_per_step;     /* median of the timed steps, image loading included */
  double seconds_validation;   /* validation, per epoch */
  double seconds_preparing;    /* head only: the frozen backbone's features, once before the first epoch */
  double seconds_per_epoch;    /* steps and validation */
} CxrTrainEstimate;

/* Opens the dataset and splits it as a run of @config would (nothing is written). With @timed_steps > 0
 * it also builds the network and times that many training steps (after one untimed step) and a
 * validation batch, on a copy that is thrown away. */
gboolean      cxr_trainer_estimate         (const CxrTrainConfig *config, guint timed_steps,
                                            GCancellable *cancellable, CxrTrainEstimate *estimate,
                                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrTrainer, cxr_trainer_free)

G_END_DECLS
