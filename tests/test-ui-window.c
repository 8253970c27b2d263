/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The review window as a person uses it, on a small NIH-layout dataset made by the test and a tiny ResNet:
 * open, browse, filter, a broken image, the model, the threshold, run on all, review flags, a bad model.
 * Assertions are on state and on rendered pixels. */
#include <adwaita.h>
#include <math.h>

#include "cxr-application.h"
#include "cxr-cam-score.h"
#include "cxr-summary-dialog.h"
#include "cxr-sweep-plot.h"
#include "cxr-image-row.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-window-private.h"

/* One application for the whole program: an application id can be registered on the bus once. */
static CxrApplication *app;

typedef struct {
  CxrWindow *window;
  char *dataset;
  char *model;
} Fixture;

/* ---- conditions ------------------------------------------------------------ */

static gboolean
dataset_shown (gpointer data)
{
  Fixture *f = data;
  return f->window->list_model != NULL && cxr_pane_content_get_image (f->window->content) != NULL
         && !cxr_current_image_get_loading (f->window->current)
         && gtk_widget_get_width (GTK_WIDGET (cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL))) > 0;
}

static gboolean
image_settled (gpointer data)
{
  Fixture *f = data;
  return !cxr_current_image_get_loading (f->window->current) && !cxr_current_image_get_analysing (f->window->current);
}

static gboolean
cam_shown (gpointer data)
{
  Fixture *f = data;
  return image_settled (f) && cxr_pane_content_get_heatmap (f->window->content) != NULL;
}

static gboolean
model_loaded (gpointer data)
{
  Fixture *f = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (f->window->engine);
  return model != NULL;
}

static gboolean
run_finished (gpointer data)
{
  Fixture *f = data;
  return !_cxr_window_is_running (f->window);
}

/* ---- fixture ---------------------------------------------------------------- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  cxr_ui_test_reset_settings ();
  f->dataset = cxr_ui_test_make_dataset ();
  f->model = cxr_ui_test_model_path ();
  f->window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, f->window, 5000, "the window to appear");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  cxr_ui_test_destroy_window (f->window);
  /* Let cancelled jobs report back before the next test. */
  cxr_ui_test_spin (200);
  g_free (f->dataset);
  g_free (f->model);
}

static void
open_dataset (Fixture *f)
{
  g_autoptr (GFile) folder = g_file_new_for_path (f->dataset);
  cxr_window_open_dataset (f->window, folder);
  cxr_ui_test_wait_until (dataset_shown, f, 10000, "the dataset's first image");
}

static void
open_model (Fixture *f)
{
  g_autoptr (GFile) file = g_file_new_for_path (f->model);
  cxr_window_open_model (f->window, file);
  cxr_ui_test_wait_until (model_loaded, f, 10000, "the model");
  cxr_ui_test_wait_until (cam_shown, f, 20000, "the first image's Grad-CAM");
}

static void
activate (Fixture *f, const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), action, NULL));
}

static const char *
current_name (Fixture *f)
{
  guint index = cxr_current_image_get_index (f->window->current);
  g_assert_cmpuint (index, !=, G_MAXUINT);
  return cxr_dataset_get_entry (f->window->dataset, index)->name;
}

static gboolean
is_yellow (const guint8 rgb[3])
{
  return rgb[0] > 200 && rgb[1] > 170 && rgb[2] < 80;
}

/* Whether the ground-truth pane shows yellow just left of where BB.csv's box has its left edge. */
static gboolean
gt_box_drawn (Fixture *f)
{
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_GROUND_TRUTH);
  double left, middle;
  cxr_pane_view_image_to_widget (pane, CXR_UI_TEST_BOX_X, CXR_UI_TEST_BOX_Y + CXR_UI_TEST_BOX_H / 2, &left, &middle);
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (pane));
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, (int) floor (left) - 1, (int) middle, rgb);
  return is_yellow (rgb);
}

/* ---- tests ------------------------------------------------------------------- */

