/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-eval.c: the review window's side of the Summary's evaluation page.
 *
 * The labelled images are those with the finding the model calls positive (positive) and those labelled No
 * Finding (negative), as the trainer's task has them; images with other findings only are left out. The page
 * is given each labelled image's prediction from the results table (Run on All fills it, and so does a
 * prediction of the labelled images the page asks for, on the engine thread, without Grad-CAM). A click on a
 * cell of its confusion matrix lists that cell's images.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cxr-eval-view.h"
#include "cxr-summary-dialog.h"
#include "cxr-window-private.h"

static CxrEvalView *
eval_view (CxrWindow *self)
{
  return self->eval_view ? CXR_EVAL_VIEW (self->eval_view) : NULL;
}

/* The finding @model calls positive, as a CxrFinding bit; 0 when it is none of the NIH findings. */
static guint32
positive_finding (CxrModel *model, const char **name)
{
  const CxrModelCard *card = cxr_model_get_card (model);
  *name = card->class_names[card->positive_class];
  guint32 finding = cxr_finding_parse_list (*name, strlen (*name), NULL);
  return finding == CXR_FINDING_NO_FINDING ? 0 : finding;
}

/* Each labelled image with a file: its entry and label, and whether it has a prediction. */
static void
collect (CxrWindow *self, guint32 finding, GArray *entries, GArray *scores, GArray *labels, GArray *missing)
{
  for (guint i = 0; i < cxr_dataset_get_n_entries (self->dataset); i++)
    {
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (self->dataset, i);
      if (entry->folder == NULL)
        continue;
      guint8 label;
      if (entry->findings & finding)
        label = 1;
      else if (entry->findings & CXR_FINDING_NO_FINDING)
        label = 0;
      else
        continue;
      const CxrImageResult *result = cxr_results_lookup (self->results, i);
      if (result == NULL || !(result->flags & CXR_RESULT_PREDICTED))
        {
          if (missing)
            g_array_append_val (missing, i);
          continue;
        }
      g_array_append_val (entries, i);
      g_array_append_val (scores, result->probability);
      g_array_append_val (labels, label);
    }
}

void
_cxr_window_eval_refresh (CxrWindow *self)
{
  CxrEvalView *view = eval_view (self);
  if (view == NULL)
    return;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  const char *positive = NULL;
  guint32 finding = model ? positive_finding (model, &positive) : 0;
  if (self->dataset == NULL || self->results == NULL || finding == 0)
    {
      cxr_eval_view_set_input (view, NULL);
      return;
    }
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) scores = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) labels = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr (GArray) missing = g_array_new (FALSE, FALSE, sizeof (guint));
  collect (self, finding, entries, scores, labels, missing);
  g_autofree char *model_name = g_path_get_basename (cxr_model_get_path (model));
  CxrEvalInput input = { positive, model_name, entries->len, (const guint *) entries->data,
                         (const float *) scores->data, (const guint8 *) labels->data, missing->len };
  cxr_eval_view_set_input (view, &input);
}

/* ---- predicting the labelled images --------------------------------------------------- */

typedef struct {
  CxrWindow *self;         /* a weak pointer */
  GCancellable *cancellable;
  GArray *entries;         /* guint, per request position */
  guint positive_class;
} PredictState;

static void
predict_state_free (PredictState *state)
{
  if (state->self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (state->self), (gpointer *) &state->self);
  g_clear_object (&state->cancellable);
  g_array_unref (state->entries);
  g_free (state);
}

static void
on_predicted_one (const CxrPrediction *prediction, guint done, guint total, gpointer user_data)
{
  PredictState *state = user_data;
  CxrWindow *self = state->self;
  if (self == NULL || self->results == NULL || g_cancellable_is_cancelled (state->cancellable))
    return;
  guint index = g_array_index (state->entries, guint, prediction->index);
  if (prediction->error != NULL)
    cxr_results_set_error (self->results, index, prediction->error->message);
  else
    {
      float p = prediction->probabilities[state->positive_class];
      cxr_results_set_prediction (self->results, index, p, p >= 0.5f);
    }
  if (eval_view (self))
    cxr_eval_view_set_predicting (eval_view (self), done, total);
}

