/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-window-compare.c: the review window's side of the Summary's Methods page (cxr-method-table.h).
 *
 * The comparison is `cxrcam-cli compare --dataset` in the window: the same images (those of the open dataset with
 * a box of the model's positive class), the same ground truth (the dataset's box store, with the user's edits),
 * the same core job (cxr_engine_compare_async) and so the same numbers. It runs on the engine thread, so the
 * viewer's heatmaps wait behind it; Cancel stops it at the next map. "Use" sets the method, layer and threshold
 * through the settings and the adjustment the controls' rows are bound to, so the panes follow as if the user
 * had chosen them there.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-cam-boxes.h"
#include "cxr-engine-compare.h"
#include "cxr-finding-names.h"
#include "cxr-method-table.h"
#include "cxr-method-titles.h"
#include "cxr-window-private.h"

static CxrMethodTable *
method_table (CxrWindow *self)
{
  return self->method_table ? CXR_METHOD_TABLE (self->method_table) : NULL;
}

/* The class compared: the card's positive one, as `compare` without --class. */
static const char *
compared_class (CxrModel *model, int *index)
{
  const CxrModelCard *card = cxr_model_get_card (model);
  *index = (int) card->positive_class;
  return card->class_names[card->positive_class];
}

/* The dataset's images with a box of @label and each one's boxes (CxrRect), as cli_cam_input_init picks them. */
static void
collect_images (CxrWindow *self, const char *label, GPtrArray *paths, GPtrArray *truths)
{
  CxrBBoxStore *store = cxr_dataset_get_bbox_store (self->dataset);
  if (store == NULL)
    return;
  for (guint i = 0; i < cxr_dataset_get_n_entries (self->dataset); i++)
    {
      g_autofree char *path = cxr_dataset_dup_image_path (self->dataset, i);
      if (path == NULL)
        continue;
      g_autofree char *name = g_path_get_basename (path);
      g_autoptr (GArray) boxes = cxr_bbox_store_list_for_image (store, name);
      g_autoptr (GArray) truth = cxr_cam_truth_rects (boxes, label);
      if (truth->len == 0)
        continue;
      g_ptr_array_add (paths, g_steal_pointer (&path));
      g_ptr_array_add (truths, g_steal_pointer (&truth));
    }
}

void
_cxr_window_compare_refresh (CxrWindow *self)
{
  CxrMethodTable *table = method_table (self);
  if (table == NULL)
    return;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  if (model == NULL || self->dataset == NULL)
    {
      cxr_method_table_set_input (table, FALSE, _("Open a dataset and a model to compare the methods on it."));
      return;
    }
  int class_index;
  const char *label = compared_class (model, &class_index);
  const char *title = cxr_finding_get_title (cxr_finding_from_name (label, -1));
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) truths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  collect_images (self, label, paths, truths);
  g_autofree char *description = NULL;
  if (paths->len == 0)
    /* Translators: %s is a finding, e.g. "No image of this dataset has a Cardiomegaly box to score against." */
    description = g_strdup_printf (_("No image of this dataset has a %s box to score against."), title ? title : label);
  else
    /* Translators: the Methods page's description; %u images, %s a finding */
    description = g_strdup_printf (ngettext ("Each method at each layer on the %u image with a %s box, with the "
                                             "smoothing chosen in the controls.",
                                             "Each method at each layer on the %u images with a %s box, with the "
                                             "smoothing chosen in the controls.", paths->len),
                                   paths->len, title ? title : label);
  cxr_method_table_set_input (table, paths->len > 0, description);
}

/* ---- running ------------------------------------------------------------------- */

typedef struct {
  CxrWindow *self;   /* a weak pointer */
  GCancellable *cancellable;
} CompareState;

static void
compare_state_free (CompareState *state)
{
  if (state->self != NULL)
    g_object_remove_weak_pointer (G_OBJECT (state->self), (gpointer *) &state->self);
  g_clear_object (&state->cancellable);
  g_free (state);
}

static void
on_compare_progress (double fraction, guint done, guint total, gpointer user_data)
{
  CompareState *state = user_data;
  if (state->self == NULL || g_cancellable_is_cancelled (state->cancellable) || method_table (state->self) == NULL)
    return;
  cxr_method_table_set_progress (method_table (state->self), fraction, done, MAX (total, 1));
}

static void
on_compared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CxrWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrCamComparison) comparison = cxr_engine_compare_finish (CXR_ENGINE (source), result, &error);
  if (g_task_get_cancellable (G_TASK (result)) != self->compare_cancellable)
    return;   /* cancelled, and cleaned up by whoever cancelled it */
  g_clear_object (&self->compare_cancellable);
  _cxr_window_busy_pop (self);
  CxrMethodTable *table = method_table (self);
  if (table == NULL)
    return;
  cxr_method_table_set_progress (table, 0, 0, 0);
  if (comparison != NULL)
    cxr_method_table_set_comparison (table, comparison);
  else
    cxr_method_table_set_error (table, error->message);
}

