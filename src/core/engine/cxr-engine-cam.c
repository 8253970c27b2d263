/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine-cam.c: Grad-CAM jobs on the engine thread, one image or a whole list. */
#include "cxr-engine-cam.h"

#include "cxr-cam-private.h"
#include "cxr-error.h"

typedef struct {
  GStrv paths;
  CxrCamOptions options;  /* its layer owned below */
  char *layer;            /* NULL: the card's */
  CxrEngineProgress *progress;     /* the batch job's reports, or one image's steps; may be NULL */
  int last_percent;       /* the last step sent, so that a report goes out per percent at most */
} CamRequest;

static CamRequest *
cam_request_new (const char *const *paths, const CxrCamOptions *options)
{
  CxrCamOptions defaults;
  if (options == NULL)
    {
      cxr_cam_options_init_default (&defaults);
      options = &defaults;
    }
  CamRequest *request = g_new0 (CamRequest, 1);
  request->paths = g_strdupv ((GStrv) paths);
  request->options = *options;
  request->layer = g_strdup (options->layer);
  request->options.layer = request->layer;
  request->last_percent = -1;
  return request;
}

static void
cam_request_free (CamRequest *request)
{
  g_strfreev (request->paths);
  g_free (request->layer);
  cxr_engine_progress_free (request->progress);
  g_free (request);
}

/* The job's model, or NULL once the task has returned its error: no model, or options that do not fit it. */
static CxrModel *
model_for_request (GTask *task, CxrEngine *engine, const CamRequest *request)
{
  CxrModel *model = cxr_engine_get_model_in_job (engine);
  if (model == NULL)
    {
      g_task_return_new_error (task, CXR_ERROR, CXR_ERROR_INVALID, "no model is loaded");
      return NULL;
    }
  const CxrModelCard *card = cxr_model_get_card (model);
  GError *error = NULL;
  int blocks[CXR_CAM_MAX_LAYERS], n_blocks;
  if (!cxr_cam_resolve_layers (cxr_resnet_get_arch (cxr_model_get_network (model)),
                               request->layer ? request->layer : card->cam_layer, blocks, &n_blocks, NULL, &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  if (request->options.target_class >= (int) cxr_model_get_n_classes (model))
    {
      g_task_return_new_error (task, CXR_ERROR, CXR_ERROR_INVALID, "no class %d: the model has %u classes",
                               request->options.target_class, cxr_model_get_n_classes (model));
      return NULL;
    }
  return model;
}

/* ---- one image ----------------------------------------------------------------------------------- */

static void
marshal_step (GCallback callback, gpointer payload, gpointer callback_data)
{
  ((CxrCamStepProgress) callback) (*(double *) payload, callback_data);
}

/* On the engine thread, from inside the computation. */
static void
send_step (double fraction, gpointer user_data)
{
  CamRequest *request = user_data;
  int percent = (int) (fraction * 100.0);
  if (percent <= request->last_percent)
    return;
  request->last_percent = percent;
  cxr_engine_progress_send (request->progress, marshal_step, g_memdup2 (&fraction, sizeof fraction), g_free);
}

static void
cam_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  CamRequest *request = task_data;
  if (g_task_return_error_if_cancelled (task))
    {
      if (request->progress != NULL)
        cxr_engine_progress_finish (request->progress);
      return;
    }
  CxrModel *model = model_for_request (task, engine, request);
  if (model == NULL)
    {
      if (request->progress != NULL)
        cxr_engine_progress_finish (request->progress);
      return;
    }

  GError *error = NULL;
  CxrCamMonitor monitor = { cancellable, request->progress ? send_step : NULL, request };
  CxrCamResult *result = cxr_cam_compute_file_full (model, request->paths[0], &request->options, &monitor, &error);
  if (request->progress != NULL)
    cxr_engine_progress_finish (request->progress);
  if (result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Cancelled while it ran: the caller has moved on, so the result is stale. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      cxr_cam_result_unref (result);
      g_task_return_error_if_cancelled (task);
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) cxr_cam_result_unref);
}

void
cxr_engine_cam_async_full (CxrEngine *engine, const char *image_path, const CxrCamOptions *options,
                           CxrCamStepProgress step, gpointer step_data, GDestroyNotify step_data_free,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (image_path != NULL);

  const char *paths[] = { image_path, NULL };
  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_cam_async);
  CamRequest *request = cam_request_new (paths, options);
  if (step != NULL || step_data_free != NULL)
    request->progress = cxr_engine_progress_new (task, G_CALLBACK (step), step_data, step_data_free);
  g_task_set_task_data (task, request, (GDestroyNotify) cam_request_free);
  cxr_engine_run_job (engine, task, cam_job);
}

void
cxr_engine_cam_async (CxrEngine *engine, const char *image_path, const CxrCamOptions *options,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  cxr_engine_cam_async_full (engine, image_path, options, NULL, NULL, NULL, cancellable, callback, user_data);
}

CxrCamResult *
cxr_engine_cam_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- a list of images ---------------------------------------------------------------------------- */

