/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-metrics.h: how well a classifier separates positives from negatives.
 *
 * ROC AUC is the Mann-Whitney statistic: the probability that a random positive scores above a
 * random negative, ties counting one half (what sklearn's roc_auc_score computes). Sensitivity and
 * specificity are taken at a probability threshold (0.5 in training reports): an image is called
 * positive when its probability is >= the threshold.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The four counts of a binary decision at a threshold. */
typedef enum {
  CXR_CONFUSION_TRUE_POSITIVE,
  CXR_CONFUSION_FALSE_POSITIVE,
  CXR_CONFUSION_FALSE_NEGATIVE,
  CXR_CONFUSION_TRUE_NEGATIVE,
  CXR_N_CONFUSION_CELLS
} CxrConfusionCell;

typedef struct {
  guint count[CXR_N_CONFUSION_CELLS];
} CxrConfusion;

typedef struct {
  guint n, n_positive;
  double accuracy;      /* correct calls / n */
  double sensitivity;   /* true positives / positives (NAN without positives) */
  double specificity;   /* true negatives / negatives (NAN without negatives) */
  double auc;           /* NAN unless both classes are present */
} CxrBinaryMetrics;

/* ROC AUC of @scores for 0/1 @labels; NAN when either class is missing. */
double cxr_roc_auc        (const float *scores, const guint8 *labels, guint n);
/* Where one image falls: called positive when @probability >= @threshold. */
CxrConfusionCell cxr_confusion_cell (float probability, gboolean positive, double threshold);
void   cxr_confusion_count (const float *probabilities, const guint8 *labels, guint n, double threshold,
                            CxrConfusion *confusion);
void   cxr_binary_metrics (const float *probabilities, const guint8 *labels, guint n, double threshold,
                           CxrBinaryMetrics *metrics);

G_END_DECLS