static void
on_compare_requested (CxrMethodTable *table, CxrWindow *self)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (self->engine);
  if (model == NULL || self->dataset == NULL || self->compare_cancellable != NULL)
    return;
  g_autoptr (GArray) methods = g_array_new (FALSE, FALSE, sizeof (CxrCamMethod));
  g_autoptr (GPtrArray) layers = g_ptr_array_new_with_free_func (g_free);
  gboolean faithfulness;
  if (!cxr_method_table_get_request (table, methods, layers, &faithfulness))
    return;
  g_ptr_array_add (layers, NULL);

  int class_index;
  const char *label = compared_class (model, &class_index);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) truths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  collect_images (self, label, paths, truths);
  if (paths->len == 0)
    return;
  g_ptr_array_add (paths, NULL);

  CxrCamCompareOptions options;
  cxr_cam_compare_options_init (&options);
  options.methods = (const CxrCamMethod *) methods->data;
  options.n_methods = methods->len;
  options.layers = (const char *const *) layers->pdata;
  options.target_class = class_index;
  CxrCamOptions controls;
  cxr_cam_options_init_default (&controls);
  cxr_cam_controls_get_options (self->cam_controls, &controls);
  options.aug_smooth = controls.aug_smooth;
  options.eigen_smooth = controls.eigen_smooth;
  options.box_mode = CXR_BOX_MODE_LARGEST;   /* as the panes cut */
  options.faithfulness = faithfulness;

  self->compare_cancellable = g_cancellable_new ();
  CompareState *state = g_new0 (CompareState, 1);
  state->self = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &state->self);
  state->cancellable = g_object_ref (self->compare_cancellable);
  _cxr_window_busy_push (self);
  cxr_method_table_set_comparison (table, NULL);
  cxr_method_table_set_progress (table, 0, 0, paths->len - 1);
  cxr_engine_compare_async (self->engine, (const char *const *) paths->pdata, truths, &options, on_compare_progress,
                            state, (GDestroyNotify) compare_state_free, self->compare_cancellable, on_compared,
                            g_object_ref (self));
}

void
_cxr_window_compare_cancel (CxrWindow *self)
{
  if (self->compare_cancellable == NULL)
    return;
  g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  _cxr_window_busy_pop (self);
  if (method_table (self))
    {
      cxr_method_table_set_progress (method_table (self), 0, 0, 0);
      cxr_method_table_set_error (method_table (self), _("Comparison cancelled."));
    }
}

static void
on_cancel_requested (CxrMethodTable *table, CxrWindow *self)
{
  _cxr_window_compare_cancel (self);
}

/* ---- using a row --------------------------------------------------------------- */

static void
on_use_row (CxrMethodTable *table, guint index, CxrWindow *self)
{
  CxrCamComparison *comparison = cxr_method_table_get_comparison (table);
  if (comparison == NULL || index >= cxr_cam_comparison_get_n_rows (comparison))
    return;
  const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, index);
  /* The settings the Method and Target layer rows are bound to, and the Threshold rows' adjustment: the panes
   * follow as from the rows themselves. */
  g_settings_set_string (self->settings, "cam-method", cxr_cam_controls_method_id (row->method));
  g_settings_set_string (self->settings, "cam-layer", row->layer);
  double threshold = cxr_cam_compare_row_best_threshold (row);
  if (!isnan (threshold))
    gtk_adjustment_set_value (cxr_cam_controls_get_threshold_adjustment (self->cam_controls), threshold);
  /* Translators: a toast after a row of the methods table was used, e.g. "HiResCAM at layer4, threshold 0.35" */
  g_autofree char *layer = cxr_layer_title (row->layer);
  g_autofree char *toast = g_strdup_printf (_("%s at %s, threshold %.2f"), cxr_method_title (row->method), layer,
                                            threshold);
  _cxr_window_toast (self, toast);
}

void
_cxr_window_compare_attach (CxrWindow *self, CxrSummaryDialog *dialog)
{
  GtkWidget *table = cxr_method_table_new ();
  g_signal_connect_object (table, "compare-requested", G_CALLBACK (on_compare_requested), self, 0);
  g_signal_connect_object (table, "cancel-requested", G_CALLBACK (on_cancel_requested), self, 0);
  g_signal_connect_object (table, "use-row", G_CALLBACK (on_use_row), self, 0);
  /* Translators: the Summary's page that compares the CAM methods */
  cxr_summary_dialog_add_page (dialog, table, "methods", _("Methods"), "view-list-symbolic");
  self->method_table = table;
  g_object_add_weak_pointer (G_OBJECT (table), (gpointer *) &self->method_table);
  _cxr_window_compare_refresh (self);
}
