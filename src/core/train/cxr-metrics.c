/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cxr-metrics.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  float score;
  guint8 label;
} Scored;

static int
compare_scores (const void *a, const void *b)
{
  float x = ((const Scored *) a)->score, y = ((const Scored *) b)->score;
  return (x > y) - (x < y);
}

double
cxr_roc_auc (const float *scores, const guint8 *labels, guint n)
{
  g_autofree Scored *items = g_new (Scored, MAX (n, 1));
  guint positives = 0;
  for (guint i = 0; i < n; i++)
    {
      items[i] = (Scored) { scores[i], labels[i] ? 1 : 0 };
      positives += items[i].label;
    }
  guint negatives = n - positives;
  if (positives == 0 || negatives == 0)
    return NAN;
  qsort (items, n, sizeof (Scored), compare_scores);

  /* Sum of the positives' ranks (1-based, ties at their mean rank). */
  double rank_sum = 0;
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j < n && items[j].score == items[i].score)
        j++;
      double mean_rank = (i + 1 + j) / 2.0;
      for (guint k = i; k < j; k++)
        if (items[k].label)
          rank_sum += mean_rank;
      i = j;
    }
  return (rank_sum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
}

CxrConfusionCell
cxr_confusion_cell (float probability, gboolean positive, double threshold)
{
  gboolean called = probability >= threshold;
  if (positive)
    return called ? CXR_CONFUSION_TRUE_POSITIVE : CXR_CONFUSION_FALSE_NEGATIVE;
  return called ? CXR_CONFUSION_FALSE_POSITIVE : CXR_CONFUSION_TRUE_NEGATIVE;
}

void
cxr_confusion_count (const float *probabilities, const guint8 *labels, guint n, double threshold,
                     CxrConfusion *confusion)
{
  *confusion = (CxrConfusion) { { 0 } };
  for (guint i = 0; i < n; i++)
    confusion->count[cxr_confusion_cell (probabilities[i], labels[i] != 0, threshold)]++;
}

void
cxr_binary_metrics (const float *probabilities, const guint8 *labels, guint n, double threshold,
                    CxrBinaryMetrics *m)
{
  CxrConfusion c;
  cxr_confusion_count (probabilities, labels, n, threshold, &c);
  guint tp = c.count[CXR_CONFUSION_TRUE_POSITIVE], tn = c.count[CXR_CONFUSION_TRUE_NEGATIVE];
  guint positives = tp + c.count[CXR_CONFUSION_FALSE_NEGATIVE];
  m->n = n;
  m->n_positive = positives;
  m->accuracy = n ? (double) (tp + tn) / n : NAN;
  m->sensitivity = positives ? (double) tp / positives : NAN;
  m->specificity = n > positives ? (double) tn / (n - positives) : NAN;
  m->auc = cxr_roc_auc (probabilities, labels, n);
}