static void
test_empty_window (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->stack), ==, "empty");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "next-image"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "run-all"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "open-dataset"));
  /* The shortcuts window comes from gtk/help-overlay.ui, with Ctrl+?. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (f->window), "show-help-overlay"));
  g_auto (GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.open-dataset");
  g_assert_cmpstr (accels[0], ==, "<Control>o");
}

static void
test_open_and_browse (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->stack), ==, "review");
  /* Five image files, the broken one included; the first is shown, with its box where BB.csv puts it. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model)), ==, 5);
  g_assert_cmpstr (current_name (f), ==, "00000001_000.png");
  int width, height;
  cxr_pane_content_get_size (f->window->content, &width, &height);
  g_assert_cmpint (width, ==, CXR_UI_TEST_IMAGE_SIZE);
  g_assert_cmpint (cxr_pane_content_get_gray_at (f->window->content, 10, 20), ==, cxr_ui_test_image_value (0, 10, 20));
  g_assert_true (gt_box_drawn (f));
  cxr_ui_test_save (GTK_WIDGET (f->window), "window-open");
  /* The keys go to the list, not to the search entry: D means the next image. */
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_false (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus));
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (f->window->image_list)));

  activate (f, "win.next-image");
  cxr_ui_test_wait_until (image_settled, f, 5000, "the next image");
  g_assert_cmpstr (current_name (f), ==, "00000002_000.png");
  g_assert_cmpint (cxr_pane_content_get_gray_at (f->window->content, 10, 20), ==, cxr_ui_test_image_value (1, 10, 20));
  /* No box on this one. */
  g_assert_false (gt_box_drawn (f));

  activate (f, "win.previous-image");
  cxr_ui_test_wait_until (image_settled, f, 5000, "the previous image");
  g_assert_cmpstr (current_name (f), ==, "00000001_000.png");
  g_assert_true (gt_box_drawn (f));

  /* Zoom and fit act on all four panes together. */
  activate (f, "win.zoom-in");
  CxrViewState *state = cxr_compare_view_get_view_state (f->window->compare_view);
  g_assert_false (cxr_view_state_get_fit (state));
  g_assert_true (gt_box_drawn (f));
  activate (f, "win.zoom-fit");
  g_assert_true (cxr_view_state_get_fit (state));
  activate (f, "win.invert");
  g_assert_true (cxr_view_state_get_invert (state));
}

static void
test_filters_and_search (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  GListModel *model = G_LIST_MODEL (f->window->list_model);

  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_CARDIOMEGALY);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_NO_FINDING);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_HAS_BOXES);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  /* Nothing predicted yet. */
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_PREDICTED_POSITIVE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_ALL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);

  /* Names and findings both match. */
  cxr_image_list_model_set_search (f->window->list_model, "0003");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  cxr_image_list_model_set_search (f->window->list_model, "effusion");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  cxr_image_list_model_set_search (f->window->list_model, "");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 5);
}

static void
test_broken_image (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  guint index;
  g_assert_true (cxr_dataset_lookup (f->window->dataset, "00000005_000.png", &index));
  g_assert_true (cxr_image_list_select_index (f->window->image_list, index));
  cxr_ui_test_wait_until (image_settled, f, 5000, "the broken image to fail");
  /* An in-window message, empty panes, and the window still works. */
  g_assert_nonnull (cxr_current_image_get_error (f->window->current));
  g_assert_null (cxr_pane_content_get_image (f->window->content));
  activate (f, "win.previous-image");
  cxr_ui_test_wait_until (image_settled, f, 5000, "the image before it");
  g_assert_cmpstr (current_name (f), ==, "00000004_000.png");
  g_assert_null (cxr_current_image_get_error (f->window->current));
  g_assert_nonnull (cxr_pane_content_get_image (f->window->content));
}

static void
test_latest_request_wins (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  /* Three steps before anything can finish: only the last image is shown and explained. */
  activate (f, "win.next-image");
  activate (f, "win.next-image");
  activate (f, "win.next-image");
  cxr_ui_test_wait_until (cam_shown, f, 20000, "the fourth image's Grad-CAM");
  g_assert_cmpstr (current_name (f), ==, "00000004_000.png");
  g_assert_cmpint (cxr_pane_content_get_gray_at (f->window->content, 100, 7), ==, cxr_ui_test_image_value (3, 100, 7));
  cxr_ui_test_spin (300);
  g_assert_cmpstr (current_name (f), ==, "00000004_000.png");
  g_assert_cmpint (cxr_pane_content_get_gray_at (f->window->content, 100, 7), ==, cxr_ui_test_image_value (3, 100, 7));
}

/* Checks the mask pane against the CAM at sample points: kept where CAM >= t, darkened elsewhere. Returns how
 * many sample points are in the mask. */
