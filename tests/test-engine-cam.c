/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Grad-CAM jobs on the engine, driven from a GMainLoop as the UI drives them: one image, a list with
 * per-image progress on the caller's thread and a per-image error, cancellation, and the errors for no
 * model, a bad layer and a bad class. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "cxr-engine-cam.h"
#include "cxr-error.h"
#include "cxr-test-util.h"

typedef struct {
  GMainLoop *loop;
  GThread *main_thread;
  GAsyncResult *result;
  GPtrArray *reports;               /* CxrCamResult, in the order they arrived */
  guint last_done;
  GCancellable *cancel_after_first;
  gboolean progress_data_freed;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->loop = g_main_loop_new (NULL, FALSE);
  f->main_thread = g_thread_self ();
  f->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) cxr_cam_result_unref);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->result);
  g_ptr_array_unref (f->reports);
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
on_progress (CxrCamResult *result, guint done, guint total, gpointer user_data)
{
  Fixture *f = user_data;
  g_assert_true (g_thread_self () == f->main_thread);
  g_assert_cmpuint (done, ==, f->last_done + 1);
  g_assert_cmpuint (result->index, ==, done - 1);
  f->last_done = done;
  g_ptr_array_add (f->reports, cxr_cam_result_ref (result));
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

static GStrv
write_images (const char *dir, guint count, int width, int height)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  for (guint i = 0; i < count; i++)
    {
      g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
      guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
      int stride = gdk_pixbuf_get_rowstride (pixbuf);
      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          memset (pixels + y * stride + x * 3, (x * (i + 2) + y * y / 7) & 0xff, 3);
      g_autofree char *name = g_strdup_printf ("image-%02u.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", NULL, NULL));
      g_strv_builder_add (builder, path);
    }
  return g_strv_builder_end (builder);
}

static CxrModel *
load_model (Fixture *f, CxrEngine *engine)
{
  g_autofree char *weights = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autoptr (GError) error = NULL;
  cxr_engine_load_model_async (engine, weights, NULL, NULL, store_result, f);
  g_main_loop_run (f->loop);
  CxrModel *model = cxr_engine_load_model_finish (engine, f->result, &error);
  g_assert_no_error (error);
  g_clear_object (&f->result);
  return model;
}

static CxrCamResult *
run_one (Fixture *f, CxrEngine *engine, const char *path, const CxrCamOptions *options, GError **error)
{
  cxr_engine_cam_async (engine, path, options, NULL, store_result, f);
  g_main_loop_run (f->loop);
  CxrCamResult *result = cxr_engine_cam_finish (engine, f->result, error);
  g_clear_object (&f->result);
  return result;
}

