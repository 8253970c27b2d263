/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The training page as a person uses it, with real key and pointer events (xdotool) under Xvfb, on
 * generated phantoms (cxr-phantom.h: 48 radiographs, half with an enlarged heart) and ResNet-18s from
 * torchvision's initialisation at 48 x 48:
 *   - Ctrl+T opens the page; typing into a field and the settings set the run; the split shows before it
 *     (and is the split the run then trains on);
 *   - a 2-epoch run started with a click: the plot's pixels change as steps arrive, and at the end the plot
 *     has one point per step (1..N) and one per epoch, equal to steps.csv and history.csv, with the best
 *     epoch marked;
 *   - "Review with This Checkpoint" makes best.pth the window's model, names it on the Model button and
 *     predicts the list again: every prediction is best.pth's, as computed here directly; an epoch row's
 *     Review does the same with its checkpoint; the run read back from its folder shows the same numbers;
 *   - a 50-epoch run started with Ctrl+Return (long enough that a click stops it in its first epoch on any
 *     machine): Cancel leaves a resume point at the last plotted step, Resume goes on from it (each step once,
 *     in the plot and in steps.csv), and closing the window asks first: Escape keeps training, Stop and Close
 *     stops the run at a resume point and closes;
 *   - at 1024 x 768 and in German every choice of the form shows its value whole, not "Neues Res…";
 *   - the plot itself: 10,000 points decimated, the hover readout on the point under the pointer, a legend
 *     click hiding a curve, PNG, SVG and CSV exports. */
#include "config.h"

#include <adwaita.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-application.h"
#include "cxr-csv.h"
#include "cxr-test-util.h"
#include "cxr-train-chart.h"
#include "cxr-train-state.h"
#include "cxr-train-steps.h"
#include "cxr-train-window.h"
#include "cxr-ui-test-input.h"
#include "cxr-ui-test-util.h"
#include "cxr-window-private.h"

static CxrApplication *app;
static char *phantoms;   /* made once for the program */
static gint64 test_start;

/* Where the time goes, in the log: these tests are long, and the machines are shared. */
static void
phase (const char *what)
{
  g_test_message ("%6.1f s: %s", (g_get_monotonic_time () - test_start) / 1e6, what);
}

typedef struct {
  CxrWindow *window;
  CxrTrainWindow *train;
  char *model;
} Fixture;

/* ---- conditions ----------------------------------------------------------------- */

static gboolean
dataset_and_model (gpointer data)
{
  Fixture *f = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (f->window->engine);
  return f->window->list_model != NULL && model != NULL && !cxr_current_image_get_loading (f->window->current)
         && !cxr_current_image_get_analysing (f->window->current);
}

static gboolean
page_shown (gpointer data)
{
  Fixture *f = data;
  return f->window->train_window != NULL && gtk_widget_get_mapped (GTK_WIDGET (f->window->train_window))
         && gtk_widget_get_width (GTK_WIDGET (cxr_train_window_get_plot (CXR_TRAIN_WINDOW (f->window->train_window)))) > 0;
}

static gboolean
split_shown (gpointer data)
{
  Fixture *f = data;
  return strstr (cxr_train_window_get_plan_text (f->train), "steps per epoch") != NULL;
}

static gboolean
training (gpointer data)
{
  return cxr_train_window_is_training (((Fixture *) data)->train);
}

static gboolean
not_training (gpointer data)
{
  return !cxr_train_window_is_training (((Fixture *) data)->train);
}

typedef struct {
  Fixture *f;
  guint steps;
} StepWait;

static gboolean
steps_at_least (gpointer data)
{
  StepWait *w = data;
  return cxr_train_curves_get_steps (cxr_train_window_get_curves (w->f->train))->len >= w->steps;
}

/* Run on all has been through the list: every image has its prediction (xdotool's key may reach the window
 * after a delay under load, and a fast run may be over by then, so the test waits for its result). */
static gboolean
all_predicted (gpointer data)
{
  Fixture *f = data;
  return !_cxr_window_is_running (f->window)
         && cxr_results_count (f->window->results, CXR_RESULT_PREDICTED)
              == cxr_image_list_model_get_n_images (f->window->list_model);
}

