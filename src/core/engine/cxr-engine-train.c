/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine-train.c: the training job (see cxr-engine-train.h). */
#include "cxr-engine-train.h"

#include "cxr-train-steps.h"

typedef struct {
  CxrTrainConfig config;
  gboolean resume;
  CxrEngineProgress *progress;
  CxrTrainStepLog *step_log;   /* steps.csv in the output folder */
  GError *step_log_error;      /* the first failure to write it; the log stops there */
} TrainRequest;

static void
train_request_free (TrainRequest *request)
{
  cxr_train_config_clear (&request->config);
  cxr_train_step_log_free (request->step_log);
  g_clear_error (&request->step_log_error);
  cxr_engine_progress_free (request->progress);
  g_free (request);
}

void
cxr_train_result_free (CxrTrainResult *result)
{
  if (result == NULL)
    return;
  g_free (result->out_dir);
  g_free (result->best_path);
  g_free (result->step_log_error);
  g_clear_pointer (&result->history, g_array_unref);
  g_clear_pointer (&result->model, cxr_model_unref);
  g_free (result);
}

/* A copy of an event that owns what the event borrowed. */
typedef struct {
  CxrTrainEvent event;
  CxrEpochMetrics metrics;
  char *message;
} EventReport;

static void
marshal_event (GCallback callback, gpointer payload, gpointer callback_data)
{
  EventReport *report = payload;
  ((CxrTrainProgressFunc) callback) (&report->event, callback_data);
}

static void
event_report_free (gpointer payload)
{
  EventReport *report = payload;
  g_free (report->message);
  g_free (report);
}

/* On the engine thread: sends a copy of @event to the caller. */
static void
forward_event (const CxrTrainEvent *event, gpointer user_data)
{
  TrainRequest *request = user_data;
  if (event->kind == CXR_TRAIN_EVENT_STEP && request->step_log_error == NULL)
    {
      CxrTrainStep step = { event->global_step, event->epoch, event->step, event->n_steps, event->loss, event->lr,
                            event->images_per_second };
      cxr_train_step_log_append (request->step_log, &step, &request->step_log_error);
    }
  EventReport *report = g_new0 (EventReport, 1);
  report->event = *event;
  if (event->metrics)
    {
      report->metrics = *event->metrics;
      report->event.metrics = &report->metrics;
    }
  report->message = g_strdup (event->message);
  report->event.message = report->message;
  cxr_engine_progress_send (request->progress, marshal_event, report, event_report_free);
}

static void
train_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  TrainRequest *request = task_data;
  GError *error = NULL;

  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (&request->config);
  request->step_log = cxr_train_step_log_new (request->config.out_dir);
  gboolean ok = cxr_trainer_run (trainer, request->resume, forward_event, request, cancellable, &error);
  cxr_engine_progress_finish (request->progress);
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  CxrTrainResult *result = g_new0 (CxrTrainResult, 1);
  result->out_dir = g_strdup (cxr_trainer_get_config (trainer)->out_dir);
  result->best_path = g_strdup (cxr_trainer_get_best_path (trainer));
  result->history = g_array_copy (cxr_trainer_get_history (trainer));
  result->model = cxr_trainer_dup_model (trainer);
  if (request->step_log_error)
    result->step_log_error = g_strdup (request->step_log_error->message);
  g_task_return_pointer (task, result, (GDestroyNotify) cxr_train_result_free);
}

void
cxr_engine_train_async (CxrEngine *engine, const CxrTrainConfig *config, gboolean resume,
                        CxrTrainProgressFunc progress, gpointer progress_data, GDestroyNotify progress_data_free,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (config != NULL);

  TrainRequest *request = g_new0 (TrainRequest, 1);
  cxr_train_config_copy (&request->config, config);
  request->resume = resume;

  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_train_async);
  request->progress = cxr_engine_progress_new (task, G_CALLBACK (progress), progress_data, progress_data_free);
  g_task_set_task_data (task, request, (GDestroyNotify) train_request_free);
  cxr_engine_run_job (engine, task, train_job);
}

CxrTrainResult *
cxr_engine_train_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the estimate before a run ------------------------------------------ */

typedef struct {
  CxrTrainConfig config;
  guint timed_steps;
} EstimateRequest;

static void
estimate_request_free (EstimateRequest *request)
{
  cxr_train_config_clear (&request->config);
  g_free (request);
}

static void
estimate_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  EstimateRequest *request = task_data;
  GError *error = NULL;
  CxrTrainEstimate *estimate = g_new0 (CxrTrainEstimate, 1);
  if (!cxr_trainer_estimate (&request->config, request->timed_steps, cancellable, estimate, &error))
    {
      g_free (estimate);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, estimate, g_free);
}

void
cxr_engine_train_estimate_async (CxrEngine *engine, const CxrTrainConfig *config, guint timed_steps,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (config != NULL);

  EstimateRequest *request = g_new0 (EstimateRequest, 1);
  cxr_train_config_copy (&request->config, config);
  request->timed_steps = timed_steps;
  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_train_estimate_async);
  g_task_set_task_data (task, request, (GDestroyNotify) estimate_request_free);
  cxr_engine_run_job (engine, task, estimate_job);
}

CxrTrainEstimate *
cxr_engine_train_estimate_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