static void
on_predicted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CxrWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) predictions = cxr_engine_predict_finish (CXR_ENGINE (source), result, &error);
  if (g_task_get_cancellable (G_TASK (result)) != self->eval_cancellable)
    return;   /* cancelled, and maybe another prediction going by now */
  g_clear_object (&self->eval_cancellable);
  _cxr_window_busy_pop (self);
  if (eval_view (self))
    cxr_eval_view_set_predicting (eval_view (self), 0, 0);
  if (predictions == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _cxr_window_toast (self, error->message);
  _cxr_window_eval_refresh (self);
}

static void
predict_missing (CxrWindow *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  const char *positive;
  guint32 finding = model ? positive_finding (model, &positive) : 0;
  if (self->dataset == NULL || self->results == NULL || finding == 0 || self->eval_cancellable != NULL)
    return;
  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) scores = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) labels = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_autoptr (GArray) missing = g_array_new (FALSE, FALSE, sizeof (guint));
  collect (self, finding, entries, scores, labels, missing);
  if (missing->len == 0)
    return;

  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < missing->len; i++)
    g_ptr_array_add (paths, cxr_dataset_dup_image_path (self->dataset, g_array_index (missing, guint, i)));
  g_ptr_array_add (paths, NULL);

  self->eval_cancellable = g_cancellable_new ();
  PredictState *state = g_new0 (PredictState, 1);
  state->self = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &state->self);
  state->cancellable = g_object_ref (self->eval_cancellable);
  state->entries = g_array_ref (missing);
  state->positive_class = cxr_model_get_card (model)->positive_class;
  _cxr_window_busy_push (self);
  if (eval_view (self))
    cxr_eval_view_set_predicting (eval_view (self), 0, missing->len);
  cxr_engine_predict_async (self->engine, (const char *const *) paths->pdata, on_predicted_one, state,
                            (GDestroyNotify) predict_state_free, self->eval_cancellable, on_predicted,
                            g_object_ref (self));
}

void
_cxr_window_eval_cancel (CxrWindow *self)
{
  if (self->eval_cancellable == NULL)
    return;
  g_cancellable_cancel (self->eval_cancellable);
  g_clear_object (&self->eval_cancellable);
  _cxr_window_busy_pop (self);
  if (eval_view (self))
    cxr_eval_view_set_predicting (eval_view (self), 0, 0);
}

/* ---- the page ---------------------------------------------------------------------------- */

static void
on_predict_requested (CxrEvalView *view, CxrWindow *self)
{
  predict_missing (self);
}

static void
on_show_cell (CxrEvalView *view, guint cell, CxrWindow *self)
{
  g_autoptr (GArray) entries = cxr_eval_view_dup_cell_entries (view, cell);
  /* Translators: the image list's title when it shows a cell of the confusion matrix: the cell, its image count */
  g_autofree char *title = g_strdup_printf (ngettext ("%s: %u image", "%s: %u images", entries->len),
                                            cxr_eval_view_cell_title (cell), entries->len);
  cxr_image_list_show_subset (self->image_list, entries, title);
  cxr_image_list_focus_rows (self->image_list);
  gtk_window_present (GTK_WINDOW (self));
}

void
_cxr_window_eval_attach (CxrWindow *self, CxrSummaryDialog *dialog)
{
  GtkWidget *view = cxr_eval_view_new ();
  g_signal_connect_object (view, "predict-requested", G_CALLBACK (on_predict_requested), self, 0);
  g_signal_connect_object (view, "show-cell", G_CALLBACK (on_show_cell), self, 0);
  cxr_summary_dialog_add_page (dialog, view, "evaluation", _("Evaluation"), "emblem-ok-symbolic");
  self->eval_view = view;
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->eval_view);
}
