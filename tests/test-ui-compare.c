/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Summary's Methods page (issue 15, point 3): the table of methods x layers that `cxrcam-cli compare` prints,
 * computed in the window by the same core job, and one click (or Return on a row) to make a row the window's
 * method, layer and threshold.
 *
 * On generated phantoms with the tiny two-class network, the page is opened with Ctrl+M, a method is added with a
 * click on its check box and the comparison started with a click on Compare; every figure of every row must be the
 * CLI's (the CSV's full-precision numbers against the job's, and the text of each cell against the CLI's table),
 * except the seconds per image, which are timed anew. Then Use on a row, and Return on another, must set the
 * method, layer and threshold, and the heatmap on screen must be the engine's map for them.
 *
 * Side by side: Compare with Grad-CAM++ (chosen in its row with a click and keys) splits the heatmap pane in two; each
 * half must hold the engine's map of its method for the image on screen, a caption with its method and IoU, and
 * draw (its rendered pixels) the ground-truth box and its own method's box cut at the window's threshold. */
#include <adwaita.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-method-table.h"
#include "cxr-method-titles.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-input.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static char *phantoms;

static gboolean
summary_shown (gpointer data)
{
  Fixture *f = data;
  return f->window->summary_dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (f->window->summary_dialog))
         && f->window->method_table != NULL;
}

static gboolean
compared (gpointer data)
{
  Fixture *f = data;
  CxrMethodTable *table = CXR_METHOD_TABLE (f->window->method_table);
  return f->window->compare_cancellable == NULL && cxr_method_table_get_comparison (table) != NULL
         && cxr_method_table_get_row (table, 0) != NULL && gtk_widget_get_mapped (cxr_method_table_get_row (table, 0));
}

static void
set_up (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_set_up (f, data);
  g_free (f->dataset);
  g_free (f->model);
  f->dataset = g_strdup (phantoms);
  f->model = cxr_test_fixture_path ("networks/basic_c3_k2.pth");
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
}

/* The CLI's table for the same model, dataset, methods and layers: its stdout lines and its CSV lines. */
static void
run_cli (Fixture *f, const char *methods, const char *layers, GStrv *table, GStrv *csv)
{
  g_autofree char *dir = cxr_test_make_tmpdir ();
  g_autofree char *csv_path = g_build_filename (dir, "compare.csv", NULL);
  g_auto (CxrCliRun) run = { 0 };
  const char *args[] = { "compare", "--model", f->model, "--dataset", f->dataset, "--methods", methods,
                         "--layers", layers, "--csv", csv_path, "--quiet", NULL };
  cxr_test_run_cli (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  *table = g_strsplit (run.out, "\n", -1);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (csv_path, &text, NULL, NULL));
  *csv = g_strsplit (text, "\n", -1);
}

/* A figure of the CSV (empty: none) against the job's. */
static void
assert_same_number (const char *csv_field, double value, const char *what)
{
  if (*csv_field == '\0')
    {
      g_assert_true (isnan (value));
      return;
    }
  double want = g_ascii_strtod (csv_field, NULL);
  g_test_message ("  %-10s cli %s window %.17g", what, csv_field, value);
  g_assert_cmpfloat (fabs (want - value), <=, 1e-12 * MAX (1.0, fabs (want)));
}

