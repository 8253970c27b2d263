/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-chart.c: the training page's plot (see cxr-train-chart.h). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cxr-train-chart.h"

/* GNOME's palette: blue for the loss, orange for validation loss, green and purple for the accuracies,
 * red for AUC, brown for the learning rate. */
static const struct {
  CxrPlotYAxis axis;
  CxrPlotStyle style;
  GdkRGBA color;
} curve_styles[CXR_N_CURVES] = {
  [CXR_CURVE_STEP_LOSS] = { CXR_PLOT_Y_LEFT, CXR_PLOT_FAINT_LINE, { 0.21f, 0.52f, 0.89f, 1 } },
  [CXR_CURVE_STEP_LOSS_SMOOTHED] = { CXR_PLOT_Y_LEFT, CXR_PLOT_LINE, { 0.21f, 0.52f, 0.89f, 1 } },
  [CXR_CURVE_LEARNING_RATE] = { CXR_PLOT_Y_RIGHT_OUTER, CXR_PLOT_DASHED_LINE, { 0.60f, 0.42f, 0.27f, 1 } },
  [CXR_CURVE_TRAIN_LOSS] = { CXR_PLOT_Y_LEFT, CXR_PLOT_LINE_POINTS, { 0.10f, 0.37f, 0.71f, 1 } },
  [CXR_CURVE_VAL_LOSS] = { CXR_PLOT_Y_LEFT, CXR_PLOT_LINE_POINTS, { 0.90f, 0.38f, 0.00f, 1 } },
  [CXR_CURVE_TRAIN_ACCURACY] = { CXR_PLOT_Y_RIGHT, CXR_PLOT_LINE_POINTS, { 0.15f, 0.64f, 0.41f, 1 } },
  [CXR_CURVE_VAL_ACCURACY] = { CXR_PLOT_Y_RIGHT, CXR_PLOT_LINE_POINTS, { 0.57f, 0.25f, 0.67f, 1 } },
  [CXR_CURVE_VAL_AUC] = { CXR_PLOT_Y_RIGHT, CXR_PLOT_LINE_POINTS, { 0.75f, 0.11f, 0.16f, 1 } },
};

static const char *
curve_label (CxrCurve curve)
{
  switch (curve)
    {
    case CXR_CURVE_STEP_LOSS:
      return _("Loss per step");
    case CXR_CURVE_STEP_LOSS_SMOOTHED:
      return _("Loss per step, smoothed");
    case CXR_CURVE_LEARNING_RATE:
      return _("Learning rate");
    case CXR_CURVE_TRAIN_LOSS:
      return _("Training loss");
    case CXR_CURVE_VAL_LOSS:
      return _("Validation loss");
    case CXR_CURVE_TRAIN_ACCURACY:
      return _("Training accuracy");
    case CXR_CURVE_VAL_ACCURACY:
      return _("Validation accuracy");
    case CXR_CURVE_VAL_AUC:
      return _("Validation AUC");
    case CXR_N_CURVES:
    default:
      return NULL;
    }
}

static char *
readout (CxrPlot *plot, guint layer, guint index, gpointer user_data)
{
  CxrTrainCurves *curves = user_data;
  CxrPlotPoint p = cxr_plot_series_get_point (cxr_plot_get_layer_series (plot, layer), index);
  const char *label = curve_label (layer);
  if (layer <= CXR_CURVE_LEARNING_RATE)
    {
      GArray *steps = cxr_train_curves_get_steps (curves);
      if (index >= steps->len)
        return NULL;
      const CxrTrainStep *s = &g_array_index (steps, CxrTrainStep, index);
      /* Translators: the plot's readout of a step: step, epoch, step in the epoch, steps per epoch, curve, value */
      return g_strdup_printf (_("Step %u (epoch %u, %u of %u): %s %.4g"), (guint) s->global_step, s->epoch,
                              s->step, s->steps_per_epoch, label, p.y);
    }
  GArray *history = cxr_train_curves_get_history (curves);
  if (index >= history->len)
    return NULL;
  const CxrEpochMetrics *m = &g_array_index (history, CxrEpochMetrics, index);
  /* Translators: the plot's readout of an epoch's value: epoch, curve, value */
  return g_strdup_printf (_("Epoch %u: %s %.4f"), m->epoch, label, p.y);
}

void
cxr_train_chart_setup (CxrPlot *plot, CxrTrainCurves *curves)
{
  g_return_if_fail (cxr_plot_get_n_layers (plot) == 0);

  /* Translators: the x axis of the training plot */
  cxr_plot_set_x_axis (plot, _("Step"), CXR_PLOT_NUMBER_INTEGER, NAN, NAN);
  cxr_plot_set_y_axis (plot, CXR_PLOT_Y_LEFT, _("Loss"), CXR_PLOT_NUMBER_PLAIN, NAN, NAN, TRUE);
  cxr_plot_set_y_axis (plot, CXR_PLOT_Y_RIGHT, _("Accuracy, AUC"), CXR_PLOT_NUMBER_PLAIN, 0, 1, FALSE);
  cxr_plot_set_y_axis (plot, CXR_PLOT_Y_RIGHT_OUTER, _("Learning rate"), CXR_PLOT_NUMBER_SCIENTIFIC, NAN, NAN, TRUE);
  for (int curve = 0; curve < CXR_N_CURVES; curve++)
    cxr_plot_add_layer (plot, cxr_train_curves_get_series (curves, curve), curve_styles[curve].axis,
                        curve_styles[curve].style, &curve_styles[curve].color, curve_label (curve));
  cxr_plot_set_readout_func (plot, readout, g_object_ref (curves), g_object_unref);
  cxr_plot_set_placeholder (plot, _("The loss of every step will be plotted here"));
}

void
cxr_train_chart_update_markers (CxrPlot *plot, CxrTrainCurves *curves)
{
  cxr_plot_clear_markers (plot);
  guint best = cxr_train_curves_get_best_epoch (curves);
  if (best == 0)
    return;
  /* Translators: the marker of the epoch with the best validation AUC in the plot */
  g_autofree char *label = g_strdup_printf (_("Best: epoch %u"), best);
  cxr_plot_add_marker (plot, cxr_train_curves_get_epoch_x (curves, best), label,
                       &curve_styles[CXR_CURVE_VAL_AUC].color, FALSE);
}
