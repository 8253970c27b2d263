/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine.c: the engine thread, model loading and batch prediction. */
#include "cxr-engine.h"

#include <string.h>

#include "cxr-error.h"

/* Images per forward pass. Larger batches run a little faster per image but hold more activation
 * memory (ResNet-50: about 20 MB per image) and delay the first result. */
#define PREDICT_BATCH 4

struct _CxrEngine {
  GObject parent_instance;

  GThreadPool *thread;   /* one exclusive worker: the engine thread */
  gint jobs_held;        /* queued or running jobs whose task is not yet released on its caller's context */
  GMutex model_lock;     /* guards model: written and read on any thread */
  CxrModel *model;
  CxrModel *job_model;   /* engine thread only: the model when the running job started, held until it ends */
};

G_DEFINE_FINAL_TYPE (CxrEngine, cxr_engine, G_TYPE_OBJECT)

typedef struct {
  GTask *task;
  CxrEngineJobFunc job;
} QueuedJob;

static gboolean
release_job (gpointer task)
{
  CxrEngine *engine = g_task_get_source_object (task);
  g_atomic_int_add (&engine->jobs_held, -1);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* From the engine thread: calls @func (@data) on @task's main context, at the task's priority, in the
 * order of the calls; @notify (@data) runs there afterwards. */
static void
cxr_engine_invoke_in_caller (GTask *task, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  /* Always an idle source, never g_main_context_invoke: that calls @func at once, on the engine thread,
   * whenever the caller's context happens not to be owned by anyone at that instant (between two
   * iterations of the caller's loop, or after the caller stopped iterating it). */
  /* Our own reference to the context: once attached, the source may run on the caller's thread at once,
   * drop the task's last reference and with it the context's, while g_source_unref () below still locks
   * the context. Without it, a caller that stopped iterating (the CLI after its result) could free the
   * context under us: the engine thread then waited on a freed mutex, and the caller on the engine
   * thread, for ever (cxrcam-cli predict hung about once in 2000 error exits). */
  g_autoptr (GMainContext) context = g_main_context_ref (g_task_get_context (task));
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, g_task_get_priority (task));
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[cxrcam] engine report");
  g_source_attach (source, context);
  g_source_unref (source);
}

/* ---- progress reports --------------------------------------------------- */

struct _CxrEngineProgress {
  GTask *task;                     /* borrowed: the request holding us is the task's data */
  GCallback callback;
  gpointer callback_data;
  GDestroyNotify callback_data_free;
  gboolean finished;
};

typedef struct {
  CxrEngineMarshal marshal;
  GCallback callback;
  gpointer callback_data;
  gpointer payload;
  GDestroyNotify payload_free;
} Report;

static gboolean
deliver_report (gpointer data)
{
  Report *report = data;
  report->marshal (report->callback, report->payload, report->callback_data);
  return G_SOURCE_REMOVE;
}

static void
report_free (gpointer data)
{
  Report *report = data;
  if (report->payload_free)
    report->payload_free (report->payload);
  g_free (report);
}

CxrEngineProgress *
cxr_engine_progress_new (GTask *task, GCallback callback, gpointer callback_data, GDestroyNotify callback_data_free)
{
  CxrEngineProgress *progress = g_new0 (CxrEngineProgress, 1);
  progress->task = task;
  progress->callback = callback;
  progress->callback_data = callback_data;
  progress->callback_data_free = callback_data_free;
  return progress;
}

void
cxr_engine_progress_send (CxrEngineProgress *progress, CxrEngineMarshal marshal,
                          gpointer payload, GDestroyNotify payload_free)
{
  if (progress->callback == NULL || progress->finished)
    {
      if (payload_free)
        payload_free (payload);
      return;
    }
  Report *report = g_new0 (Report, 1);
  report->marshal = marshal;
  report->callback = progress->callback;
  report->callback_data = progress->callback_data;
  report->payload = payload;
  report->payload_free = payload_free;
  cxr_engine_invoke_in_caller (progress->task, deliver_report, report, report_free);
}

typedef struct {
  gpointer data;
  GDestroyNotify free_func;
} Release;

static gboolean
release_callback_data (gpointer data)
{
  Release *release = data;
  release->free_func (release->data);
  g_free (release);
  return G_SOURCE_REMOVE;
}

void
cxr_engine_progress_finish (CxrEngineProgress *progress)
{
  if (progress->finished)
    return;
  progress->finished = TRUE;
  if (progress->callback_data_free == NULL)
    return;
  /* Queued after the last report, so it runs after it: sources of one priority run in order. */
  Release *release = g_new0 (Release, 1);
  release->data = progress->callback_data;
  release->free_func = progress->callback_data_free;
  cxr_engine_invoke_in_caller (progress->task, release_callback_data, release, NULL);
}

void
cxr_engine_progress_free (CxrEngineProgress *progress)
{
  if (progress == NULL)
    return;
  if (!progress->finished && progress->callback_data_free)
    progress->callback_data_free (progress->callback_data);
  g_free (progress);
}

