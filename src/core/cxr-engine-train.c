/* cxr-engine-train.c: the training job (see cxr-engine-train.h). */
#include "cxr-engine-train.h"

typedef struct {
  CxrTrainConfig config;
  gboolean resume;
  CxrEngineProgress *progress;
} TrainRequest;

static void
train_request_free (TrainRequest *request)
{
  cxr_train_config_clear (&request->config);
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
