/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-curves.c: a run's numbers as plot series (see cxr-train-curves.h). */
#include "config.h"

#include <math.h>

#include "cxr-train-curves.h"

struct _CxrTrainCurves {
  GObject parent_instance;

  CxrPlotSeries *series[CXR_N_CURVES];
  GArray *steps;          /* CxrTrainStep */
  GArray *history;        /* CxrEpochMetrics */
  GArray *epoch_x;        /* double, per epoch */
  double smoothed;        /* the moving average before bias correction */
  double smoothing_weight_power;  /* CXR_CURVES_SMOOTHING ^ steps */
  guint steps_per_epoch;  /* from the steps, 0 before any */
};

G_DEFINE_FINAL_TYPE (CxrTrainCurves, cxr_train_curves, G_TYPE_OBJECT)

void
cxr_train_curves_clear (CxrTrainCurves *self)
{
  g_return_if_fail (CXR_IS_TRAIN_CURVES (self));

  g_array_set_size (self->steps, 0);
  g_array_set_size (self->history, 0);
  g_array_set_size (self->epoch_x, 0);
  self->smoothed = 0;
  self->smoothing_weight_power = 1;
  self->steps_per_epoch = 0;
  for (int i = 0; i < CXR_N_CURVES; i++)
    cxr_plot_series_clear (self->series[i]);
}

gboolean
cxr_train_curves_add_step (CxrTrainCurves *self, const CxrTrainStep *step)
{
  g_return_val_if_fail (CXR_IS_TRAIN_CURVES (self), FALSE);

  if (self->steps->len > 0 && step->global_step <= g_array_index (self->steps, CxrTrainStep, self->steps->len - 1).global_step)
    return FALSE;
  g_array_append_val (self->steps, *step);
  self->steps_per_epoch = step->steps_per_epoch;

  double x = (double) step->global_step;
  cxr_plot_series_append (self->series[CXR_CURVE_STEP_LOSS], x, step->loss);
  if (isfinite (step->loss))
    {
      /* TensorBoard's smoothing: an exponential moving average divided by its weight so far, so that
       * the first steps are not pulled towards zero. */
      self->smoothed = CXR_CURVES_SMOOTHING * self->smoothed + (1 - CXR_CURVES_SMOOTHING) * step->loss;
      self->smoothing_weight_power *= CXR_CURVES_SMOOTHING;
      cxr_plot_series_append (self->series[CXR_CURVE_STEP_LOSS_SMOOTHED], x,
                              self->smoothed / (1 - self->smoothing_weight_power));
    }
  cxr_plot_series_append (self->series[CXR_CURVE_LEARNING_RATE], x, step->lr);
  return TRUE;
}

static double
epoch_x_for (CxrTrainCurves *self, guint epoch, guint64 global_step)
{
  if (global_step > 0)
    return (double) global_step;
  /* The last logged step of that epoch, else epochs times steps per epoch. */
  for (guint i = self->steps->len; i > 0; i--)
    {
      const CxrTrainStep *s = &g_array_index (self->steps, CxrTrainStep, i - 1);
      if (s->epoch == epoch && s->step == s->steps_per_epoch)
        return (double) s->global_step;
      if (s->epoch < epoch)
        break;
    }
  return self->steps_per_epoch > 0 ? (double) epoch * self->steps_per_epoch : (double) epoch;
}

gboolean
cxr_train_curves_add_epoch (CxrTrainCurves *self, const CxrEpochMetrics *m, guint64 global_step)
{
  g_return_val_if_fail (CXR_IS_TRAIN_CURVES (self), FALSE);

  if (self->history->len > 0 && m->epoch <= g_array_index (self->history, CxrEpochMetrics, self->history->len - 1).epoch)
    return FALSE;
  g_array_append_val (self->history, *m);
  double x = epoch_x_for (self, m->epoch, global_step);
  g_array_append_val (self->epoch_x, x);
  cxr_plot_series_append (self->series[CXR_CURVE_TRAIN_LOSS], x, m->train_loss);
  cxr_plot_series_append (self->series[CXR_CURVE_VAL_LOSS], x, m->val_loss);
  cxr_plot_series_append (self->series[CXR_CURVE_TRAIN_ACCURACY], x, m->train_accuracy);
  cxr_plot_series_append (self->series[CXR_CURVE_VAL_ACCURACY], x, m->val_accuracy);
  cxr_plot_series_append (self->series[CXR_CURVE_VAL_AUC], x, m->val_auc);
  return TRUE;
}