/* ---- the engine thread ---------------------------------------------------- */

static void
run_queued_job (gpointer data, gpointer user_data)
{
  QueuedJob *queued = data;
  CxrEngine *engine = user_data;
  GTask *task = queued->task;

  /* The job's model is held for its whole run: a model made current meanwhile (cxr_engine_set_model from the
   * main thread, as the training page does) takes effect with the next job instead of freeing this one's. */
  engine->job_model = cxr_engine_dup_model (engine);
  queued->job (task, engine, g_task_get_task_data (task), g_task_get_cancellable (task));
  g_clear_pointer (&engine->job_model, cxr_model_unref);
  /* The task holds the engine. Dropping what may be the last reference here could finalize the
   * engine on its own thread, which would then wait for itself to finish; drop it on the
   * caller's context instead. */
  cxr_engine_invoke_in_caller (task, release_job, task, NULL);
  g_free (queued);
}

void
cxr_engine_run_job (CxrEngine *engine, GTask *task, CxrEngineJobFunc job)
{
  g_return_if_fail (g_task_get_source_object (task) == engine);
  QueuedJob *queued = g_new0 (QueuedJob, 1);
  g_atomic_int_inc (&engine->jobs_held);
  queued->task = g_object_ref (task);
  queued->job = job;
  g_thread_pool_push (engine->thread, queued, NULL);
}

static void
cxr_engine_finalize (GObject *object)
{
  CxrEngine *engine = CXR_ENGINE (object);

  /* Every queued job holds a reference to its task, and every task to the engine, so by now the
   * queue is empty; this joins the idle thread. */
  g_thread_pool_free (engine->thread, FALSE, TRUE);
  g_clear_pointer (&engine->model, cxr_model_unref);
  g_mutex_clear (&engine->model_lock);

  G_OBJECT_CLASS (cxr_engine_parent_class)->finalize (object);
}

static void
cxr_engine_class_init (CxrEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_engine_finalize;
}

static void
cxr_engine_init (CxrEngine *engine)
{
  g_mutex_init (&engine->model_lock);
  /* exclusive: the thread is created now and serves only this engine. */
  engine->thread = g_thread_pool_new (run_queued_job, engine, 1, TRUE, NULL);
}

gboolean
cxr_engine_has_jobs (CxrEngine *engine)
{
  return g_atomic_int_get (&engine->jobs_held) > 0;
}

CxrEngine *
cxr_engine_new (void)
{
  return g_object_new (CXR_TYPE_ENGINE, NULL);
}

void
cxr_engine_set_model (CxrEngine *engine, CxrModel *model)
{
  g_mutex_lock (&engine->model_lock);
  CxrModel *old = engine->model;
  engine->model = model ? cxr_model_ref (model) : NULL;
  g_mutex_unlock (&engine->model_lock);
  if (old)
    cxr_model_unref (old);
}

CxrModel *
cxr_engine_dup_model (CxrEngine *engine)
{
  g_mutex_lock (&engine->model_lock);
  CxrModel *model = engine->model ? cxr_model_ref (engine->model) : NULL;
  g_mutex_unlock (&engine->model_lock);
  return model;
}

CxrModel *
cxr_engine_get_model_in_job (CxrEngine *engine)
{
  return engine->job_model;
}

/* ---- loading ----------------------------------------------------------- */

typedef struct {
  char *weights_path;
  char *card_path;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_free (request->weights_path);
  g_free (request->card_path);
  g_free (request);
}

static void
load_model_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  CxrModel *model = cxr_model_load (request->weights_path, request->card_path, &error);
  if (model == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  cxr_engine_set_model (engine, model);
  g_task_return_pointer (task, model, (GDestroyNotify) cxr_model_unref);
}

void
cxr_engine_load_model_async (CxrEngine *engine, const char *weights_path, const char *card_path,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (weights_path != NULL);

  LoadRequest *request = g_new0 (LoadRequest, 1);
  request->weights_path = g_strdup (weights_path);
  request->card_path = g_strdup (card_path);

  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_load_model_async);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  cxr_engine_run_job (engine, task, load_model_job);
}

CxrModel *
cxr_engine_load_model_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- prediction -------------------------------------------------------- */

void
cxr_prediction_free (CxrPrediction *prediction)
{
  if (prediction == NULL)
    return;
  g_free (prediction->path);
  g_free (prediction->logits);
  g_free (prediction->probabilities);
  g_clear_error (&prediction->error);
  g_free (prediction);
}

static CxrPrediction *
prediction_copy (const CxrPrediction *p)
{
  CxrPrediction *copy = g_new0 (CxrPrediction, 1);
  copy->path = g_strdup (p->path);
  copy->index = p->index;
  copy->n_classes = p->n_classes;
  if (p->logits)
    copy->logits = g_memdup2 (p->logits, sizeof (float) * p->n_classes);
  if (p->probabilities)
    copy->probabilities = g_memdup2 (p->probabilities, sizeof (float) * p->n_classes);
  copy->error = p->error ? g_error_copy (p->error) : NULL;
  return copy;
}