static void
assert_matches_cli (Fixture *f, CxrMethodTable *table)
{
  CxrCamComparison *comparison = cxr_method_table_get_comparison (table);
  g_auto (GStrv) lines = NULL, csv = NULL;
  run_cli (f, "gradcam,gradcam++,hirescam,gradcam-elementwise,xgradcam,layercam,eigencam",
           "layer3+layer4", &lines, &csv);
  guint n_rows = cxr_cam_comparison_get_n_rows (comparison);
  g_assert_cmpuint (n_rows, ==, 7);
  /* "N images explained, ..." and the header, then a line per row. */
  g_assert_cmpuint (g_strv_length (lines), >=, n_rows + 2);
  g_assert_cmpuint (g_strv_length (csv), ==, n_rows + 2);
  int cli_best = -1;
  for (guint i = 0; i < n_rows; i++)
    {
      const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, i);
      g_test_message ("row %u: %s", i, lines[i + 2]);
      /* method,layer,images,mean_iou,threshold,iou>0.1,iou>0.3,iou>0.5,pointing,drop,increase,road_morf,road_lerf,road,s */
      g_auto (GStrv) fields = NULL;
      {
        /* The fused layer is quoted: "layer3.0,layer4.0". */
        g_autoptr (GString) line = g_string_new (csv[i + 1]);
        char *quote = strchr (line->str, '"');
        if (quote != NULL)
          {
            char *end = strchr (quote + 1, '"');
            for (char *p = quote; p <= end; p++)
              if (*p == ',')
                *p = '+';
          }
        fields = g_strsplit (line->str, ",", -1);
      }
      g_assert_cmpuint (g_strv_length (fields), ==, 15);
      g_assert_cmpstr (fields[0], ==, cxr_cam_method_get_name (row->method));
      g_assert_cmpuint ((guint) g_ascii_strtoull (fields[2], NULL, 10), ==, row->n_images);
      assert_same_number (fields[3], cxr_cam_compare_row_best_mean_iou (row), "mean IoU");
      /* The threshold is a float, written in its shortest form. */
      g_assert_cmpfloat ((float) g_ascii_strtod (fields[4], NULL), ==, (float) cxr_cam_compare_row_best_threshold (row));
      for (guint k = 0; k < CXR_COMPARE_N_ACCURACIES; k++)
        assert_same_number (fields[5 + k], cxr_cam_compare_row_accuracy (row, k), "accuracy");
      assert_same_number (fields[8], cxr_cam_compare_row_pointing (row), "pointing");
      assert_same_number (fields[13], cxr_cam_compare_row_road (row), "ROAD");

      /* What the page shows is what the CLI prints (the C locale: a decimal point). Its columns: method, layer, mean
       * IoU, threshold, IoU > 0.1 0.3 0.5, pointing, drop, incr., MoRF, LeRF, ROAD, s/image [<- best]. */
      g_auto (GStrv) printed = g_strsplit_set (lines[i + 2], " ", -1);
      g_autoptr (GPtrArray) tokens = g_ptr_array_new ();
      for (guint t = 0; printed[t] != NULL; t++)
        if (*printed[t] != '\0')
          g_ptr_array_add (tokens, printed[t]);
      g_assert_cmpuint (tokens->len, >=, 14);
      const guint printed_column[] = { 2, 3, 4, 5, 6, 7, 12 };
      const char *const ids[] = { "mean_iou", "threshold", "iou>0.1", "iou>0.3", "iou>0.5", "pointing", "road" };
      for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
        {
          guint column = 0;
          while (g_strcmp0 (cxr_method_table_get_column_id (column), ids[k]) != 0)
            column++;
          g_assert_cmpstr (cxr_method_table_get_cell (table, i, column), ==, g_ptr_array_index (tokens, printed_column[k]));
        }
      if (strstr (lines[i + 2], "<- best") != NULL)
        cli_best = (int) i;
    }
  g_assert_cmpint (cli_best, ==, cxr_cam_comparison_get_best (comparison));
  g_assert_cmpint (cli_best, >=, 0);
}

typedef struct {
  Fixture *f;
  const CxrCamCompareRow *row;
  char *canonical;
} Wanted;

static gboolean
shows_row (gpointer data)
{
  Wanted *w = data;
  const CxrCamResult *cam = cxr_current_image_get_cam (w->f->window->current);
  return cxr_window_fixture_cam_shown (w->f) && !cxr_current_image_get_analysing (w->f->window->current)
         && cam != NULL && cam->method == w->row->method && g_str_equal (cam->layer, w->canonical);
}

