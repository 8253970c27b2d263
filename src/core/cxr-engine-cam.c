/* cxr-engine-cam.c: Grad-CAM jobs on the engine thread, one image or a whole list. */
#include "cxr-engine-cam.h"

#include "cxr-cam-private.h"
#include "cxr-error.h"

typedef struct {
  GStrv paths;
  CxrCamMethod method;
  char *layer;            /* NULL: the card's */
  int target_class;
  CxrEngineProgress *progress;     /* the batch job's reports; NULL for one image */
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
  request->method = options->method;
  request->layer = g_strdup (options->layer);
  request->target_class = options->target_class;
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

static void
request_options (const CamRequest *request, CxrCamOptions *options)
{
  options->method = request->method;
  options->layer = request->layer;
  options->target_class = request->target_class;
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
  if (!cxr_cam_resolve_layer (cxr_resnet_get_arch (cxr_model_get_network (model)),
                              request->layer ? request->layer : card->cam_layer, NULL, NULL, &error))
    {
      g_task_return_error (task, error);
      return NULL;
    }
  if (request->target_class >= (int) cxr_model_get_n_classes (model))
    {
      g_task_return_new_error (task, CXR_ERROR, CXR_ERROR_INVALID, "no class %d: the model has %u classes",
                               request->target_class, cxr_model_get_n_classes (model));
      return NULL;
    }
  return model;
}

/* ---- one image ----------------------------------------------------------------------------------- */

static void
cam_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  CamRequest *request = task_data;
  if (g_task_return_error_if_cancelled (task))
    return;
  CxrModel *model = model_for_request (task, engine, request);
  if (model == NULL)
    return;

  CxrCamOptions options;
  request_options (request, &options);
  GError *error = NULL;
  CxrCamResult *result = cxr_cam_compute_file (model, request->paths[0], &options, &error);
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
cxr_engine_cam_async (CxrEngine *engine, const char *image_path, const CxrCamOptions *options,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (image_path != NULL);

  const char *paths[] = { image_path, NULL };
  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_cam_async);
  g_task_set_task_data (task, cam_request_new (paths, options), (GDestroyNotify) cam_request_free);
  cxr_engine_run_job (engine, task, cam_job);
}

CxrCamResult *
cxr_engine_cam_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- a list of images ---------------------------------------------------------------------------- */

typedef struct {
  CxrCamResult *result;
  guint done, total;
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
  g_free (report);
}

/* Hands @result (a reference is taken) to the caller. */
static void
report_progress (CamRequest *request, CxrCamResult *result, guint done)
{
  CamReport *report = g_new0 (CamReport, 1);
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

  CxrCamOptions options;
  request_options (request, &options);
  guint total = g_strv_length (request->paths);
  gint n_failed = 0;
  for (guint i = 0; i < total; i++)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          cxr_engine_progress_finish (request->progress);
          g_task_return_error_if_cancelled (task);
          return;
        }
      GError *error = NULL;
      g_autoptr (CxrCamResult) result = cxr_cam_compute_file (model, request->paths[i], &options, &error);
      if (result == NULL)
        {
          result = cxr_cam_result_new (request->paths[i]);
          result->error = error;
          n_failed++;
        }
      result->index = i;
      report_progress (request, result, i + 1);
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