static guint
check_mask_pane (Fixture *f, double threshold)
{
  CxrPaneView *original = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  CxrPaneView *mask = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_MASK);
  g_autoptr (CxrUiTestPixels) plain = cxr_ui_test_render (GTK_WIDGET (original));
  g_autoptr (CxrUiTestPixels) masked = cxr_ui_test_render (GTK_WIDGET (mask));
  guint inside = 0, checked = 0;

  for (int iy = 8; iy < CXR_UI_TEST_IMAGE_SIZE; iy += 16)
    for (int ix = 8; ix < CXR_UI_TEST_IMAGE_SIZE; ix += 16)
      {
        float cam = cxr_pane_content_get_cam_at (f->window->content, ix, iy);
        g_assert_false (isnan (cam));
        /* Near the edge of the mask, filtering mixes both sides. */
        if (fabs (cam - threshold) < 0.03)
          continue;
        double x, y;
        cxr_pane_view_image_to_widget (mask, ix + 0.5, iy + 0.5, &x, &y);
        guint8 want[3], got[3];
        cxr_ui_test_pixel (plain, (int) x, (int) y, want);
        cxr_ui_test_pixel (masked, (int) x, (int) y, got);
        if (cam >= threshold)
          {
            g_assert_cmpint (abs (got[0] - want[0]), <=, 3);
            inside++;
          }
        else
          g_assert_cmpint (got[0], <=, want[0] * 0.2 + 3);
        checked++;
      }
  g_assert_cmpuint (checked, >, 100);
  return inside;
}

static void
test_model_and_threshold (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);

  /* The probability on screen is what the model says for that file. */
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (f->model, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (f->dataset, "images", "00000001_000.png", NULL);
  g_autoptr (CxrImage) image = cxr_image_load (path, &error);
  g_assert_no_error (error);
  guint n_classes = cxr_model_get_n_classes (model), positive = cxr_model_get_card (model)->positive_class;
  g_autofree float *logits = g_new (float, n_classes);
  g_autofree float *probabilities = g_new (float, n_classes);
  g_assert_true (cxr_model_predict (model, (CxrImage *const *) &image, 1, logits, &error));
  cxr_model_activate (model, logits, probabilities, 1);
  /* On screen, the class the heatmap explains (the model's top class, test-ui-review-target.c); in the list, the
   * card's positive class. */
  int shown = cxr_current_image_get_target_class (f->window->current);
  g_assert_cmpint (shown, >=, 0);
  g_assert_cmpfloat_with_epsilon (cxr_current_image_get_probability (f->window->current), probabilities[shown], 1e-5);
  const CxrImageResult *result = cxr_results_lookup (f->window->results, cxr_current_image_get_index (f->window->current));
  g_assert_nonnull (result);
  g_assert_cmpfloat_with_epsilon (result->probability, probabilities[positive], 1e-5);

  /* BB.csv's box is a Cardiomegaly box: explain that class for the rest. */
  cxr_cam_controls_set_target (f->window->cam_controls, (int) positive);
  cxr_ui_test_wait_until (cam_shown, f, 20000, "the Cardiomegaly Grad-CAM");
  g_assert_cmpint (cxr_current_image_get_target_class (f->window->current), ==, (int) positive);
  g_assert_cmpfloat_with_epsilon (cxr_current_image_get_probability (f->window->current), probabilities[positive], 1e-5);

  /* Moving the threshold re-cuts the cached CAM at once: no job runs, and the mask pane follows. */
  GtkAdjustment *threshold = cxr_cam_controls_get_threshold_adjustment (f->window->cam_controls);
  gtk_adjustment_set_value (threshold, 0.25);
  g_assert_false (cxr_current_image_get_analysing (f->window->current));
  guint low = check_mask_pane (f, 0.25);
  cxr_ui_test_save (GTK_WIDGET (f->window), "window-threshold-025");
  gtk_adjustment_set_value (threshold, 0.75);
  g_assert_false (cxr_current_image_get_analysing (f->window->current));
  guint high = check_mask_pane (f, 0.75);
  cxr_ui_test_save (GTK_WIDGET (f->window), "window-threshold-075");
  g_assert_cmpuint (low, >, high);

  /* The predicted box is the largest component of the mask, drawn in cyan, and scored against BB.csv's box. */
  const GArray *predicted = cxr_current_image_get_predicted_boxes (f->window->current);
  g_assert_cmpuint (predicted->len, ==, 1);
  const CxrPaneBox *box = &g_array_index (predicted, CxrPaneBox, 0);
  CxrRect p = { box->x, box->y, box->w, box->h };
  CxrRect t = { CXR_UI_TEST_BOX_X, CXR_UI_TEST_BOX_Y, CXR_UI_TEST_BOX_W, CXR_UI_TEST_BOX_H };
  g_assert_cmpfloat_with_epsilon (cxr_current_image_get_iou (f->window->current), cxr_rect_iou (&p, &t), 1e-9);
  g_assert_cmpfloat_with_epsilon (cxr_current_image_get_iobb (f->window->current), cxr_rect_iobb (&p, &t), 1e-9);
  CxrPaneView *gt = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_GROUND_TRUTH);
  double left, top, right, bottom;
  cxr_pane_view_image_to_widget (gt, p.x, p.y, &left, &top);
  cxr_pane_view_image_to_widget (gt, p.x + p.w, p.y + p.h, &right, &bottom);
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (gt));
  guint8 rgb[3];
  /* The bottom edge: the top one may carry the label. The box is drawn only when the model calls the image
   * positive; a negative image keeps its score but shows no box. */
  int probe_x = (int) ((left + right) / 2);
  cxr_ui_test_pixel (pixels, probe_x, (int) ceil (bottom), rgb);
  gboolean cyan = rgb[0] < 60 && rgb[1] > 170 && rgb[2] > 200;
  g_assert_true (cyan == (cxr_current_image_get_probability (f->window->current) >= 0.5));
  g_assert_cmpuint (cxr_pane_content_get_predicted_boxes (f->window->content)->len, ==, cyan ? 1 : 0);

  /* The threshold is a setting. */
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_assert_cmpfloat (g_settings_get_double (settings, "cam-threshold"), ==, 0.75);
}

