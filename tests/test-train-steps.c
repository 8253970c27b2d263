/* SPDX-License-Identifier: GPL-3.0-or-later */
/* steps.csv and the estimate before a run, on generated phantoms (no real data needed) with the tiny
 * torchvision-topology network fixtures/networks/basic_c3_k2.pth at 48 x 48:
 *   - the log reads back exactly what was appended, in any locale, ignores a line cut short, and a log
 *     that resumes drops the rows from its first step on;
 *   - through the engine's training job, steps.csv holds one row per step event with the event's
 *     numbers, and after a cancel and a resume it tells the run step by step, each step once;
 *   - the estimate's split (images and positives on each side) is the split the run then trains on,
 *     read back from the run's train-state.json and the label table; its timings are positive. */
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "cxr-dataset.h"
#include "cxr-engine-train.h"
#include "cxr-error.h"
#include "cxr-phantom.h"
#include "cxr-test-util.h"
#include "cxr-train-state.h"
#include "cxr-train-steps.h"

static void
assert_steps_equal (const CxrTrainStep *a, const CxrTrainStep *b)
{
  g_assert_cmpuint (a->global_step, ==, b->global_step);
  g_assert_cmpuint (a->epoch, ==, b->epoch);
  g_assert_cmpuint (a->step, ==, b->step);
  g_assert_cmpuint (a->steps_per_epoch, ==, b->steps_per_epoch);
  g_assert_cmpfloat (a->loss, ==, b->loss);
  g_assert_cmpfloat (a->lr, ==, b->lr);
  g_assert_cmpfloat (a->images_per_second, ==, b->images_per_second);
}

static CxrTrainStep
make_step (guint64 global_step)
{
  /* Values that need every digit: a round trip through text must keep them. */
  return (CxrTrainStep) { global_step, (guint) (global_step - 1) / 4 + 1, (guint) (global_step - 1) % 4 + 1, 4,
                          0.6931471805599453 / global_step, 1e-3 * (1 + global_step / 7.0), 123.456789 * global_step };
}

