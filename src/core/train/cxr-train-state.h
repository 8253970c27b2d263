/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-state.h: where a training run stands, on disk, so that it can stop and go on.
 *
 * A resume point is two files in the output folder (see cxr-trainer.h for the whole folder):
 *   resume-<global step>.safetensors  the network's state_dict under "model.<key>" and the optimiser's
 *                                     state under "optimizer.<key>" (cxr_optimizer_save_state)
 *   train-state.json                  {"format": "cxrcam-train-state", "version": 1, "config": {...},
 *                                      "epochs_done", "step_in_epoch", "global_step", the running sums of
 *                                      the epoch in progress, "best_auc", "best_epoch", "history": [...],
 *                                      "train_images": [...], "val_images": [...], "tensors": "resume-....safetensors"}
 * Saving writes the tensors first, then the JSON that names them, then removes older resume files:
 * each write is atomic, so at any moment train-state.json names a complete tensor file.
 * Floats that are not numbers (an AUC without positives) are written as null.
 */
#pragma once

#include "cxr-train-config.h"
#include "cxr-state-dict.h"

G_BEGIN_DECLS

typedef struct {
  CxrTrainConfig config;
  guint epochs_done;           /* completed epochs (validated and checkpointed) */
  guint step_in_epoch;         /* batches done in epoch epochs_done + 1 */
  guint64 global_step;         /* optimiser steps */
  double epoch_loss_sum;       /* the epoch in progress: sum of batch losses x images */
  guint epoch_correct;         /*   correct training calls */
  guint epoch_seen;            /*   training images */
  double epoch_seconds;        /*   seconds of training */
  double best_auc;             /* NAN before any */
  guint best_epoch;            /* 0 before any */
  GArray *history;             /* CxrEpochMetrics */
  GPtrArray *train_images;     /* image names (char *) */
  GPtrArray *val_images;
  char *tensors_file;          /* the resume-<step>.safetensors it goes with (a base name) */
} CxrTrainState;

void     cxr_train_state_init  (CxrTrainState *state);
void     cxr_train_state_clear (CxrTrainState *state);

/* Writes a resume point: @model (the network's parameters) and @optimizer (its state) go into a new
 * resume-<global step>.safetensors, then train-state.json, then older resume files are removed. The
 * dicts are only read. Sets state->tensors_file. */
gboolean cxr_train_state_save  (const char *out_dir, CxrTrainState *state, const CxrStateDict *model,
                                const CxrStateDict *optimizer, GError **error);
/* Reads train-state.json alone (a run's settings, position and history, to show it), not its tensors. */
gboolean cxr_train_state_read  (const char *out_dir, CxrTrainState *state, GError **error);
/* Reads train-state.json and the tensors it names, split back into the model's and the optimiser's, then removes
 * any other resume file a killed run left in @out_dir. */
gboolean cxr_train_state_load  (const char *out_dir, CxrTrainState *state, CxrStateDict **model,
                                CxrStateDict **optimizer, GError **error);

/* Whether epoch @m beats the best so far (state->best_auc, state->best_epoch, its row in state->history): a
 * higher validation AUC, or the same AUC with a lower validation loss. An epoch without an AUC (no positives
 * among the validation images) is the best only when there is none yet. */
gboolean cxr_train_state_is_new_best (const CxrTrainState *state, const CxrEpochMetrics *m);

/* history.csv: epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_auc,val_sensitivity,
 * val_specificity,n_train,n_val,seconds,images_per_second,best — written atomically. */
gboolean cxr_train_history_save (const char *path, GArray *history, GError **error);

G_END_DECLS