static void
test_run_on_all (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "run-all"));

  activate (f, "win.run-all");
  g_assert_true (_cxr_window_is_running (f->window));
  g_assert_true (gtk_revealer_get_reveal_child (f->window->progress_revealer));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "run-all"));
  cxr_ui_test_wait_until (run_finished, f, 60000, "run on all to finish");

  /* Every listed image has an answer; the broken one says it failed. */
  g_assert_cmpuint (cxr_results_count (f->window->results, CXR_RESULT_PREDICTED), ==, 4);
  g_assert_cmpuint (cxr_results_count (f->window->results, CXR_RESULT_FAILED), ==, 1);
  /* Only 00000001_000.png has a Cardiomegaly box, so only it has an IoU. */
  g_assert_cmpuint (cxr_results_count (f->window->results, CXR_RESULT_LOCALISED), ==, 1);
  g_assert_cmpuint (cxr_localisations_get_n_records (f->window->localisations), ==, 1);
  g_assert_false (gtk_revealer_get_reveal_child (f->window->progress_revealer));

  /* The rows show them. */
  g_autoptr (CxrImageItem) item = g_list_model_get_item (G_LIST_MODEL (f->window->list_model), 2);
  g_autofree char *text = cxr_image_row_format_result (cxr_image_item_get_result (item));
  g_assert_nonnull (text);

  /* The prediction filters now have something to work with. */
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_PREDICTED_POSITIVE);
  guint positive = g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model));
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_PREDICTED_NEGATIVE);
  guint negative = g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model));
  g_assert_cmpuint (positive + negative, ==, 4);
}

static void
test_cancel_run (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  activate (f, "win.run-all");
  activate (f, "win.cancel-run");
  g_assert_false (_cxr_window_is_running (f->window));
  g_assert_false (gtk_revealer_get_reveal_child (f->window->progress_revealer));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "run-all"));
  /* Reports still queued from the cancelled run change nothing and break nothing. */
  cxr_ui_test_spin (500);
  g_assert_false (_cxr_window_is_running (f->window));
}

