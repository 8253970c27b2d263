/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-roc.c: ROC curve, bootstrap AUC interval (see cxr-roc.h). */
#include "cxr-roc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-metrics.h"

typedef struct {
  float score;
  guint8 label;
} Scored;

static int
compare_descending (const void *a, const void *b)
{
  float x = ((const Scored *) a)->score, y = ((const Scored *) b)->score;
  return (x < y) - (x > y);
}

static Scored *
sorted_descending (const float *scores, const guint8 *labels, guint n, guint *positives)
{
  Scored *items = g_new (Scored, MAX (n, 1));
  *positives = 0;
  for (guint i = 0; i < n; i++)
    {
      items[i] = (Scored) { scores[i], labels[i] ? 1 : 0 };
      *positives += items[i].label;
    }
  qsort (items, n, sizeof (Scored), compare_descending);
  return items;
}

CxrRocCurve *
cxr_roc_curve_new (const float *scores, const guint8 *labels, guint n)
{
  if (n == 0)
    return NULL;
  guint positives;
  g_autofree Scored *items = sorted_descending (scores, labels, n, &positives);
  guint negatives = n - positives;

  CxrRocCurve *curve = g_new0 (CxrRocCurve, 1);
  curve->n_positive = positives;
  curve->n_negative = negatives;
  curve->threshold = g_new (double, n + 1);
  curve->fpr = g_new (double, n + 1);
  curve->tpr = g_new (double, n + 1);
  curve->threshold[0] = INFINITY;
  curve->fpr[0] = curve->tpr[0] = 0;
  curve->n_points = 1;

  /* Walk down the scores a tie group at a time: everything >= the group's score is called positive. */
  guint tp = 0, fp = 0;
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j < n && items[j].score == items[i].score)
        {
          tp += items[j].label;
          fp += !items[j].label;
          j++;
        }
      guint k = curve->n_points++;
      curve->threshold[k] = items[i].score;
      curve->tpr[k] = positives ? (double) tp / positives : NAN;
      curve->fpr[k] = negatives ? (double) fp / negatives : NAN;
      i = j;
    }
  curve->auc = cxr_roc_auc (scores, labels, n);
  return curve;
}

void
cxr_roc_curve_free (CxrRocCurve *curve)
{
  if (curve == NULL)
    return;
  g_free (curve->threshold);
  g_free (curve->fpr);
  g_free (curve->tpr);
  g_free (curve);
}

guint
cxr_roc_curve_point_for_sensitivity (const CxrRocCurve *curve, double sensitivity)
{
  if (curve == NULL || curve->n_positive == 0)
    return G_MAXUINT;
  for (guint i = 0; i < curve->n_points; i++)
    /* Rates are ratios of counts: compare with a little room so that 0.9 of 10 positives counts as 0.9. */
    if (curve->tpr[i] >= sensitivity - 1e-12)
      return i;
  return G_MAXUINT;
}

/* ---- bootstrap ---------------------------------------------------------- */

/* splitmix64: a small, fast generator whose stream is the same everywhere. */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in [0, m) without modulo bias worth mentioning (Lemire's multiply-shift). */
static guint
random_below (guint64 *state, guint m)
{
  return (guint) (((unsigned __int128) next_random (state) * m) >> 64);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The q-quantile of sorted values, linearly interpolated (R's type 7, numpy's default). */
static double
quantile (const double *sorted, guint n, double q)
{
  double position = q * (n - 1);
  guint below = (guint) floor (position);
  guint above = MIN (below + 1, n - 1);
  double t = position - below;
  return sorted[below] + t * (sorted[above] - sorted[below]);
}

gboolean
cxr_roc_auc_bootstrap (const float *scores, const guint8 *labels, guint n, guint rounds, guint64 seed,
                       double level, double *lower, double *upper)
{
  *lower = *upper = NAN;
  guint positives;
  g_autofree Scored *items = sorted_descending (scores, labels, n, &positives);
  guint negatives = n - positives;
  if (positives == 0 || negatives == 0 || rounds == 0)
    return FALSE;

  /* Sorted once; each resample is a vector of multiplicities, and its AUC one pass over the tie groups
   * (from the top: a positive beats every negative of a lower group and half of those in its own). */
  g_autofree guint *positive_at = g_new (guint, positives);   /* sorted position of each positive */
  g_autofree guint *negative_at = g_new (guint, negatives);
  g_autofree guint *group_end = g_new (guint, n);             /* end of the tie group starting at i */
  for (guint i = 0, p = 0, q = 0; i < n; i++)
    {
      if (items[i].label)
        positive_at[p++] = i;
      else
        negative_at[q++] = i;
    }
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j < n && items[j].score == items[i].score)
        j++;
      group_end[i] = j;
      i = j;
    }

  g_autofree guint *weight = g_new (guint, n);
  g_autofree double *aucs = g_new (double, rounds);
  guint64 state = seed;
  for (guint r = 0; r < rounds; r++)
    {
      memset (weight, 0, sizeof (guint) * n);
      for (guint k = 0; k < positives; k++)
        weight[positive_at[random_below (&state, positives)]]++;
      for (guint k = 0; k < negatives; k++)
        weight[negative_at[random_below (&state, negatives)]]++;

      /* Negatives strictly below a group, counted from the bottom: walk the groups from the top and
       * subtract as they pass. */
      double negatives_below = negatives, wins = 0;
      for (guint i = 0; i < n;)
        {
          guint j = group_end[i];
          double group_positives = 0, group_negatives = 0;
          for (guint k = i; k < j; k++)
            {
              if (items[k].label)
                group_positives += weight[k];
              else
                group_negatives += weight[k];
            }
          negatives_below -= group_negatives;
          wins += group_positives * (negatives_below + 0.5 * group_negatives);
          i = j;
        }
      aucs[r] = wins / ((double) positives * negatives);
    }
  qsort (aucs, rounds, sizeof (double), compare_doubles);
  *lower = quantile (aucs, rounds, (1 - level) / 2);
  *upper = quantile (aucs, rounds, (1 + level) / 2);
  return TRUE;
}

/* ---- the whole evaluation ----------------------------------------------- */

CxrRocEvaluation *
cxr_roc_evaluate (const float *scores, const guint8 *labels, guint n, double threshold, double target_sensitivity,
                  guint bootstrap_rounds, guint64 seed)
{
  CxrRocEvaluation *e = g_new0 (CxrRocEvaluation, 1);
  e->curve = cxr_roc_curve_new (scores, labels, n);
  e->threshold = threshold;
  e->target_sensitivity = target_sensitivity;
  cxr_roc_auc_bootstrap (scores, labels, n, bootstrap_rounds, seed, 0.95, &e->auc_lower, &e->auc_upper);
  cxr_confusion_count (scores, labels, n, threshold, &e->confusion);
  guint tp = e->confusion.count[CXR_CONFUSION_TRUE_POSITIVE], fn = e->confusion.count[CXR_CONFUSION_FALSE_NEGATIVE];
  guint tn = e->confusion.count[CXR_CONFUSION_TRUE_NEGATIVE], fp = e->confusion.count[CXR_CONFUSION_FALSE_POSITIVE];
  e->sensitivity = tp + fn ? (double) tp / (tp + fn) : NAN;
  e->specificity = tn + fp ? (double) tn / (tn + fp) : NAN;
  e->target_point = cxr_roc_curve_point_for_sensitivity (e->curve, target_sensitivity);
  return e;
}

void
cxr_roc_evaluation_free (CxrRocEvaluation *evaluation)
{
  if (evaluation == NULL)
    return;
  cxr_roc_curve_free (evaluation->curve);
  g_free (evaluation);
}
