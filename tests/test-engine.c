/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The engine facade driven from a GMainLoop, as the UI drives it: async load and predict, progress on
 * the caller's thread, per-image errors, cancellation. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "cxr-engine.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

typedef struct {
  GMainLoop *loop;
  GThread *main_thread;
  GAsyncResult *result;
  guint reports;
  guint last_done;
  GCancellable *cancel_after_first;  /* cancelled by the first progress report */
  gboolean progress_data_freed;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->loop = g_main_loop_new (NULL, FALSE);
  f->main_thread = g_thread_self ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->result);
  g_main_loop_unref (f->loop);
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  g_assert_true (g_thread_self () == f->main_thread);
  f->result = g_object_ref (result);
  g_main_loop_quit (f->loop);
}

static void
on_progress (const CxrPrediction *prediction, guint done, guint total, gpointer user_data)
{
  Fixture *f = user_data;
  g_assert_true (g_thread_self () == f->main_thread);
  g_assert_cmpuint (done, ==, f->last_done + 1);
  g_assert_cmpuint (prediction->index, ==, done - 1);
  f->last_done = done;
  f->reports++;
  if (f->cancel_after_first)
    g_cancellable_cancel (f->cancel_after_first);
}

static void
on_progress_data_freed (gpointer user_data)
{
  Fixture *f = user_data;
  g_assert_true (g_thread_self () == f->main_thread);
  f->progress_data_freed = TRUE;
}

/* Writes @count size x size RGB PNGs with a different gradient each, returns their paths. */
static GStrv
write_images (const char *dir, guint count, int size)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  for (guint i = 0; i < count; i++)
    {
      g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, size, size);
      guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
      int stride = gdk_pixbuf_get_rowstride (pixbuf);
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
          memset (pixels + y * stride + x * 3, (x * (i + 1) + y * 3) & 0xff, 3);
      g_autofree char *name = g_strdup_printf ("image-%02u.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
      g_strv_builder_add (builder, path);
    }
  return g_strv_builder_end (builder);
}

static CxrModel *
load_model (Fixture *f, CxrEngine *engine, const char *path, GError **error)
{
  cxr_engine_load_model_async (engine, path, NULL, NULL, store_result, f);
  g_main_loop_run (f->loop);
  CxrModel *model = cxr_engine_load_model_finish (engine, f->result, error);
  g_clear_object (&f->result);
  return model;
}

