/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trainer and its engine job on real NIH images with a tiny torchvision-topology network
 * (fixtures/networks/basic_c3_k2.pth, 2 classes) at 48 x 48:
 *   - a run writes every promised file, each whole and readable: epoch and best checkpoints (.pth,
 *     card, safetensors), history.csv, train-state.json and one resume file; reloading best.pth gives
 *     the trained model's logits;
 *   - cancelled after a step and resumed, a run ends bit for bit where an uninterrupted one ends
 *     (weights, BatchNorm statistics, history);
 *   - with the head or layer4 trainable, the frozen parameters and statistics do not move;
 *   - a folder that holds a run is not trained into again;
 *   - the engine job delivers every event on the main thread, in order, and cancels cleanly. */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cxr-checkpoint.h"
#include "cxr-engine-train.h"
#include "cxr-error.h"
#include "cxr-safetensors.h"
#include "cxr-test-util.h"
#include "cxr-trainer.h"

static gboolean
init_config (CxrTrainConfig *c, const char *out_dir)
{
  const char *dir = cxr_test_nih14_dir ();
  if (dir == NULL)
    return FALSE;
  cxr_train_config_init (c);
  c->data_dir = g_strdup (dir);
  c->model_path = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_clear_pointer (&c->arch, g_free);
  c->out_dir = g_strdup (out_dir);
  c->input_size = 48;
  c->epochs = 2;
  c->batch_size = 6;
  c->max_images = 30;
  c->val_fraction = 0.25;
  c->seed = 3;
  return TRUE;
}

typedef struct {
  guint steps, epochs, saved, preparing;
  guint cancel_at_step;         /* 0: never */
  GCancellable *cancellable;
  GThread *expected_thread;     /* NULL: any */
  guint64 last_global_step;
  gboolean in_order;
} Events;

static void
on_event (const CxrTrainEvent *event, gpointer user_data)
{
  Events *e = user_data;
  if (e->expected_thread)
    g_assert_true (g_thread_self () == e->expected_thread);
  switch (event->kind)
    {
    case CXR_TRAIN_EVENT_STEP:
      e->steps++;
      if (event->global_step != e->last_global_step + 1)
        e->in_order = FALSE;
      e->last_global_step = event->global_step;
      g_assert_true (isfinite (event->loss) && event->lr > 0 && event->images_per_second > 0);
      g_assert_cmpuint (event->step, <=, event->n_steps);
      if (e->cancel_at_step && e->steps == e->cancel_at_step)
        g_cancellable_cancel (e->cancellable);
      break;
    case CXR_TRAIN_EVENT_EPOCH:
      e->epochs++;
      g_assert_nonnull (event->metrics);
      break;
    case CXR_TRAIN_EVENT_SAVED:
      e->saved++;
      g_assert_nonnull (event->message);
      break;
    case CXR_TRAIN_EVENT_PREPARING:
      e->preparing++;
      break;
    }
}