typedef struct {
  CxrPlot *plot;
  guint layer;
  gboolean visible;
} LayerWait;

static gboolean
layer_visible_is (gpointer data)
{
  LayerWait *w = data;
  return cxr_plot_get_layer_visible (w->plot, w->layer) == w->visible;
}

static gboolean
input_size_is (gpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  return g_settings_get_int (settings, "train-input-size") == GPOINTER_TO_INT (data);
}

typedef struct {
  Fixture *f;
  const char *name;     /* the model file the window should have */
  const char *label;    /* and what its Model button then says */
} ModelWait;

/* The window has taken the model (its button says so: the engine has it a moment earlier) and has run the
 * list with it. */
static gboolean
model_is (gpointer data)
{
  ModelWait *w = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (w->f->window->engine);
  if (model == NULL)
    return FALSE;
  g_autofree char *name = g_path_get_basename (cxr_model_get_path (model));
  return g_str_equal (name, w->name) && g_strcmp0 (gtk_button_get_label (w->f->window->model_button), w->label) == 0
         && !_cxr_window_is_running (w->f->window)
         && !cxr_current_image_get_analysing (w->f->window->current)
         && cxr_results_count (w->f->window->results, CXR_RESULT_PREDICTED)
              == cxr_image_list_model_get_n_images (w->f->window->list_model);
}

/* ---- fixture -------------------------------------------------------------------- */

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  cxr_ui_test_reset_settings ();
  f->model = cxr_ui_test_model_path ();
  f->window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, f->window, 30000, "the window to appear");
  g_autoptr (GFile) folder = g_file_new_for_path (phantoms);
  cxr_window_open_dataset (f->window, folder);
  g_autoptr (GFile) model = g_file_new_for_path (f->model);
  cxr_window_open_model (f->window, model);
  cxr_ui_test_wait_until (dataset_and_model, f, 30000, "the phantoms and the model");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->window != NULL)
    cxr_ui_test_destroy_window (f->window);
  cxr_ui_test_spin (300);
  g_free (f->model);
}

/* The run's settings: a ResNet-18 from its initial weights, small and short. */
static void
set_tiny_run (guint epochs)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_int (settings, "train-input-size", 64);
  g_settings_set_string (settings, "train-start", "resnet18");
  g_settings_set_int (settings, "train-outputs", 2);
  g_settings_set_int (settings, "train-epochs", epochs);
  g_settings_set_int (settings, "train-batch", 8);
  g_settings_set_double (settings, "train-lr", 0.01);
  g_settings_set_double (settings, "train-val-fraction", 0.25);
  g_settings_set_int (settings, "train-seed", 3);
}

/* Ctrl+T on the review window, as a person opens the page. */
static void
open_page (Fixture *f)
{
  cxr_ui_test_key (GTK_WIDGET (f->window), "ctrl+t");
  cxr_ui_test_wait_until (page_shown, f, 30000, "the training page after Ctrl+T");
  f->train = CXR_TRAIN_WINDOW (f->window->train_window);
}

/* Types the input size into its field, as a person would. */
static void
type_input_size (Fixture *f, const char *size)
{
  GtkWidget *spin = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (cxr_train_window_get_form (f->train)),
                                                   CXR_TYPE_TRAIN_FORM, "size_spin");
  cxr_ui_test_click (spin, 20, NAN, 1);
  cxr_ui_test_key (spin, "ctrl+a");
  cxr_ui_test_type (spin, size);
  cxr_ui_test_key (spin, "Tab");
  cxr_ui_test_wait_until (input_size_is, GINT_TO_POINTER (atoi (size)), 30000, "the typed input size in the settings");
}

static void
click (Fixture *f, const char *button)
{
  GtkWidget *widget = cxr_train_window_get_button (f->train, button);
  g_assert_true (gtk_widget_get_visible (widget) && gtk_widget_is_sensitive (widget));
  cxr_ui_test_click (widget, NAN, NAN, 1);
}

