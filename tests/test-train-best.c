/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which epoch becomes best.pth (cxr_train_state_is_new_best): the higher validation AUC; of equal AUCs, the lower
 * validation loss; an epoch without an AUC only when there is no best yet. The histories are the shapes real runs
 * have: the demo's ResNet-18 reaches AUC 1.0 at its seventh epoch and lowers its loss until the tenth. */
#include <math.h>

#include "cxr-train-state.h"

/* Runs the rule over @n epochs as the trainer does (flag, then record the best) and returns the last best epoch. */
static guint
best_after (const double *auc, const double *loss, guint n, gboolean *flags)
{
  CxrTrainState state;
  cxr_train_state_init (&state);
  for (guint i = 0; i < n; i++)
    {
      CxrEpochMetrics m = { .epoch = i + 1, .val_auc = auc[i], .val_loss = loss[i] };
      m.best = cxr_train_state_is_new_best (&state, &m);
      if (m.best)
        {
          state.best_auc = m.val_auc;
          state.best_epoch = m.epoch;
        }
      g_array_append_val (state.history, m);
      flags[i] = m.best;
    }
  guint best = state.best_epoch;
  cxr_train_state_clear (&state);
  return best;
}

static void
test_higher_auc (void)
{
  const double auc[] = { 0.47, 0.61, 0.77, 0.87, 0.99, 0.98 };
  const double loss[] = { 1.6, 1.1, 1.5, 0.6, 3.3, 0.2 };
  gboolean flags[6];
  /* Epoch 6 has the lowest loss but a lower AUC than epoch 5: AUC decides. */
  g_assert_cmpuint (best_after (auc, loss, 6, flags), ==, 5);
  const gboolean expected[] = { TRUE, TRUE, TRUE, TRUE, TRUE, FALSE };
  g_assert_cmpmem (flags, sizeof flags, expected, sizeof expected);
}

static void
test_tie_lower_loss (void)
{
  /* The demo's run: AUC 1.0 from epoch 7, the loss still falling (0.38, 0.12, 0.11, 0.09) but for one rise. */
  const double auc[] = { 0.43, 0.61, 0.77, 0.87, 0.99, 0.99, 1.0, 1.0, 1.0, 1.0, 1.0 };
  const double loss[] = { 1.65, 1.07, 1.46, 0.57, 3.29, 0.85, 0.38, 0.12, 0.11, 0.09, 0.10 };
  gboolean flags[11];
  g_assert_cmpuint (best_after (auc, loss, 11, flags), ==, 10);
  const gboolean expected[] = { TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, FALSE };
  g_assert_cmpmem (flags, sizeof flags, expected, sizeof expected);
}

static void
test_equal_loss_keeps_first (void)
{
  const double auc[] = { 1.0, 1.0 };
  const double loss[] = { 0.2, 0.2 };
  gboolean flags[2];
  g_assert_cmpuint (best_after (auc, loss, 2, flags), ==, 1);
  g_assert_false (flags[1]);
}

static void
test_no_auc (void)
{
  /* No positives among the validation images: the first epoch is best.pth, later ones only with an AUC. */
  const double auc[] = { NAN, NAN, 0.6, NAN };
  const double loss[] = { 0.5, 0.1, 0.9, 0.05 };
  gboolean flags[4];
  g_assert_cmpuint (best_after (auc, loss, 4, flags), ==, 3);
  const gboolean expected[] = { TRUE, FALSE, TRUE, FALSE };
  g_assert_cmpmem (flags, sizeof flags, expected, sizeof expected);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/train-best/higher-auc", test_higher_auc);
  g_test_add_func ("/train-best/tie-lower-loss", test_tie_lower_loss);
  g_test_add_func ("/train-best/equal-loss-keeps-first", test_equal_loss_keeps_first);
  g_test_add_func ("/train-best/no-auc", test_no_auc);
  return g_test_run ();
}