gboolean
cxr_train_curves_load (CxrTrainCurves *self, const char *run_dir, CxrTrainState *state, GError **error)
{
  g_return_val_if_fail (CXR_IS_TRAIN_CURVES (self), FALSE);

  CxrTrainState local;
  CxrTrainState *s = state ? state : &local;
  if (state == NULL)
    cxr_train_state_init (&local);
  gboolean ok = cxr_train_state_read (run_dir, s, error);
  g_autoptr (GArray) steps = NULL;
  if (ok)
    {
      g_autofree char *path = g_build_filename (run_dir, CXR_TRAIN_STEPS_FILE, NULL);
      GError *steps_error = NULL;
      steps = cxr_train_steps_load (path, &steps_error);
      /* A run trained before steps.csv existed, or by hand: the epochs alone. */
      if (steps == NULL && !g_error_matches (steps_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, steps_error);
          ok = FALSE;
        }
      g_clear_error (&steps_error);
    }
  if (ok)
    {
      cxr_train_curves_clear (self);
      /* Steps past the resume point (a killed run) are not part of the run. */
      for (guint i = 0; steps && i < steps->len; i++)
        if (g_array_index (steps, CxrTrainStep, i).global_step <= s->global_step)
          cxr_train_curves_add_step (self, &g_array_index (steps, CxrTrainStep, i));
      for (guint i = 0; i < s->history->len; i++)
        cxr_train_curves_add_epoch (self, &g_array_index (s->history, CxrEpochMetrics, i), 0);
    }
  if (state == NULL)
    cxr_train_state_clear (&local);
  return ok;
}

CxrPlotSeries *
cxr_train_curves_get_series (CxrTrainCurves *self, CxrCurve curve)
{
  g_return_val_if_fail (curve < CXR_N_CURVES, NULL);
  return self->series[curve];
}

GArray *
cxr_train_curves_get_history (CxrTrainCurves *self)
{
  return self->history;
}

GArray *
cxr_train_curves_get_steps (CxrTrainCurves *self)
{
  return self->steps;
}

guint
cxr_train_curves_get_best_epoch (CxrTrainCurves *self)
{
  /* The trainer flags every epoch that was the best so far; the last flagged one is best.pth. */
  guint best = 0;
  for (guint i = 0; i < self->history->len; i++)
    if (g_array_index (self->history, CxrEpochMetrics, i).best)
      best = g_array_index (self->history, CxrEpochMetrics, i).epoch;
  return best;
}

double
cxr_train_curves_get_epoch_x (CxrTrainCurves *self, guint epoch)
{
  for (guint i = 0; i < self->history->len; i++)
    if (g_array_index (self->history, CxrEpochMetrics, i).epoch == epoch)
      return g_array_index (self->epoch_x, double, i);
  return NAN;
}

static void
cxr_train_curves_finalize (GObject *object)
{
  CxrTrainCurves *self = CXR_TRAIN_CURVES (object);

  for (int i = 0; i < CXR_N_CURVES; i++)
    g_object_unref (self->series[i]);
  g_array_unref (self->steps);
  g_array_unref (self->history);
  g_array_unref (self->epoch_x);

  G_OBJECT_CLASS (cxr_train_curves_parent_class)->finalize (object);
}

static void
cxr_train_curves_class_init (CxrTrainCurvesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cxr_train_curves_finalize;
}

static void
cxr_train_curves_init (CxrTrainCurves *self)
{
  for (int i = 0; i < CXR_N_CURVES; i++)
    self->series[i] = cxr_plot_series_new ();
  self->steps = g_array_new (FALSE, FALSE, sizeof (CxrTrainStep));
  self->history = g_array_new (FALSE, FALSE, sizeof (CxrEpochMetrics));
  self->epoch_x = g_array_new (FALSE, FALSE, sizeof (double));
  self->smoothing_weight_power = 1;
}

CxrTrainCurves *
cxr_train_curves_new (void)
{
  return g_object_new (CXR_TYPE_TRAIN_CURVES, NULL);
}