/* Pixels of the plot that differ between two renderings. */
static guint
changed_pixels (const CxrUiTestPixels *a, const CxrUiTestPixels *b)
{
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  guint pixels = 0;
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width; x++)
      pixels += memcmp (a->pixels + y * a->stride + x * 4, b->pixels + y * b->stride + x * 4, 4) != 0;
  return pixels;
}

/* ---- history.csv, read here on its own --------------------------------------------- */

typedef struct {
  guint epoch;
  double value[5];   /* train_loss, train_accuracy, val_loss, val_accuracy, val_auc */
  gboolean best;
} HistoryRow;

static GArray *
read_history_csv (const char *folder)
{
  g_autofree char *path = g_build_filename (folder, "history.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_auc,"));
  GArray *rows = g_array_new (FALSE, FALSE, sizeof (HistoryRow));
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[i], ",", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 13);
      HistoryRow row = { (guint) g_ascii_strtoull (fields[0], NULL, 10) };
      for (int k = 0; k < 5; k++)
        row.value[k] = g_ascii_strtod (fields[1 + k], NULL);
      row.best = g_str_equal (fields[12], "1");
      g_array_append_val (rows, row);
    }
  return rows;
}

/* The plot's points against steps.csv and history.csv: one per step and one per epoch, equal. */
static void
assert_plot_matches_files (CxrTrainWindow *train, const char *folder, guint n_steps, guint n_epochs)
{
  CxrPlot *plot = cxr_train_window_get_plot (train);
  g_autofree char *steps_path = g_build_filename (folder, CXR_TRAIN_STEPS_FILE, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) steps = cxr_train_steps_load (steps_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, n_steps);

  CxrPlotSeries *loss = cxr_plot_get_layer_series (plot, CXR_CURVE_STEP_LOSS);
  CxrPlotSeries *smoothed = cxr_plot_get_layer_series (plot, CXR_CURVE_STEP_LOSS_SMOOTHED);
  CxrPlotSeries *lr = cxr_plot_get_layer_series (plot, CXR_CURVE_LEARNING_RATE);
  g_assert_cmpuint (cxr_plot_series_get_n_points (loss), ==, n_steps);
  g_assert_cmpuint (cxr_plot_series_get_n_points (smoothed), ==, n_steps);
  g_assert_cmpuint (cxr_plot_series_get_n_points (lr), ==, n_steps);
  for (guint i = 0; i < n_steps; i++)
    {
      const CxrTrainStep *s = &g_array_index (steps, CxrTrainStep, i);
      CxrPlotPoint p = cxr_plot_series_get_point (loss, i);
      g_assert_cmpuint (s->global_step, ==, i + 1);
      g_assert_cmpfloat (p.x, ==, (double) (i + 1));
      g_assert_cmpfloat (p.y, ==, s->loss);
      g_assert_cmpfloat (cxr_plot_series_get_point (lr, i).y, ==, s->lr);
    }

  g_autoptr (GArray) history = read_history_csv (folder);
  g_assert_cmpuint (history->len, ==, n_epochs);
  const CxrCurve epoch_curves[] = { CXR_CURVE_TRAIN_LOSS, CXR_CURVE_TRAIN_ACCURACY, CXR_CURVE_VAL_LOSS,
                                    CXR_CURVE_VAL_ACCURACY, CXR_CURVE_VAL_AUC };
  guint best = 0;
  for (guint e = 0; e < n_epochs; e++)
    {
      const HistoryRow *row = &g_array_index (history, HistoryRow, e);
      g_assert_cmpuint (row->epoch, ==, e + 1);
      if (row->best)
        best = row->epoch;
      for (int k = 0; k < 5; k++)
        {
          CxrPlotSeries *series = cxr_plot_get_layer_series (plot, epoch_curves[k]);
          g_assert_cmpuint (cxr_plot_series_get_n_points (series), ==, n_epochs);
          CxrPlotPoint p = cxr_plot_series_get_point (series, e);
          /* history.csv keeps six significant digits. */
          g_assert_cmpfloat (fabs (p.y - row->value[k]), <=, 1e-5 * MAX (1, fabs (row->value[k])));
          /* At the epoch's last step. */
          g_assert_cmpfloat (p.x, ==, (double) ((e + 1) * (n_steps / n_epochs)));
        }
    }
  g_assert_cmpuint (cxr_train_curves_get_best_epoch (cxr_train_window_get_curves (train)), ==, best);
}

