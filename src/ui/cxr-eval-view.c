/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-eval-view.c: the evaluation page of the Summary (see cxr-eval-view.h). */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cxr-eval-view.h"

/* Layers of the ROC plot, in the order added. */
enum {
  LAYER_CHANCE,
  LAYER_CURVE,
  LAYER_OPERATING,
  LAYER_TARGET,
};

/* The bootstrap's seed: the same data give the same interval every time the page is shown. */
#define BOOTSTRAP_SEED 20170531

typedef struct {
  char *positive_name;
  char *model_name;
  GArray *entries;     /* guint */
  GArray *scores;      /* float */
  GArray *labels;      /* guint8 */
  guint n_missing;
} Input;

struct _CxrEvalView {
  GtkWidget parent_instance;

  /* template widgets */
  GtkStack *stack;
  AdwStatusPage *empty_page;
  GtkButton *predict_button;
  GtkProgressBar *empty_progress;
  AdwPreferencesGroup *numbers_group;
  GtkLabel *auc_label;
  AdwActionRow *threshold_row;
  GtkLabel *threshold_label;
  GtkLabel *target_label;
  GtkSpinButton *target_spin;
  AdwActionRow *missing_row;
  GtkButton *missing_button;
  GtkProgressBar *missing_progress;
  CxrPlot *plot;
  AdwPreferencesGroup *matrix_group;
  GtkGrid *matrix_grid;

  /* owned */
  Input *input;                 /* what is shown */
  CxrRocEvaluation *evaluation; /* its numbers, or NULL while they are computed */
  GCancellable *cancellable;    /* the computation going */
  CxrPlotSeries *series[4];
  GtkWidget *cells[CXR_N_CONFUSION_CELLS];
  gboolean predicting;
  guint generation;             /* of the input: a computation for an older one is dropped */
};

G_DEFINE_FINAL_TYPE (CxrEvalView, cxr_eval_view, GTK_TYPE_WIDGET)

