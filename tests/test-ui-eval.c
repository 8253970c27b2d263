/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Summary's evaluation page as a person uses it, with real key and pointer events (xdotool) under Xvfb, on
 * 48 generated phantoms (half Cardiomegaly, half No Finding) and the tiny two-class network
 * fixtures/networks/basic_c3_k2.pth:
 *   - Ctrl+M opens the Summary; the page offers to predict the labelled images, and a click predicts them all;
 *   - its ROC AUC equals a direct count over every (positive, negative) pair of the window's predictions, every
 *     point of its curve equals a direct count of the images at or above its threshold, and the bootstrap
 *     interval holds the AUC;
 *   - with predictions spread over both sides of 0.5, the confusion matrix's counts equal a direct count, and a
 *     click on a cell lists exactly that cell's images (false positives, false negatives), under a bar that
 *     closes the list back to every image;
 *   - the threshold for a chosen sensitivity equals a direct scan. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "cxr-application.h"
#include "cxr-eval-view.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-input.h"
#include "cxr-ui-test-util.h"
#include "cxr-window-private.h"

static CxrApplication *app;
static char *phantoms;

typedef struct {
  CxrWindow *window;
} Fixture;

static gboolean
settled (gpointer data)
{
  Fixture *f = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (f->window->engine);
  return f->window->list_model != NULL && model != NULL && !cxr_current_image_get_loading (f->window->current)
         && !cxr_current_image_get_analysing (f->window->current);
}

static gboolean
summary_shown (gpointer data)
{
  Fixture *f = data;
  return f->window->summary_dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (f->window->summary_dialog))
         && f->window->eval_view != NULL;
}

typedef struct {
  Fixture *f;
  guint n;
  int called;   /* images called positive at 0.5, or -1 for any */
} EvalWait;

/* The page shows an evaluation of @n images (and of the predictions that call @called of them positive). */
static gboolean
evaluated (gpointer data)
{
  EvalWait *w = data;
  const CxrRocEvaluation *e = cxr_eval_view_get_evaluation (CXR_EVAL_VIEW (w->f->window->eval_view));
  return e != NULL && e->curve != NULL && e->curve->n_positive + e->curve->n_negative == w->n
         && w->f->window->eval_cancellable == NULL
         && (w->called < 0
             || (int) (e->confusion.count[CXR_CONFUSION_TRUE_POSITIVE] + e->confusion.count[CXR_CONFUSION_FALSE_POSITIVE])
                  == w->called);
}

typedef struct {
  Fixture *f;
  const char *title;   /* the subset bar's, or NULL for the whole list */
  guint n;             /* images listed */
} ListWait;

/* The list shows @n images under the bar @title (xdotool's click may reach the window a moment later). */
static gboolean
listed (gpointer data)
{
  ListWait *w = data;
  CxrImageList *list = w->f->window->image_list;
  GtkRevealer *revealer = (GtkRevealer *) gtk_widget_get_template_child (GTK_WIDGET (list), CXR_TYPE_IMAGE_LIST,
                                                                        "subset_revealer");
  GtkLabel *bar = (GtkLabel *) gtk_widget_get_template_child (GTK_WIDGET (list), CXR_TYPE_IMAGE_LIST, "subset_label");
  if (g_list_model_get_n_items (G_LIST_MODEL (w->f->window->list_model)) != w->n)
    return FALSE;
  if (w->title == NULL)
    return !gtk_revealer_get_reveal_child (revealer);
  return gtk_revealer_get_reveal_child (revealer) && g_strcmp0 (gtk_label_get_label (bar), w->title) == 0;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  cxr_ui_test_reset_settings ();
  f->window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, f->window, 30000, "the window to appear");
  g_autoptr (GFile) folder = g_file_new_for_path (phantoms);
  cxr_window_open_dataset (f->window, folder);
  g_autofree char *path = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  g_autoptr (GFile) model = g_file_new_for_path (path);
  cxr_window_open_model (f->window, model);
  cxr_ui_test_wait_until (settled, f, 30000, "the phantoms and the model");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  cxr_ui_test_destroy_window (f->window);
  cxr_ui_test_spin (300);
}

/* The window's predictions of the labelled images and their labels, read here from the results table and the
 * dataset (1: Cardiomegaly, 0: No Finding). */
static guint
collect (Fixture *f, GArray *entries, GArray *scores, GArray *labels)
{
  for (guint i = 0; i < cxr_dataset_get_n_entries (f->window->dataset); i++)
    {
      const CxrDatasetEntry *entry = cxr_dataset_get_entry (f->window->dataset, i);
      const CxrImageResult *result = cxr_results_lookup (f->window->results, i);
      g_assert_nonnull (result);
      g_assert_true (result->flags & CXR_RESULT_PREDICTED);
      guint8 label = (entry->findings & CXR_FINDING_CARDIOMEGALY) != 0;
      g_assert_true (label || (entry->findings & CXR_FINDING_NO_FINDING));
      g_array_append_val (entries, i);
      g_array_append_val (scores, result->probability);
      g_array_append_val (labels, label);
    }
  return entries->len;
}

