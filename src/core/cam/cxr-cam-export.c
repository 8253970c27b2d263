/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-cam-export.c: rows made on the caller's thread, pictures on a writer pool. */
#include "cxr-cam-export.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cxr-atomic-file.h"
#include "cxr-cam-csv.h"
#include "cxr-cam-render.h"
#include "cxr-cpu.h"
#include "cxr-ctr.h"
#include "cxr-error.h"
#include "cxr-npy.h"

struct _CxrCamExporter {
  CxrCamExportOptions options;  /* folder and label owned below */
  char *folder;
  char *label;

  GThreadPool *writer;          /* one thread per core: pictures are independent files, finished in any order */
  CxrCamWorkspace *workspace;   /* the caller's, for the cuts */
  GCancellable *cancellable;    /* remaining jobs are skipped once it is cancelled */
  GString *csv;                 /* bb_results.csv, filled on the caller's thread */
  char *csv_path;
  int running_fd;               /* bb_results.csv as it grows, opened for appending; -1 once finished */

  GMutex lock;                  /* guards the fields below, which the writer fills */
  guint n_written;
  gint n_done;                  /* images whose files were written or failed: read from any thread */
  guint n_queued;               /* images added whose files are not done yet */
  guint max_queued;             /* with options.wait_when_busy: add waits while n_queued is this high */
  GCond done_cond;              /* signalled with lock held when an image's files are done */
  GError *error;
};

typedef struct {
  CxrCamResult *result;
  GArray *truth;   /* CxrRect */
  GArray *boxes;   /* CxrRect: the cut's */
  char *row;       /* its line of bb_results.csv */
} Job;

static void
job_free (Job *job)
{
  cxr_cam_result_unref (job->result);
  g_array_unref (job->truth);
  g_array_unref (job->boxes);
  g_free (job->row);
  g_free (job);
}

void
cxr_cam_export_options_init (CxrCamExportOptions *options)
{
  CxrCamRenderOptions render;
  cxr_cam_render_options_init (&render);
  memset (options, 0, sizeof *options);
  options->threshold = render.threshold;
  options->box_mode = render.box_mode;
  options->opacity = render.opacity;
}

static gboolean
save_cam (CxrCamExporter *self, const CxrCamResult *result, GError **error)
{
  g_autofree char *stem = cxr_cam_result_dup_stem (result);
  g_autofree char *name = g_strconcat (stem, ".cam.npy", NULL);
  g_autofree char *path = g_build_filename (self->folder, name, NULL);
  gint64 shape[2] = { result->height, result->width };
  return cxr_npy_save (path, result->cam, 2, shape, error);
}

static void
job_done (CxrCamExporter *self)
{
  g_mutex_lock (&self->lock);
  self->n_queued--;
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
  g_atomic_int_inc (&self->n_done);
}

static void
write_job (gpointer data, gpointer user_data)
{
  Job *job = data;
  CxrCamExporter *self = user_data;

  if (self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable))
    {
      job_free (job);
      job_done (self);
      return;
    }

  CxrCamRenderOptions render;
  cxr_cam_render_options_init (&render);
  render.threshold = self->options.threshold;
  render.box_mode = self->options.box_mode;
  render.opacity = self->options.opacity;
  render.truth = (const CxrRect *) job->truth->data;
  render.n_truth = job->truth->len;
  render.truth_label = self->label;
  GError *error = NULL;
  gboolean written = cxr_cam_write_images (job->result, self->folder, &render, (const CxrRect *) job->boxes->data,
                                           job->boxes->len, &error)
                     && (!self->options.save_cam || save_cam (self, job->result, &error));

  g_mutex_lock (&self->lock);
  /* One write of a whole line, after the pictures: a kill leaves the row whole and its files whole, or no row. */
  if (written && self->running_fd >= 0)
    {
      GError *append_error = NULL;
      if (!cxr_write_all (self->running_fd, job->row, strlen (job->row), self->csv_path, &append_error))
        {
          written = FALSE;
          error = append_error;
        }
    }
  if (written)
    self->n_written++;
  else if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&self->lock);
  job_free (job);
  job_done (self);
}

int
cxr_cam_exporter_default_writers (void)
{
  const char *env = g_getenv ("CXR_NUM_THREADS");
  int n = env ? (int) g_ascii_strtoll (env, NULL, 10) : 0;
  return n > 0 ? n : cxr_cpu_cores ();
}

guint
cxr_cam_exporter_get_n_done (CxrCamExporter *self)
{
  return (guint) g_atomic_int_get (&self->n_done);
}