static void
test_one_image (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_auto (GStrv) paths = write_images (dir, 1, 96, 80);
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autoptr (GError) error = NULL;

  /* Without a model. */
  g_autoptr (CxrCamResult) none = run_one (f, engine, paths[0], NULL, &error);
  g_assert_null (none);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);

  g_autoptr (CxrModel) model = load_model (f, engine);
  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  options.layer = "layer3";
  options.method = CXR_CAM_METHOD_GRADCAM_PLUSPLUS;
  g_autoptr (CxrCamResult) result = run_one (f, engine, paths[0], &options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->name, ==, "image-00.png");
  g_assert_cmpstr (result->path, ==, paths[0]);
  g_assert_cmpint (result->width, ==, 96);
  g_assert_cmpint (result->height, ==, 80);
  g_assert_cmpstr (result->layer, ==, "layer3.0");
  g_assert_cmpint (result->method, ==, CXR_CAM_METHOD_GRADCAM_PLUSPLUS);
  g_assert_cmpint (result->target_class, ==, 1);
  g_assert_cmpstr (result->target_name, ==, "Cardiomegaly");
  g_assert_cmpuint (result->n_classes, ==, 2);
  g_assert_cmpfloat_with_epsilon (result->probabilities[0] + result->probabilities[1], 1.0, 1e-6);
  /* The default card's input is 224 x 224; layer3 of this network is 1/16 of it. */
  g_assert_cmpint (result->feature_width, ==, 14);
  g_assert_cmpint (result->feature_height, ==, 14);
  float lo = 1, hi = 0;
  for (int i = 0; i < 96 * 80; i++)
    {
      lo = MIN (lo, result->cam[i]);
      hi = MAX (hi, result->cam[i]);
    }
  g_assert_cmpfloat (lo, >=, 0.0f);
  g_assert_cmpfloat (hi, <=, 1.0f);
  g_assert_cmpfloat (hi, >, 0.5f);
  /* Row 40 of the image is gray8 of what the PNG holds. */
  g_assert_cmpuint (result->gray8[40 * 96 + 10], ==, (10 * 2 + 40 * 40 / 7) & 0xff);

  /* The same as running the pipeline directly (the engine is idle now). */
  g_autoptr (CxrCamResult) direct = cxr_cam_compute_file (model, paths[0], &options, &error);
  g_assert_no_error (error);
  cxr_assert_close_abs (result->cam, direct->cam, 96 * 80, 0.0);

  /* Bad layer and class fail the job. */
  options.layer = "layer7";
  g_autoptr (CxrCamResult) bad_layer = run_one (f, engine, paths[0], &options, &error);
  g_assert_null (bad_layer);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);
  options.layer = NULL;
  options.target_class = 5;
  g_autoptr (CxrCamResult) bad_class = run_one (f, engine, paths[0], &options, &error);
  g_assert_null (bad_class);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  g_clear_error (&error);

  /* An unreadable image fails with its own error. */
  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  g_autoptr (CxrCamResult) unreadable = run_one (f, engine, missing, NULL, &error);
  g_assert_null (unreadable);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_IO);
}

static void
test_batch (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_auto (GStrv) good = write_images (dir, 4, 64, 72);
  g_autofree char *garbage = g_build_filename (dir, "garbage.png", NULL);
  g_assert_true (g_file_set_contents (garbage, "not a PNG", -1, NULL));
  const char *paths[] = { good[0], good[1], garbage, good[2], good[3], NULL };

  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autoptr (CxrModel) model = load_model (f, engine);
  cxr_engine_cam_batch_async (engine, paths, NULL, on_progress, f, on_progress_data_freed, NULL, store_result, f);
  g_main_loop_run (f->loop);
  guint n_failed = 99;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_engine_cam_batch_finish (engine, f->result, &n_failed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_failed, ==, 1);
  g_assert_true (f->progress_data_freed);
  g_assert_cmpuint (f->reports->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      CxrCamResult *r = g_ptr_array_index (f->reports, i);
      g_assert_cmpstr (r->path, ==, paths[i]);
      if (i == 2)
        {
          g_assert_error (r->error, CXR_ERROR, CXR_ERROR_FORMAT);
          g_assert_null (r->cam);
          continue;
        }
      g_assert_no_error (r->error);
      g_assert_cmpstr (r->layer, ==, "layer4.0");
      g_assert_nonnull (r->cam);
      g_assert_cmpint (r->width, ==, 64);
    }
}

static void
test_batch_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_auto (GStrv) paths = write_images (dir, 30, 64, 64);
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autoptr (CxrModel) model = load_model (f, engine);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  f->cancel_after_first = cancellable;
  cxr_engine_cam_batch_async (engine, (const char *const *) paths, NULL, on_progress, f, on_progress_data_freed,
                              cancellable, store_result, f);
  g_main_loop_run (f->loop);
  g_autoptr (GError) error = NULL;
  g_assert_false (cxr_engine_cam_batch_finish (engine, f->result, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->reports->len, <, 30);
  g_assert_true (f->progress_data_freed);
}

static int
argmax_excluding (const float *values, guint n, int excluded)
{
  int best = -1;
  for (guint c = 0; c < n; c++)
    if ((int) c != excluded && (best < 0 || values[c] > values[best]))
      best = (int) c;
  return best;
}

