/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ui-screenshots: the README's screenshots, made the same way every time (run it under xvfb-run):
 *
 *   ui-screenshots OUTPUT-DIR DATASET MODEL [IMAGE [KEY=VALUE...]]
 *
 * Opens DATASET and MODEL in a 1600 x 1000 window, runs the model on every image, shows IMAGE (default
 * 00001373_009.png, a Cardiomegaly image with a box) and saves what the window draws: review.png (the window),
 * zoom.png (zoomed on the ground-truth box, a narrower window), summary.png (the summary window), start.png (the
 * empty window), and a laptop's screens: review-1366-single.png (1366 x 768, one large pane with the ground truth,
 * as key 2 shows it) and review-1024.png (1024 x 768). The pictures are the widgets' own rendering
 * (GtkWidgetPaintable), not a screen grab. The language is the environment's (LC_ALL=de_DE.UTF-8 for German).
 * KEY=VALUE sets a key of the application's settings first, as the window's controls would (cam-method=layercam
 * cam-layer=layer3 cam-threshold=0.45: the method, layer and threshold `cxrcam-cli demo` found best); the settings
 * live in memory, so nothing of the user's changes.
 */
#include <adwaita.h>
#include <stdlib.h>

#include "bench-ui-util.h"
#include "cxr-application.h"
#include "cxr-summary-dialog.h"
#include "cxr-window-private.h"

static gboolean
image_settled (gpointer data)
{
  CxrWindow *window = data;
  return window->list_model != NULL && cxr_pane_content_get_image (window->content) != NULL
         && !cxr_current_image_get_loading (window->current) && !cxr_current_image_get_analysing (window->current);
}

static gboolean
model_ready (gpointer data)
{
  CxrWindow *window = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (window->engine);
  return model != NULL && image_settled (window) && cxr_pane_content_get_heatmap (window->content) != NULL;
}

static gboolean
run_done (gpointer data)
{
  CxrWindow *window = data;
  return !_cxr_window_is_running (window);
}

static gboolean
summary_done (gpointer data)
{
  CxrWindow *window = data;
  return window->summary_dialog != NULL && window->score_cancellable == NULL
         && gtk_widget_get_mapped (GTK_WIDGET (window->summary_dialog));
}

int
main (int argc, char *argv[])
{
  if (argc < 4)
    {
      g_printerr ("usage: %s OUTPUT-DIR DATASET MODEL [IMAGE [KEY=VALUE...]]   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  const char *out = argv[1], *image = argc > 4 ? argv[4] : "00001373_009.png";

  if (!bench_ui_init ())
    return 2;
  g_autoptr (CxrApplication) app = bench_ui_application_new ();

  CxrWindow *window = bench_ui_window_new (app, 1600, 1000);
  for (int i = 5; i < argc; i++)
    bench_ui_apply_setting (window->settings, argv[i]);
  bench_ui_save_png (GTK_WIDGET (window), out, "start.png");

  g_autoptr (GFile) dataset = g_file_new_for_path (argv[2]);
  g_autoptr (GFile) model = g_file_new_for_path (argv[3]);
  cxr_window_open_dataset (window, dataset);
  bench_ui_spin_until (image_settled, window, 60000, "the dataset");
  cxr_window_open_model (window, model);
  bench_ui_spin_until (model_ready, window, 120000, "the model");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-all", NULL);
  bench_ui_spin_until (run_done, window, 3600000, "run on all");

  guint index;
  if (!cxr_dataset_lookup (window->dataset, image, &index) || !cxr_image_list_select_index (window->image_list, index))
    g_error ("%s is not in the list", image);
  bench_ui_spin_until (image_settled, window, 120000, "the image");
  bench_ui_spin_for (6000);   /* let the toasts go */
  bench_ui_save_png (GTK_WIDGET (window), out, "review.png");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-summary", NULL);
  bench_ui_spin_until (summary_done, window, 120000, "the summary");
  gtk_window_set_default_size (window->summary_dialog, 620, 940);
  bench_ui_spin_for (500);
  bench_ui_save_png (GTK_WIDGET (window->summary_dialog), out, "summary.png");
  gtk_window_close (window->summary_dialog);

  /* The reader's close look: zoomed on the ground-truth box (the heart), a narrower window. */
  CxrViewState *state = cxr_compare_view_get_view_state (window->compare_view);
  CxrPaneView *pane = cxr_compare_view_get_pane (window->compare_view, CXR_PANE_ORIGINAL);
  int width = gtk_widget_get_width (GTK_WIDGET (pane)), height = gtk_widget_get_height (GTK_WIDGET (pane));
  const GArray *truth = cxr_pane_content_get_gt_boxes (window->content);
  double cx = 512, cy = 512, x, y;
  if (truth->len > 0)
    {
      const CxrPaneBox *box = &g_array_index (truth, CxrPaneBox, 0);
      cx = box->x + box->w / 2;
      cy = box->y + box->h / 2;
    }
  cxr_pane_view_image_to_widget (pane, cx, cy, &x, &y);
  /* Zoom about the box's centre, then bring it to the middle of the pane. */
  cxr_view_state_zoom_at (state, 1.8, x, y, width, height);
  cxr_view_state_pan (state, width / 2.0 - x, height / 2.0 - y, width, height);
  cxr_view_state_set_window_center (state, 150);
  cxr_view_state_set_window_width (state, 180);
  bench_ui_spin_for (3000);
  bench_ui_save_png (GTK_WIDGET (window), out, "zoom.png");

  /* A laptop: one large pane (the ground truth, key 2) at 1366 x 768, then whatever 1024 x 768 opens with. */
  cxr_view_state_reset_window (state);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1366, 768);
  bench_ui_spin_for (1500);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "i", 2);
  bench_ui_spin_for (3000);
  bench_ui_save_png (GTK_WIDGET (window), out, "review-1366-single.png");
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  bench_ui_spin_for (3000);
  bench_ui_save_png (GTK_WIDGET (window), out, "review-1024.png");

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
