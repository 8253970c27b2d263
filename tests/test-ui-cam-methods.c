/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every CAM method of the command line in the window (issue 15): the Method row offers the ten methods of
 * pytorch-grad-cam, the Target layer row the fusion of layer3 and layer4, the Smoothing row aug_smooth and
 * eigen_smooth. Each is chosen as a person does (a click on the row, the arrow keys, Return), and the map on
 * screen is the one the engine computes for those options without the window. */
#include <adwaita.h>
#include <math.h>

#include "cxr-cam.h"
#include "cxr-method-titles.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

typedef struct {
  Fixture *f;
  CxrCamMethod method;
  const char *layer;   /* canonical, as the result names it */
  gboolean aug_smooth, eigen_smooth;
} Wanted;

static gboolean
shows_wanted_map (gpointer data)
{
  Wanted *w = data;
  const CxrCamResult *cam = cxr_current_image_get_cam (w->f->window->current);
  return cxr_window_fixture_cam_shown (w->f) && !cxr_current_image_get_analysing (w->f->window->current)
         && cam != NULL && cam->method == w->method && g_str_equal (cam->layer, w->layer)
         && cam->aug_smooth == w->aug_smooth && cam->eigen_smooth == w->eigen_smooth;
}

static AdwComboRow *
row_named (Fixture *f, const char *name)
{
  return ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (f->window->cam_controls), CXR_TYPE_CAM_CONTROLS,
                                                       name));
}

typedef struct {
  AdwComboRow *row;
  guint item;
} Choice;

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

static gboolean
row_popover_open (gpointer data)
{
  return popover_open (GTK_WIDGET (data));
}

static gboolean
chosen (gpointer data)
{
  Choice *c = data;
  return adw_combo_row_get_selected (c->row) == c->item && !popover_open (GTK_WIDGET (c->row));
}

/* Opens the row's popover with a click, moves to item @item with Home and the Down key, and waits until the row has
 * it and its popover is closed (so that the next click lands on the next row, not on a closing popover). */
