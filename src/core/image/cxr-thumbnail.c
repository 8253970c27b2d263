/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-thumbnail.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cxr-atomic-file.h"
#include "cxr-dicom.h"
#include "cxr-image.h"
#include "cxr-error.h"
#include "cxr-input-file.h"
#include "cxr-limits.h"

#define WORKERS 2

struct _CxrThumbnailer {
  GObject parent_instance;
  char *cache_dir;
  guint size;
  GThreadPool *pool;
  guint holds;
  GQueue held;          /* GTask: requests made while held, in order */
};

G_DEFINE_FINAL_TYPE (CxrThumbnailer, cxr_thumbnailer, G_TYPE_OBJECT)

/* What a worker needs, copied, so that it never touches the thumbnailer. */
typedef struct {
  char *image_path;
  char *cache_dir;
  guint size;
} Job;

typedef struct {
  GdkPixbuf *pixbuf;
  gboolean from_cache;
} JobResult;

static void
job_free (gpointer data)
{
  Job *job = data;
  g_free (job->image_path);
  g_free (job->cache_dir);
  g_free (job);
}

static void
job_result_free (gpointer data)
{
  JobResult *result = data;
  g_clear_object (&result->pixbuf);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobResult, job_result_free)

/* ---- the work, on any thread ----------------------------------------------------------------------------- */

static gboolean
set_cancelled (GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the thumbnail was cancelled");
  return FALSE;
}

static char *
cache_path (const char *cache_dir, guint size, const char *image_path, GError **error)
{
  g_autofree char *absolute = g_canonicalize_filename (image_path, NULL);
  GStatBuf st;
  if (g_stat (absolute, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CXR_ERROR, CXR_ERROR_IO, "could not read %s: %s", image_path, g_strerror (saved_errno));
      return NULL;
    }
  gint64 mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
  g_autofree char *key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%u", absolute, mtime_ns,
                                          (gint64) st.st_size, size);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strconcat (hash, ".png", NULL);
  return g_build_filename (cache_dir, name, NULL);
}

/* gdk-pixbuf knows no DICOM: those files go through cxr_image_load_thumbnail (the network's gray, at the file's
 * first window, MONOCHROME1 inverted: cxr-dicom.h). */
static GdkPixbuf *
dicom_thumbnail (const char *path, int size, GError **error)
{
  g_autoptr (CxrImage) image = cxr_image_load_thumbnail (path, size, error);
  if (image == NULL)
    return NULL;
  g_autofree guint8 *gray = cxr_image_to_gray8 (image);
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, image->width, image->height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        guint8 v = gray[(gsize) y * image->width + x];
        guint8 *p = pixels + (gsize) y * stride + 3 * x;
        p[0] = p[1] = p[2] = v;
      }
  return pixbuf;
}

static GdkPixbuf *
make_thumbnail (const Job *job, GCancellable *cancellable, gboolean *from_cache, GError **error)
{
  g_autofree char *cached = cache_path (job->cache_dir, job->size, job->image_path, error);
  if (cached == NULL)
    return NULL;
  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled (error);
      return NULL;
    }

  if (g_file_test (cached, G_FILE_TEST_IS_REGULAR))
    {
      GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (cached, NULL);
      if (pixbuf != NULL)
        {
          *from_cache = TRUE;
          return pixbuf;
        }
      /* a broken cache file: make it again */
    }

  /* The limits every input has, before gdk-pixbuf sees the file: a regular file (a FIFO would hang this worker),
   * within the image limit (a 389 KB PNG of 20000 x 20000 pixels took 2 GB to shrink). */
  guint64 size;
  int fd = cxr_input_file_open (job->image_path, &size, error);
  if (fd < 0)
    return NULL;
  close (fd);
  int width = 0, height = 0;
  if (gdk_pixbuf_get_file_info (job->image_path, &width, &height) != NULL
      && !cxr_limits_check_image (width, height, job->image_path, error))
    return NULL;

  g_autoptr (GError) decode_error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = cxr_dicom_sniff_file (job->image_path)
                                 ? dicom_thumbnail (job->image_path, (int) job->size, &decode_error)
                                 : gdk_pixbuf_new_from_file_at_scale (job->image_path, (int) job->size,
                                                                      (int) job->size, TRUE, &decode_error);
  if (pixbuf == NULL)
    {
      gboolean unreadable = g_error_matches (decode_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                            || g_error_matches (decode_error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
      g_set_error (error, CXR_ERROR, unreadable ? CXR_ERROR_IO : CXR_ERROR_FORMAT, "%s: %s", job->image_path,
                   decode_error->message);
      return NULL;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      set_cancelled (error);
      return NULL;
    }

  /* A cache that cannot be written costs speed, not the thumbnail. */
  g_autofree char *png = NULL;
  gsize png_length;
  if (g_mkdir_with_parents (job->cache_dir, 0700) == 0
      && gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_length, "png", NULL, NULL))
    cxr_atomic_file_set_contents (cached, png, png_length, NULL);
  *from_cache = FALSE;
  return g_steal_pointer (&pixbuf);
}