static gboolean
widget_allocated (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
summary_ready (gpointer data)
{
  Fixture *f = data;
  return f->window->summary_dialog != NULL && f->window->score_cancellable == NULL;
}

static void
test_summary (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  activate (f, "win.run-all");
  cxr_ui_test_wait_until (run_finished, f, 60000, "run on all to finish");

  activate (f, "win.show-summary");
  cxr_ui_test_wait_until (summary_ready, f, 20000, "the summary's scores");
  CxrSummaryDialog *dialog = CXR_SUMMARY_DIALOG (f->window->summary_dialog);
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (dialog), CXR_TYPE_SUMMARY_DIALOG, "stack"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "summary");
  CxrSweepPlot *plot = CXR_SWEEP_PLOT (gtk_widget_get_template_child (GTK_WIDGET (dialog), CXR_TYPE_SUMMARY_DIALOG,
                                                                    "sweep_plot"));
  g_assert_cmpuint (cxr_sweep_plot_get_n_points (plot), ==, CXR_CAM_N_SWEEP_THRESHOLDS);
  GtkLabel *scored = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (dialog), CXR_TYPE_SUMMARY_DIALOG,
                                                               "scored_label"));
  g_assert_cmpstr (gtk_label_get_label (scored), ==, "1");

  /* A click on the plot sets the threshold: the point nearest the click's x. */
  cxr_ui_test_wait_until (widget_allocated, plot, 5000, "the sweep plot");
  cxr_ui_test_save (GTK_WIDGET (dialog), "summary");
  int width = gtk_widget_get_width (GTK_WIDGET (plot));
  g_assert_cmpint (width, >, 100);
  double x = 44 + 0.35 * (width - 44 - 12);
  double t = cxr_sweep_plot_threshold_at (plot, x);
  g_assert_cmpfloat_with_epsilon (t, 0.35, 1e-6);
  g_signal_emit_by_name (plot, "threshold-chosen", t);
  GtkAdjustment *threshold = cxr_cam_controls_get_threshold_adjustment (f->window->cam_controls);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (threshold), 0.35, 1e-6);
  /* The run's IoU follows the new threshold once it settles. */
  cxr_ui_test_spin (400);
  cxr_ui_test_wait_until (summary_ready, f, 20000, "the scores at the new threshold");
  guint index;
  g_assert_true (cxr_dataset_lookup (f->window->dataset, "00000001_000.png", &index));
  g_assert_cmpfloat_with_epsilon (cxr_results_lookup (f->window->results, index)->threshold, 0.35, 1e-6);
}

static gboolean
export_done (gpointer data)
{
  Fixture *f = data;
  return !_cxr_window_is_running (f->window) && f->window->n_jobs == 0;
}

static gboolean
progress_hidden (gpointer data)
{
  Fixture *f = data;
  return !gtk_revealer_get_child_revealed (f->window->progress_revealer);
}