/* The model's top class (CXR_CAM_TARGET_TOP) explains, for each image, the class with the highest probability:
 * the same map as asking for that class by its index. A class named "No Finding" is passed over for the next. */
static void
test_top_class (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_auto (GStrv) paths = write_images (dir, 3, 72, 64);
  g_autofree char *weights = cxr_test_fixture_path ("networks/basic_c1_k14.pth");
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (weights, NULL, &error);
  g_assert_no_error (error);

  CxrCamOptions top, explicit;
  cxr_cam_options_init_default (&top);
  top.target_class = CXR_CAM_TARGET_TOP;
  cxr_cam_options_init_default (&explicit);
  int first_top = -1;
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr (CxrCamResult) result = cxr_cam_compute_file (model, paths[i], &top, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (result->n_classes, ==, 14);
      int want = argmax_excluding (result->probabilities, result->n_classes, -1);
      g_test_message ("%s: top class %d (%s, %.4f)", result->name, want, cxr_nih14_labels[want],
                      result->probabilities[want]);
      g_assert_cmpint (result->target_class, ==, want);
      g_assert_cmpstr (result->target_name, ==, cxr_nih14_labels[want]);
      explicit.target_class = want;
      g_autoptr (CxrCamResult) by_index = cxr_cam_compute_file (model, paths[i], &explicit, &error);
      g_assert_no_error (error);
      cxr_assert_close_abs (result->cam, by_index->cam, 72 * 64, 0.0);
      if (first_top < 0)
        first_top = want;
    }
  /* Not the card's positive class (Cardiomegaly) for these images: the top class is a choice of its own. */
  g_assert_cmpint (first_top, !=, (int) cxr_model_get_card (model)->positive_class);

  /* The same weights with a card that calls the first image's top class "No Finding": the next one is explained. */
  g_autoptr (GString) card = g_string_new ("{\"activation\": \"sigmoid\", \"class_names\": [");
  for (int c = 0; c < 14; c++)
    g_string_append_printf (card, "%s\"%s\"", c ? ", " : "", c == first_top ? "No Finding" : cxr_nih14_labels[c]);
  g_string_append (card, "]}");
  g_autofree char *card_path = g_build_filename (dir, "card.json", NULL);
  g_assert_true (g_file_set_contents (card_path, card->str, -1, NULL));
  g_autoptr (CxrModel) renamed = cxr_model_load (weights, card_path, &error);
  g_assert_no_error (error);
  g_autoptr (CxrCamResult) result = cxr_cam_compute_file (renamed, paths[0], &top, &error);
  g_assert_no_error (error);
  int second = argmax_excluding (result->probabilities, result->n_classes, first_top);
  g_assert_cmpint (second, !=, first_top);
  g_assert_cmpint (result->target_class, ==, second);
  g_assert_cmpstr (result->target_name, ==, cxr_nih14_labels[second]);

  /* Through the engine, as the window asks. */
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  cxr_engine_set_model (engine, renamed);
  g_autoptr (CxrCamResult) queued = run_one (f, engine, paths[0], &top, &error);
  g_assert_no_error (error);
  g_assert_cmpint (queued->target_class, ==, second);
  cxr_assert_close_abs (queued->cam, result->cam, 72 * 64, 0.0);

  /* The network-level call takes class indices only. */
  explicit.target_class = -7;
  g_autoptr (CxrCamResult) bad = cxr_cam_compute_file (model, paths[0], &explicit, &error);
  g_assert_null (bad);
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/engine-cam/one-image", Fixture, NULL, fixture_set_up, test_one_image, fixture_tear_down);
  g_test_add ("/engine-cam/batch", Fixture, NULL, fixture_set_up, test_batch, fixture_tear_down);
  g_test_add ("/engine-cam/batch-cancel", Fixture, NULL, fixture_set_up, test_batch_cancel, fixture_tear_down);
  g_test_add ("/engine-cam/top-class", Fixture, NULL, fixture_set_up, test_top_class, fixture_tear_down);
  return g_test_run ();
}