static void
run_job (gpointer data, gpointer pool_data)
{
  g_autoptr (GTask) task = data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JobResult) result = g_new0 (JobResult, 1);
  if (g_cancellable_is_cancelled (cancellable))
    set_cancelled (&error);
  else
    result->pixbuf = make_thumbnail (g_task_get_task_data (task), cancellable, &result->from_cache, &error);
  if (result->pixbuf == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&result), job_result_free);
}

/* ---- the object ------------------------------------------------------------------------------------------ */

static void
cxr_thumbnailer_finalize (GObject *object)
{
  CxrThumbnailer *thumbnailer = CXR_THUMBNAILER (object);
  /* No job is pending (each holds a reference), and this may run on a worker: do not wait for the pool. */
  g_thread_pool_free (thumbnailer->pool, FALSE, FALSE);
  g_free (thumbnailer->cache_dir);
  G_OBJECT_CLASS (cxr_thumbnailer_parent_class)->finalize (object);
}

static void
cxr_thumbnailer_class_init (CxrThumbnailerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_thumbnailer_finalize;
}

static void
cxr_thumbnailer_init (CxrThumbnailer *thumbnailer)
{
  g_queue_init (&thumbnailer->held);
}

CxrThumbnailer *
cxr_thumbnailer_new (const char *cache_dir, guint size)
{
  CxrThumbnailer *thumbnailer = g_object_new (CXR_TYPE_THUMBNAILER, NULL);
  thumbnailer->cache_dir = cache_dir != NULL ? g_strdup (cache_dir)
                                             : g_build_filename (g_get_user_cache_dir (), "cxrcam", "thumbnails", NULL);
  thumbnailer->size = size > 0 ? size : CXR_THUMBNAIL_DEFAULT_SIZE;
  thumbnailer->pool = g_thread_pool_new (run_job, NULL, WORKERS, FALSE, NULL);
  return thumbnailer;
}

/* Requests wait here rather than in the pool's queue: a pool of no threads is not frozen, since a worker already
 * waiting for work (for half a second after its last job) still takes the next one. */
void
cxr_thumbnailer_hold (CxrThumbnailer *thumbnailer)
{
  thumbnailer->holds++;
}

void
cxr_thumbnailer_release (CxrThumbnailer *thumbnailer)
{
  g_return_if_fail (thumbnailer->holds > 0);
  if (--thumbnailer->holds > 0)
    return;
  GTask *task;
  while ((task = g_queue_pop_head (&thumbnailer->held)) != NULL)
    g_thread_pool_push (thumbnailer->pool, task, NULL);
}

const char *
cxr_thumbnailer_get_cache_dir (CxrThumbnailer *thumbnailer)
{
  return thumbnailer->cache_dir;
}

guint
cxr_thumbnailer_get_size (CxrThumbnailer *thumbnailer)
{
  return thumbnailer->size;
}

char *
cxr_thumbnailer_dup_cache_path (CxrThumbnailer *thumbnailer, const char *image_path, GError **error)
{
  return cache_path (thumbnailer->cache_dir, thumbnailer->size, image_path, error);
}

static Job *
job_new (CxrThumbnailer *thumbnailer, const char *image_path)
{
  Job *job = g_new0 (Job, 1);
  job->image_path = g_strdup (image_path);
  job->cache_dir = g_strdup (thumbnailer->cache_dir);
  job->size = thumbnailer->size;
  return job;
}

void
cxr_thumbnailer_load_async (CxrThumbnailer *thumbnailer, const char *image_path, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (thumbnailer, cancellable, callback, user_data);
  g_task_set_source_tag (task, cxr_thumbnailer_load_async);
  /* We report cancellation ourselves (G_IO_ERROR_CANCELLED), from the worker that sees it. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job_new (thumbnailer, image_path), job_free);
  if (thumbnailer->holds > 0)
    g_queue_push_tail (&thumbnailer->held, task);   /* each holds the thumbnailer: it outlives them */
  else
    g_thread_pool_push (thumbnailer->pool, task, NULL);
}

GdkPixbuf *
cxr_thumbnailer_load_finish (CxrThumbnailer *thumbnailer, GAsyncResult *result, gboolean *from_cache,
                             GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, thumbnailer), NULL);
  g_autoptr (JobResult) job_result = g_task_propagate_pointer (G_TASK (result), error);
  if (job_result == NULL)
    return NULL;
  if (from_cache != NULL)
    *from_cache = job_result->from_cache;
  return g_steal_pointer (&job_result->pixbuf);
}

GdkPixbuf *
cxr_thumbnailer_load (CxrThumbnailer *thumbnailer, const char *image_path, GCancellable *cancellable,
                      gboolean *from_cache, GError **error)
{
  g_autoptr (Job) job = job_new (thumbnailer, image_path);
  gboolean cached = FALSE;
  GdkPixbuf *pixbuf = make_thumbnail (job, cancellable, &cached, error);
  if (from_cache != NULL)
    *from_cache = cached;
  return pixbuf;
}