static void
test_load_and_predict (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_auto (GStrv) good = write_images (dir, 5, 80);
  g_autofree char *garbage = g_build_filename (dir, "garbage.png", NULL);
  g_assert_true (g_file_set_contents (garbage, "this is not a PNG", -1, NULL));

  /* Request: three good images, the garbage file, two more good ones. */
  const char *paths[] = { good[0], good[1], good[2], garbage, good[3], good[4], NULL };

  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autofree char *weights = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = load_model (f, engine, weights, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_model_get_n_classes (model), ==, 2);
  g_autofree char *description = cxr_model_describe (model);
  g_assert_nonnull (strstr (description, "softmax over No Finding, Cardiomegaly"));

  cxr_engine_predict_async (engine, paths, on_progress, f, on_progress_data_freed, NULL, store_result, f);
  g_main_loop_run (f->loop);
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (engine, f->result, &error);
  g_assert_no_error (error);
  /* The data-free idle was queued before the result; it has run by now. */
  g_assert_true (f->progress_data_freed);
  g_assert_cmpuint (f->reports, ==, 6);
  g_assert_cmpuint (predictions->len, ==, 6);

  for (guint i = 0; i < predictions->len; i++)
    {
      const CxrPrediction *p = g_ptr_array_index (predictions, i);
      g_assert_cmpstr (p->path, ==, paths[i]);
      if (i == 3)
        {
          g_assert_error (p->error, CXR_ERROR, CXR_ERROR_FORMAT);
          g_assert_nonnull (strstr (p->error->message, "garbage.png"));
          g_assert_null (p->probabilities);
          continue;
        }
      g_assert_no_error (p->error);
      g_assert_cmpfloat_with_epsilon (p->probabilities[0] + p->probabilities[1], 1.0, 1e-6);

      /* The batch result equals running the model on that image alone. */
      g_autoptr (CxrImage) image = cxr_image_load (paths[i], &error);
      g_assert_no_error (error);
      float logits[2];
      g_assert_true (cxr_model_predict (model, &image, 1, logits, &error));
      cxr_assert_close (p->logits, logits, 2, 1e-5);
    }
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  /* Full-size images take long enough to decode (tens of ms a batch) that the main loop's cancel,
   * sent from the first progress report, reaches the job well before the last batch. */
  g_auto (GStrv) images = write_images (dir, 24, 1024);
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autofree char *weights = cxr_test_fixture_path ("networks/bottleneck_c1_k1.pth");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = load_model (f, engine, weights, &error);
  g_assert_no_error (error);

  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  f->cancel_after_first = cancellable;
  cxr_engine_predict_async (engine, (const char *const *) images, on_progress, f, NULL, cancellable, store_result, f);
  g_main_loop_run (f->loop);
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (engine, f->result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (predictions);
  g_test_message ("cancelled after %u of 24 images", f->reports);
  g_assert_cmpuint (f->reports, >=, 1);
  g_assert_cmpuint (f->reports, <, 24);
}

static void
test_no_model (Fixture *f, gconstpointer data)
{
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  const char *paths[] = { "whatever.png", NULL };
  cxr_engine_predict_async (engine, paths, NULL, NULL, NULL, NULL, store_result, f);
  g_main_loop_run (f->loop);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (engine, f->result, &error);
  g_assert_null (predictions);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
}

static void
test_load_error (Fixture *f, gconstpointer data)
{
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.pth", NULL);
  g_assert_true (g_file_set_contents (path, "not a checkpoint at all", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = load_model (f, engine, path, &error);
  g_assert_null (model);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "model.pth"));
  g_autoptr (CxrModel) current = cxr_engine_dup_model (engine);
  g_assert_null (current);
}

static void
store_in_slot (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

/* What the CLI does: a private context, iterated only while it waits for one job, then dropped. Once
 * cxrcam-cli predict hung in about one of 2000 error exits: the engine thread released the job on the
 * dropped context after the caller had let go of it, waited on its freed lock, and the caller waited
 * for the engine thread. Each round must end with the engine finalized (its thread joined), at once. */
static void
test_caller_stops_iterating (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.pth", NULL);
  g_assert_true (g_file_set_contents (path, "not a checkpoint at all", -1, NULL));
  for (guint round = 0; round < 300; round++)
    {
      g_autoptr (GMainContext) context = g_main_context_new ();
      g_main_context_push_thread_default (context);
      CxrEngine *engine = cxr_engine_new ();
      gpointer alive = engine;
      g_object_add_weak_pointer (G_OBJECT (engine), &alive);
      GAsyncResult *result = NULL;
      cxr_engine_load_model_async (engine, path, NULL, NULL, store_in_slot, &result);
      while (result == NULL || cxr_engine_has_jobs (engine))
        g_main_context_iteration (context, TRUE);
      g_main_context_pop_thread_default (context);
      g_clear_pointer (&context, g_main_context_unref);

      g_autoptr (GError) error = NULL;
      g_assert_null (cxr_engine_load_model_finish (engine, result, &error));
      g_assert_nonnull (error);
      g_object_unref (result);
      g_object_unref (engine);
      g_assert_null (alive);
    }
}

/* A job that waits at a gate, then reads the model it was given. */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean started, open;
  char *path;            /* what the job read off its model */
  guint n_classes;
} Gate;

static void
gated_job (GTask *task, CxrEngine *engine, gpointer task_data, GCancellable *cancellable)
{
  Gate *gate = task_data;
  g_mutex_lock (&gate->lock);
  gate->started = TRUE;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
  CxrModel *model = cxr_engine_get_model_in_job (engine);
  gate->path = model ? g_strdup (cxr_model_get_path (model)) : NULL;
  gate->n_classes = model ? cxr_model_get_n_classes (model) : 0;
  g_task_return_boolean (task, TRUE);
}

/* The training page makes its new model current from the main thread while a job may run on the engine
 * thread: the running job keeps its model (once the engine's reference was the last one, and the job read
 * freed memory), the next job gets the new one. */
static void
test_set_model_during_job (Fixture *f, gconstpointer data)
{
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autofree char *weights = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autoptr (GError) error = NULL;
  CxrModel *model = load_model (f, engine, weights, &error);
  g_assert_no_error (error);
  cxr_model_unref (model);   /* the engine's reference is the only one now */

  Gate gate = { 0 };
  g_autoptr (GTask) task = g_task_new (engine, NULL, store_result, f);
  g_task_set_task_data (task, &gate, NULL);
  cxr_engine_run_job (engine, task, gated_job);
  g_mutex_lock (&gate.lock);
  while (!gate.started)
    g_cond_wait (&gate.cond, &gate.lock);
  g_mutex_unlock (&gate.lock);

  cxr_engine_set_model (engine, NULL);
  g_assert_null (cxr_engine_dup_model (engine));
  g_mutex_lock (&gate.lock);
  gate.open = TRUE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.lock);
  g_main_loop_run (f->loop);
  g_assert_cmpstr (gate.path, ==, weights);
  g_assert_cmpuint (gate.n_classes, ==, 2);
  g_clear_object (&f->result);

  /* The next job sees the model made current: none. */
  Gate next = { .open = TRUE };
  g_autoptr (GTask) next_task = g_task_new (engine, NULL, store_result, f);
  g_task_set_task_data (next_task, &next, NULL);
  cxr_engine_run_job (engine, next_task, gated_job);
  g_main_loop_run (f->loop);
  g_assert_null (next.path);
  g_free (gate.path);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  g_mutex_clear (&next.lock);
  g_cond_clear (&next.cond);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/engine/set-model-during-job", Fixture, NULL, fixture_set_up, test_set_model_during_job,
              fixture_tear_down);
  g_test_add ("/engine/load-and-predict", Fixture, NULL, fixture_set_up, test_load_and_predict, fixture_tear_down);
  g_test_add ("/engine/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/engine/no-model", Fixture, NULL, fixture_set_up, test_no_model, fixture_tear_down);
  g_test_add ("/engine/load-error", Fixture, NULL, fixture_set_up, test_load_error, fixture_tear_down);
  g_test_add ("/engine/caller-stops-iterating", Fixture, NULL, fixture_set_up, test_caller_stops_iterating,
              fixture_tear_down);
  return g_test_run ();
}