typedef struct {
  GStrv paths;
  CxrEngineProgress *progress;
} PredictRequest;

static void
predict_request_free (PredictRequest *request)
{
  g_strfreev (request->paths);
  cxr_engine_progress_free (request->progress);
  g_free (request);
}

typedef struct {
  CxrPrediction *prediction;
  guint done, total;
} PredictionReport;

static void
marshal_prediction (GCallback callback, gpointer payload, gpointer callback_data)
{
  PredictionReport *report = payload;
  ((CxrPredictProgress) callback) (report->prediction, report->done, report->total, callback_data);
}

static void
prediction_report_free (gpointer payload)
{
  PredictionReport *report = payload;
  cxr_prediction_free (report->prediction);
  g_free (report);
}

/* Sends a copy of @prediction to the caller. */
static void
report_progress (PredictRequest *request, const CxrPrediction *prediction, guint done)
{
  PredictionReport *report = g_new0 (PredictionReport, 1);
  report->prediction = prediction_copy (prediction);
  report->done = done;
  report->total = g_strv_length (request->paths);
  cxr_engine_progress_send (request->progress, marshal_prediction, report, prediction_report_free);
}

static CxrPrediction *
prediction_new (const char *path, guint index, guint n_classes)
{
  CxrPrediction *prediction = g_new0 (CxrPrediction, 1);
  prediction->path = g_strdup (path);
  prediction->index = index;
  prediction->n_classes = n_classes;
  return prediction;
}

/* Decodes up to PREDICT_BATCH images from @start, runs them as one batch and appends one
 * prediction per path to @results. Returns the number of paths consumed. */
static guint
predict_batch (PredictRequest *request, CxrModel *model, guint start, GPtrArray *results)
{
  guint total = g_strv_length (request->paths);
  guint n_classes = cxr_model_get_n_classes (model);
  guint count = MIN (PREDICT_BATCH, total - start);
  CxrImage *images[PREDICT_BATCH] = { NULL };
  CxrPrediction *batch[PREDICT_BATCH] = { NULL };
  guint n_images = 0;

  for (guint i = 0; i < count; i++)
    {
      const char *path = request->paths[start + i];
      batch[i] = prediction_new (path, start + i, n_classes);
      CxrImage *image = cxr_image_load (path, &batch[i]->error);
      if (image != NULL)
        images[n_images++] = image;
    }

  if (n_images > 0)
    {
      g_autofree float *logits = g_new (float, (gsize) n_images * n_classes);
      g_autofree float *probabilities = g_new (float, (gsize) n_images * n_classes);
      GError *error = NULL;
      gboolean ok = cxr_model_predict (model, images, n_images, logits, &error);
      if (ok)
        cxr_model_activate (model, logits, probabilities, n_images);

      for (guint i = 0, k = 0; i < count; i++)
        {
          if (batch[i]->error != NULL)
            continue;
          if (ok)
            {
              batch[i]->logits = g_memdup2 (logits + (gsize) k * n_classes, sizeof (float) * n_classes);
              batch[i]->probabilities = g_memdup2 (probabilities + (gsize) k * n_classes, sizeof (float) * n_classes);
            }
          else
            batch[i]->error = g_error_copy (error);
          k++;
        }
      g_clear_error (&error);
    }

  for (guint i = 0; i < n_images; i++)
    cxr_image_free (images[i]);
  for (guint i = 0; i < count; i++)
    {
      g_ptr_array_add (results, batch[i]);
      report_progress (request, batch[i], start + i + 1);
    }
  return count;
}

static void
predict_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  PredictRequest *request = task_data;
  CxrModel *model = cxr_engine_get_model_in_job (engine);
  guint total = g_strv_length (request->paths);

  if (model == NULL)
    {
      cxr_engine_progress_finish (request->progress);
      g_task_return_new_error (task, CXR_ERROR, CXR_ERROR_INVALID, "no model is loaded");
      return;
    }

  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) cxr_prediction_free);
  for (guint done = 0; done < total;)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          cxr_engine_progress_finish (request->progress);
          g_task_return_error_if_cancelled (task);
          return;
        }
      done += predict_batch (request, model, done, results);
    }
  cxr_engine_progress_finish (request->progress);
  g_task_return_pointer (task, g_steal_pointer (&results), (GDestroyNotify) g_ptr_array_unref);
}

void
cxr_engine_predict_async (CxrEngine *engine, const char *const *paths,
                          CxrPredictProgress progress, gpointer progress_data, GDestroyNotify progress_data_free,
                          GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (paths != NULL);

  PredictRequest *request = g_new0 (PredictRequest, 1);
  request->paths = g_strdupv ((GStrv) paths);

  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_predict_async);
  request->progress = cxr_engine_progress_new (task, G_CALLBACK (progress), progress_data, progress_data_free);
  g_task_set_task_data (task, request, (GDestroyNotify) predict_request_free);
  cxr_engine_run_job (engine, task, predict_job);
}

GPtrArray *
cxr_engine_predict_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