static double
pairwise_auc (const GArray *scores, const GArray *labels)
{
  double wins = 0, pairs = 0;
  for (guint i = 0; i < scores->len; i++)
    for (guint j = 0; j < scores->len; j++)
      if (g_array_index (labels, guint8, i) && !g_array_index (labels, guint8, j))
        {
          float a = g_array_index (scores, float, i), b = g_array_index (scores, float, j);
          pairs++;
          wins += a > b ? 1.0 : a == b ? 0.5 : 0.0;
        }
  return wins / pairs;
}

static void
assert_matches_direct_counts (const CxrRocEvaluation *e, const GArray *scores, const GArray *labels)
{
  double want = pairwise_auc (scores, labels);
  g_test_message ("AUC %.6f shown, %.6f by pairwise count; 95%% interval [%.4f, %.4f]", e->curve->auc, want,
                  e->auc_lower, e->auc_upper);
  g_assert_cmpfloat (fabs (e->curve->auc - want), <=, 1e-12);
  g_assert_cmpfloat (e->auc_lower, <=, want);
  g_assert_cmpfloat (e->auc_upper, >=, want);
  for (guint k = 0; k < e->curve->n_points; k++)
    {
      guint tp = 0, fp = 0, p = 0, n = 0;
      for (guint i = 0; i < scores->len; i++)
        {
          gboolean positive = g_array_index (labels, guint8, i);
          gboolean called = g_array_index (scores, float, i) >= e->curve->threshold[k];
          p += positive;
          n += !positive;
          tp += positive && called;
          fp += !positive && called;
        }
      g_assert_cmpfloat (e->curve->tpr[k], ==, (double) tp / p);
      g_assert_cmpfloat (e->curve->fpr[k], ==, (double) fp / n);
    }
}