enum {
  PREDICT_REQUESTED,
  SHOW_CELL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
input_free (Input *input)
{
  if (input == NULL)
    return;
  g_free (input->positive_name);
  g_free (input->model_name);
  g_array_unref (input->entries);
  g_array_unref (input->scores);
  g_array_unref (input->labels);
  g_free (input);
}

const char *
cxr_eval_view_cell_title (CxrConfusionCell cell)
{
  switch (cell)
    {
    case CXR_CONFUSION_TRUE_POSITIVE:
      return _("True positives");
    case CXR_CONFUSION_FALSE_POSITIVE:
      return _("False positives");
    case CXR_CONFUSION_FALSE_NEGATIVE:
      return _("False negatives");
    case CXR_CONFUSION_TRUE_NEGATIVE:
      return _("True negatives");
    case CXR_N_CONFUSION_CELLS:
    default:
      return NULL;
    }
}

/* ---- showing the numbers ---------------------------------------------------------- */

static char *
format_rate (double value)
{
  return isnan (value) ? g_strdup (C_("value", "—")) : g_strdup_printf ("%.3f", value);
}

static void
show_target (CxrEvalView *self)
{
  CxrRocEvaluation *e = self->evaluation;
  double target = gtk_spin_button_get_value (self->target_spin);
  /* Translators: the legend entry of the point that reaches the chosen sensitivity */
  g_autofree char *legend = g_strdup_printf (_("Sensitivity ≥ %.2f"), target);
  cxr_plot_set_layer_label (self->plot, LAYER_TARGET, legend);
  if (e == NULL || e->curve == NULL)
    {
      cxr_plot_series_clear (self->series[LAYER_TARGET]);
      gtk_label_set_label (self->target_label, "");
      return;
    }
  e->target_sensitivity = target;
  e->target_point = cxr_roc_curve_point_for_sensitivity (e->curve, target);
  if (e->target_point == G_MAXUINT)
    {
      cxr_plot_series_clear (self->series[LAYER_TARGET]);
      gtk_label_set_label (self->target_label, C_("value", "—"));
      return;
    }
  guint k = e->target_point;
  double x = e->curve->fpr[k], y = e->curve->tpr[k];
  cxr_plot_series_set_points (self->series[LAYER_TARGET], &x, &y, 1);
  g_autofree char *specificity = format_rate (1 - e->curve->fpr[k]);
  g_autofree char *text = isfinite (e->curve->threshold[k])
    /* Translators: the threshold that reaches the chosen sensitivity, the sensitivity it reaches and its specificity */
    ? g_strdup_printf (_("%.3f (sensitivity %.3f, specificity %s)"), e->curve->threshold[k], e->curve->tpr[k], specificity)
    : g_strdup (C_("value", "—"));
  gtk_label_set_label (self->target_label, text);
}

static void
show_matrix (CxrEvalView *self)
{
  const CxrRocEvaluation *e = self->evaluation;
  for (int cell = 0; cell < CXR_N_CONFUSION_CELLS; cell++)
    {
      guint count = e ? e->confusion.count[cell] : 0;
      /* Translators: a cell of the confusion matrix: its count over its name */
      g_autofree char *markup = g_markup_printf_escaped ("<span size='x-large' weight='bold'>%u</span>\n%s", count,
                                                         cxr_eval_view_cell_title (cell));
      GtkWidget *label = gtk_button_get_child (GTK_BUTTON (self->cells[cell]));
      gtk_label_set_markup (GTK_LABEL (label), markup);
      gtk_widget_set_sensitive (self->cells[cell], count > 0);
    }
  /* Translators: the confusion matrix's description; %.2f is the decision threshold */
  g_autofree char *description = g_strdup_printf (_("At the threshold %.2f. Click a cell to list its images for review."),
                                                  CXR_EVAL_THRESHOLD);
  adw_preferences_group_set_description (self->matrix_group, description);
}

static void
show_evaluation (CxrEvalView *self)
{
  const CxrRocEvaluation *e = self->evaluation;
  Input *in = self->input;
  if (e == NULL || e->curve == NULL)
    return;
  guint positives = e->curve->n_positive, negatives = e->curve->n_negative;
  /* Translators: the evaluation's description: model, images, positives, the finding, negatives */
  g_autofree char *description = g_strdup_printf (_("%s on %u labelled images: %u with %s, %u with No Finding"),
                                                  in->model_name ? in->model_name : "", in->scores->len, positives,
                                                  in->positive_name, negatives);
  adw_preferences_group_set_description (self->numbers_group, description);

  g_autofree char *auc = NULL;
  if (isnan (e->curve->auc))
    auc = g_strdup (_("— (needs positive and negative images)"));
  else
    /* Translators: the AUC and its 95% bootstrap interval */
    auc = g_strdup_printf (_("%.3f (95%% interval %.3f–%.3f)"), e->curve->auc, e->auc_lower, e->auc_upper);
  gtk_label_set_label (self->auc_label, auc);

  /* Translators: a row title: the decision threshold */
  g_autofree char *threshold_title = g_strdup_printf (_("At the threshold %.2f"), e->threshold);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->threshold_row), threshold_title);
  g_autofree char *sensitivity = format_rate (e->sensitivity), *specificity = format_rate (e->specificity);
  /* Translators: sensitivity and specificity at the decision threshold */
  g_autofree char *rates = g_strdup_printf (_("Sensitivity %s · specificity %s"), sensitivity, specificity);
  gtk_label_set_label (self->threshold_label, rates);

  cxr_plot_series_set_points (self->series[LAYER_CURVE], e->curve->fpr, e->curve->tpr, e->curve->n_points);
  double op_x = 1 - e->specificity, op_y = e->sensitivity;
  cxr_plot_series_set_points (self->series[LAYER_OPERATING], &op_x, &op_y, isnan (op_x) || isnan (op_y) ? 0 : 1);
  show_target (self);
  show_matrix (self);
}

static void
update_missing (CxrEvalView *self)
{
  guint missing = self->input ? self->input->n_missing : 0;
  gtk_widget_set_visible (GTK_WIDGET (self->missing_row), missing > 0 || self->predicting);
  /* Translators: images of the labelled set the model has not seen yet */
  g_autofree char *title = g_strdup_printf (ngettext ("%u labelled image has no prediction yet",
                                                      "%u labelled images have no prediction yet", missing), missing);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->missing_row), title);
  gtk_widget_set_visible (GTK_WIDGET (self->missing_button), !self->predicting);
  gtk_widget_set_visible (GTK_WIDGET (self->missing_progress), self->predicting);
  gtk_widget_set_visible (GTK_WIDGET (self->predict_button), !self->predicting);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_progress), self->predicting);
}

/* ---- computing --------------------------------------------------------------------- */

