/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ROC curve, AUC, bootstrap interval, confusion counts and the threshold for a sensitivity, against
 * references computed here independently:
 *   - the AUC against a direct count over every (positive, negative) pair (1 when the positive scores
 *     higher, 1/2 on a tie), on random scores with many ties, and on hand-worked cases;
 *   - each curve point against a direct count of the images scoring at or above its threshold, and the
 *     trapezoidal area under the curve against the AUC;
 *   - the confusion counts and the threshold for a sensitivity against direct scans;
 *   - the bootstrap interval: the same seed gives the same interval, and its width matches the
 *     standard error of Hanley and McNeil (Radiology 1982) within 15%. */
#include <math.h>

#include "cxr-metrics.h"
#include "cxr-roc.h"

static double
pairwise_auc (const float *scores, const guint8 *labels, guint n)
{
  double wins = 0, pairs = 0;
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      if (labels[i] && !labels[j])
        {
          pairs++;
          wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
        }
  return pairs > 0 ? wins / pairs : NAN;
}

static void
test_hand_worked (void)
{
  /* sklearn's roc_curve example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8], AUC 0.75. */
  const float scores[] = { 0.1f, 0.4f, 0.35f, 0.8f };
  const guint8 labels[] = { 0, 0, 1, 1 };
  g_autoptr (CxrRocCurve) curve = cxr_roc_curve_new (scores, labels, 4);
  g_assert_cmpfloat_with_epsilon (curve->auc, 0.75, 1e-15);
  g_assert_cmpuint (curve->n_points, ==, 5);
  const double tpr[] = { 0, 0.5, 0.5, 1, 1 }, fpr[] = { 0, 0, 0.5, 0.5, 1 };
  const double thresholds[] = { INFINITY, 0.8f, 0.4f, 0.35f, 0.1f };
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpfloat (curve->tpr[i], ==, tpr[i]);
      g_assert_cmpfloat (curve->fpr[i], ==, fpr[i]);
      g_assert_cmpfloat (curve->threshold[i], ==, thresholds[i]);
    }
  /* Sensitivity 1 first at t = 0.35, where one negative of two is called positive. */
  guint k = cxr_roc_curve_point_for_sensitivity (curve, 1.0);
  g_assert_cmpuint (k, ==, 3);
  g_assert_cmpfloat (curve->threshold[k], ==, 0.35f);

  CxrConfusion c;
  cxr_confusion_count (scores, labels, 4, 0.5, &c);
  g_assert_cmpuint (c.count[CXR_CONFUSION_TRUE_POSITIVE], ==, 1);
  g_assert_cmpuint (c.count[CXR_CONFUSION_FALSE_NEGATIVE], ==, 1);
  g_assert_cmpuint (c.count[CXR_CONFUSION_TRUE_NEGATIVE], ==, 2);
  g_assert_cmpuint (c.count[CXR_CONFUSION_FALSE_POSITIVE], ==, 0);
  /* The threshold is inclusive. */
  g_assert_cmpint (cxr_confusion_cell (0.5f, TRUE, 0.5), ==, CXR_CONFUSION_TRUE_POSITIVE);
  g_assert_cmpint (cxr_confusion_cell (0.5f, FALSE, 0.5), ==, CXR_CONFUSION_FALSE_POSITIVE);

  /* All tied: the diagonal, AUC 1/2. */
  const float tied[] = { 0.3f, 0.3f, 0.3f };
  const guint8 tied_labels[] = { 1, 0, 1 };
  g_autoptr (CxrRocCurve) flat = cxr_roc_curve_new (tied, tied_labels, 3);
  g_assert_cmpuint (flat->n_points, ==, 2);
  g_assert_cmpfloat (flat->auc, ==, 0.5);
}

static void
test_one_class (void)
{
  const float scores[] = { 0.2f, 0.9f };
  const guint8 labels[] = { 1, 1 };
  g_autoptr (CxrRocCurve) curve = cxr_roc_curve_new (scores, labels, 2);
  g_assert_true (isnan (curve->auc));
  g_assert_true (isnan (curve->fpr[1]));
  double lower, upper;
  g_assert_false (cxr_roc_auc_bootstrap (scores, labels, 2, 100, 1, 0.95, &lower, &upper));
  g_assert_true (isnan (lower) && isnan (upper));
  g_assert_null (cxr_roc_curve_new (scores, labels, 0));
  const guint8 negatives[] = { 0, 0 };
  g_autoptr (CxrRocCurve) none = cxr_roc_curve_new (scores, negatives, 2);
  g_assert_cmpuint (cxr_roc_curve_point_for_sensitivity (none, 0.5), ==, G_MAXUINT);
}