/* ---- the run ------------------------------------------------------------------------- */

static void
test_run (Fixture *f, gconstpointer data)
{
  test_start = g_get_monotonic_time ();
  set_tiny_run (2);
  /* The list has been run on with the window's model: its predictions are on screen. */
  guint n_images = cxr_image_list_model_get_n_images (f->window->list_model);
  g_assert_cmpuint (cxr_results_count (f->window->results, CXR_RESULT_PREDICTED), <, n_images);
  cxr_ui_test_key (GTK_WIDGET (f->window), "ctrl+r");
  cxr_ui_test_wait_until (all_predicted, f, 120000, "run on all with the first model");
  g_autofree float *before = g_new (float, n_images);
  for (guint i = 0; i < n_images; i++)
    before[i] = cxr_results_lookup (f->window->results, i)->probability;

  phase ("run on all done");
  open_page (f);
  type_input_size (f, "48");
  cxr_ui_test_wait_until (split_shown, f, 60000, "the split before the run");
  phase ("split shown");
  g_autofree char *plan = g_strdup (cxr_train_window_get_plan_text (f->train));

  /* Start, and watch the plot grow. */
  click (f, "start");
  cxr_ui_test_wait_until (training, f, 60000, "the run to start");
  const char *folder = cxr_train_window_get_run_folder (f->train);
  g_autofree char *run = g_strdup (folder);
  g_assert_true (g_str_has_prefix (run, phantoms));   /* under the dataset: it is writable */
  CxrPlot *plot = cxr_train_window_get_plot (f->train);
  StepWait first = { f, 1 };
  cxr_ui_test_wait_until (steps_at_least, &first, 120000, "the first step");
  cxr_ui_test_spin (100);
  g_autoptr (CxrUiTestPixels) early = cxr_ui_test_render (GTK_WIDGET (plot));
  guint early_steps = cxr_plot_series_get_n_points (cxr_plot_get_layer_series (plot, CXR_CURVE_STEP_LOSS));
  StepWait more = { f, early_steps + 2 };
  cxr_ui_test_wait_until (steps_at_least, &more, 120000, "two more steps");
  cxr_ui_test_spin (100);
  g_autoptr (CxrUiTestPixels) later = cxr_ui_test_render (GTK_WIDGET (plot));
  guint later_steps = cxr_plot_series_get_n_points (cxr_plot_get_layer_series (plot, CXR_CURVE_STEP_LOSS));
  guint changed = changed_pixels (early, later);
  g_test_message ("plot: %u pixels changed between step %u and step %u", changed, early_steps, later_steps);
  g_assert_cmpuint (later_steps, >, early_steps);
  g_assert_cmpuint (changed, >, 100);
  cxr_ui_test_save (GTK_WIDGET (f->train), "train-running");

  phase ("steps seen");
  cxr_ui_test_wait_until (not_training, f, 300000, "the run to finish");
  phase ("run finished");
  guint steps_per_epoch = g_array_index (cxr_train_curves_get_steps (cxr_train_window_get_curves (f->train)),
                                         CxrTrainStep, 0).steps_per_epoch;
  g_assert_false (gtk_widget_get_visible (cxr_train_window_get_button (f->train, "resume")));
  /* The split the page showed before the run is the one it trained on. */
  CxrTrainState state;
  cxr_train_state_init (&state);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_train_state_read (run, &state, &error));
  g_assert_no_error (error);
  g_autofree char *train_count = g_strdup_printf ("Training: %u images", state.train_images->len);
  g_autofree char *val_count = g_strdup_printf ("validation: %u images", state.val_images->len);
  g_assert_nonnull (strstr (plan, train_count));
  g_assert_nonnull (strstr (plan, val_count));
  cxr_train_state_clear (&state);
  assert_plot_matches_files (f->train, run, 2 * steps_per_epoch, 2);
  cxr_ui_test_save (GTK_WIDGET (f->train), "train-finished");

  /* Review with the best checkpoint: the window's model, its button, and every prediction again. */
  guint best = cxr_train_curves_get_best_epoch (cxr_train_window_get_curves (f->train));
  g_assert_cmpuint (best, >=, 1);
  click (f, "review");
  g_autofree char *label = g_strdup_printf ("best.pth · epoch %u", best);
  ModelWait best_model = { f, "best.pth", label };
  cxr_ui_test_wait_until (model_is, &best_model, 120000, "best.pth on the Model button and its predictions");

  phase ("reviewed with best.pth");
  g_autofree char *best_path = g_build_filename (run, "best.pth", NULL);
  g_autoptr (CxrModel) direct = cxr_model_load (best_path, NULL, &error);
  g_assert_no_error (error);
  const CxrModelCard *card = cxr_model_get_card (direct);
  guint differ = 0;
  double worst = 0;
  for (guint i = 0; i < n_images; i++)
    {
      g_autofree char *path = cxr_dataset_dup_image_path (f->window->dataset, i);
      g_autoptr (CxrImage) image = cxr_image_load (path, &error);
      g_assert_no_error (error);
      float logits[2], p[2];
      g_assert_true (cxr_model_predict (direct, &image, 1, logits, &error));
      cxr_model_activate (direct, logits, p, 1);
      float shown = cxr_results_lookup (f->window->results, i)->probability;
      worst = MAX (worst, fabs (shown - p[card->positive_class]));
      differ += fabsf (shown - before[i]) > 1e-4f;
    }
  g_test_message ("after review: %u of %u predictions changed; worst difference from best.pth computed directly %.2g",
                  differ, n_images, worst);
  g_assert_cmpfloat (worst, <=, 1e-5);
  g_assert_cmpuint (differ, >, n_images / 2);

  phase ("direct predictions compared");
  /* An epoch row's Review: that epoch's checkpoint. */
  GtkWidget *epoch_one = cxr_train_window_get_epoch_button (f->train, 1);
  g_assert_nonnull (epoch_one);
  cxr_ui_test_click (epoch_one, NAN, NAN, 1);
  ModelWait epoch_model = { f, "epoch-001.pth", "epoch-001.pth · epoch 1" };
  cxr_ui_test_wait_until (model_is, &epoch_model, 120000, "epoch-001.pth on the Model button and its predictions");

  phase ("reviewed with epoch 1");
  /* The finished run read back from its folder, on a page of its own. */
  CxrTrainWindow *reopened = cxr_train_window_new (NULL);
  g_assert_true (cxr_train_window_open_run (reopened, run, &error));
  g_assert_no_error (error);
  assert_plot_matches_files (reopened, run, 2 * steps_per_epoch, 2);
  g_assert_false (gtk_widget_get_visible (cxr_train_window_get_button (reopened, "resume")));
  cxr_ui_test_destroy_window (reopened);
}

