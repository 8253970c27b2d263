/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-roc.h: the ROC curve of a binary classifier, a bootstrap interval of its AUC, and the threshold
 * that reaches a chosen sensitivity.
 *
 * The rule is cxr-metrics.h's: an image is called positive when its score is >= the threshold. The
 * curve has one point per distinct score, from (0, 0) (threshold +inf: nothing called positive) to
 * (1, 1) (the lowest score: everything called positive); tied scores move both rates at once, so
 * the trapezoidal area under the curve is exactly the Mann-Whitney AUC of cxr_roc_auc.
 */
#pragma once

#include <glib.h>

#include "cxr-metrics.h"

G_BEGIN_DECLS

typedef struct {
  guint n_points;
  double *threshold;      /* [n_points], decreasing; threshold[0] = +inf */
  double *fpr;            /* [n_points], false positive rate at threshold[i], non-decreasing */
  double *tpr;            /* [n_points], true positive rate (sensitivity), non-decreasing */
  guint n_positive, n_negative;
  double auc;             /* NAN unless both classes are present */
} CxrRocCurve;

/* NULL when @n is 0. */
CxrRocCurve *cxr_roc_curve_new  (const float *scores, const guint8 *labels, guint n);
void         cxr_roc_curve_free (CxrRocCurve *curve);

/* The curve's first point (highest threshold) whose sensitivity reaches @sensitivity: its index, or
 * G_MAXUINT when no point does (no positives). */
guint        cxr_roc_curve_point_for_sensitivity (const CxrRocCurve *curve, double sensitivity);

/* A @level (0.95) percentile interval of the ROC AUC from @rounds bootstrap resamples drawn from @seed.
 * Resampling is stratified (positives and negatives each with replacement, their counts kept), as
 * pROC's ci.auc does by default, so every resample has both classes. FALSE (and NAN bounds) when a
 * class is missing or @rounds is 0. The same inputs and seed give the same interval on every machine. */
gboolean     cxr_roc_auc_bootstrap (const float *scores, const guint8 *labels, guint n, guint rounds,
                                    guint64 seed, double level, double *lower, double *upper);

/* Everything an evaluation view shows of scores against labels. */
typedef struct {
  CxrRocCurve *curve;          /* NULL when there are no images */
  double auc_lower, auc_upper; /* the bootstrap interval; NAN when a class is missing */
  double threshold;            /* the decision threshold (called positive at >= it) */
  CxrConfusion confusion;      /* at the decision threshold */
  double sensitivity, specificity;   /* there; NAN without positives or negatives */
  double target_sensitivity;
  guint target_point;          /* the curve point that first reaches it, or G_MAXUINT */
} CxrRocEvaluation;

CxrRocEvaluation *cxr_roc_evaluate         (const float *scores, const guint8 *labels, guint n, double threshold,
                                            double target_sensitivity, guint bootstrap_rounds, guint64 seed);
void              cxr_roc_evaluation_free  (CxrRocEvaluation *evaluation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrRocCurve, cxr_roc_curve_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CxrRocEvaluation, cxr_roc_evaluation_free)

G_END_DECLS
