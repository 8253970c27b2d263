/* SPDX-License-Identifier: GPL-3.0-or-later */
/* box-editor-screenshot: the README's picture of the box editor (docs/box-editor.png), made the same way every time
 * (run it under xvfb-run with a screen of at least 1366 x 768):
 *
 *   box-editor-screenshot OUTPUT.png DATASET MODEL [IMAGE [KEY=VALUE...]]
 *
 * Opens DATASET (a copy: the drag writes a journal beside its box file) and MODEL in a 1366 x 768 window, shows
 * IMAGE (default: the first image with a box) in the one large ground-truth pane, and presses on the bottom-right
 * handle of its first box and drags it through the X server (xdotool), as a hand does; halfway, with the button
 * still down, it saves what the window draws (GtkWidgetPaintable: the handles, the model's box beside the one
 * being resized and the x, y, w, h readout, without the pointer). Then it lets go and undoes the drag. KEY=VALUE
 * sets a key of the (in-memory) settings first, as ui-screenshots does (e.g. the demo's method, layer and threshold).
 */
#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <math.h>

#include "bench-ui-util.h"
#include "cxr-application.h"
#include "cxr-window-private.h"

typedef struct {
  CxrWindow *window;
  const char *image;
} Shot;

static gboolean
dataset_opened (gpointer data)
{
  Shot *shot = data;
  return shot->window->dataset != NULL && shot->window->list_model != NULL;
}

static gboolean
image_explained (gpointer data)
{
  Shot *shot = data;
  CxrWindow *window = shot->window;
  guint index = cxr_current_image_get_index (window->current);
  g_autoptr (CxrModel) model = cxr_engine_dup_model (window->engine);
  return model != NULL && index != G_MAXUINT
         && g_strcmp0 (cxr_dataset_get_entry (window->dataset, index)->name, shot->image) == 0
         && !cxr_current_image_get_loading (window->current) && !cxr_current_image_get_analysing (window->current)
         && cxr_pane_content_get_heatmap (window->content) != NULL;
}

static void
xdotool (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "xdotool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("xdotool %s: %s (install xdotool)", args[0], error->message);
  bench_ui_spin_for (100);
}

int
main (int argc, char *argv[])
{
  if (argc < 4)
    {
      g_printerr ("usage: %s OUTPUT.png DATASET MODEL [IMAGE [KEY=VALUE...]]   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  if (!bench_ui_init ())
    return 77;

  g_autoptr (CxrApplication) app = bench_ui_application_new ();
  Shot shot = { 0 };
  CxrWindow *window = bench_ui_window_new (app, 1366, 768);
  for (int i = 5; i < argc; i++)
    bench_ui_apply_setting (window->settings, argv[i]);
  shot.window = window;
  g_autoptr (GFile) folder = g_file_new_for_path (argv[2]);
  cxr_window_open_dataset (window, folder);
  bench_ui_spin_until (dataset_opened, &shot, 30000, "the dataset");

  CxrBBoxStore *store = cxr_dataset_get_bbox_store (window->dataset);
  g_autoptr (GArray) all = store ? cxr_bbox_store_list (store) : NULL;
  if (all == NULL || all->len == 0)
    g_error ("%s has no boxes", argv[2]);
  shot.image = argc > 4 ? argv[4] : g_array_index (all, CxrBBox, 0).image;
  guint index;
  if (!cxr_dataset_lookup (window->dataset, shot.image, &index))
    g_error ("%s is not in %s", shot.image, argv[2]);
  cxr_image_list_select_index (window->image_list, index);
  g_autoptr (GFile) model = g_file_new_for_path (argv[3]);
  cxr_window_open_model (window, model);
  bench_ui_spin_until (image_explained, &shot, 120000, "the image's Grad-CAM");

  /* One large pane with the ground truth, as key 2 shows it. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "layout", g_variant_new_string ("single"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-view", g_variant_new_int32 (2));
  bench_ui_spin_for (800);

  CxrPaneView *pane = cxr_compare_view_get_pane (window->compare_view, CXR_PANE_GROUND_TRUTH);
  g_autoptr (GArray) boxes = cxr_bbox_store_list_for_image (store, shot.image);
  CxrBBox box = g_array_index (boxes, CxrBBox, 0);
  cxr_box_editor_set_selected (window->box_editor, box.id);
  bench_ui_spin_for (300);

  double hx, hy, sx, sy;
  cxr_pane_view_image_to_widget (pane, box.x + box.w, box.y + box.h, &hx, &hy);
  graphene_point_t p;
  if (!gtk_widget_compute_point (GTK_WIDGET (pane), GTK_WIDGET (window), &GRAPHENE_POINT_INIT (hx, hy), &p))
    g_error ("the pane is not in the window");
  gtk_native_get_surface_transform (GTK_NATIVE (window), &sx, &sy);
  int x0 = (int) lround (p.x + sx), y0 = (int) lround (p.y + sy);
  g_autofree char *xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (
                                            gtk_native_get_surface (GTK_NATIVE (window))));
  g_autofree char *xs = g_strdup_printf ("%d", x0), *ys = g_strdup_printf ("%d", y0);
  const char *press[] = { "windowfocus", xid, "mousemove", "--window", xid, xs, ys, "sleep", "0.2",
                          "mousedown", "1", NULL };
  xdotool (press);
  for (int step = 1; step <= 8; step++)
    {
      g_autofree char *mx = g_strdup_printf ("%d", x0 + 5 * step), *my = g_strdup_printf ("%d", y0 + 3 * step);
      const char *move[] = { "mousemove", "--window", xid, mx, my, NULL };
      xdotool (move);
    }
  bench_ui_spin_for (300);
  bench_ui_save_png_file (GTK_WIDGET (window), argv[1]);

  const char *release[] = { "mouseup", "1", NULL };
  xdotool (release);
  g_action_group_activate_action (G_ACTION_GROUP (window), "undo", NULL);
  bench_ui_spin_for (200);
  gtk_window_destroy (GTK_WINDOW (window));
  bench_ui_spin_for (200);
  return 0;
}