/* ---- the form at a laptop's size ------------------------------------------------------------ */

/* Fails on the first label inside a combo row that is ellipsized: a value cut short. Returns the number of combo
 * rows seen, so that the test cannot pass on an empty form. */
static guint
assert_no_cut_value (GtkWidget *widget, gboolean in_combo_row)
{
  guint n_rows = ADW_IS_COMBO_ROW (widget) ? 1 : 0;
  in_combo_row = in_combo_row || n_rows > 0;
  if (in_combo_row && GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (widget))))
    g_error ("a combo row's value is cut short: \"%s\" in %d px", gtk_label_get_text (GTK_LABEL (widget)),
             gtk_widget_get_width (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n_rows += assert_no_cut_value (child, in_combo_row);
  return n_rows;
}

static void
test_form_values_whole (void)
{
  /* German: its words are longer, and they were the ones cut short. Messages only: numbers stay as they are. */
  char *saved = cxr_ui_test_use_german_messages ();
  if (saved == NULL)
    return;

  cxr_ui_test_reset_settings ();
  CxrTrainWindow *page = cxr_train_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (page), 1024, 768);
  gtk_window_present (GTK_WINDOW (page));
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, page, 30000, "the training page to appear");
  cxr_ui_test_spin (500);
  g_assert_cmpstr (_("Images"), ==, "Bilder");   /* the catalogue is found */
  g_assert_cmpuint (assert_no_cut_value (GTK_WIDGET (cxr_train_window_get_form (page)), FALSE), >=, 5);
  cxr_ui_test_destroy_window (page);
  cxr_ui_test_restore_messages (saved);
}