/* After a row was used: the settings, the threshold and the map on screen are the row's. */
static void
assert_window_uses (Fixture *f, const CxrCamCompareRow *row)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (f->model, NULL, &error);
  g_assert_no_error (error);
  int blocks[CXR_CAM_MAX_LAYERS], n_blocks;
  Wanted w = { f, row, NULL };
  g_assert_true (cxr_cam_resolve_layers (cxr_resnet_get_arch (cxr_model_get_network (model)), row->layer, blocks,
                                         &n_blocks, &w.canonical, &error));
  g_autofree char *method = g_settings_get_string (f->window->settings, "cam-method");
  g_autofree char *layer = g_settings_get_string (f->window->settings, "cam-layer");
  g_assert_cmpstr (method, ==, cxr_cam_controls_method_id (row->method));
  g_assert_cmpstr (layer, ==, row->layer);
  g_assert_cmpfloat (cxr_cam_controls_get_threshold (f->window->cam_controls), ==, cxr_cam_compare_row_best_threshold (row));
  g_assert_cmpfloat (cxr_current_image_get_threshold (f->window->current), ==, cxr_cam_compare_row_best_threshold (row));
  cxr_ui_test_wait_until (shows_row, &w, 60000, "the used row's heatmap");

  const CxrCamResult *shown = cxr_current_image_get_cam (f->window->current);
  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  options.method = row->method;
  options.layer = row->layer;
  options.target_class = shown->target_class;
  g_autoptr (CxrCamResult) direct = cxr_cam_compute_file (model, shown->path, &options, &error);
  g_assert_no_error (error);
  gsize n = (gsize) shown->width * shown->height;
  double diff = cxr_test_max_abs_diff (shown->cam, direct->cam, n, NULL);
  g_test_message ("%s at %s: map on screen vs engine, max |diff| %.2e", cxr_cam_method_get_name (row->method),
                  w.canonical, diff);
  g_assert_cmpfloat (diff, <=, 1e-6);
  g_free (w.canonical);
}

static void
test_compare_and_use (Fixture *f, gconstpointer data)
{
  /* Ctrl+M: the Summary; its Methods page. */
  cxr_ui_test_key (GTK_WIDGET (f->window), "ctrl+m");
  cxr_ui_test_wait_until (summary_shown, f, 10000, "the Summary after Ctrl+M");
  CxrSummaryDialog *dialog = CXR_SUMMARY_DIALOG (f->window->summary_dialog);
  cxr_summary_dialog_show_page (dialog, "methods");
  CxrMethodTable *table = CXR_METHOD_TABLE (f->window->method_table);
  GtkWidget *compare = cxr_method_table_get_compare_button (table);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, compare, 30000, "the Compare button");
  g_assert_true (gtk_widget_get_sensitive (compare));

  /* The six gradient methods are chosen at first; EigenCAM is added with a click on its box. */
  GArray *methods = g_array_new (FALSE, FALSE, sizeof (CxrCamMethod));
  GPtrArray *layers = g_ptr_array_new_with_free_func (g_free);
  gboolean faithfulness;
  g_assert_true (cxr_method_table_get_request (table, methods, layers, &faithfulness));
  g_assert_cmpuint (methods->len, ==, 6);
  g_assert_cmpuint (layers->len, ==, 3);
  g_assert_false (faithfulness);   /* ROAD is slow: off at first, switched on here with a click */
  GtkWidget *road = cxr_method_table_get_faithfulness_check (table);
  cxr_ui_test_click (road, 8, gtk_widget_get_height (road) / 2.0, 1);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (road)));
  g_array_set_size (methods, 0);
  g_ptr_array_set_size (layers, 0);
  GtkWidget *eigencam = cxr_method_table_get_method_check (table, CXR_CAM_METHOD_EIGENCAM);
  cxr_ui_test_click (eigencam, 8, gtk_widget_get_height (eigencam) / 2.0, 1);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (eigencam)));
  g_assert_true (cxr_method_table_get_request (table, methods, layers, &faithfulness));
  g_assert_cmpuint (methods->len, ==, 7);
  /* ROAD takes 20 forwards and 18 solves per map: one layer (the fused one) keeps the test to a minute. */
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *check = cxr_method_table_get_layer_check (table, cxr_layer_choices[i]);
      cxr_ui_test_click (check, 8, gtk_widget_get_height (check) / 2.0, 1);
      g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
    }
  g_array_set_size (methods, 0);
  g_ptr_array_set_size (layers, 0);
  g_assert_true (cxr_method_table_get_request (table, methods, layers, &faithfulness));
  g_assert_cmpuint (layers->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (layers, 0), ==, "layer3,layer4");
  g_array_unref (methods);
  g_ptr_array_unref (layers);

  cxr_ui_test_click (compare, NAN, NAN, 1);
  cxr_ui_test_wait_until (compared, f, 300000, "the comparison");
  cxr_ui_test_save (GTK_WIDGET (dialog), "summary-methods");
  /* Nothing is cut: the last column's buttons are inside the dialog. */
  graphene_rect_t bounds;
  GtkWidget *last_use = cxr_method_table_get_use_button (table, 0);
  g_assert_true (gtk_widget_compute_bounds (last_use, GTK_WIDGET (dialog), &bounds));
  g_test_message ("Use button at x %.0f .. %.0f of a %d-pixel dialog", bounds.origin.x,
                  bounds.origin.x + bounds.size.width, gtk_widget_get_width (GTK_WIDGET (dialog)));
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (dialog)));
  assert_matches_cli (f, table);

  /* Use on a row that is not the window's method and layer now (Grad-CAM at layer4): Grad-CAM++ at layer3 + 4. */
  CxrCamComparison *comparison = cxr_method_table_get_comparison (table);
  guint used = CXR_CAM_METHOD_GRADCAM_PLUSPLUS;
  const CxrCamCompareRow *row = cxr_cam_comparison_get_row (comparison, used);
  g_assert_cmpint (row->method, ==, CXR_CAM_METHOD_GRADCAM_PLUSPLUS);
  g_assert_cmpstr (row->layer, ==, "layer3,layer4");
  g_assert_cmpfloat (cxr_cam_compare_row_best_threshold (row), !=, cxr_cam_controls_get_threshold (f->window->cam_controls));
  GtkWidget *use = cxr_method_table_get_use_button (table, used);
  cxr_ui_test_scroll_into_view (use);
  cxr_ui_test_click (use, NAN, NAN, 1);
  assert_window_uses (f, row);

  /* Return on another row: HiResCAM at layer3 + layer4. */
  guint activated = CXR_CAM_METHOD_HIRESCAM;
  row = cxr_cam_comparison_get_row (comparison, activated);
  g_assert_cmpint (row->method, ==, CXR_CAM_METHOD_HIRESCAM);
  GtkWidget *list_row = cxr_method_table_get_row (table, activated);
  cxr_ui_test_scroll_into_view (list_row);
  gtk_widget_grab_focus (list_row);
  cxr_ui_test_key (list_row, "Return");
  assert_window_uses (f, row);
}