static void
test_export (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  g_autofree char *out = cxr_test_make_tmpdir ();
  _cxr_window_export_to (f->window, out);
  cxr_ui_test_wait_until (export_done, f, 60000, "the export");

  /* The tutorial's four pictures for each readable image, and one CSV row each. */
  const char *const prefixes[] = { "original_", "gtimage_", "mask_", "pred_" };
  for (guint i = 1; i <= 4; i++)
    for (guint k = 0; k < G_N_ELEMENTS (prefixes); k++)
      {
        g_autofree char *name = g_strdup_printf ("%s%08u_000.png", prefixes[k], i);
        g_autofree char *path = g_build_filename (out, name, NULL);
        g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      }
  g_autofree char *csv_path = g_build_filename (out, "bb_results.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);   /* header, four rows, and the empty piece after the last newline */
  /* The window's export has the CTR column last (issue 16); nobody measured one here. */
  g_assert_cmpstr (lines[0], ==, "image,label,probability,threshold,pred_x,pred_y,pred_w,pred_h,gt_x,gt_y,gt_w,gt_h,iou,iobb,ctr");
  g_assert_true (g_str_has_prefix (lines[1], "00000001_000.png,Cardiomegaly,"));
  g_assert_nonnull (strstr (lines[1], ",64,80,96,64,"));
  /* No ground truth: empty box and score fields, and no CTR. */
  g_assert_true (g_str_has_suffix (lines[3], ",,,,,,,"));
}

/* The heatmap pane shows what the exported pred_ picture holds: the same JET table (OpenCV's) and the same index rule
 * (show_cam_on_image's truncation). At overlay opacity 1 both are the colormap alone, so at one image pixel per
 * screen pixel, on whole-pixel offsets, they agree pixel for pixel (pred_ may be one level lower where its float
 * division by the picture's maximum rounds down). The closed-form jet and rounded index the pane used before differ
 * by up to four levels. */
static void
test_heatmap_matches_export (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  /* The export explains the card's positive class; so does the pane here. */
  g_autoptr (CxrModel) model = cxr_engine_dup_model (f->window->engine);
  int positive = (int) cxr_model_get_card (model)->positive_class;
  cxr_cam_controls_set_target (f->window->cam_controls, positive);
  cxr_ui_test_wait_until (cam_shown, f, 20000, "the positive class's Grad-CAM");
  g_assert_cmpint (cxr_current_image_get_target_class (f->window->current), ==, positive);
  CxrViewState *state = cxr_compare_view_get_view_state (f->window->compare_view);
  cxr_view_state_set_overlay_opacity (state, 1.0);
  g_autofree char *out = cxr_test_make_tmpdir ();
  _cxr_window_export_to (f->window, out);
  cxr_ui_test_wait_until (export_done, f, 60000, "the export");
  g_autofree char *pred_path = g_build_filename (out, "pred_00000001_000.png", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbuf) pred = gdk_pixbuf_new_from_file (pred_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pred), ==, CXR_UI_TEST_IMAGE_SIZE);

  /* The progress bar has gone (the panes keep their size from here on); then one image pixel per screen pixel,
   * on whole-pixel offsets, so that the renderer copies texels rather than blending neighbours. */
  cxr_ui_test_wait_until (progress_hidden, f, 10000, "the progress bar to go");
  cxr_compare_view_zoom_one_to_one (f->window->compare_view);
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_HEATMAP);
  int width = gtk_widget_get_width (GTK_WIDGET (pane)), height = gtk_widget_get_height (GTK_WIDGET (pane));
  double scale, ox, oy;
  cxr_view_state_get_transform (state, width, height, &scale, &ox, &oy);
  g_assert_cmpfloat (scale, ==, 1.0);
  cxr_view_state_pan (state, round (ox) - ox, round (oy) - oy, width, height);
  cxr_ui_test_spin (100);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (pane)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (pane)), ==, height);

  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (pane));
  guint compared = 0, worst = 0;
  for (int y = 0; y < CXR_UI_TEST_IMAGE_SIZE; y += 3)
    for (int x = 0; x < CXR_UI_TEST_IMAGE_SIZE; x += 3)
      {
        double wx, wy;
        cxr_pane_view_image_to_widget (pane, x + 0.5, y + 0.5, &wx, &wy);
        if (wx < 1 || wy < 1 || wx >= width - 1 || wy >= height - 1)
          continue;
        guint8 screen[3];
        cxr_ui_test_pixel (pixels, (int) floor (wx), (int) floor (wy), screen);
        const guint8 *file = gdk_pixbuf_read_pixels (pred) + (gsize) y * gdk_pixbuf_get_rowstride (pred)
                             + (gsize) x * gdk_pixbuf_get_n_channels (pred);
        for (int c = 0; c < 3; c++)
          {
            int difference = (int) screen[c] - (int) file[c];
            worst = MAX (worst, (guint) ABS (difference));
            if (difference < 0 || difference > 1)
              g_error ("image pixel (%d, %d): the pane shows (%u, %u, %u), pred_ holds (%u, %u, %u)", x, y,
                       screen[0], screen[1], screen[2], file[0], file[1], file[2]);
          }
        compared++;
      }
  g_test_message ("%u pixels compared, worst difference %u", compared, worst);
  g_assert_cmpuint (compared, >, 2000);
}

static void
test_switch_dataset_during_run (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  activate (f, "win.run-all");
  /* Once the run is delivering, more of its reports are on their way. */
  while (cxr_results_count (f->window->results, CXR_RESULT_PREDICTED) < 2)
    g_main_context_iteration (NULL, TRUE);
  /* A second dataset while the first is being analysed: the run stops, and nothing it still had queued lands in
   * the new dataset's results (a critical would fail the test). */
  g_autofree char *other = cxr_ui_test_make_dataset ();
  g_autoptr (GFile) folder = g_file_new_for_path (other);
  CxrResults *before = f->window->results;
  cxr_window_open_dataset (f->window, folder);
  while (f->window->results == before)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (_cxr_window_is_running (f->window));
  cxr_ui_test_wait_until (cam_shown, f, 20000, "the new dataset's first image");
  cxr_ui_test_spin (500);
  /* Only the image on screen has a result. */
  g_assert_cmpuint (cxr_results_count (f->window->results, CXR_RESULT_PREDICTED), ==, 1);
}

