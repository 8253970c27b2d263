/* cxr-exporter.c: a one-thread pool writes the pictures; the CSV rows collect in arrival order. */
#include "config.h"

#include "cxr-cam-csv.h"
#include "cxr-cam-render.h"
#include "cxr-exporter.h"

struct _CxrExporter {
  char *folder;
  char *label;
  float threshold;
  float opacity;

  GThreadPool *writer;          /* one thread; jobs run in the order they were pushed */
  CxrCamWorkspace *workspace;   /* the writer's */
  GCancellable *cancellable;    /* remaining jobs are skipped once it is cancelled */

  GMutex lock;                  /* guards the fields below, which the writer fills */
  GString *csv;
  guint n_written;
  GError *error;
};

typedef struct {
  CxrCamResult *result;
  GArray *truth;   /* CxrRect */
} Job;

static void
job_free (Job *job)
{
  cxr_cam_result_unref (job->result);
  g_array_unref (job->truth);
  g_free (job);
}

static void
write_job (gpointer data, gpointer user_data)
{
  Job *job = data;
  CxrExporter *self = user_data;
  const CxrCamResult *result = job->result;

  if (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
    {
      job_free (job);
      return;
    }

  g_autoptr (GArray) boxes = cxr_cam_boxes_for_threshold (self->workspace, result->cam, result->width,
                                                          result->height, self->threshold, CXR_BOX_MODE_LARGEST,
                                                          NULL);
  CxrBoxScore score;
  cxr_box_score (&score, (const CxrRect *) boxes->data, boxes->len, (const CxrRect *) job->truth->data,
                 job->truth->len);

  CxrCamRenderOptions options;
  cxr_cam_render_options_init (&options);
  options.threshold = self->threshold;
  options.box_mode = CXR_BOX_MODE_LARGEST;
  options.opacity = self->opacity;
  options.truth = (const CxrRect *) job->truth->data;
  options.n_truth = job->truth->len;
  options.truth_label = self->label;
  GError *error = NULL;
  gboolean written = cxr_cam_write_images (result, self->folder, &options, (const CxrRect *) boxes->data,
                                           boxes->len, &error);

  g_mutex_lock (&self->lock);
  cxr_cam_csv_append_row (self->csv, result, self->label, self->threshold, &score);
  if (written)
    self->n_written++;
  else if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&self->lock);
  job_free (job);
}

CxrExporter *
cxr_exporter_new (const char *folder, const char *label, float threshold, float opacity, GCancellable *cancellable)
{
  CxrExporter *self = g_new0 (CxrExporter, 1);
  self->folder = g_strdup (folder);
  self->label = g_strdup (label);
  self->threshold = threshold;
  self->opacity = opacity;
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->workspace = cxr_cam_workspace_new ();
  self->csv = g_string_new (CXR_CAM_RESULTS_CSV_HEADER);
  g_mutex_init (&self->lock);
  /* Not exclusive: the thread comes from GLib's shared pool and goes back when the queue is empty. */
  self->writer = g_thread_pool_new (write_job, self, 1, FALSE, NULL);
  return self;
}

void
cxr_exporter_free (CxrExporter *self)
{
  if (self == NULL)
    return;
  if (self->writer != NULL)
    g_thread_pool_free (self->writer, TRUE, TRUE);
  cxr_cam_workspace_free (self->workspace);
  g_string_free (self->csv, TRUE);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->lock);
  g_free (self->folder);
  g_free (self->label);
  g_free (self);
}

const char *
cxr_exporter_get_folder (CxrExporter *self)
{
  return self->folder;
}

void
cxr_exporter_add (CxrExporter *self, CxrCamResult *result, const GArray *truth)
{
  g_return_if_fail (self->writer != NULL);

  if (result->error != NULL || result->cam == NULL)
    return;
  Job *job = g_new0 (Job, 1);
  job->result = cxr_cam_result_ref (result);
  job->truth = g_array_sized_new (FALSE, FALSE, sizeof (CxrRect), truth ? truth->len : 0);
  if (truth != NULL)
    g_array_append_vals (job->truth, truth->data, truth->len);
  g_thread_pool_push (self->writer, job, NULL);
}

static void
finish_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CxrExporter *self = task_data;

  /* Waits for every queued job; once cancelled, they return at once. */
  g_thread_pool_free (self->writer, FALSE, TRUE);
  self->writer = NULL;

  g_autofree char *path = g_build_filename (self->folder, "bb_results.csv", NULL);
  GError *error = NULL;
  if (!g_file_set_contents (path, self->csv->str, self->csv->len, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      return;
    }
  g_task_return_int (task, self->n_written);
}

void
cxr_exporter_finish_async (CxrExporter *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, cxr_exporter_finish_async);
  g_task_set_task_data (task, self, (GDestroyNotify) cxr_exporter_free);
  g_task_run_in_thread (task, finish_in_thread);
}

gboolean
cxr_exporter_finish_finish (GAsyncResult *result, guint *n_written, GError **error)
{
  gssize n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_written != NULL)
    *n_written = (guint) n;
  return TRUE;
}
