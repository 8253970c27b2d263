/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-train-curves.h: one training run's numbers as the training page plots them.
 *
 * Fed live from the training job's events, or read back from a run's folder (steps.csv and
 * train-state.json), it keeps a plot series per curve: the loss of every step (raw, and smoothed by an
 * exponential moving average with bias correction, as TensorBoard smooths), the learning rate of every
 * step, and per epoch the training and validation loss, training and validation accuracy and validation
 * AUC. The x of every point is the optimiser step: an epoch's point sits at its last step, so that the
 * per-step and per-epoch curves share the axis. Steps and epochs that it already has are ignored, so
 * that a resumed run (which first tells its past epochs again) adds only what is new.
 */
#pragma once

#include <glib-object.h>

#include "cxr-plot-series.h"
#include "cxr-train-steps.h"
#include "cxr-train-state.h"

G_BEGIN_DECLS

typedef enum {
  CXR_CURVE_STEP_LOSS,
  CXR_CURVE_STEP_LOSS_SMOOTHED,
  CXR_CURVE_LEARNING_RATE,
  CXR_CURVE_TRAIN_LOSS,
  CXR_CURVE_VAL_LOSS,
  CXR_CURVE_TRAIN_ACCURACY,
  CXR_CURVE_VAL_ACCURACY,
  CXR_CURVE_VAL_AUC,
  CXR_N_CURVES
} CxrCurve;

/* The smoothing weight of the loss curve: each smoothed value keeps this share of the last. */
#define CXR_CURVES_SMOOTHING 0.8

#define CXR_TYPE_TRAIN_CURVES (cxr_train_curves_get_type ())
G_DECLARE_FINAL_TYPE (CxrTrainCurves, cxr_train_curves, CXR, TRAIN_CURVES, GObject)

CxrTrainCurves *cxr_train_curves_new           (void);
void            cxr_train_curves_clear         (CxrTrainCurves *self);

/* FALSE (ignored) when the step is not after the last one it has. */
gboolean        cxr_train_curves_add_step      (CxrTrainCurves *self, const CxrTrainStep *step);
/* @global_step: the optimiser steps at the end of the epoch, or 0 when unknown (the x is then worked out
 * from the steps per epoch). FALSE (ignored) when it has that epoch already. */
gboolean        cxr_train_curves_add_epoch     (CxrTrainCurves *self, const CxrEpochMetrics *metrics,
                                                guint64 global_step);
/* Replaces everything with the run in @run_dir: train-state.json's history and steps.csv when there
 * (a run stopped before its first epoch ends has no history yet). Fills @state when given. */
gboolean        cxr_train_curves_load          (CxrTrainCurves *self, const char *run_dir, CxrTrainState *state,
                                                GError **error);

CxrPlotSeries  *cxr_train_curves_get_series    (CxrTrainCurves *self, CxrCurve curve);
/* CxrEpochMetrics of every epoch, in order. */
GArray         *cxr_train_curves_get_history   (CxrTrainCurves *self);
/* CxrTrainStep of every step, in order. */
GArray         *cxr_train_curves_get_steps     (CxrTrainCurves *self);
/* The epoch with the best validation AUC (the trainer's best.pth), or 0. */
guint           cxr_train_curves_get_best_epoch (CxrTrainCurves *self);
/* The x of an epoch's points. */
double          cxr_train_curves_get_epoch_x   (CxrTrainCurves *self, guint epoch);

G_END_DECLS