static void
choose (Fixture *f, AdwComboRow *row, guint item)
{
  GtkWidget *widget = GTK_WIDGET (row);
  /* A click that lands while the window is busy redrawing a new map can be lost under load; a person clicks
   * again. */
  for (guint attempt = 0; attempt < 5 && !popover_open (widget); attempt++)
    {
      cxr_window_fixture_click (f, widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
      for (guint waited = 0; waited < 3000 && !popover_open (widget); waited += 100)
        cxr_ui_test_spin (100);
    }
  g_autofree char *popover = g_strdup_printf ("the popover of %s", gtk_widget_get_name (widget));
  cxr_ui_test_wait_until (row_popover_open, row, 1000, popover);
  cxr_ui_test_spin (200);   /* its list takes the focus once it is mapped */
  cxr_window_fixture_key (f, "Home");
  for (guint i = 0; i < item; i++)
    cxr_window_fixture_key (f, "Down");
  cxr_window_fixture_key (f, "Return");
  Choice c = { row, item };
  g_autofree char *what = g_strdup_printf ("item %u of %s", item, gtk_widget_get_name (widget));
  cxr_ui_test_wait_until (chosen, &c, 10000, what);
}

/* Every status the heatmap pane showed, in order: the status line must name the method being computed. */
static void
on_content_changed (CxrPaneContent *content, guint parts, gpointer data)
{
  GPtrArray *statuses = data;
  const char *status = cxr_pane_content_get_cam_status (content);
  if ((parts & CXR_PANE_PART_STATUS) && status != NULL)
    g_ptr_array_add (statuses, g_strdup (status));
}

/* Some status while @method ran said "Computing <its title>…" (and, for the slow ones, how far it was: "… 0 %"). */
static void
assert_status_named (GPtrArray *statuses, CxrCamMethod method)
{
  g_autofree char *wanted = g_strdup_printf ("Computing %s…", cxr_method_title (method));
  gboolean named = FALSE, with_progress = FALSE;
  for (guint i = 0; i < statuses->len; i++)
    {
      const char *status = g_ptr_array_index (statuses, i);
      g_test_message ("status while %s ran: %s", cxr_cam_method_get_name (method), status);
      g_assert_true (g_str_has_prefix (status, "Computing ") == FALSE || g_str_has_prefix (status, wanted));
      named |= g_str_has_prefix (status, wanted);
      with_progress |= g_str_has_prefix (status, wanted) && g_str_has_suffix (status, " %");
    }
  g_assert_true (named);
  g_assert_true (with_progress == cxr_cam_method_is_perturbation (method));
  g_ptr_array_set_size (statuses, 0);
}

/* Waits for the map of @w and compares it with the engine's own for the same image and options. */
static void
assert_map_is_engines (Fixture *f, Wanted *w, const char *layer_request)
{
  cxr_ui_test_wait_until (shows_wanted_map, w, 60000, cxr_cam_method_get_name (w->method));
  const CxrCamResult *shown = cxr_current_image_get_cam (f->window->current);

  CxrCamOptions options;
  cxr_cam_options_init_default (&options);
  options.method = w->method;
  options.layer = layer_request;
  options.aug_smooth = w->aug_smooth;
  options.eigen_smooth = w->eigen_smooth;
  options.target_class = shown->target_class;
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (f->model, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (CxrCamResult) direct = cxr_cam_compute_file (model, shown->path, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (direct->width, ==, shown->width);
  g_assert_cmpint (direct->height, ==, shown->height);
  gsize n = (gsize) shown->width * shown->height;
  double diff = cxr_test_max_abs_diff (shown->cam, direct->cam, n, NULL);
  g_test_message ("%-20s %-18s aug %d eigen %d: map on screen vs engine, max |diff| %.2e, map range max %.3f",
                  cxr_cam_method_get_name (w->method), shown->layer, w->aug_smooth, w->eigen_smooth, diff,
                  cxr_test_max_abs (shown->cam, n));
  g_assert_cmpfloat (diff, <=, 1e-6);
}

static void
test_every_method (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (CxrModel) model = cxr_model_load (f->model, NULL, &error);
  g_assert_no_error (error);
  const CxrResnetArch *arch = cxr_resnet_get_arch (cxr_model_get_network (model));
  int blocks[CXR_CAM_MAX_LAYERS], n_blocks;
  g_autofree char *layer4 = NULL, *fused = NULL;
  g_assert_true (cxr_cam_resolve_layers (arch, "layer4", blocks, &n_blocks, &layer4, &error));
  g_assert_true (cxr_cam_resolve_layers (arch, "layer3,layer4", blocks, &n_blocks, &fused, &error));

  /* The ten methods, one after the other, in the Method row's order (the CxrCamMethod order). */
  AdwComboRow *method_row = row_named (f, "method_row");
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (method_row)), ==, 10);
  g_autoptr (GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  for (CxrCamMethod m = CXR_CAM_METHOD_GRADCAM; m <= CXR_CAM_METHOD_ABLATIONCAM; m++)
    {
      if (m != CXR_CAM_METHOD_GRADCAM)
        {
          gulong handler = g_signal_connect (f->window->content, "changed", G_CALLBACK (on_content_changed), statuses);
          choose (f, method_row, m);
          Wanted w = { f, m, layer4, FALSE, FALSE };
          assert_map_is_engines (f, &w, "layer4");
          g_signal_handler_disconnect (f->window->content, handler);
          assert_status_named (statuses, m);
          continue;
        }
      Wanted w = { f, m, layer4, FALSE, FALSE };
      assert_map_is_engines (f, &w, "layer4");
    }

  /* LayerCAM at layer3 + layer4 (found by name in the layer row's list) with both smoothings (the last item). */
  guint fused_item = 0;
  while (fused_item < CXR_N_LAYER_CHOICES && !g_str_equal (cxr_layer_choices[fused_item], "layer3,layer4"))
    fused_item++;
  g_assert_cmpuint (fused_item, <, CXR_N_LAYER_CHOICES);
  choose (f, method_row, CXR_CAM_METHOD_LAYERCAM);
  choose (f, row_named (f, "layer_row"), fused_item);
  choose (f, row_named (f, "smoothing_row"), 3);
  Wanted w = { f, CXR_CAM_METHOD_LAYERCAM, fused, TRUE, TRUE };
  assert_map_is_engines (f, &w, "layer3,layer4");

  /* The choice outlives the window: the settings hold it. */
  GSettings *settings = f->window->settings;
  g_autofree char *method = g_settings_get_string (settings, "cam-method");
  g_autofree char *layer = g_settings_get_string (settings, "cam-layer");
  g_autofree char *smoothing = g_settings_get_string (settings, "cam-smoothing");
  g_assert_cmpstr (method, ==, "layercam");
  g_assert_cmpstr (layer, ==, "layer3,layer4");
  g_assert_cmpstr (smoothing, ==, "both");
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();
  g_test_add ("/ui/cam/every-method", Fixture, NULL, cxr_window_fixture_set_up, test_every_method,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