static char *
path_in (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static CxrStateDict *
load_weights (const char *dir, const char *name)
{
  g_autofree char *path = path_in (dir, name);
  g_autoptr (GError) error = NULL;
  CxrStateDict *dict = cxr_checkpoint_load (path, &error);
  g_assert_no_error (error);
  return dict;
}

static void
assert_dicts_identical (const CxrStateDict *a, const CxrStateDict *b)
{
  g_assert_cmpuint (cxr_state_dict_size (a), ==, cxr_state_dict_size (b));
  for (guint i = 0; i < cxr_state_dict_size (a); i++)
    {
      const char *key = cxr_state_dict_key_at (a, i);
      const CxrTensor *x = cxr_state_dict_lookup (a, key), *y = cxr_state_dict_lookup (b, key);
      g_assert_nonnull (y);
      g_assert_cmpmem (x->data, cxr_tensor_numel (x) * sizeof (float), y->data, cxr_tensor_numel (y) * sizeof (float));
    }
}

static void
test_files (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *out = path_in (dir, "run");
  CxrTrainConfig c;
  if (!init_config (&c, out))
    return;
  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (&c);
  Events e = { .in_order = TRUE };
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_trainer_run (trainer, FALSE, on_event, &e, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (e.epochs, ==, 2);
  g_assert_true (e.in_order);
  GArray *history = cxr_trainer_get_history (trainer);
  g_assert_cmpuint (history->len, ==, 2);
  for (guint i = 0; i < history->len; i++)
    {
      const CxrEpochMetrics *m = &g_array_index (history, CxrEpochMetrics, i);
      g_test_message ("epoch %u: train loss %.4f acc %.3f, val loss %.4f acc %.3f AUC %.3f (%u + %u images)",
                      m->epoch, m->train_loss, m->train_accuracy, m->val_loss, m->val_accuracy, m->val_auc,
                      m->n_train, m->n_val);
      g_assert_true (isfinite (m->train_loss) && isfinite (m->val_loss));
      g_assert_cmpuint (m->n_train + m->n_val, <=, 30);
    }

  const char *names[] = { "epoch-001.pth", "epoch-001.json", "epoch-002.pth", "epoch-002.json", "best.pth",
                          "best.json", "best.safetensors", "history.csv", "train-state.json" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = path_in (out, names[i]);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  /* Exactly one resume file, the one train-state.json names; no temporary files left. */
  g_autoptr (GDir) folder = g_dir_open (out, 0, NULL);
  guint resume_files = 0, files = 0;
  for (const char *name; (name = g_dir_read_name (folder)) != NULL; files++)
    resume_files += g_str_has_prefix (name, "resume-");
  g_assert_cmpuint (resume_files, ==, 1);
  g_assert_cmpuint (files, ==, G_N_ELEMENTS (names) + 1);

  /* The card describes the network; the checkpoint and the safetensors hold the same tensors. */
  g_autoptr (CxrStateDict) best = load_weights (out, "best.pth");
  g_autoptr (CxrStateDict) best_st = load_weights (out, "best.safetensors");
  assert_dicts_identical (best, best_st);
  g_autoptr (CxrStateDict) last = load_weights (out, "epoch-002.pth");
  g_autoptr (CxrModel) trained = cxr_trainer_dup_model (trainer);
  assert_dicts_identical (last, cxr_resnet_get_parameters (cxr_model_get_network (trained)));
  g_autofree char *last_path = path_in (out, "epoch-002.pth");
  g_autoptr (CxrModel) reloaded = cxr_model_load (last_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cxr_model_get_card (reloaded)->input_width, ==, 48);
  g_assert_cmpstr (cxr_model_get_card (reloaded)->class_names[1], ==, "Cardiomegaly");

  g_autofree char *csv = NULL;
  g_autofree char *csv_path = path_in (out, "history.csv");
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "epoch,train_loss,train_accuracy,val_loss"));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);

  /* Cancelled before it starts: nothing is trained or written. */
  g_autofree char *untouched = path_in (dir, "untouched");
  g_free (c.out_dir);
  c.out_dir = g_strdup (untouched);
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  g_cancellable_cancel (cancelled);
  g_autoptr (CxrTrainer) never = cxr_trainer_new (&c);
  Events none = { .in_order = TRUE };
  g_assert_false (cxr_trainer_run (never, FALSE, on_event, &none, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (none.steps, ==, 0);
  g_autofree char *untouched_state = path_in (untouched, "train-state.json");
  g_assert_false (g_file_test (untouched_state, G_FILE_TEST_EXISTS));
  g_free (c.out_dir);
  c.out_dir = g_strdup (out);

  /* The folder now holds a run: a new run is refused. */
  g_autoptr (CxrTrainer) again = cxr_trainer_new (&c);
  g_assert_false (cxr_trainer_run (again, FALSE, NULL, NULL, NULL, &error));
  g_assert_error (error, CXR_ERROR, CXR_ERROR_CONFLICT);
  g_clear_error (&error);

  /* A kill between committing train-state.json and removing the previous resume point leaves that point behind
   * (the kill storm found it). Resuming the finished run, which has nothing left to train, sweeps it. */
  g_autofree char *stale = path_in (out, "resume-000000001.safetensors");
  g_assert_true (g_file_set_contents (stale, "left by a killed run", -1, NULL));
  CxrTrainConfig only_folder;
  cxr_train_config_init (&only_folder);
  only_folder.out_dir = g_strdup (out);
  only_folder.epochs = 0;
  g_autoptr (CxrTrainer) finished = cxr_trainer_new (&only_folder);
  g_assert_true (cxr_trainer_run (finished, TRUE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  cxr_train_config_clear (&only_folder);
  cxr_train_config_clear (&c);
}

/* Cancelled after step `cancel_at` (counting from the start), then resumed: the same end as without. */
static void
test_resume (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *straight_dir = path_in (dir, "straight");
  g_autofree char *stopped_dir = path_in (dir, "stopped");
  CxrTrainConfig c;
  if (!init_config (&c, straight_dir))
    return;
  c.optimizer.kind = CXR_OPTIMIZER_ADAM;
  c.lr = 1e-3;
  c.warmup_epochs = 0.5;
  g_autoptr (GError) error = NULL;

  g_autoptr (CxrTrainer) straight = cxr_trainer_new (&c);
  g_assert_true (cxr_trainer_run (straight, FALSE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  for (guint cancel_at = 2; cancel_at <= 5; cancel_at += 3)
    {
      g_autofree char *out = g_strdup_printf ("%s-%u", stopped_dir, cancel_at);
      g_free (c.out_dir);
      c.out_dir = g_strdup (out);
      g_autoptr (GCancellable) cancellable = g_cancellable_new ();
      Events e = { .cancel_at_step = cancel_at, .cancellable = cancellable, .in_order = TRUE };
      g_autoptr (CxrTrainer) stopped = cxr_trainer_new (&c);
      g_assert_false (cxr_trainer_run (stopped, FALSE, on_event, &e, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpuint (e.steps, ==, cancel_at);

      /* Resume from the folder alone: the stored configuration is the run's. */
      CxrTrainConfig only_folder;
      cxr_train_config_init (&only_folder);
      only_folder.out_dir = g_strdup (out);
      only_folder.epochs = 0;
      g_autoptr (CxrTrainer) resumed = cxr_trainer_new (&only_folder);
      Events r = { .in_order = TRUE, .last_global_step = cancel_at };
      g_assert_true (cxr_trainer_run (resumed, TRUE, on_event, &r, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (r.in_order);
      g_assert_cmpuint (e.steps + r.steps, ==, straight ? r.last_global_step : 0);
      cxr_train_config_clear (&only_folder);

      g_autoptr (CxrStateDict) want = load_weights (straight_dir, "epoch-002.pth");
      g_autoptr (CxrStateDict) got = load_weights (out, "epoch-002.pth");
      assert_dicts_identical (got, want);
      GArray *hs = cxr_trainer_get_history (straight), *hr = cxr_trainer_get_history (resumed);
      g_assert_cmpuint (hs->len, ==, hr->len);
      for (guint i = 0; i < hs->len; i++)
        {
          const CxrEpochMetrics *a = &g_array_index (hs, CxrEpochMetrics, i), *b = &g_array_index (hr, CxrEpochMetrics, i);
          g_assert_cmpfloat (a->train_loss, ==, b->train_loss);
          g_assert_cmpfloat (a->val_loss, ==, b->val_loss);
          g_assert_true (a->val_auc == b->val_auc || (isnan (a->val_auc) && isnan (b->val_auc)));
        }
      g_test_message ("cancelled after step %u and resumed: bit-identical to the uninterrupted run", cancel_at);
    }
  cxr_train_config_clear (&c);
}

static void
test_frozen (gconstpointer data)
{
  const char *freeze = data;
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *out = path_in (dir, "run");
  CxrTrainConfig c;
  if (!init_config (&c, out))
    return;
  g_assert_true (cxr_trainable_from_freeze_name (freeze, &c.trainable, NULL));
  c.epochs = 1;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrTrainer) trainer = cxr_trainer_new (&c);
  Events e = { .in_order = TRUE };
  g_assert_true (cxr_trainer_run (trainer, FALSE, on_event, &e, NULL, &error));
  g_assert_no_error (error);

  g_autoptr (CxrStateDict) before = cxr_checkpoint_load (c.model_path, &error);
  g_autoptr (CxrStateDict) after = load_weights (out, "epoch-001.pth");
  guint moved = 0, kept = 0;
  for (guint i = 0; i < cxr_state_dict_size (before); i++)
    {
      const char *key = cxr_state_dict_key_at (before, i);
      const CxrTensor *x = cxr_state_dict_lookup (before, key), *y = cxr_state_dict_lookup (after, key);
      gboolean same = memcmp (x->data, y->data, cxr_tensor_numel (x) * sizeof (float)) == 0;
      gboolean trainable = g_str_has_prefix (key, "fc.")
                           || (g_str_equal (freeze, "layer4") && g_str_has_prefix (key, "layer4."));
      if (trainable)
        {
          /* Trained (BatchNorm's bias may start and stay at exactly zero gradient: check weights). */
          if (g_str_has_suffix (key, "conv1.weight") || g_str_equal (key, "fc.weight"))
            g_assert_false (same);
          moved++;
        }
      else
        {
          if (!same)
            g_error ("%s (frozen with --freeze %s) changed", key, freeze);
          kept++;
        }
    }
  g_test_message ("--freeze %s: %u tensors trained, %u frozen and unchanged (BatchNorm statistics included)", freeze,
                  moved, kept);
  cxr_train_config_clear (&c);
}

/* ---- the engine job ----------------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  CxrEngine *engine;
  CxrTrainResult *result;
  GError *error;
} JobWait;

static void
on_trained (GObject *source, GAsyncResult *result, gpointer user_data)
{
  JobWait *wait = user_data;
  wait->result = cxr_engine_train_finish (CXR_ENGINE (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
free_events (gpointer data)
{
  Events *e = data;
  /* Released on the main thread, after the last event. */
  g_assert_true (g_thread_self () == e->expected_thread);
  e->expected_thread = NULL;
}

static void
test_engine_job (void)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *out = path_in (dir, "run");
  CxrTrainConfig c;
  if (!init_config (&c, out))
    return;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (CxrEngine) engine = cxr_engine_new ();

  /* Cancelled from the main thread at the third step. */
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Events e = { .cancel_at_step = 3, .cancellable = cancellable, .expected_thread = g_thread_self (), .in_order = TRUE };
  JobWait wait = { loop, engine };
  cxr_engine_train_async (engine, &c, FALSE, on_event, &e, free_events, cancellable, on_trained, &wait);
  g_main_loop_run (loop);
  g_assert_null (wait.result);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);
  g_assert_null (e.expected_thread);   /* progress data released */
  /* The job ran on after the cancel only to finish its step: at most the steps already queued. */
  g_assert_cmpuint (e.steps, >=, 3);
  g_assert_true (e.in_order);
  g_autofree char *state = path_in (out, "train-state.json");
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_REGULAR));

  /* Resumed through the engine, to the end. */
  Events r = { .expected_thread = g_thread_self (), .in_order = TRUE, .last_global_step = e.last_global_step };
  cxr_engine_train_async (engine, &c, TRUE, on_event, &r, free_events, NULL, on_trained, &wait);
  g_main_loop_run (loop);
  g_assert_no_error (wait.error);
  g_assert_nonnull (wait.result);
  g_assert_cmpuint (wait.result->history->len, ==, 2);
  g_assert_cmpuint (r.epochs, ==, 2);
  g_assert_true (r.in_order);
  g_assert_nonnull (wait.result->model);
  g_assert_true (g_str_has_suffix (wait.result->best_path, "best.pth"));
  cxr_train_result_free (wait.result);
  cxr_train_config_clear (&c);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trainer/files", test_files);
  g_test_add_func ("/trainer/resume", test_resume);
  g_test_add_data_func ("/trainer/frozen/head", "head", test_frozen);
  g_test_add_data_func ("/trainer/frozen/layer4", "layer4", test_frozen);
  g_test_add_func ("/trainer/engine-job", test_engine_job);
  return g_test_run ();
}
