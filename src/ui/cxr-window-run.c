/* cxr-window-run.c: "run on all": the filtered list through the engine, results filling the list as they
 * arrive, a progress bar with cancel. */
#include "config.h"

#include <glib/gi18n.h>

#include "cxr-window-private.h"

typedef struct {
  CxrWindow *self;        /* a weak pointer: the run is cancelled when the window goes */
  GArray *indices;        /* guint entry index per request position */
  guint positive_class;
} RunState;

static void
run_state_free (RunState *state)
{
  if (state->self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (state->self), (gpointer *) &state->self);
  g_array_unref (state->indices);
  g_free (state);
}

gboolean
_cxr_window_is_running (CxrWindow *self)
{
  return self->run_cancellable != NULL;
}

static void
set_progress (CxrWindow *self, guint done, guint total)
{
  /* Translators: progress of "run on all": images done of all images */
  g_autofree char *text = g_strdup_printf (_("Analysing %u of %u images…"), done, total);
  gtk_label_set_label (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, total ? (double) done / total : 0.0);
}

static void
on_run_progress (const CxrPrediction *prediction, guint done, guint total, gpointer user_data)
{
  RunState *state = user_data;
  CxrWindow *self = state->self;

  if (self == NULL || self->results == NULL)
    return;
  guint index = g_array_index (state->indices, guint, prediction->index);
  if (prediction->error != NULL)
    cxr_results_set_error (self->results, index, prediction->error->message);
  else
    {
      float probability = prediction->probabilities[MIN (state->positive_class, prediction->n_classes - 1)];
      cxr_results_set_prediction (self->results, index, probability, probability >= 0.5f);
    }
  set_progress (self, done, total);
}

static void
finish_run (CxrWindow *self)
{
  g_clear_object (&self->run_cancellable);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  _cxr_window_busy_pop (self);
  _cxr_window_actions_update (self);
}

static void
on_run_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CxrWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (CXR_ENGINE (source), result, &error);

  /* A cancelled run was finished by whoever cancelled it, and a newer run may be going by now. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    _cxr_window_toast (self, error->message);
  else
    {
      guint failed = 0;
      for (guint i = 0; i < predictions->len; i++)
        if (((CxrPrediction *) g_ptr_array_index (predictions, i))->error != NULL)
          failed++;
      g_autofree char *message = failed
        ? g_strdup_printf (ngettext ("Done; %u image could not be read", "Done; %u images could not be read", failed), failed)
        : g_strdup (_("Done: every image analysed"));
      _cxr_window_toast (self, message);
    }
  if (g_task_get_cancellable (G_TASK (result)) == self->run_cancellable)
    finish_run (self);
}

void
_cxr_window_run_all (CxrWindow *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);

  if (self->list_model == NULL || model == NULL || _cxr_window_is_running (self))
    return;

  g_autoptr (GArray) indices = cxr_image_list_model_dup_entries (self->list_model);
  if (indices->len == 0)
    return;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < indices->len; i++)
    g_ptr_array_add (paths, cxr_dataset_dup_image_path (self->dataset, g_array_index (indices, guint, i)));
  g_ptr_array_add (paths, NULL);

  RunState *state = g_new0 (RunState, 1);
  state->self = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &state->self);
  state->indices = g_array_ref (indices);
  state->positive_class = cxr_model_get_card (model)->positive_class;

  self->run_cancellable = g_cancellable_new ();
  set_progress (self, 0, indices->len);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  _cxr_window_busy_push (self);
  _cxr_window_actions_update (self);

  cxr_engine_predict_async (self->engine, (const char *const *) paths->pdata, on_run_progress, state,
                            (GDestroyNotify) run_state_free, self->run_cancellable, on_run_finished,
                            g_object_ref (self));
}

void
_cxr_window_cancel_run (CxrWindow *self)
{
  if (self->run_cancellable == NULL)
    return;
  g_cancellable_cancel (self->run_cancellable);
  finish_run (self);
}

void
_cxr_window_show_summary (CxrWindow *self)
{
}

void
_cxr_window_choose_export (CxrWindow *self)
{
}