static void
test_random_against_pairs (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (12);
  for (guint round = 0; round < 200; round++)
    {
      guint n = g_rand_int_range (rand, 2, 400);
      /* Scores on a coarse grid make ties common; positives a little higher on average. */
      int levels = g_rand_int_range (rand, 2, 60);
      g_autofree float *scores = g_new (float, n);
      g_autofree guint8 *labels = g_new (guint8, n);
      for (guint i = 0; i < n; i++)
        {
          labels[i] = g_rand_double (rand) < 0.4;
          double s = g_rand_double (rand) + (labels[i] ? 0.3 : 0.0);
          scores[i] = (float) (floor (s * levels) / levels);
        }
      double want = pairwise_auc (scores, labels, n);
      g_autoptr (CxrRocCurve) curve = cxr_roc_curve_new (scores, labels, n);
      if (isnan (want))
        {
          g_assert_true (isnan (curve->auc));
          continue;
        }
      g_assert_cmpfloat_with_epsilon (curve->auc, want, 1e-12);
      g_assert_cmpfloat_with_epsilon (cxr_roc_auc (scores, labels, n), want, 1e-12);

      /* Every point against a direct count; the trapezoids add up to the AUC. */
      double area = 0;
      for (guint k = 0; k < curve->n_points; k++)
        {
          guint tp = 0, fp = 0;
          for (guint i = 0; i < n; i++)
            if (scores[i] >= curve->threshold[k])
              labels[i] ? tp++ : fp++;
          g_assert_cmpfloat (curve->tpr[k], ==, (double) tp / curve->n_positive);
          g_assert_cmpfloat (curve->fpr[k], ==, (double) fp / curve->n_negative);
          if (k > 0)
            {
              g_assert_cmpfloat (curve->threshold[k], <, curve->threshold[k - 1]);
              area += (curve->fpr[k] - curve->fpr[k - 1]) * (curve->tpr[k] + curve->tpr[k - 1]) / 2;
            }
        }
      g_assert_cmpfloat (curve->tpr[curve->n_points - 1], ==, 1.0);
      g_assert_cmpfloat (curve->fpr[curve->n_points - 1], ==, 1.0);
      g_assert_cmpfloat_with_epsilon (area, want, 1e-12);

      /* Confusion at a random threshold, against a direct count. */
      double t = g_rand_double (rand);
      CxrConfusion c;
      cxr_confusion_count (scores, labels, n, t, &c);
      guint want_cells[CXR_N_CONFUSION_CELLS] = { 0 };
      for (guint i = 0; i < n; i++)
        {
          gboolean called = scores[i] >= t;
          want_cells[labels[i] ? (called ? CXR_CONFUSION_TRUE_POSITIVE : CXR_CONFUSION_FALSE_NEGATIVE)
                               : (called ? CXR_CONFUSION_FALSE_POSITIVE : CXR_CONFUSION_TRUE_NEGATIVE)]++;
        }
      for (guint k = 0; k < CXR_N_CONFUSION_CELLS; k++)
        g_assert_cmpuint (c.count[k], ==, want_cells[k]);

      /* The threshold for a sensitivity: the highest score at which that share of positives is called. */
      double target = g_rand_double (rand);
      double want_threshold = -INFINITY;
      for (guint i = 0; i < n; i++)
        {
          guint tp = 0;
          for (guint j = 0; j < n; j++)
            tp += labels[j] && scores[j] >= scores[i];
          if ((double) tp / curve->n_positive >= target && scores[i] > want_threshold)
            want_threshold = scores[i];
        }
      guint k = cxr_roc_curve_point_for_sensitivity (curve, target);
      g_assert_cmpuint (k, <, curve->n_points);
      g_assert_cmpfloat (curve->threshold[k], ==, want_threshold);
    }
}

/* Hanley and McNeil's standard error of an AUC from n_p positives and n_n negatives. */
static double
hanley_mcneil_se (double a, guint n_p, guint n_n)
{
  double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
  return sqrt ((a * (1 - a) + (n_p - 1) * (q1 - a * a) + (n_n - 1) * (q2 - a * a)) / ((double) n_p * n_n));
}

static void
test_bootstrap (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  const guint n = 2000;
  g_autofree float *scores = g_new (float, n);
  g_autofree guint8 *labels = g_new (guint8, n);
  guint positives = 0;
  for (guint i = 0; i < n; i++)
    {
      labels[i] = i % 3 == 0;
      positives += labels[i];
      /* Two normal distributions one standard deviation apart (Box-Muller): AUC near 0.76. */
      double u = g_rand_double_range (rand, 1e-12, 1), v = g_rand_double (rand);
      scores[i] = (float) (sqrt (-2 * log (u)) * cos (2 * G_PI * v) + (labels[i] ? 1.0 : 0.0));
    }
  double auc = cxr_roc_auc (scores, labels, n);
  double lower, upper, lower_again, upper_again, lower_other, upper_other;
  g_assert_true (cxr_roc_auc_bootstrap (scores, labels, n, 2000, 42, 0.95, &lower, &upper));
  g_assert_true (cxr_roc_auc_bootstrap (scores, labels, n, 2000, 42, 0.95, &lower_again, &upper_again));
  g_assert_true (cxr_roc_auc_bootstrap (scores, labels, n, 2000, 43, 0.95, &lower_other, &upper_other));
  g_assert_cmpfloat (lower, ==, lower_again);
  g_assert_cmpfloat (upper, ==, upper_again);
  g_assert_cmpfloat (lower, !=, lower_other);
  g_assert_cmpfloat (lower, <, auc);
  g_assert_cmpfloat (upper, >, auc);

  double se = hanley_mcneil_se (auc, positives, n - positives);
  double width = upper - lower, want = 2 * 1.959964 * se;
  g_test_message ("AUC %.4f, bootstrap 95%% [%.4f, %.4f] width %.4f; Hanley-McNeil width %.4f", auc, lower, upper,
                  width, want);
  g_assert_cmpfloat (fabs (width - want) / want, <, 0.15);
  /* Roughly centred on the AUC. */
  g_assert_cmpfloat (fabs ((upper - auc) - (auc - lower)), <, 0.25 * width);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/roc/hand-worked", test_hand_worked);
  g_test_add_func ("/roc/one-class", test_one_class);
  g_test_add_func ("/roc/random-against-pairs", test_random_against_pairs);
  g_test_add_func ("/roc/bootstrap", test_bootstrap);
  return g_test_run ();
}
