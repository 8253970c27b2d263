/* ui-screenshots: the README's screenshots, made the same way every time (run it under xvfb-run):
 *
 *   ui-screenshots OUTPUT-DIR DATASET MODEL [IMAGE]
 *
 * Opens DATASET and MODEL in a 1600 x 1000 window, runs the model on every image, shows IMAGE (default
 * 00001373_009.png, a Cardiomegaly image with a box) and saves what the window draws: review.png (the window),
 * zoom.png (zoomed on the ground-truth box, a narrower window), summary.png (the summary window), start.png (the
 * empty window), and a laptop's screens: review-1366-single.png (1366 x 768, one large pane with the ground truth,
 * as key 2 shows it) and review-1024.png (1024 x 768). The pictures are the widgets' own rendering
 * (GtkWidgetPaintable), not a screen grab. The language is the environment's (LC_ALL=de_DE.UTF-8 for German).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "cxr-application.h"
#include "cxr-paths.h"
#include "cxr-summary-dialog.h"
#include "cxr-window-private.h"

static void
spin_until (gboolean (*condition) (CxrWindow *), CxrWindow *window, guint timeout_s, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  while (!condition (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
spin_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
mapped (CxrWindow *window)
{
  return gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0;
}

static gboolean
image_settled (CxrWindow *window)
{
  return window->list_model != NULL && cxr_pane_content_get_image (window->content) != NULL
         && !cxr_current_image_get_loading (window->current) && !cxr_current_image_get_analysing (window->current);
}

static gboolean
model_ready (CxrWindow *window)
{
  g_autoptr (CxrModel) model = cxr_engine_dup_model (window->engine);
  return model != NULL && image_settled (window) && cxr_pane_content_get_heatmap (window->content) != NULL;
}

static gboolean
run_done (CxrWindow *window)
{
  return !_cxr_window_is_running (window);
}

static gboolean
summary_done (CxrWindow *window)
{
  return window->summary_dialog != NULL && window->score_cancellable == NULL
         && gtk_widget_get_mapped (GTK_WIDGET (window->summary_dialog));
}

static void
save (GtkWidget *widget, const char *folder, const char *name)
{
  /* Two frames, so that the paintable has the last one. */
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  spin_for (400);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  g_autoptr (GskRenderNode) node = gtk_snapshot_to_node (snapshot);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr (GdkTexture) texture = gsk_renderer_render_texture (renderer, node,
                                                               &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_autofree char *path = g_build_filename (folder, name, NULL);
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("%s (%d x %d)\n", path, width, height);
}

int
main (int argc, char *argv[])
{
  if (argc < 4)
    {
      g_printerr ("usage: %s OUTPUT-DIR DATASET MODEL [IMAGE]   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  const char *out = argv[1], *image = argc > 4 ? argv[4] : "00001373_009.png";

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", CXR_BUILD_DIR "/data", TRUE);
  setlocale (LC_ALL, "");
  g_autofree char *locale_dir = cxr_paths_locale_dir ();
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  if (!gtk_init_check ())
    return 2;
  adw_init ();
  g_autoptr (CxrApplication) app = cxr_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  CxrWindow *window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1600, 1000);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (mapped, window, 10, "the window");
  save (GTK_WIDGET (window), out, "start.png");

  g_autoptr (GFile) dataset = g_file_new_for_path (argv[2]);
  g_autoptr (GFile) model = g_file_new_for_path (argv[3]);
  cxr_window_open_dataset (window, dataset);
  spin_until (image_settled, window, 60, "the dataset");
  cxr_window_open_model (window, model);
  spin_until (model_ready, window, 120, "the model");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-all", NULL);
  spin_until (run_done, window, 3600, "run on all");

  guint index;
  if (!cxr_dataset_lookup (window->dataset, image, &index) || !cxr_image_list_select_index (window->image_list, index))
    g_error ("%s is not in the list", image);
  spin_until (image_settled, window, 120, "the image");
  spin_for (6000);   /* let the toasts go */
  save (GTK_WIDGET (window), out, "review.png");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-summary", NULL);
  spin_until (summary_done, window, 120, "the summary");
  gtk_window_set_default_size (window->summary_dialog, 620, 940);
  spin_for (500);
  save (GTK_WIDGET (window->summary_dialog), out, "summary.png");
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
  spin_for (3000);
  save (GTK_WIDGET (window), out, "zoom.png");

  /* A laptop: one large pane (the ground truth, key 2) at 1366 x 768, then whatever 1024 x 768 opens with. */
  cxr_view_state_reset_window (state);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1366, 768);
  spin_for (1500);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "i", 2);
  spin_for (3000);
  save (GTK_WIDGET (window), out, "review-1366-single.png");
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  spin_for (3000);
  save (GTK_WIDGET (window), out, "review-1024.png");

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
