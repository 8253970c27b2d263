/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dicom-ctr-screenshot: docs/cxrcam-dicom-ctr.png, a DICOM radiograph at its file's window preset with a
 * cardiothoracic ratio measured on it, made the same way every time (run it under xvfb-run):
 *
 *   dicom-ctr-screenshot OUTPUT.png FOLDER [HEART_LEFT HEART_RIGHT HEART_Y THORAX_LEFT THORAX_RIGHT THORAX_Y]
 *
 * FOLDER holds DICOM files (tests/reference/dicom_from_png.py --viewer writes them from NIH PNGs). The window
 * (1366 x 768) opens it, shows its first image in the one large original pane at the file's first window, and
 * lays the two calipers through the CTR tool (default: the heart and thorax of NIH 00000001_000, measured by eye
 * on that image), with the pointer over the heart so that the status line shows the stored value and the position
 * in mm. It saves what the window draws (GtkWidgetPaintable). Nothing is written into FOLDER: the measurement is
 * shown, not stored.
 */
#include <adwaita.h>
#include <math.h>
#include <stdlib.h>

#include "bench-ui-util.h"
#include "cxr-application.h"
#include "cxr-image-item.h"
#include "cxr-measure-text.h"
#include "cxr-window-private.h"

static gboolean
image_shown (gpointer data)
{
  CxrWindow *window = data;
  return window->list_model != NULL && cxr_pane_content_get_stored (window->content) != NULL
         && !cxr_current_image_get_loading (window->current);
}

/* The list's first row has its thumbnail. It comes from the thumbnailer's workers, which decode the file in a
 * decoder process of their own, after the image: docs/cxrcam-dicom-ctr.png was once saved before it arrived, and
 * the row showed its black placeholder. */
static gboolean
thumbnail_shown (gpointer data)
{
  CxrWindow *window = data;
  g_autoptr (CxrImageItem) item = g_list_model_get_item (G_LIST_MODEL (window->list_model), 0);
  return item != NULL && cxr_image_item_get_thumbnail (item) != NULL;
}

int
main (int argc, char *argv[])
{
  if (argc != 3 && argc != 9)
    {
      g_printerr ("usage: %s OUTPUT.png FOLDER [HEART_LEFT HEART_RIGHT HEART_Y THORAX_LEFT THORAX_RIGHT THORAX_Y]"
                  "   (under xvfb-run)\n", argv[0]);
      return 2;
    }
  if (!bench_ui_init ())
    return 77;
  double c[6] = { 335, 874, 650, 22, 994, 680 };
  for (int i = 0; argc == 9 && i < 6; i++)
    c[i] = g_ascii_strtod (argv[3 + i], NULL);

  g_autoptr (CxrApplication) app = bench_ui_application_new ();
  CxrWindow *window = bench_ui_window_new (app, 1366, 768);
  g_autoptr (GFile) folder = g_file_new_for_path (argv[2]);
  cxr_window_open_dataset (window, folder);
  bench_ui_spin_until (image_shown, window, 30000, "the first DICOM image");
  bench_ui_spin_until (thumbnail_shown, window, 30000, "the first row's thumbnail");

  g_action_group_activate_action (G_ACTION_GROUP (window), "layout", g_variant_new_string ("single"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-view", g_variant_new_int32 (1));
  bench_ui_spin_for (800);

  CxrCtr ctr = { { c[0], c[1], c[2] }, { c[3], c[4], c[5] } };
  cxr_ctr_tool_set_measurement (window->ctr_tool, &ctr);
  /* The readout as the pointer over the heart's left border gives it. */
  CxrStoredPlane *stored = cxr_pane_content_get_stored (window->content);
  g_autofree char *readout = cxr_measure_readout (stored, c[0] + 40.5, c[2] - 60.5, NAN);
  cxr_compare_view_set_readout (window->compare_view, readout);
  /* The sidebar scrolled to its Display group: the file's window preset, level and window. */
  GtkWidget *scrolled = gtk_widget_get_first_child (GTK_WIDGET (window->cam_controls));
  if (GTK_IS_SCROLLED_WINDOW (scrolled))
    {
      GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      bench_ui_spin_for (300);
      gtk_adjustment_set_value (v, gtk_adjustment_get_upper (v));
    }
  bench_ui_spin_for (500);
  bench_ui_save_png_file (GTK_WIDGET (window), argv[1]);
  gtk_window_destroy (GTK_WINDOW (window));
  bench_ui_spin_for (200);
  return 0;
}