static gboolean
review_saved (gpointer data)
{
  Fixture *f = data;
  g_autofree char *path = cxr_dataset_dup_review_path (f->window->dataset);
  g_autofree char *text = NULL;
  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, "00000001_000.png") != NULL;
}

static void
test_review_flag (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  activate (f, "win.toggle-reviewed");
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_REVIEWED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model)), ==, 1);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_NOT_REVIEWED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model)), ==, 4);
  cxr_ui_test_wait_until (review_saved, f, 5000, "the review flags to be saved");
}

static void
test_settings_and_recent (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  open_model (f);
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_autofree char *last_dataset = g_settings_get_string (settings, "last-dataset");
  g_autofree char *last_model = g_settings_get_string (settings, "last-model");
  g_auto (GStrv) recent = g_settings_get_strv (settings, "recent-datasets");
  g_assert_cmpstr (last_dataset, ==, f->dataset);
  g_assert_cmpstr (last_model, ==, f->model);
  g_assert_cmpstr (recent[0], ==, f->dataset);
  /* The Open button's menu lists it, as an action with the folder as its target. */
  g_assert_cmpint (g_menu_model_get_n_items (G_MENU_MODEL (f->window->recent_menu)), >=, 1);
  g_autoptr (GVariant) target = g_menu_model_get_item_attribute_value (G_MENU_MODEL (f->window->recent_menu), 0,
                                                                       G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);
  g_assert_cmpstr (g_variant_get_string (target, NULL), ==, f->dataset);

  /* Method, colormap and opacity are settings too. */
  cxr_cam_controls_set_method (f->window->cam_controls, "grad-cam++");
  cxr_cam_controls_set_colormap (f->window->cam_controls, "viridis");
  cxr_view_state_set_overlay_opacity (cxr_compare_view_get_view_state (f->window->compare_view), 0.25);
  g_autofree char *method = g_settings_get_string (settings, "cam-method");
  g_autofree char *colormap = g_settings_get_string (settings, "colormap");
  g_assert_cmpstr (method, ==, "grad-cam++");
  g_assert_cmpstr (colormap, ==, "viridis");
  g_assert_cmpfloat (g_settings_get_double (settings, "overlay-opacity"), ==, 0.25);
  /* A new method explains the image again. */
  cxr_ui_test_wait_until (cam_shown, f, 20000, "the Grad-CAM++ map");
}

static void
test_pointer_readout (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  GtkLabel *readout = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window->compare_view),
                                                                CXR_TYPE_COMPARE_VIEW, "pointer_label"));
  g_signal_emit_by_name (pane, "hover", TRUE, 10.5, 20.5);
  g_autofree char *want = g_strdup_printf ("x 10, y 20: gray %u", cxr_ui_test_image_value (0, 10, 20));
  g_assert_cmpstr (gtk_label_get_label (readout), ==, want);
  open_model (f);
  g_signal_emit_by_name (pane, "hover", TRUE, 10.5, 20.5);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (readout), want));
  g_assert_nonnull (strstr (gtk_label_get_label (readout), "CAM "));
  g_signal_emit_by_name (pane, "hover", FALSE, -1.0, -1.0);
  g_assert_cmpstr (gtk_label_get_label (readout), ==, "");
}

static gboolean
message_dialog_shown (gpointer data)
{
  Fixture *f = data;
  GListModel *toplevels = gtk_window_get_toplevels ();   /* borrowed */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (f->window)
          && gtk_widget_get_visible (GTK_WIDGET (window)))
        return TRUE;
    }
  return FALSE;
}

static void
test_bad_model (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  g_autofree char *not_a_model = g_build_filename (f->dataset, "Data_Entry_2017.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (not_a_model);
  cxr_window_open_model (f->window, file);
  cxr_ui_test_wait_until (message_dialog_shown, f, 10000, "a message saying the model could not be opened");
  g_autoptr (CxrModel) model = cxr_engine_dup_model (f->window->engine);
  g_assert_null (model);
  /* The panes say what to do. */
  g_assert_nonnull (cxr_pane_content_get_cam_status (f->window->content));
}

typedef struct {
  Fixture *f;
  gboolean first_loaded;
  guint thumbnails_then;   /* rows with a thumbnail when the first image was on screen */
} FirstImage;

static guint
n_thumbnails (Fixture *f)
{
  guint n = 0, n_items = g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (CxrImageItem) item = g_list_model_get_item (G_LIST_MODEL (f->window->list_model), i);
      n += cxr_image_item_get_thumbnail (item) != NULL;
    }
  return n;
}