CxrCamExporter *
cxr_cam_exporter_new (const CxrCamExportOptions *options, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (options->folder != NULL && options->label != NULL, NULL);

  if (g_mkdir_with_parents (options->folder, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot create %s: %s", options->folder, g_strerror (saved));
      return NULL;
    }
  /* What an export or a cam run killed half way left behind. */
  cxr_atomic_file_sweep (options->folder);
  CxrCamExporter *self = g_new0 (CxrCamExporter, 1);
  g_mutex_init (&self->lock);
  g_cond_init (&self->done_cond);
  self->options = *options;
  self->folder = g_strdup (options->folder);
  self->label = g_strdup (options->label);
  self->options.folder = self->folder;
  self->options.label = self->label;
  self->options.previous_rows = NULL;
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->workspace = cxr_cam_workspace_new ();
  const char *header = options->ctr_column ? CXR_CAM_RESULTS_CSV_HEADER_CTR : CXR_CAM_RESULTS_CSV_HEADER;
  self->csv = g_string_new (header);
  self->csv_path = g_build_filename (self->folder, "bb_results.csv", NULL);
  self->running_fd = -1;
  g_autoptr (GString) running = g_string_new (header);
  if (options->previous_rows != NULL)
    g_string_append (running, options->previous_rows);
  if (!cxr_atomic_file_set_contents (self->csv_path, running->str, running->len, error))
    {
      cxr_cam_exporter_free (self);
      return NULL;
    }
  self->running_fd = g_open (self->csv_path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
  if (self->running_fd < 0)
    {
      int saved = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "cannot open %s: %s", self->csv_path, g_strerror (saved));
      cxr_cam_exporter_free (self);
      return NULL;
    }

  /* Drawing and encoding four pictures takes several times one image's decode, forward and CAM (docs/scale.md),
   * so every core writes; the caller's thread and the engine's kernel team share the cores with them. Not
   * exclusive: the threads come from GLib's shared pool and go back when the queue is empty. */
  int n_writers = cxr_cam_exporter_default_writers ();
  self->max_queued = 2 * n_writers;
  self->writer = g_thread_pool_new (write_job, self, n_writers, FALSE, NULL);
  return self;
}

void
cxr_cam_exporter_free (CxrCamExporter *self)
{
  if (self == NULL)
    return;
  if (self->writer != NULL)
    g_thread_pool_free (self->writer, TRUE, TRUE);
  if (self->running_fd >= 0)
    close (self->running_fd);
  g_free (self->csv_path);
  cxr_cam_workspace_free (self->workspace);
  g_string_free (self->csv, TRUE);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->done_cond);
  g_free (self->folder);
  g_free (self->label);
  g_free (self);
}

const char *
cxr_cam_exporter_get_folder (CxrCamExporter *self)
{
  return self->folder;
}

void
cxr_cam_exporter_add (CxrCamExporter *self, CxrCamResult *result, const GArray *truth, CxrCamCut *cut)
{
  cxr_cam_exporter_add_with_ctr (self, result, truth, cut, NAN);
}

void
cxr_cam_exporter_add_with_ctr (CxrCamExporter *self, CxrCamResult *result, const GArray *truth, CxrCamCut *cut,
                               double ctr)
{
  g_return_if_fail (self->writer != NULL);

  if (result->error != NULL || result->cam == NULL)
    return;
  Job *job = g_new0 (Job, 1);
  job->result = cxr_cam_result_ref (result);
  job->truth = g_array_sized_new (FALSE, FALSE, sizeof (CxrRect), truth ? truth->len : 0);
  if (truth != NULL)
    g_array_append_vals (job->truth, truth->data, truth->len);

  g_auto (CxrCamCut) own = { NULL };
  CxrCamCut *c = cut ? cut : &own;
  cxr_cam_cut (c, self->workspace, result->cam, result->width, result->height, self->options.threshold,
               self->options.box_mode, (const CxrRect *) job->truth->data, job->truth->len, NULL);
  job->boxes = g_array_ref (c->boxes);
  gsize start = self->csv->len;
  cxr_cam_csv_append_row (self->csv, result, self->label, self->options.threshold, &c->score);
  if (self->options.ctr_column)
    {
      /* The row ends in its line break: the last field goes before it. */
      g_string_truncate (self->csv, self->csv->len - 1);
      g_string_append_c (self->csv, ',');
      cxr_ctr_append_ratio (self->csv, ctr);
      g_string_append_c (self->csv, '\n');
    }
  job->row = g_strndup (self->csv->str + start, self->csv->len - start);
  g_mutex_lock (&self->lock);
  /* Bounded memory: each queued image holds its gray pixels and its float CAM, 5 MB at 1024 x 1024. */
  while (self->options.wait_when_busy && self->n_queued >= self->max_queued)
    g_cond_wait (&self->done_cond, &self->lock);
  self->n_queued++;
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->writer, job, NULL);
}

void
cxr_cam_exporter_add_row (CxrCamExporter *self, const char *line)
{
  g_string_append (self->csv, line);
}

gboolean
cxr_cam_exporter_finish (CxrCamExporter *self, guint *n_written, GError **error)
{
  g_return_val_if_fail (self->writer != NULL, FALSE);

  /* Waits for every queued job; once cancelled, they return at once. */
  g_thread_pool_free (self->writer, FALSE, TRUE);
  self->writer = NULL;

  close (self->running_fd);
  self->running_fd = -1;
  if (!cxr_atomic_file_set_contents (self->csv_path, self->csv->str, self->csv->len, error))
    return FALSE;
  if (n_written != NULL)
    *n_written = self->n_written;
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

static void
finish_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  CxrCamExporter *self = task_data;
  guint n_written = 0;
  GError *error = NULL;
  if (cxr_cam_exporter_finish (self, &n_written, &error))
    g_task_return_int (task, n_written);
  else
    g_task_return_error (task, error);
}

void
cxr_cam_exporter_finish_async (CxrCamExporter *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, cxr_cam_exporter_finish_async);
  g_task_set_task_data (task, self, (GDestroyNotify) cxr_cam_exporter_free);
  g_task_run_in_thread (task, finish_in_thread);
}

gboolean
cxr_cam_exporter_finish_finish (GAsyncResult *result, guint *n_written, GError **error)
{
  gssize n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_written != NULL)
    *n_written = (guint) n;
  return TRUE;
}