static void
test_log (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, CXR_TRAIN_STEPS_FILE, NULL);
  g_autoptr (GError) error = NULL;

  /* Written under a locale with a decimal comma: the file must not change. */
  const char *old_locale = setlocale (LC_NUMERIC, NULL);
  g_autofree char *saved_locale = g_strdup (old_locale);
  gboolean german = setlocale (LC_NUMERIC, "de_DE.UTF-8") != NULL;
  g_test_message ("writing with LC_NUMERIC %s", german ? "de_DE.UTF-8" : "C (de_DE.UTF-8 is not installed)");
  {
    g_autoptr (CxrTrainStepLog) log = cxr_train_step_log_new (dir);
    for (guint64 s = 1; s <= 10; s++)
      {
        CxrTrainStep step = make_step (s);
        g_assert_true (cxr_train_step_log_append (log, &step, &error));
        g_assert_no_error (error);
      }
  }
  setlocale (LC_NUMERIC, saved_locale);

  g_autofree char *contents = NULL;
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "global_step,epoch,step,steps_per_epoch,loss,lr,images_per_second\n"
                                             "1,1,1,4,0.6931471805599453,"));
  g_autoptr (GArray) steps = cxr_train_steps_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      CxrTrainStep want = make_step (i + 1);
      assert_steps_equal (&g_array_index (steps, CxrTrainStep, i), &want);
    }

  /* A write cut short by a kill: the partial row is not read. */
  g_autofree char *cut = g_strconcat (contents, "11,3,3,4,0.06", NULL);
  g_assert_true (g_file_set_contents (path, cut, -1, NULL));
  g_clear_pointer (&steps, g_array_unref);
  steps = cxr_train_steps_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 10);

  /* Resumed from step 7: rows 7.. (and the cut one) go, the new ones follow. */
  {
    g_autoptr (CxrTrainStepLog) log = cxr_train_step_log_new (dir);
    for (guint64 s = 7; s <= 12; s++)
      {
        CxrTrainStep step = make_step (s);
        step.loss += 1;   /* a different run of those steps */
        g_assert_true (cxr_train_step_log_append (log, &step, &error));
      }
  }
  g_clear_pointer (&steps, g_array_unref);
  steps = cxr_train_steps_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 12);
  for (guint i = 0; i < 12; i++)
    {
      CxrTrainStep want = make_step (i + 1);
      if (i + 1 >= 7)
        want.loss += 1;
      assert_steps_equal (&g_array_index (steps, CxrTrainStep, i), &want);
    }

  /* Not a step log; a missing one. */
  g_assert_true (g_file_set_contents (path, "epoch,train_loss\n1,0.5\n", -1, NULL));
  g_assert_null (cxr_train_steps_load (path, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_FORMAT);
  g_clear_error (&error);
  g_autofree char *missing = g_build_filename (dir, "nothing.csv", NULL);
  g_assert_null (cxr_train_steps_load (missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* ---- through the engine ------------------------------------------------- */

static char *
make_phantoms (const char *dir)
{
  char *data = g_build_filename (dir, "phantoms", NULL);
  CxrPhantomOptions options;
  cxr_phantom_options_init_default (&options);
  options.n_images = 40;
  options.size = 96;
  options.seed = 7;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_phantom_write_dataset (data, &options, NULL, &error));
  g_assert_no_error (error);
  return data;
}

static void
init_config (CxrTrainConfig *c, const char *data, const char *out)
{
  cxr_train_config_init (c);
  c->data_dir = g_strdup (data);
  c->model_path = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_clear_pointer (&c->arch, g_free);
  c->out_dir = g_strdup (out);
  c->input_size = 48;
  c->epochs = 2;
  c->batch_size = 6;
  c->val_fraction = 0.25;
  c->seed = 11;
}

typedef struct {
  GArray *steps;            /* CxrTrainStep from the events */
  guint cancel_at;          /* 0: never */
  GCancellable *cancellable;
  GAsyncResult *result;
} Watch;

static void
on_event (const CxrTrainEvent *event, gpointer user_data)
{
  Watch *w = user_data;
  if (event->kind != CXR_TRAIN_EVENT_STEP)
    return;
  CxrTrainStep step = { event->global_step, event->epoch, event->step, event->n_steps, event->loss, event->lr,
                        event->images_per_second };
  g_array_append_val (w->steps, step);
  if (w->cancel_at && w->steps->len == w->cancel_at)
    g_cancellable_cancel (w->cancellable);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Watch *w = user_data;
  w->result = g_object_ref (result);
}

static CxrTrainResult *
train (CxrEngine *engine, const CxrTrainConfig *c, gboolean resume, Watch *w, GError **error)
{
  g_clear_object (&w->result);
  cxr_engine_train_async (engine, c, resume, on_event, w, NULL, w->cancellable, on_done, w);
  while (w->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return cxr_engine_train_finish (engine, w->result, error);
}

static void
test_engine_log (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *data = make_phantoms (dir);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  g_autofree char *path = g_build_filename (out, CXR_TRAIN_STEPS_FILE, NULL);
  CxrTrainConfig c;
  init_config (&c, data, out);
  g_autoptr (CxrEngine) engine = cxr_engine_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Watch w = { g_array_new (FALSE, FALSE, sizeof (CxrTrainStep)), 4, cancellable, NULL };

  /* Cancelled after the 4th step event (the engine may be a step further by then): the log has the
   * steps up to the resume point. */
  g_assert_null (train (engine, &c, FALSE, &w, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_autoptr (GArray) logged = cxr_train_steps_load (path, &error);
  g_assert_no_error (error);
  CxrTrainState state;
  cxr_train_state_init (&state);
  g_assert_true (cxr_train_state_read (out, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.global_step, >=, 4);
  g_assert_cmpuint (logged->len, ==, state.global_step);
  g_assert_cmpuint (w.steps->len, ==, state.global_step);
  cxr_train_state_clear (&state);

  /* Resumed to the end: every step once, 1..N, as the events told them. */
  w.cancel_at = 0;
  g_autoptr (GCancellable) fresh = g_cancellable_new ();
  w.cancellable = fresh;
  g_autoptr (CxrTrainResult) result = train (engine, &c, TRUE, &w, &error);
  g_assert_no_error (error);
  g_assert_null (result->step_log_error);
  g_clear_pointer (&logged, g_array_unref);
  logged = cxr_train_steps_load (path, &error);
  g_assert_no_error (error);
  guint steps_per_epoch = g_array_index (w.steps, CxrTrainStep, 0).steps_per_epoch;
  g_assert_cmpuint (logged->len, ==, 2 * steps_per_epoch);
  g_assert_cmpuint (w.steps->len, ==, logged->len);
  for (guint i = 0; i < logged->len; i++)
    {
      const CxrTrainStep *row = &g_array_index (logged, CxrTrainStep, i);
      g_assert_cmpuint (row->global_step, ==, i + 1);
      assert_steps_equal (row, &g_array_index (w.steps, CxrTrainStep, i));
    }
  g_array_unref (w.steps);
  g_clear_object (&w.result);
  cxr_train_config_clear (&c);
}

static guint
count_positive (CxrDataset *dataset, GPtrArray *names)
{
  guint positive = 0;
  for (guint i = 0; i < names->len; i++)
    {
      guint index;
      g_assert_true (cxr_dataset_lookup (dataset, g_ptr_array_index (names, i), &index));
      positive += (cxr_dataset_get_entry (dataset, index)->findings & CXR_FINDING_CARDIOMEGALY) != 0;
    }
  return positive;
}

static void
test_estimate (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *data = make_phantoms (dir);
  g_autofree char *out = g_build_filename (dir, "run", NULL);
  CxrTrainConfig c;
  init_config (&c, data, out);
  c.epochs = 1;
  g_autoptr (GError) error = NULL;

  CxrTrainEstimate split, timed;
  g_assert_true (cxr_trainer_estimate (&c, 0, NULL, &split, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (split.timed_steps, ==, 0);
  g_assert_true (cxr_trainer_estimate (&c, 2, NULL, &timed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (timed.n_train, ==, split.n_train);
  g_assert_cmpuint (timed.n_val, ==, split.n_val);
  g_assert_cmpuint (timed.timed_steps, ==, 2);
  g_assert_cmpfloat (timed.seconds_per_step, >, 0);
  g_assert_cmpfloat (timed.seconds_validation, >, 0);
  g_assert_cmpfloat_with_epsilon (timed.seconds_per_epoch,
                                  timed.seconds_per_step * timed.steps_per_epoch + timed.seconds_validation, 1e-9);
  g_test_message ("split %u + %u (%u + %u positive), %u steps of %.3f s, validation %.3f s", split.n_train,
                  split.n_val, split.n_train_positive, split.n_val_positive, timed.steps_per_epoch,
                  timed.seconds_per_step, timed.seconds_validation);
  /* Nothing written. */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* The run trains on that split. */
  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (&c);
  g_assert_true (cxr_trainer_run (trainer, FALSE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  CxrTrainState state;
  cxr_train_state_init (&state);
  g_assert_true (cxr_train_state_read (out, &state, &error));
  g_assert_no_error (error);
  g_autoptr (CxrDataset) dataset = cxr_dataset_open (data, CXR_DATASET_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (split.n_train, ==, state.train_images->len);
  g_assert_cmpuint (split.n_val, ==, state.val_images->len);
  g_assert_cmpuint (split.n_train_positive, ==, count_positive (dataset, state.train_images));
  g_assert_cmpuint (split.n_val_positive, ==, count_positive (dataset, state.val_images));
  g_assert_cmpuint (split.n_train_positive, >, 0);
  g_assert_cmpuint (split.n_val_positive, >, 0);
  g_assert_cmpuint (g_array_index (state.history, CxrEpochMetrics, 0).n_train, ==,
                    (split.n_train / c.batch_size) * c.batch_size + (split.n_train % c.batch_size > 1 ? split.n_train % c.batch_size : 0));
  cxr_train_state_clear (&state);

  /* Head only: the backbone's features are timed as preparation. */
  c.trainable = CXR_TRAINABLE_HEAD;
  g_assert_true (cxr_trainer_estimate (&c, 2, NULL, &timed, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (timed.seconds_preparing, >, 0);
  g_assert_cmpfloat (timed.seconds_per_step, >, 0);

  /* A bad configuration says why. */
  c.batch_size = 1;
  g_assert_false (cxr_trainer_estimate (&c, 0, NULL, &split, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_INVALID);
  cxr_train_config_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train-steps/log", test_log);
  g_test_add_func ("/train-steps/engine-log", test_engine_log);
  g_test_add_func ("/train-steps/estimate", test_estimate);
  return g_test_run ();
}
