/* SPDX-License-Identifier: GPL-3.0-or-later */
/* compare-screenshot: docs/cxrcam-compare.png, the Summary's Methods page, made the same way every time (run it
 * under xvfb-run):
 *
 *   compare-screenshot OUTPUT.png DATASET MODEL
 *
 * Opens DATASET and MODEL, opens the Summary on its Methods page (980 x 1060), adds EigenCAM to the methods chosen
 * at first (the six gradient methods at layer4, layer3 and both fused; ROAD left off, as the page starts), presses
 * Compare and, once the table is there, saves what the dialog draws (GtkWidgetPaintable, not a screen grab). Prints
 * the best row, as the page's line under the table names it.
 */
#include <adwaita.h>

#include "bench-ui-util.h"
#include "cxr-application.h"
#include "cxr-method-table.h"
#include "cxr-summary-dialog.h"
#include "cxr-window-private.h"

static gboolean
model_ready (gpointer data)
{
  CxrWindow *window = data;
  g_autoptr (CxrModel) model = cxr_engine_dup_model (window->engine);
  return model != NULL && window->list_model != NULL && !cxr_current_image_get_analysing (window->current)
         && cxr_pane_content_get_heatmap (window->content) != NULL;
}

static gboolean
summary_shown (gpointer data)
{
  CxrWindow *window = data;
  return window->summary_dialog != NULL && window->method_table != NULL
         && gtk_widget_get_mapped (GTK_WIDGET (window->summary_dialog));
}

static gboolean
methods_page_shown (gpointer data)
{
  CxrWindow *window = data;
  return window->summary_dialog != NULL && window->method_table != NULL
         && gtk_widget_get_mapped (cxr_method_table_get_compare_button (CXR_METHOD_TABLE (window->method_table)));
}

static gboolean
compared (gpointer data)
{
  CxrWindow *window = data;
  CxrMethodTable *table = CXR_METHOD_TABLE (window->method_table);
  return window->compare_cancellable == NULL && cxr_method_table_get_comparison (table) != NULL
         && cxr_method_table_get_row (table, 0) != NULL && gtk_widget_get_mapped (cxr_method_table_get_row (table, 0));
}

int
main (int argc, char *argv[])
{
  if (argc < 4)
    {
      g_printerr ("usage: %s OUTPUT.png DATASET MODEL   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  if (!bench_ui_init ())
    return 77;

  g_autoptr (CxrApplication) app = bench_ui_application_new ();
  CxrWindow *window = bench_ui_window_new (app, 1366, 768);
  g_autoptr (GFile) dataset = g_file_new_for_path (argv[2]);
  g_autoptr (GFile) model = g_file_new_for_path (argv[3]);
  cxr_window_open_dataset (window, dataset);
  cxr_window_open_model (window, model);
  bench_ui_spin_until (model_ready, window, 300000, "the dataset and the model");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-summary", NULL);
  bench_ui_spin_until (summary_shown, window, 60000, "the Summary");
  gtk_window_set_default_size (window->summary_dialog, 980, 1060);
  cxr_summary_dialog_show_page (CXR_SUMMARY_DIALOG (window->summary_dialog), "methods");
  bench_ui_spin_until (methods_page_shown, window, 60000, "the Methods page");

  CxrMethodTable *table = CXR_METHOD_TABLE (window->method_table);
  cxr_method_table_set_method_chosen (table, CXR_CAM_METHOD_EIGENCAM, TRUE);
  gtk_widget_activate (cxr_method_table_get_compare_button (table));
  /* Seven methods at three layers: about a minute on the demo's phantoms, far more on a busy machine. */
  bench_ui_spin_until (compared, window, 3600000, "the comparison");
  bench_ui_spin_for (1000);
  bench_ui_save_png_file (GTK_WIDGET (window->summary_dialog), argv[1]);
  CxrCamComparison *comparison = cxr_method_table_get_comparison (table);
  int best = cxr_cam_comparison_get_best (comparison);
  if (best >= 0)
    {
      const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, best);
      g_print ("best: %s at %s, threshold %.2f, mean IoU %.4f over %u images\n", cxr_cam_method_get_name (row->method),
               row->layer, cxr_cam_compare_row_best_threshold (row), cxr_cam_compare_row_best_mean_iou (row),
               row->sweep.at[0].n_scored);
    }

  gtk_window_destroy (GTK_WINDOW (window->summary_dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  bench_ui_spin_for (200);
  return 0;
}
