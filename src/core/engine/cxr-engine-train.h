/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine-train.h: training as an engine job, for the UI's training page and the CLI.
 *
 * The job runs a CxrTrainer (cxr-trainer.h) on the engine thread. Every event — preparation, each
 * step (loss, learning rate, images per second), each epoch's metrics, each checkpoint — reaches
 * the caller's progress function on the main context that was thread-default when the job was
 * started (always through an idle source there: cxr_engine_progress_send), in order, as a copy
 * that lives for the call. Each step is also appended to the output folder's steps.csv
 * (cxr-train-steps.h), so that the run's loss curve can be drawn again from its folder. Cancelling stops after the step in
 * progress, leaves a resume point in the output folder, and finishes the job with
 * G_IO_ERROR_CANCELLED; every file in the folder is whole at any moment (atomic writes).
 */
#pragma once

#include "cxr-engine.h"
#include "cxr-trainer.h"

G_BEGIN_DECLS

typedef struct {
  char *out_dir;
  char *best_path;      /* best.pth, or NULL */
  GArray *history;      /* CxrEpochMetrics, every epoch of the run (resumed ones included) */
  CxrModel *model;      /* the last epoch's network and card; not made the engine's current model */
  char *step_log_error; /* why steps.csv (cxr-train-steps.h) stopped being written, or NULL */
} CxrTrainResult;

void cxr_train_result_free (CxrTrainResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrTrainResult, cxr_train_result_free)

/* Trains as @config says (copied), or with @resume continues the run in config->out_dir. */
void            cxr_engine_train_async  (CxrEngine *engine, const CxrTrainConfig *config, gboolean resume,
                                         CxrTrainProgressFunc progress, gpointer progress_data,
                                         GDestroyNotify progress_data_free,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
CxrTrainResult *cxr_engine_train_finish (CxrEngine *engine, GAsyncResult *result, GError **error);

/* cxr_trainer_estimate as a job: the split, and with @timed_steps > 0 the time per epoch. The result
 * is freed with g_free. */
void              cxr_engine_train_estimate_async  (CxrEngine *engine, const CxrTrainConfig *config,
                                                    guint timed_steps, GCancellable *cancellable,
                                                    GAsyncReadyCallback callback, gpointer user_data);
CxrTrainEstimate *cxr_engine_train_estimate_finish (CxrEngine *engine, GAsyncResult *result, GError **error);

G_END_DECLS
