/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine.h: the one API that the UI and the CLI call.
 *
 * Every long job (loading a model, predicting, and later Grad-CAM and
 * training) runs on the engine's own thread, one job at a time, so that
 * OpenBLAS is only ever called from one thread (it parallelises inside).
 * Jobs are GTasks: each takes its own copy of its inputs and a
 * GCancellable, reports progress to the main context that was the
 * thread-default one when the job was started, and finishes there through
 * its GAsyncReadyCallback. The caller's main loop never waits for the
 * engine.
 *
 * Jobs run in the order they were started. A cancelled job stops at its next
 * image and finishes with G_IO_ERROR_CANCELLED.
 */
#pragma once

#include <gio/gio.h>

#include "cxr-model.h"

G_BEGIN_DECLS

#define CXR_TYPE_ENGINE (cxr_engine_get_type ())
G_DECLARE_FINAL_TYPE (CxrEngine, cxr_engine, CXR, ENGINE, GObject)

CxrEngine *cxr_engine_new (void);

/* ---- models ---- */

/* Loads weights (.pth, .pt, .safetensors) and their card (NULL: beside the weights, or defaults),
 * and makes the result the engine's current model. The finish function returns it (a new reference)
 * for the caller to describe; only the engine thread runs it. */
void      cxr_engine_load_model_async  (CxrEngine *engine, const char *weights_path, const char *card_path,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
CxrModel *cxr_engine_load_model_finish (CxrEngine *engine, GAsyncResult *result, GError **error);

/* TRUE while a job started on @engine has not been released on its caller's main context: its result
 * arrives first, its task is released there just after. A caller that iterates a context of its own
 * only until the result arrives (the CLI) iterates until this is FALSE as well, or the engine and its
 * thread outlive the caller's context. */
gboolean  cxr_engine_has_jobs          (CxrEngine *engine);

/* Makes an already loaded model current (e.g. one that training produced), from any thread: jobs that start
 * afterwards use it; a running job keeps the model it started with. */
void      cxr_engine_set_model         (CxrEngine *engine, CxrModel *model);
/* The current model (a new reference), or NULL. */
CxrModel *cxr_engine_dup_model         (CxrEngine *engine);

/* ---- prediction ---- */

typedef struct {
  char *path;
  guint index;           /* position in the request */
  guint n_classes;
  float *logits;         /* [n_classes], NULL when error is set */
  float *probabilities;  /* [n_classes], NULL when error is set */
  GError *error;         /* why this image could not be predicted, or NULL */
} CxrPrediction;

void cxr_prediction_free (CxrPrediction *prediction);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrPrediction, cxr_prediction_free)

/* Called on the caller's main context after each image, with @done of @total finished.
 * @prediction is borrowed for the duration of the call. */
typedef void (*CxrPredictProgress) (const CxrPrediction *prediction, guint done, guint total, gpointer user_data);

/* Predicts every image with the current model. Images that cannot be read get a CxrPrediction with
 * its error set; the others are still processed. The job itself fails only when there is no model or
 * it was cancelled. */
void       cxr_engine_predict_async  (CxrEngine *engine, const char *const *paths,
                                      CxrPredictProgress progress, gpointer progress_data,
                                      GDestroyNotify progress_data_free,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
/* A GPtrArray of CxrPrediction, one per path, in request order. */
GPtrArray *cxr_engine_predict_finish (CxrEngine *engine, GAsyncResult *result, GError **error);

/* ---- for the engine's own modules (cam, training) ---- */

typedef void (*CxrEngineJobFunc) (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable);

/* Queues @job to run on the engine thread for @task (which the job must return). */
void       cxr_engine_run_job        (CxrEngine *engine, GTask *task, CxrEngineJobFunc job);
/* On the engine thread: the model that was current when the job started, held by the engine for the job's
 * duration (borrowed), or NULL. */
CxrModel  *cxr_engine_get_model_in_job (CxrEngine *engine);

/* A job's progress reports, from the engine thread to the caller. The caller gave a callback (of the
 * job's own type), its data and the data's free function; reports reach the callback on the task's main
 * context in the order they were sent, and the data is freed there after the last one. */
typedef struct _CxrEngineProgress CxrEngineProgress;

/* Calls the caller's @callback (cast to the job's type) with @payload and the caller's data. */
typedef void (*CxrEngineMarshal) (GCallback callback, gpointer payload, gpointer callback_data);

/* On the caller's thread, when the job is started. @callback may be NULL (no reports). */
CxrEngineProgress *cxr_engine_progress_new    (GTask *task, GCallback callback, gpointer callback_data,
                                               GDestroyNotify callback_data_free);
/* On the engine thread: hands @payload to @marshal on the caller's context; @payload_free frees it
 * afterwards (also when there is no callback). */
void               cxr_engine_progress_send   (CxrEngineProgress *progress, CxrEngineMarshal marshal,
                                               gpointer payload, GDestroyNotify payload_free);
/* On the engine thread, when the job has sent its last report: the caller's data is freed on the
 * caller's context after that report. Further sends are dropped. */
void               cxr_engine_progress_finish (CxrEngineProgress *progress);
/* With the job's request. Frees the caller's data here if the job never finished it. */
void               cxr_engine_progress_free   (CxrEngineProgress *progress);

G_END_DECLS
