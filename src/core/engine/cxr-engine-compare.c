/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-engine-compare.c: the comparison job on the engine thread. */
#include "cxr-engine-compare.h"

#include "cxr-error.h"

typedef struct {
  GStrv paths;
  GPtrArray *truths;              /* GArray of CxrRect per path, or NULL */
  CxrCamComparison *comparison;   /* made with the request, filled by the job */
  CxrEngineProgress *progress;
  guint total, done;
  int last_permille;
} CompareRequest;

typedef struct {
  double fraction;
  guint done, total;
} CompareReport;

static void
compare_request_free (CompareRequest *request)
{
  g_strfreev (request->paths);
  g_clear_pointer (&request->truths, g_ptr_array_unref);
  cxr_cam_comparison_unref (request->comparison);
  cxr_engine_progress_free (request->progress);
  g_free (request);
}

static void
marshal_report (GCallback callback, gpointer payload, gpointer callback_data)
{
  CompareReport *report = payload;
  ((CxrCompareProgress) callback) (report->fraction, report->done, report->total, callback_data);
}

static void
send_report (CompareRequest *request, double fraction)
{
  int permille = (int) (fraction * 1000.0);
  if (permille <= request->last_permille)
    return;
  request->last_permille = permille;
  CompareReport *report = g_new (CompareReport, 1);
  *report = (CompareReport) { fraction, request->done, request->total };
  cxr_engine_progress_send (request->progress, marshal_report, report, g_free);
}

static void
on_step (double fraction, gpointer user_data)
{
  send_report (user_data, fraction);
}

static void
compare_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  CompareRequest *request = task_data;
  CxrModel *model = cxr_engine_get_model_in_job (engine);
  GError *error = NULL;
  if (model == NULL)
    {
      cxr_engine_progress_finish (request->progress);
      g_task_return_new_error (task, CXR_ERROR, CXR_ERROR_INVALID, "no model is loaded");
      return;
    }

  CxrCamMonitor monitor = { cancellable, on_step, request };
  for (guint i = 0; i < request->total; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;
      g_autoptr (CxrImage) image = cxr_image_load (request->paths[i], NULL);
      if (image == NULL)
        cxr_cam_comparison_add_failure (request->comparison);
      else if (!cxr_cam_comparison_add_image (request->comparison, model, image,
                                              request->truths ? g_ptr_array_index (request->truths, i) : NULL, i,
                                              &monitor, (double) i / request->total,
                                              (double) (i + 1) / request->total, &error))
        break;
      request->done = i + 1;
      send_report (request, (double) (i + 1) / request->total);
    }
  cxr_engine_progress_finish (request->progress);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cxr_cam_comparison_ref (request->comparison),
                           (GDestroyNotify) cxr_cam_comparison_unref);
}

void
cxr_engine_compare_async (CxrEngine *engine, const char *const *paths, GPtrArray *truths,
                          const CxrCamCompareOptions *options, CxrCompareProgress progress, gpointer progress_data,
                          GDestroyNotify progress_data_free, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CXR_IS_ENGINE (engine));
  g_return_if_fail (paths != NULL);

  CompareRequest *request = g_new0 (CompareRequest, 1);
  request->paths = g_strdupv ((GStrv) paths);
  request->truths = truths ? g_ptr_array_ref (truths) : NULL;
  request->comparison = cxr_cam_comparison_new (options);
  request->total = g_strv_length (request->paths);
  request->last_permille = -1;
  g_autoptr (GTask) task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_engine_compare_async);
  request->progress = cxr_engine_progress_new (task, G_CALLBACK (progress), progress_data, progress_data_free);
  g_task_set_task_data (task, request, (GDestroyNotify) compare_request_free);
  cxr_engine_run_job (engine, task, compare_job);
}

CxrCamComparison *
cxr_engine_compare_finish (CxrEngine *engine, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