/* What the worker reads: its own references, whatever the page does meanwhile. */
typedef struct {
  GArray *scores;
  GArray *labels;
  guint generation;
} Job;

static void
job_free (Job *job)
{
  g_array_unref (job->scores);
  g_array_unref (job->labels);
  g_free (job);
}

static void
evaluate_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  CxrRocEvaluation *e = cxr_roc_evaluate ((const float *) job->scores->data, (const guint8 *) job->labels->data,
                                          job->scores->len, CXR_EVAL_THRESHOLD, 0.9, CXR_EVAL_BOOTSTRAP_ROUNDS,
                                          BOOTSTRAP_SEED);
  g_task_return_pointer (task, e, (GDestroyNotify) cxr_roc_evaluation_free);
}

static void
on_evaluated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CxrEvalView *self = CXR_EVAL_VIEW (source);
  CxrRocEvaluation *e = g_task_propagate_pointer (G_TASK (result), NULL);
  Job *job = g_task_get_task_data (G_TASK (result));
  /* A newer input replaced the one this was for. */
  if (e == NULL || job->generation != self->generation)
    {
      cxr_roc_evaluation_free (e);
      return;
    }
  g_clear_pointer (&self->evaluation, cxr_roc_evaluation_free);
  self->evaluation = e;
  show_evaluation (self);
}

static Input *
copy_input (const CxrEvalInput *input)
{
  Input *in = g_new0 (Input, 1);
  in->positive_name = g_strdup (input->positive_name);
  in->model_name = g_strdup (input->model_name);
  in->entries = g_array_sized_new (FALSE, FALSE, sizeof (guint), input->n);
  in->scores = g_array_sized_new (FALSE, FALSE, sizeof (float), input->n);
  in->labels = g_array_sized_new (FALSE, FALSE, sizeof (guint8), input->n);
  g_array_append_vals (in->entries, input->entries, input->n);
  g_array_append_vals (in->scores, input->scores, input->n);
  g_array_append_vals (in->labels, input->labels, input->n);
  in->n_missing = input->n_missing;
  return in;
}

void
cxr_eval_view_set_input (CxrEvalView *self, const CxrEvalInput *input)
{
  g_return_if_fail (CXR_IS_EVAL_VIEW (self));

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->evaluation, cxr_roc_evaluation_free);
  g_clear_pointer (&self->input, input_free);
  self->generation++;

  if (input == NULL || input->n == 0)
    {
      if (input != NULL)
        self->input = copy_input (input);
      for (int i = LAYER_CURVE; i <= LAYER_TARGET; i++)
        cxr_plot_series_clear (self->series[i]);
      gboolean can_predict = input != NULL && input->n_missing > 0;
      gtk_widget_set_sensitive (GTK_WIDGET (self->predict_button), can_predict);
      adw_status_page_set_description (self->empty_page,
                                       input == NULL ? _("Open a model with a finding it calls positive, and a dataset labelled with that finding and No Finding.")
                                                     : _("The evaluation compares the model’s predictions with the dataset’s labels. Predict the labelled images first."));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_missing (self);
      return;
    }

  self->input = copy_input (input);
  gtk_stack_set_visible_child_name (self->stack, "evaluation");
  gtk_label_set_label (self->auc_label, _("Computing…"));
  update_missing (self);
  self->cancellable = g_cancellable_new ();
  Job *job = g_new0 (Job, 1);
  job->scores = g_array_ref (self->input->scores);
  job->labels = g_array_ref (self->input->labels);
  job->generation = self->generation;
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, on_evaluated, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, evaluate_in_thread);
}

void
cxr_eval_view_set_predicting (CxrEvalView *self, guint done, guint total)
{
  g_return_if_fail (CXR_IS_EVAL_VIEW (self));

  self->predicting = total > 0;
  double fraction = total ? (double) done / total : 0;
  /* Translators: progress of predicting the labelled images */
  g_autofree char *text = g_strdup_printf (_("%u of %u"), done, total);
  gtk_progress_bar_set_fraction (self->empty_progress, fraction);
  gtk_progress_bar_set_text (self->empty_progress, text);
  gtk_progress_bar_set_fraction (self->missing_progress, fraction);
  update_missing (self);
}

const CxrRocEvaluation *
cxr_eval_view_get_evaluation (CxrEvalView *self)
{
  g_return_val_if_fail (CXR_IS_EVAL_VIEW (self), NULL);
  return self->evaluation;
}