/* Results sent to the caller and not yet handed over (or dropped). The batch job waits while there are
 * MAX_BACKLOG of them: a caller slower than the network (one writing four pictures per image, which waits for its
 * writers) would otherwise collect every image's maps, 5 MB each, in its main context's queue. Shared by the job
 * and its reports, which may outlive it. */
#define MAX_BACKLOG 4

typedef struct {
  GMutex lock;
  GCond delivered;
  guint pending;
} Backlog;

static void
backlog_clear (gpointer data)
{
  Backlog *backlog = data;
  g_mutex_clear (&backlog->lock);
  g_cond_clear (&backlog->delivered);
}

static Backlog *
backlog_new (void)
{
  Backlog *backlog = g_atomic_rc_box_new0 (Backlog);
  g_mutex_init (&backlog->lock);
  g_cond_init (&backlog->delivered);
  return backlog;
}

static void
backlog_unref (Backlog *backlog)
{
  g_atomic_rc_box_release_full (backlog, backlog_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Backlog, backlog_unref)

/* Waits until fewer than MAX_BACKLOG results are pending or @cancellable is cancelled. */
static void
backlog_wait (Backlog *backlog, GCancellable *cancellable)
{
  g_mutex_lock (&backlog->lock);
  while (backlog->pending >= MAX_BACKLOG && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&backlog->delivered, &backlog->lock, g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
  backlog->pending++;
  g_mutex_unlock (&backlog->lock);
}

static void
backlog_done (Backlog *backlog)
{
  g_mutex_lock (&backlog->lock);
  backlog->pending--;
  g_cond_signal (&backlog->delivered);
  g_mutex_unlock (&backlog->lock);
}

typedef struct {
  CxrCamResult *result;
  guint done, total;
  Backlog *backlog;
} CamReport;

static void
marshal_cam_result (GCallback callback, gpointer payload, gpointer callback_data)
{
  CamReport *report = payload;
  ((CxrCamProgress) callback) (report->result, report->done, report->total, callback_data);
}

static void
cam_report_free (gpointer payload)
{
  CamReport *report = payload;
  cxr_cam_result_unref (report->result);
  backlog_done (report->backlog);
  backlog_unref (report->backlog);
  g_free (report);
}

/* Hands @result (a reference is taken) to the caller. */
static void
report_progress (CamRequest *request, Backlog *backlog, CxrCamResult *result, guint done)
{
  CamReport *report = g_new0 (CamReport, 1);
  report->backlog = g_atomic_rc_box_acquire (backlog);
  report->result = cxr_cam_result_ref (result);
  report->done = done;
  report->total = g_strv_length (request->paths);
  cxr_engine_progress_send (request->progress, marshal_cam_result, report, cam_report_free);
}

static void
cam_batch_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  CamRequest *request = task_data;
  CxrModel *model = model_for_request (task, engine, request);
  if (model == NULL)
    {
      cxr_engine_progress_finish (request->progress);
      return;
    }

  guint total = g_strv_length (request->paths);
  CxrCamMonitor monitor = { cancellable, NULL, NULL };
  g_autoptr (Backlog) backlog = backlog_new ();
  gint n_failed = 0;
  for (guint i = 0; i < total; i++)
    {
      backlog_wait (backlog, cancellable);
      if (g_cancellable_is_cancelled (cancellable))
        {
          cxr_engine_progress_finish (request->progress);
          g_task_return_error_if_cancelled (task);
          return;
        }
      GError *error = NULL;
      g_autoptr (CxrCamResult) result = cxr_cam_compute_file_full (model, request->paths[i], &request->options,
                                                                    &monitor, &error);
      if (result == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          cxr_engine_progress_finish (request->progress);
          g_task_return_error_if_cancelled (task);
          return;
        }
      if (result == NULL)
        {
          result = cxr_cam_result_new (request->paths[i]);
          result->error = error;
          n_failed++;
        }
      result->index = i;
      report_progress (request, backlog, result, i + 1);
    }
  cxr_engine_progress_finish (request->progress);
  g_task_return_int (task, n_failed);
}

void
cxr_engine_cam_batch_async (CxrEngine *engine, const char *const *paths, const CxrCamOptions *options,
                            CxrCamProgress progress, gpointer progress_data, GDestroyNotify progress_data_free,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (paths != NULL);

  CamRequest *request = cam_request_new (paths, options);
  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_cam_batch_async);
  request->progress = cxr_engine_progress_new (task, G_CALLBACK (progress), progress_data, progress_data_free);
  g_task_set_task_data (task, request, (GDestroyNotify) cam_request_free);
  cxr_engine_run_job (engine, task, cam_batch_job);
}

gboolean
cxr_engine_cam_batch_finish (CxrEngine *engine, GAsyncResult *result, guint *n_failed, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  gssize failed = g_task_propagate_int (G_TASK (result), error);
  if (failed < 0)
    return FALSE;
  if (n_failed)
    *n_failed = failed;
  return TRUE;
}
