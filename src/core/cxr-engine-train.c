/* cxr-engine-train.c: the training job (see cxr-engine-train.h). */
#include "cxr-engine-train.h"

typedef struct {
  CxrTrainConfig config;
  gboolean resume;
  CxrTrainProgressFunc progress;
  gpointer progress_data;
  GDestroyNotify progress_data_free;
  GTask *task;                       /* borrowed while the job runs */
} TrainRequest;

static void
train_request_free (TrainRequest *request)
{
  cxr_train_config_clear (&request->config);
  /* progress_data is released on the caller's context by the job (release_progress_data). */
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
  CxrTrainProgressFunc progress;
  gpointer progress_data;
} Report;

static gboolean
deliver_report (gpointer data)
{
  Report *report = data;
  report->progress (&report->event, report->progress_data);
  return G_SOURCE_REMOVE;
}

static void
report_free (gpointer data)
{
  Report *report = data;
  g_free (report->message);
  g_free (report);
}

/* On the engine thread: sends a copy of @event to the caller's context, in order with the others. */
static void
forward_event (const CxrTrainEvent *event, gpointer user_data)
{
  TrainRequest *request = user_data;
  if (request->progress == NULL)
    return;
  Report *report = g_new0 (Report, 1);
  report->event = *event;
  if (event->metrics)
    {
      report->metrics = *event->metrics;
      report->event.metrics = &report->metrics;
    }
  report->message = g_strdup (event->message);
  report->event.message = report->message;
  report->progress = request->progress;
  report->progress_data = request->progress_data;
  cxr_engine_invoke_in_caller (request->task, deliver_report, report, report_free);
}

typedef struct {
  gpointer data;
  GDestroyNotify free_func;
} Release;

static gboolean
release_progress_data (gpointer user_data)
{
  Release *release = user_data;
  release->free_func (release->data);
  g_free (release);
  return G_SOURCE_REMOVE;
}

/* The caller's progress data is freed on the caller's context, after the last report. */
static void
finish_progress (TrainRequest *request)
{
  if (request->progress_data_free == NULL)
    return;
  Release *release = g_new0 (Release, 1);
  release->data = request->progress_data;
  release->free_func = request->progress_data_free;
  request->progress_data_free = NULL;
  cxr_engine_invoke_in_caller (request->task, release_progress_data, release, NULL);
}

static void
train_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  TrainRequest *request = task_data;
  request->task = task;
  GError *error = NULL;

  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (&request->config);
  gboolean ok = cxr_trainer_run (trainer, request->resume, forward_event, request, cancellable, &error);
  finish_progress (request);
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
  request->progress = progress;
  request->progress_data = progress_data;
  request->progress_data_free = progress_data_free;

  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_train_async);
  g_task_set_task_data (task, request, (GDestroyNotify) train_request_free);
  cxr_engine_run_job (engine, task, train_job);
}

CxrTrainResult *
cxr_engine_train_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