static void
test_evaluation (Fixture *f, gconstpointer data)
{
  /* Ctrl+M: the Summary; its evaluation page. */
  cxr_ui_test_key (GTK_WIDGET (f->window), "ctrl+m");
  cxr_ui_test_wait_until (summary_shown, f, 10000, "the Summary after Ctrl+M");
  CxrSummaryDialog *dialog = CXR_SUMMARY_DIALOG (f->window->summary_dialog);
  cxr_summary_dialog_show_page (dialog, "evaluation");
  CxrEvalView *view = CXR_EVAL_VIEW (f->window->eval_view);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, view, 30000, "the evaluation page");

  /* Only the image on screen has a prediction: the page offers to predict the others, and does. */
  GtkWidget *predict = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (view), CXR_TYPE_EVAL_VIEW, "missing_button");
  if (!gtk_widget_get_mapped (predict))
    predict = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (view), CXR_TYPE_EVAL_VIEW, "predict_button");
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, predict, 30000, "the Predict button");
  cxr_ui_test_click (predict, NAN, NAN, 1);
  guint n_images = cxr_dataset_get_n_entries (f->window->dataset);
  EvalWait all = { f, n_images, -1 };
  cxr_ui_test_wait_until (evaluated, &all, 120000, "the evaluation of every labelled image");

  g_autoptr (GArray) entries = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) scores = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) labels = g_array_new (FALSE, FALSE, sizeof (guint8));
  g_assert_cmpuint (collect (f, entries, scores, labels), ==, n_images);
  assert_matches_direct_counts (cxr_eval_view_get_evaluation (view), scores, labels);
  GtkLabel *auc_label = (GtkLabel *) gtk_widget_get_template_child (GTK_WIDGET (view), CXR_TYPE_EVAL_VIEW, "auc_label");
  g_autofree char *auc_text = g_strdup_printf ("%.3f", cxr_eval_view_get_evaluation (view)->curve->auc);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (auc_label), auc_text));
  cxr_ui_test_save (GTK_WIDGET (dialog), "summary-evaluation-fixture");

  /* Predictions on both sides of 0.5 (the tiny network puts every phantom near 0.59): every cell has images. */
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  int n_called = 0;
  for (guint i = 0; i < n_images; i++)
    {
      float p = (float) CLAMP (0.5 + (g_array_index (labels, guint8, i) ? 0.15 : -0.15) + g_rand_double_range (rand, -0.3, 0.3),
                               0.01, 0.99);
      cxr_results_set_prediction (f->window->results, i, p, p >= 0.5f);
      g_array_index (scores, float, i) = p;
      n_called += p >= 0.5f;
    }
  g_assert_cmpint (n_called, <, (int) n_images);   /* unlike the first predictions: the wait below sees the new ones */
  cxr_ui_test_key (GTK_WIDGET (f->window), "ctrl+m");
  EvalWait spread = { f, n_images, n_called };
  cxr_ui_test_wait_until (evaluated, &spread, 60000, "the evaluation of the spread predictions");
  const CxrRocEvaluation *e = cxr_eval_view_get_evaluation (view);
  assert_matches_direct_counts (e, scores, labels);

  /* The confusion matrix against a direct count, and each cell's images. */
  GArray *want[CXR_N_CONFUSION_CELLS] = { NULL };
  for (int cell = 0; cell < CXR_N_CONFUSION_CELLS; cell++)
    want[cell] = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n_images; i++)
    {
      gboolean positive = g_array_index (labels, guint8, i), called = g_array_index (scores, float, i) >= 0.5f;
      int cell = positive ? (called ? CXR_CONFUSION_TRUE_POSITIVE : CXR_CONFUSION_FALSE_NEGATIVE)
                          : (called ? CXR_CONFUSION_FALSE_POSITIVE : CXR_CONFUSION_TRUE_NEGATIVE);
      g_array_append_val (want[cell], g_array_index (entries, guint, i));
    }
  for (int cell = 0; cell < CXR_N_CONFUSION_CELLS; cell++)
    {
      g_test_message ("%s: %u", cxr_eval_view_cell_title (cell), want[cell]->len);
      g_assert_cmpuint (e->confusion.count[cell], ==, want[cell]->len);
      g_assert_cmpuint (want[cell]->len, >, 0);
    }
  cxr_ui_test_save (GTK_WIDGET (dialog), "summary-evaluation");

  const CxrConfusionCell clicked[] = { CXR_CONFUSION_FALSE_POSITIVE, CXR_CONFUSION_FALSE_NEGATIVE };
  for (guint c = 0; c < G_N_ELEMENTS (clicked); c++)
    {
      GtkWidget *button = cxr_eval_view_get_cell_button (view, clicked[c]);
      cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, button, 30000, "the confusion matrix");
      cxr_ui_test_scroll_into_view (button);
      g_autofree char *title = g_strdup_printf ("%s: %u images", cxr_eval_view_cell_title (clicked[c]),
                                                want[clicked[c]]->len);
      cxr_ui_test_click (button, NAN, NAN, 1);
      ListWait subset = { f, title, want[clicked[c]]->len };
      cxr_ui_test_wait_until (listed, &subset, 30000, "the cell's images in the list");
      g_autoptr (GArray) listed = cxr_image_list_model_dup_entries (f->window->list_model);
      g_assert_cmpuint (listed->len, ==, want[clicked[c]]->len);
      for (guint i = 0; i < listed->len; i++)
        g_assert_cmpuint (g_array_index (listed, guint, i), ==, g_array_index (want[clicked[c]], guint, i));
      g_assert_cmpuint (cxr_image_list_get_selected_index (f->window->image_list), ==,
                        g_array_index (want[clicked[c]], guint, 0));
    }
  cxr_ui_test_save (GTK_WIDGET (f->window), "window-false-negatives");

  /* The bar's close button brings every image back. */
  GtkRevealer *revealer = (GtkRevealer *) gtk_widget_get_template_child (GTK_WIDGET (f->window->image_list),
                                                                        CXR_TYPE_IMAGE_LIST, "subset_revealer");
  GtkWidget *close = gtk_widget_get_last_child (gtk_revealer_get_child (revealer));
  g_assert_true (GTK_IS_BUTTON (close));
  cxr_ui_test_click (close, NAN, NAN, 1);
  ListWait everything = { f, NULL, n_images };
  cxr_ui_test_wait_until (listed, &everything, 30000, "every image back in the list");

  /* The threshold for a sensitivity of 0.8: the highest score at which 80% of the positives are called. */
  GtkSpinButton *target = (GtkSpinButton *) gtk_widget_get_template_child (GTK_WIDGET (view), CXR_TYPE_EVAL_VIEW,
                                                                          "target_spin");
  gtk_spin_button_set_value (target, 0.8);
  double want_threshold = -1;
  guint positives = 0;
  for (guint i = 0; i < n_images; i++)
    positives += g_array_index (labels, guint8, i);
  for (guint i = 0; i < n_images; i++)
    {
      guint tp = 0;
      float t = g_array_index (scores, float, i);
      for (guint j = 0; j < n_images; j++)
        tp += g_array_index (labels, guint8, j) && g_array_index (scores, float, j) >= t;
      if (tp >= 0.8 * positives && t > want_threshold)
        want_threshold = t;
    }
  e = cxr_eval_view_get_evaluation (view);
  g_assert_cmpuint (e->target_point, <, e->curve->n_points);
  g_assert_cmpfloat (e->curve->threshold[e->target_point], ==, (float) want_threshold);
  for (int cell = 0; cell < CXR_N_CONFUSION_CELLS; cell++)
    g_array_unref (want[cell]);
}

int
main (int argc, char **argv)
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;

  phantoms = cxr_ui_test_make_phantoms (48);

  /* As in test-ui-train: libadwaita 1.2.2's toasts can crash when animating in covered windows under Xvfb. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  app = cxr_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_test_add ("/ui/eval/roc-and-confusion-filter", Fixture, NULL, fixture_set_up, test_evaluation, fixture_tear_down);
  int status = g_test_run ();
  g_clear_object (&app);
  g_free (phantoms);
  return status;
}