GArray *
cxr_eval_view_dup_cell_entries (CxrEvalView *self, CxrConfusionCell cell)
{
  g_return_val_if_fail (CXR_IS_EVAL_VIEW (self), NULL);

  GArray *entries = g_array_new (FALSE, FALSE, sizeof (guint));
  Input *in = self->input;
  for (guint i = 0; in != NULL && i < in->entries->len; i++)
    if (cxr_confusion_cell (g_array_index (in->scores, float, i), g_array_index (in->labels, guint8, i) != 0,
                            CXR_EVAL_THRESHOLD) == cell)
      g_array_append_val (entries, g_array_index (in->entries, guint, i));
  return entries;
}

GtkWidget *
cxr_eval_view_get_cell_button (CxrEvalView *self, CxrConfusionCell cell)
{
  g_return_val_if_fail (cell < CXR_N_CONFUSION_CELLS, NULL);
  return self->cells[cell];
}

CxrPlot *
cxr_eval_view_get_plot (CxrEvalView *self)
{
  return self->plot;
}

/* ---- signals from the page ----------------------------------------------------------- */

static void
on_predict_clicked (CxrEvalView *self)
{
  g_signal_emit (self, signals[PREDICT_REQUESTED], 0);
}

static void
on_target_changed (CxrEvalView *self)
{
  show_target (self);
}

static void
on_cell_clicked (GtkButton *button, CxrEvalView *self)
{
  for (int cell = 0; cell < CXR_N_CONFUSION_CELLS; cell++)
    if (self->cells[cell] == GTK_WIDGET (button))
      g_signal_emit (self, signals[SHOW_CELL], 0, (guint) cell);
}

static char *
readout (CxrPlot *plot, guint layer, guint index, gpointer user_data)
{
  CxrEvalView *self = user_data;
  const CxrRocEvaluation *e = self->evaluation;
  if (e == NULL || e->curve == NULL)
    return NULL;
  guint k;
  if (layer == LAYER_CURVE)
    k = index;
  else if (layer == LAYER_TARGET && e->target_point != G_MAXUINT)
    k = e->target_point;
  else if (layer == LAYER_OPERATING)
    /* Translators: the readout of the operating point in the ROC plot */
    return g_strdup_printf (_("Threshold %.2f: sensitivity %.3f, specificity %.3f"), e->threshold, e->sensitivity,
                            e->specificity);
  else
    return g_strdup (_("Chance: a model that guesses"));
  if (k >= e->curve->n_points)
    return NULL;
  if (!isfinite (e->curve->threshold[k]))
    return g_strdup (_("Above every score: nothing called positive"));
  /* Translators: the readout of a point of the ROC curve */
  return g_strdup_printf (_("Threshold %.3f: sensitivity %.3f, specificity %.3f"), e->curve->threshold[k],
                          e->curve->tpr[k], 1 - e->curve->fpr[k]);
}