static void
on_first_loading (CxrCurrentImage *current, GParamSpec *pspec, FirstImage *first)
{
  if (first->first_loaded || cxr_current_image_get_loading (current) || first->f->window->list_model == NULL)
    return;
  first->first_loaded = TRUE;
  first->thumbnails_then = n_thumbnails (first->f);
  g_assert_false (first->f->window->thumbnails_held);
}

static gboolean
all_thumbnails (gpointer data)
{
  return n_thumbnails (data) == 4;   /* the fifth file is not a PNG */
}

/* The dataset's first image is on screen before any thumbnail is made: the thumbnailer waits for it, then makes
 * them all. */
static void
test_first_image_before_thumbnails (Fixture *f, gconstpointer data)
{
  FirstImage first = { f };
  gulong handler = g_signal_connect (f->window->current, "notify::loading", G_CALLBACK (on_first_loading), &first);
  open_dataset (f);
  g_signal_handler_disconnect (f->window->current, handler);
  g_assert_true (first.first_loaded);
  g_assert_cmpuint (first.thumbnails_then, ==, 0);
  cxr_ui_test_wait_until (all_thumbnails, f, 10000, "the thumbnails");
}

static void
test_dataset_report (Fixture *f, gconstpointer data)
{
  open_dataset (f);
  g_assert_false (message_dialog_shown (f));
  activate (f, "win.show-report");
  cxr_ui_test_wait_until (message_dialog_shown, f, 5000, "the dataset report");
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;

  app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_autoptr (GError) error = NULL;
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("could not register the application: %s", error->message);

  g_test_add ("/ui/window/empty", Fixture, NULL, fixture_set_up, test_empty_window, fixture_tear_down);
  g_test_add ("/ui/window/open-and-browse", Fixture, NULL, fixture_set_up, test_open_and_browse, fixture_tear_down);
  g_test_add ("/ui/window/filters-and-search", Fixture, NULL, fixture_set_up, test_filters_and_search,
              fixture_tear_down);
  g_test_add ("/ui/window/broken-image", Fixture, NULL, fixture_set_up, test_broken_image, fixture_tear_down);
  g_test_add ("/ui/window/latest-request-wins", Fixture, NULL, fixture_set_up, test_latest_request_wins,
              fixture_tear_down);
  g_test_add ("/ui/window/model-and-threshold", Fixture, NULL, fixture_set_up, test_model_and_threshold,
              fixture_tear_down);
  g_test_add ("/ui/window/run-on-all", Fixture, NULL, fixture_set_up, test_run_on_all, fixture_tear_down);
  g_test_add ("/ui/window/switch-dataset-during-run", Fixture, NULL, fixture_set_up, test_switch_dataset_during_run,
              fixture_tear_down);
  g_test_add ("/ui/window/cancel-run", Fixture, NULL, fixture_set_up, test_cancel_run, fixture_tear_down);
  g_test_add ("/ui/window/summary", Fixture, NULL, fixture_set_up, test_summary, fixture_tear_down);
  g_test_add ("/ui/window/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/ui/window/heatmap-matches-export", Fixture, NULL, fixture_set_up, test_heatmap_matches_export,
              fixture_tear_down);
  g_test_add ("/ui/window/review-flag", Fixture, NULL, fixture_set_up, test_review_flag, fixture_tear_down);
  g_test_add ("/ui/window/settings-and-recent", Fixture, NULL, fixture_set_up, test_settings_and_recent,
              fixture_tear_down);
  g_test_add ("/ui/window/pointer-readout", Fixture, NULL, fixture_set_up, test_pointer_readout, fixture_tear_down);
  g_test_add ("/ui/window/dataset-report", Fixture, NULL, fixture_set_up, test_dataset_report, fixture_tear_down);
  g_test_add ("/ui/window/bad-model", Fixture, NULL, fixture_set_up, test_bad_model, fixture_tear_down);
  g_test_add ("/ui/window/first-image-before-thumbnails", Fixture, NULL, fixture_set_up,
              test_first_image_before_thumbnails, fixture_tear_down);
  int status = g_test_run ();
  g_clear_object (&app);
  return status;
}