/* ---- closing during a run -------------------------------------------------------------- */

static GtkWindow *
find_question (void)
{
  g_autoptr (GList) windows = gtk_window_list_toplevels ();
  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
question_shown (gpointer data)
{
  GtkWindow *dialog = find_question ();
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
question_gone (gpointer data)
{
  return find_question () == NULL;
}

static gboolean
window_gone (gpointer data)
{
  return ((Fixture *) data)->window == NULL;
}

/* A run long enough that a click stops it in its first epoch, whatever the machine's speed: Cancel leaves a
 * resume point, Resume goes on from it (each step once), and closing the window asks first, then stops the run at
 * a resume point and closes. */
static void
test_cancel_resume_close (Fixture *f, gconstpointer data)
{
  test_start = g_get_monotonic_time ();
  set_tiny_run (50);
  open_page (f);
  cxr_ui_test_key (GTK_WIDGET (f->train), "ctrl+Return");
  cxr_ui_test_wait_until (training, f, 60000, "Ctrl+Return to start the run");
  g_autofree char *run = g_strdup (cxr_train_window_get_run_folder (f->train));
  CxrPlot *plot = cxr_train_window_get_plot (f->train);
  StepWait first = { f, 1 };
  cxr_ui_test_wait_until (steps_at_least, &first, 120000, "the first step");
  phase ("first step");

  /* Cancel: a resume point at the last step the plot shows. */
  click (f, "cancel");
  cxr_ui_test_wait_until (not_training, f, 60000, "the run to stop");
  phase ("cancelled");
  CxrTrainState state;
  cxr_train_state_init (&state);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_train_state_read (run, &state, &error));
  g_assert_no_error (error);
  g_autofree char *tensors = g_build_filename (run, state.tensors_file, NULL);
  g_assert_true (g_file_test (tensors, G_FILE_TEST_IS_REGULAR));
  guint64 stopped_at = state.global_step;
  guint plotted = cxr_plot_series_get_n_points (cxr_plot_get_layer_series (plot, CXR_CURVE_STEP_LOSS));
  g_assert_cmpuint (stopped_at, ==, plotted);
  g_assert_cmpuint (state.epochs_done, <, 50);
  g_test_message ("cancelled at step %u", (guint) stopped_at);
  cxr_train_state_clear (&state);
  g_assert_true (gtk_widget_get_visible (cxr_train_window_get_button (f->train, "resume")));

  /* Resume: the steps go on from the resume point, each once, as steps.csv has them. */
  click (f, "resume");
  cxr_ui_test_wait_until (training, f, 60000, "the run to resume");
  StepWait more = { f, plotted + 3 };
  cxr_ui_test_wait_until (steps_at_least, &more, 120000, "three steps after the resume point");
  phase ("resumed");
  CxrPlotSeries *loss = cxr_plot_get_layer_series (plot, CXR_CURVE_STEP_LOSS);
  for (guint i = 0; i < cxr_plot_series_get_n_points (loss); i++)
    g_assert_cmpfloat (cxr_plot_series_get_point (loss, i).x, ==, (double) (i + 1));

  /* Closing asks; Escape keeps training. */
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_close (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (question_shown, f, 30000, "the question");
  g_assert_nonnull (f->window);
  cxr_ui_test_key (GTK_WIDGET (find_question ()), "Escape");
  cxr_ui_test_wait_until (question_gone, f, 30000, "the question to go");
  g_assert_nonnull (f->window);
  g_assert_true (cxr_train_window_is_training (f->train));

  /* Stop and Close: the run stops at a resume point, then the window closes. */
  gtk_window_close (GTK_WINDOW (f->window));
  cxr_ui_test_wait_until (question_shown, f, 30000, "the question again");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (find_question ()), "stop");
  cxr_ui_test_wait_until (window_gone, f, 120000, "the window to close after the run stopped");
  phase ("closed");
  cxr_train_state_init (&state);
  g_assert_true (cxr_train_state_read (run, &state, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.global_step, >=, stopped_at + 3);
  g_assert_cmpuint (state.epochs_done, <, 50);
  /* steps.csv tells the run step by step, each step once, across the cancel and the resume. */
  g_autofree char *steps_path = g_build_filename (run, CXR_TRAIN_STEPS_FILE, NULL);
  g_autoptr (GArray) steps = cxr_train_steps_load (steps_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, state.global_step);
  for (guint i = 0; i < steps->len; i++)
    g_assert_cmpuint (g_array_index (steps, CxrTrainStep, i).global_step, ==, i + 1);
  cxr_train_state_clear (&state);
}

/* ---- the plot widget ------------------------------------------------------------------- */

static gboolean
plot_drawn (gpointer data)
{
  double x, y;
  return cxr_plot_data_to_widget (data, CXR_PLOT_Y_LEFT, 0, 0, &x, &y);
}

static guint
count_color (const CxrUiTestPixels *pixels, const guint8 rgb[3])
{
  guint n = 0;
  for (int y = 0; y < pixels->height; y++)
    for (int x = 0; x < pixels->width; x++)
      {
        guint8 p[3];
        cxr_ui_test_pixel (pixels, x, y, p);
        n += abs (p[0] - rgb[0]) < 8 && abs (p[1] - rgb[1]) < 8 && abs (p[2] - rgb[2]) < 8;
      }
  return n;
}

typedef struct {
  CxrPlot *plot;
  guint layer, index;
} HoverWait;

static gboolean
hovering (gpointer data)
{
  HoverWait *w = data;
  guint layer, index;
  return cxr_plot_get_hover (w->plot, &layer, &index) && layer == w->layer && index == w->index;
}

static void
test_plot (void)
{
  g_autoptr (CxrTrainCurves) curves = cxr_train_curves_new ();
  /* 10,000 steps over 10 epochs. */
  for (guint s = 1; s <= 10000; s++)
    {
      CxrTrainStep step = { s, (s - 1) / 1000 + 1, (s - 1) % 1000 + 1, 1000, 0.7 * exp (-(double) s / 3000.0) + 0.05 * sin ((double) s),
                            1e-3 * (1 - s / 10000.0), 50 };
      cxr_train_curves_add_step (curves, &step);
      if (s % 1000 == 0)
        {
          CxrEpochMetrics m = { .epoch = s / 1000, .train_loss = 0.7 * exp (-(double) s / 3000.0), .val_loss = 0.75 * exp (-(double) s / 3500.0),
                                .train_accuracy = 0.5 + s / 25000.0, .val_accuracy = 0.5 + s / 30000.0,
                                .val_auc = 0.6 + s / 40000.0, .best = TRUE };
          cxr_train_curves_add_epoch (curves, &m, s);
        }
    }
  GtkWidget *window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 500);
  CxrPlot *plot = CXR_PLOT (cxr_plot_new ());
  cxr_train_chart_setup (plot, curves);
  cxr_train_chart_update_markers (plot, curves);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (plot));
  gtk_window_present (GTK_WINDOW (window));
  cxr_ui_test_wait_until (plot_drawn, plot, 10000, "the plot's first frame");

  /* Decimated: at most four points per pixel column (and one beyond each end). */
  int width = gtk_widget_get_width (GTK_WIDGET (plot));
  guint drawn = cxr_plot_get_drawn_points (plot, CXR_CURVE_STEP_LOSS);
  g_test_message ("10,000 steps drawn as %u points on %d pixels", drawn, width);

  g_assert_cmpuint (drawn, <=, 4 * (guint) width + 2);
  g_assert_cmpuint (drawn, >=, (guint) width / 2);

  /* Hovering over epoch 4's validation AUC shows that point. */
  double x, y;
  g_assert_true (cxr_plot_data_to_widget (plot, CXR_PLOT_Y_RIGHT, 4000, 0.6 + 4000 / 40000.0, &x, &y));
  cxr_ui_test_pointer_move (GTK_WIDGET (plot), x + 1, y + 1);
  HoverWait hover = { plot, CXR_CURVE_VAL_AUC, 3 };
  cxr_ui_test_wait_until (hovering, &hover, 30000, "the readout of epoch 4's AUC");

  /* A legend click hides the AUC curve: its red goes; another brings it back. */
  cxr_ui_test_pointer_move (GTK_WIDGET (plot), 2, 2);
  graphene_rect_t entry;
  g_autoptr (CxrUiTestPixels) shown = cxr_ui_test_render (GTK_WIDGET (plot));
  const guint8 red[3] = { 191, 28, 40 };   /* the AUC colour, 0.75, 0.11, 0.16 */
  guint red_before = count_color (shown, red);
  g_assert_true (cxr_plot_get_legend_area (plot, CXR_CURVE_VAL_AUC, &entry));
  cxr_ui_test_click (GTK_WIDGET (plot), entry.origin.x + entry.size.width / 2, entry.origin.y + entry.size.height / 2, 1);
  LayerWait auc_hidden = { plot, CXR_CURVE_VAL_AUC, FALSE };
  cxr_ui_test_wait_until (layer_visible_is, &auc_hidden, 30000, "the legend click to hide the AUC");
  g_autoptr (CxrUiTestPixels) hidden = cxr_ui_test_render (GTK_WIDGET (plot));
  guint red_hidden = count_color (hidden, red);
  g_test_message ("AUC-red pixels: %u shown, %u hidden (the best-epoch marker keeps some)", red_before, red_hidden);
  g_assert_cmpuint (red_hidden, <, red_before / 2);
  cxr_ui_test_click (GTK_WIDGET (plot), entry.origin.x + entry.size.width / 2, entry.origin.y + entry.size.height / 2, 1);
  LayerWait auc_shown = { plot, CXR_CURVE_VAL_AUC, TRUE };
  cxr_ui_test_wait_until (layer_visible_is, &auc_shown, 30000, "the legend click to show the AUC again");

  /* Exports: the same drawing as a PNG and an SVG, the points as CSV. */
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "plot.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "plot.svg", NULL);
  g_autofree char *csv = g_build_filename (dir, "plot.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_plot_export_png (plot, png, 800, 450, &error));
  g_assert_no_error (error);
  g_assert_true (cxr_plot_export_svg (plot, svg, 800, 450, &error));
  g_assert_no_error (error);
  g_assert_true (cxr_plot_export_csv (plot, csv, &error));
  g_assert_no_error (error);
  g_autoptr (GdkPixbuf) image = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (image), ==, 800);
  g_assert_cmpint (gdk_pixbuf_get_height (image), ==, 450);
  g_autofree char *svg_text = NULL;
  g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
  g_assert_nonnull (strstr (svg_text, "<svg"));
  g_autofree char *csv_text = NULL;
  g_assert_true (g_file_get_contents (csv, &csv_text, NULL, NULL));
  g_auto (GStrv) rows = g_strsplit (csv_text, "\n", -1);
  /* Header, 3 x 10,000 step points, 5 x 10 epoch points, and the empty string after the last newline. */
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 30000 + 50 + 1);
  cxr_ui_test_destroy_window (window);
}

int
main (int argc, char **argv)
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;

  phantoms = cxr_ui_test_make_phantoms (48);

  /* libadwaita 1.2.2's toast overlay can crash (a double unref in its animations' "done" handlers) when
   * a toast is replaced while an earlier one is still animating in a window that another covers, which
   * under Xvfb without a window manager is every window but the top one. Animations off, they finish at
   * once. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  app = cxr_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_test_add_func ("/ui/train/plot", test_plot);
  g_test_add_func ("/ui/train/form-values-whole", test_form_values_whole);
  g_test_add ("/ui/train/run", Fixture, NULL, fixture_set_up, test_run, fixture_tear_down);
  g_test_add ("/ui/train/cancel-resume-close", Fixture, NULL, fixture_set_up, test_cancel_resume_close,
              fixture_tear_down);
  int status = g_test_run ();
  g_clear_object (&app);
  g_free (phantoms);
  return status;
}