/* ---- two methods side by side ------------------------------------------------- */

static gboolean
popover_open (GtkWidget *widget)
{
  if (GTK_IS_POPOVER (widget) && gtk_widget_get_visible (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (popover_open (child))
      return TRUE;
  return FALSE;
}

typedef struct {
  AdwComboRow *row;
  guint item;
} Choice;

static gboolean
chosen (gpointer data)
{
  Choice *c = data;
  return adw_combo_row_get_selected (c->row) == c->item && !popover_open (GTK_WIDGET (c->row));
}

/* As a person chooses in a combo row: a click opens its list, Home and Down move to @item, Return takes it. */
static void
choose (Fixture *f, AdwComboRow *row, guint item)
{
  GtkWidget *widget = GTK_WIDGET (row);
  cxr_ui_test_scroll_into_view (widget);
  for (guint attempt = 0; attempt < 5 && !popover_open (widget); attempt++)
    {
      cxr_window_fixture_click (f, widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
      for (guint waited = 0; waited < 3000 && !popover_open (widget); waited += 100)
        cxr_ui_test_spin (100);
    }
  g_assert_true (popover_open (widget));
  cxr_ui_test_spin (200);
  cxr_window_fixture_key (f, "Home");
  for (guint i = 0; i < item; i++)
    cxr_window_fixture_key (f, "Down");
  cxr_window_fixture_key (f, "Return");
  Choice c = { row, item };
  cxr_ui_test_wait_until (chosen, &c, 10000, "the Compare with choice");
}

typedef struct {
  Fixture *f;
  CxrCamMethod first, second;
} SideBySide;

static gboolean
both_shown (gpointer data)
{
  SideBySide *s = data;
  CxrCurrentImage *current = s->f->window->current;
  const CxrCamResult *first = cxr_current_image_get_cam (current);
  const CxrCamResult *second = cxr_current_image_get_second_cam (current);
  return cxr_window_fixture_cam_shown (s->f) && !cxr_current_image_get_analysing (current) && first != NULL
         && first->method == s->first && second != NULL && second->method == s->second && g_str_has_prefix (first->path, s->f->dataset)
         && g_str_equal (first->path, second->path)
         && gtk_widget_get_mapped (GTK_WIDGET (cxr_compare_view_get_second_heatmap_pane (s->f->window->compare_view)));
}

/* The pixel at (x, y) is @color, within the renderer's rounding. */
static gboolean
is_color (const CxrUiTestPixels *pixels, int x, int y, const GdkRGBA *color)
{
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, x, y, rgb);
  const float want[3] = { color->red, color->green, color->blue };
  for (int c = 0; c < 3; c++)
    if (abs ((int) rgb[c] - (int) lroundf (want[c] * 255.0f)) > 8)
      return FALSE;
  return TRUE;
}

/* Counts a sample of an outline: inside the pane only, since a box on the image's edge has its line outside it. */
static void
sample (const CxrUiTestPixels *pixels, int x, int y, const GdkRGBA *color, guint *hits, guint *n)
{
  if (x < 0 || y < 0 || x >= pixels->width || y >= pixels->height)
    return;
  *hits += is_color (pixels, x, y, color);
  (*n)++;
}

/* How much of @rect's outline (image pixels) @pane draws in @color: the fraction of the pixels just outside its four
 * edges, along the middle half of each, clear of the corners where another box's line or tag may cross it. */
static double
outline_fraction (CxrPaneView *pane, const CxrUiTestPixels *pixels, const CxrRect *rect, const GdkRGBA *color)
{
  double left, top, right, bottom;
  cxr_pane_view_image_to_widget (pane, rect->x, rect->y, &left, &top);
  cxr_pane_view_image_to_widget (pane, rect->x + rect->w, rect->y + rect->h, &right, &bottom);
  int x0 = (int) floor (left) - 1, x1 = (int) ceil (right), y0 = (int) floor (top) - 1, y1 = (int) ceil (bottom);
  guint hits = 0, n = 0;
  for (int y = y0 + (y1 - y0) / 4; y <= y1 - (y1 - y0) / 4; y++)
    {
      sample (pixels, x0, y, color, &hits, &n);
      sample (pixels, x1, y, color, &hits, &n);
    }
  for (int x = x0 + (x1 - x0) / 4; x <= x1 - (x1 - x0) / 4; x++)
    {
      sample (pixels, x, y0, color, &hits, &n);
      sample (pixels, x, y1, color, &hits, &n);
    }
  g_assert_cmpuint (n, >, 0);
  return (double) hits / n;
}

/* @cam cut at the window's threshold as the test's own call of the core's cut: its score, and its box (FALSE when
 * nothing is above the threshold). */
static gboolean
cut_at_threshold (Fixture *f, const CxrCamResult *cam, const GArray *truth, double *iou, CxrRect *box)
{
  CxrCamWorkspace *workspace = cxr_cam_workspace_new ();
  g_autofree guint8 *mask = g_malloc ((gsize) cam->width * cam->height);
  g_auto (CxrCamCut) cut = { NULL };
  cxr_cam_cut (&cut, workspace, cam->cam, cam->width, cam->height,
               (float) cxr_cam_controls_get_threshold (f->window->cam_controls), CXR_BOX_MODE_LARGEST,
               (const CxrRect *) truth->data, truth->len, mask);
  cxr_cam_workspace_free (workspace);
  float top = 0;
  for (gsize i = 0; i < (gsize) cam->width * cam->height; i++)
    top = MAX (top, cam->cam[i]);
  g_test_message ("%s: %ux%u, max %.3f, p %.3f (%s), threshold %.2f: %u boxes", cxr_cam_method_get_name (cam->method),
                  cam->width, cam->height, top, cam->probabilities[cam->target_class], cam->target_name,
                  cxr_cam_controls_get_threshold (f->window->cam_controls), cut.boxes->len);
  *iou = cut.score.iou;
  if (cut.boxes->len == 0)
    return FALSE;
  g_assert_cmpuint (cut.boxes->len, ==, 1);
  *box = g_array_index (cut.boxes, CxrRect, 0);
  return TRUE;
}

/* One half of the side-by-side heatmaps, rendered: the ground truth's outline in yellow and @predicted's (this
 * half's own method's box) in cyan, where the pane maps them. */
static void
assert_half_boxes (CxrPaneView *pane, const char *name, const GArray *truth, const CxrRect *predicted)
{
  cxr_ui_test_save (GTK_WIDGET (pane), name);
  /* The half's content holds this method's box, not the other's. */
  const GArray *boxes = cxr_pane_content_get_predicted_boxes (cxr_pane_view_get_content (pane));
  g_assert_cmpuint (boxes->len, ==, 1);
  const CxrPaneBox *box = &g_array_index (boxes, CxrPaneBox, 0);
  g_assert_cmpfloat (box->x, ==, predicted->x);
  g_assert_cmpfloat (box->y, ==, predicted->y);
  g_assert_cmpfloat (box->w, ==, predicted->w);
  g_assert_cmpfloat (box->h, ==, predicted->h);
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (pane));
  double gt = outline_fraction (pane, pixels, &g_array_index (truth, CxrRect, 0), &cxr_pane_gt_box_color);
  double own = outline_fraction (pane, pixels, predicted, &cxr_pane_predicted_box_color);
  g_test_message ("%s: ground-truth outline %.0f %% yellow, predicted box (%.0f, %.0f, %.0f x %.0f) %.0f %% cyan",
                  name, gt * 100, predicted->x, predicted->y, predicted->w, predicted->h, own * 100);
  /* The predicted box is drawn last, so nothing covers its line; the ground truth's may lie under it in part. */
  g_assert_cmpfloat (own, >=, 0.9);
  g_assert_cmpfloat (gt, >=, 0.5);
}

/* @shown (a map on screen) is the engine's own for @method at layer4 on the same image and class. */
static void
assert_engine_map (Fixture *f, const CxrCamResult *shown, CxrCamMethod method)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (f->model, NULL, &error);
  g_assert_no_error (error);
  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  options.method = method;
  options.layer = "layer4";
  options.target_class = shown->target_class;
  g_autoptr (CxrCamResult) direct = cxr_cam_compute_file (model, shown->path, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (direct->width, ==, shown->width);
  gsize n = (gsize) shown->width * shown->height;
  double diff = cxr_test_max_abs_diff (shown->cam, direct->cam, n, NULL);
  g_test_message ("%s: map on screen vs engine, max |diff| %.2e", cxr_cam_method_get_name (method), diff);
  g_assert_cmpfloat (diff, <=, 1e-6);
}

static void
test_side_by_side (Fixture *f, gconstpointer data)
{
  CxrWindow *window = f->window;
  /* Off at first: one heatmap. */
  g_autofree char *off = g_settings_get_string (window->settings, "cam-compare-method");
  g_assert_cmpstr (off, ==, "none");
  GtkWidget *second_pane = GTK_WIDGET (cxr_compare_view_get_second_heatmap_pane (window->compare_view));
  g_assert_false (gtk_widget_get_mapped (second_pane));

  /* An image with a Cardiomegaly box, so that both halves have an IoU. */
  guint with_box = G_MAXUINT;
  for (guint i = 0; i < cxr_dataset_get_n_entries (window->dataset) && with_box == G_MAXUINT; i++)
    {
      g_autoptr (GArray) boxes = cxr_dataset_get_boxes (window->dataset, i);
      if (boxes != NULL && boxes->len > 0)
        with_box = i;
    }
  g_assert_cmpuint (with_box, !=, G_MAXUINT);
  cxr_image_list_select_index (window->image_list, with_box);

  /* Compare with Grad-CAM++ (the row's third item: Off, Grad-CAM, Grad-CAM++; on this tiny network HiResCAM's map
   * at layer4 is Grad-CAM's). */
  AdwComboRow *row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (window->cam_controls),
                                                                   CXR_TYPE_CAM_CONTROLS, "compare_row"));
  choose (f, row, 2);
  SideBySide s = { f, CXR_CAM_METHOD_GRADCAM, CXR_CAM_METHOD_GRADCAM_PLUSPLUS };
  cxr_ui_test_wait_until (both_shown, &s, 60000, "both heatmaps");
  g_autofree char *setting = g_settings_get_string (window->settings, "cam-compare-method");
  g_assert_cmpstr (setting, ==, "grad-cam++");
  cxr_ui_test_save (GTK_WIDGET (window), "side-by-side");

  CxrCurrentImage *current = window->current;
  const CxrCamResult *first = cxr_current_image_get_cam (current);
  const CxrCamResult *second = cxr_current_image_get_second_cam (current);
  g_assert_cmpuint (cxr_current_image_get_index (current), ==, with_box);
  g_assert_cmpint (first->method, ==, CXR_CAM_METHOD_GRADCAM);
  assert_engine_map (f, first, CXR_CAM_METHOD_GRADCAM);
  assert_engine_map (f, second, CXR_CAM_METHOD_GRADCAM_PLUSPLUS);
  g_assert_cmpint (second->target_class, ==, first->target_class);

  /* Each half shows its own map: the values under the panes are the two results'. */
  CxrPaneContent *left = cxr_pane_view_get_content (cxr_compare_view_get_pane (window->compare_view, CXR_PANE_HEATMAP));
  CxrPaneContent *right = cxr_pane_view_get_content (CXR_PANE_VIEW (second_pane));
  g_assert_true (right == window->second_content);
  g_assert_nonnull (cxr_pane_content_get_heatmap (right));
  g_assert_nonnull (cxr_pane_content_get_image (right));
  gboolean differ = FALSE;
  for (int y = 0; y < first->height; y++)
    for (int x = 0; x < first->width; x++)
      {
        g_assert_cmpfloat (cxr_pane_content_get_cam_at (left, x, y), ==, first->cam[y * first->width + x]);
        g_assert_cmpfloat (cxr_pane_content_get_cam_at (right, x, y), ==, second->cam[y * second->width + x]);
        differ |= first->cam[y * first->width + x] != second->cam[y * second->width + x];
      }
  g_assert_true (differ);

  /* Each half's caption: its method and its IoU at the window's threshold, each map cut here again. */
  g_autoptr (GArray) bboxes = cxr_dataset_get_boxes (window->dataset, with_box);
  g_autoptr (GArray) truth = cxr_cam_truth_rects (bboxes, second->target_name);
  g_assert_cmpuint (truth->len, ==, 1);
  double first_iou, second_iou;
  CxrRect first_box, second_box;
  cut_at_threshold (f, first, truth, &first_iou, &first_box);
  cut_at_threshold (f, second, truth, &second_iou, &second_box);
  g_assert_cmpfloat (first_iou, ==, cxr_current_image_get_iou (current));
  g_assert_cmpfloat (second_iou, ==, cxr_current_image_get_second_iou (current));
  g_autofree char *want_left = g_strdup_printf ("Grad‑CAM · IoU %.2f", first_iou);
  g_autofree char *want_right = g_strdup_printf ("Grad‑CAM++ · IoU %.2f", second_iou);
  g_test_message ("captions: %s | %s", cxr_compare_view_get_heatmap_caption (window->compare_view, FALSE),
                  cxr_compare_view_get_heatmap_caption (window->compare_view, TRUE));
  g_assert_cmpstr (cxr_compare_view_get_heatmap_caption (window->compare_view, FALSE), ==, want_left);
  g_assert_cmpstr (cxr_compare_view_get_heatmap_caption (window->compare_view, TRUE), ==, want_right);

  /* Each half draws the ground truth and its own method's box, as the ground-truth pane draws the first's: on an
   * image with a box that the model calls positive (else no box is drawn) and where both maps have a box at the
   * threshold. The tiny network's Grad-CAM is zero on these phantoms: the window's method becomes LayerCAM, set as
   * the Method row sets it, and only the first half's map is made again. */
  g_settings_set_string (window->settings, "cam-method", cxr_cam_controls_method_id (CXR_CAM_METHOD_LAYERCAM));
  s.first = CXR_CAM_METHOD_LAYERCAM;
  cxr_ui_test_wait_until (both_shown, &s, 60000, "LayerCAM beside Grad-CAM++");
  guint drawn = G_MAXUINT;
  for (guint i = 0; i < cxr_dataset_get_n_entries (window->dataset) && drawn == G_MAXUINT; i++)
    {
      g_autoptr (GArray) boxes = cxr_dataset_get_boxes (window->dataset, i);
      if (boxes == NULL || boxes->len == 0)
        continue;
      if (i != cxr_current_image_get_index (current))
        {
          cxr_image_list_select_index (window->image_list, i);
          cxr_ui_test_wait_until (both_shown, &s, 60000, "both heatmaps of another image");
        }
      first = cxr_current_image_get_cam (current);
      second = cxr_current_image_get_second_cam (current);
      g_clear_pointer (&truth, g_array_unref);
      truth = cxr_cam_truth_rects (boxes, first->target_name);
      if (truth->len == 1 && first->probabilities[first->target_class] >= 0.5
          && cut_at_threshold (f, first, truth, &first_iou, &first_box)
          && cut_at_threshold (f, second, truth, &second_iou, &second_box))
        drawn = i;
    }
  g_assert_cmpuint (drawn, !=, G_MAXUINT);
  g_assert_cmpfloat (second_iou, ==, cxr_current_image_get_second_iou (current));
  CxrPaneView *left_pane = cxr_compare_view_get_pane (window->compare_view, CXR_PANE_HEATMAP);
  assert_half_boxes (left_pane, "side-by-side-left", truth, &first_box);
  assert_half_boxes (CXR_PANE_VIEW (second_pane), "side-by-side-right", truth, &second_box);
  /* A new threshold cuts both maps again, and each half's box follows its own cut. */
  gtk_adjustment_set_value (cxr_cam_controls_get_threshold_adjustment (window->cam_controls),
                            cxr_cam_controls_get_threshold (window->cam_controls) + 0.2);
  cxr_ui_test_spin (300);
  g_assert_true (cut_at_threshold (f, first, truth, &first_iou, &first_box));
  g_assert_true (cut_at_threshold (f, second, truth, &second_iou, &second_box));
  g_assert_cmpfloat (second_iou, ==, cxr_current_image_get_second_iou (current));
  assert_half_boxes (left_pane, "side-by-side-left-threshold", truth, &first_box);
  assert_half_boxes (CXR_PANE_VIEW (second_pane), "side-by-side-right-threshold", truth, &second_box);

  /* Off again: one heatmap, with no boxes on it (the ground-truth pane beside it has them). */
  choose (f, row, 0);
  cxr_ui_test_spin (300);
  g_assert_false (gtk_widget_get_mapped (second_pane));
  g_assert_cmpstr (cxr_compare_view_get_heatmap_caption (window->compare_view, FALSE), ==, "Heatmap");
  g_autoptr (CxrUiTestPixels) alone = cxr_ui_test_render (GTK_WIDGET (left_pane));
  g_assert_cmpfloat (outline_fraction (left_pane, alone, &first_box, &cxr_pane_predicted_box_color), <, 0.1);
  g_assert_cmpfloat (outline_fraction (left_pane, alone, &g_array_index (truth, CxrRect, 0), &cxr_pane_gt_box_color),
                     <, 0.1);
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  phantoms = cxr_ui_test_make_phantoms (6);
  /* As in test-ui-eval: libadwaita 1.2.2's toasts can crash when animating in covered windows under Xvfb. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  cxr_window_fixture_init_app ();
  g_test_add ("/ui/compare/table-and-use", Fixture, NULL, set_up, test_compare_and_use, cxr_window_fixture_tear_down);
  g_test_add ("/ui/compare/side-by-side", Fixture, NULL, set_up, test_side_by_side, cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  g_free (phantoms);
  return status;
}