static void
build_matrix (CxrEvalView *self)
{
  /* Rows: what the image is; columns: what the model called it. */
  const struct {
    CxrConfusionCell cell;
    int row, column;
  } layout[] = {
    { CXR_CONFUSION_TRUE_POSITIVE, 1, 1 },
    { CXR_CONFUSION_FALSE_NEGATIVE, 1, 2 },
    { CXR_CONFUSION_FALSE_POSITIVE, 2, 1 },
    { CXR_CONFUSION_TRUE_NEGATIVE, 2, 2 },
  };
  const char *headings[] = { _("Called positive"), _("Called negative"), _("Positive images"), _("No Finding images") };
  for (int i = 0; i < 4; i++)
    {
      GtkWidget *heading = gtk_label_new (headings[i]);
      gtk_widget_add_css_class (heading, "heading");
      gtk_label_set_xalign (GTK_LABEL (heading), i < 2 ? 0.5f : 0.0f);
      gtk_grid_attach (self->matrix_grid, heading, i < 2 ? i + 1 : 0, i < 2 ? 0 : i - 1, 1, 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (layout); i++)
    {
      GtkWidget *label = gtk_label_new (NULL);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      GtkWidget *button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_set_size_request (button, 170, 76);
      gtk_widget_add_css_class (button, "confusion-cell");
      gtk_widget_add_css_class (button, layout[i].row == layout[i].column ? "confusion-correct" : "confusion-wrong");
      /* Translators: tooltip of a confusion matrix cell */
      gtk_widget_set_tooltip_text (button, _("List these images for review"));
      g_signal_connect (button, "clicked", G_CALLBACK (on_cell_clicked), self);
      gtk_grid_attach (self->matrix_grid, button, layout[i].column, layout[i].row, 1, 1);
      self->cells[layout[i].cell] = button;
    }
}

static void
setup_plot (CxrEvalView *self)
{
  const GdkRGBA grey = { 0.5f, 0.5f, 0.5f, 1 }, blue = { 0.21f, 0.52f, 0.89f, 1 }, orange = { 0.90f, 0.38f, 0.0f, 1 },
                purple = { 0.57f, 0.25f, 0.67f, 1 };
  for (int i = 0; i < 4; i++)
    self->series[i] = cxr_plot_series_new ();
  const double diagonal[] = { 0, 1 };
  cxr_plot_series_set_points (self->series[LAYER_CHANCE], diagonal, diagonal, 2);
  cxr_plot_set_x_axis (self->plot, _("False positive rate (1 − specificity)"), CXR_PLOT_NUMBER_PLAIN, 0, 1);
  cxr_plot_set_y_axis (self->plot, CXR_PLOT_Y_LEFT, _("Sensitivity"), CXR_PLOT_NUMBER_PLAIN, 0, 1, FALSE);
  cxr_plot_add_layer (self->plot, self->series[LAYER_CHANCE], CXR_PLOT_Y_LEFT, CXR_PLOT_DASHED_LINE, &grey, _("Chance"));
  cxr_plot_add_layer (self->plot, self->series[LAYER_CURVE], CXR_PLOT_Y_LEFT, CXR_PLOT_LINE, &blue, _("ROC curve"));
  /* Translators: the legend entry of the operating point; %.2f is the decision threshold */
  g_autofree char *operating = g_strdup_printf (_("Threshold %.2f"), CXR_EVAL_THRESHOLD);
  cxr_plot_add_layer (self->plot, self->series[LAYER_OPERATING], CXR_PLOT_Y_LEFT, CXR_PLOT_POINTS, &orange, operating);
  cxr_plot_add_layer (self->plot, self->series[LAYER_TARGET], CXR_PLOT_Y_LEFT, CXR_PLOT_POINTS, &purple, NULL);
  cxr_plot_set_readout_func (self->plot, readout, self, NULL);
}

/* ---- type ------------------------------------------------------------------------------ */

static void
cxr_eval_view_dispose (GObject *object)
{
  CxrEvalView *self = CXR_EVAL_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->plot)
    cxr_plot_set_readout_func (self->plot, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CXR_TYPE_EVAL_VIEW);
  /* The template's stack is not a bound child, so dispose_template leaves it to us. */
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (cxr_eval_view_parent_class)->dispose (object);
}

static void
cxr_eval_view_finalize (GObject *object)
{
  CxrEvalView *self = CXR_EVAL_VIEW (object);

  input_free (self->input);
  cxr_roc_evaluation_free (self->evaluation);
  for (int i = 0; i < 4; i++)
    g_clear_object (&self->series[i]);

  G_OBJECT_CLASS (cxr_eval_view_parent_class)->finalize (object);
}

static void
cxr_eval_view_class_init (CxrEvalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cxr_eval_view_dispose;
  object_class->finalize = cxr_eval_view_finalize;

  signals[PREDICT_REQUESTED] = g_signal_new ("predict-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                             NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SHOW_CELL] = g_signal_new ("show-cell", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_UINT);

  g_type_ensure (CXR_TYPE_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cxrcam/Cxrcam/ui/cxr-eval-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, stack);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, predict_button);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, empty_progress);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, numbers_group);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, auc_label);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, threshold_row);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, threshold_label);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, target_label);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, target_spin);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, missing_row);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, missing_button);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, missing_progress);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, plot);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, matrix_group);
  gtk_widget_class_bind_template_child (widget_class, CxrEvalView, matrix_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_predict_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_target_changed);
}

static void
cxr_eval_view_init (CxrEvalView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  setup_plot (self);
  build_matrix (self);
  show_matrix (self);
  cxr_eval_view_set_input (self, NULL);
}

GtkWidget *
cxr_eval_view_new (void)
{
  return g_object_new (CXR_TYPE_EVAL_VIEW, NULL);
}
