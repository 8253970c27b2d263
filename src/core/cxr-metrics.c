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

void
cxr_binary_metrics (const float *probabilities, const guint8 *labels, guint n, double threshold,
                    CxrBinaryMetrics *m)
{
  guint tp = 0, tn = 0, positives = 0;
  for (guint i = 0; i < n; i++)
    {
      gboolean called = probabilities[i] >= threshold;
      if (labels[i])
        {
          positives++;
          tp += called;
        }
      else
        tn += !called;
    }
  m->n = n;
  m->n_positive = positives;
  m->accuracy = n ? (double) (tp + tn) / n : NAN;
  m->sensitivity = positives ? (double) tp / positives : NAN;
  m->specificity = n > positives ? (double) tn / (n - positives) : NAN;
  m->auc = cxr_roc_auc (probabilities, labels, n);
}
