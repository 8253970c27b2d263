/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A DICOM folder in the review window (issue 16, points 2 and 4): the panes show the stored values windowed at
 * the file's first window, MONOCHROME1 inverted, the window/level control offers the file's presets, a right drag
 * with the real pointer moves the window and R brings the file's back, and the pointer readout gives the stored
 * value and the position in mm.
 *
 * The files are made in this run from an NIH PNG by tests/reference/dicom_from_png.py --viewer: 12-bit
 * MONOCHROME1 (stored 4080 - 16 v), windows LUNG 1700 / 2600 and SOFT 3000 / 1200, Pixel Spacing 0.143 mm.
 * Assertions are on the bytes of the texture on screen and the stored values read back with GDCM. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-dicom.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-input.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

/* A folder with a.dcm and b.dcm (NIH 00000001_000 and 00000002_000), or NULL (skipped: no data, no PyTorch). */
static char *
make_dicom_folder (void)
{
  const char *nih = cxr_test_nih14_dir ();
  if (nih == NULL)
    return NULL;
  g_autofree char *dir = g_dir_make_tmp ("cxrcam-ui-dicom-XXXXXX", NULL);
  g_assert_nonnull (dir);
  const char *images[][2] = { { "00000001_000.png", "a.dcm" }, { "00000002_000.png", "b.dcm" } };
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autofree char *png = g_build_filename (nih, "images", images[i][0], NULL);
      const char *args[] = { "--viewer", png, dir, images[i][1], NULL };
      if (!cxr_test_run_reference ("dicom_from_png.py", args))
        return NULL;
    }
  return g_steal_pointer (&dir);
}

static gboolean
stored_shown (gpointer data)
{
  Fixture *f = data;
  return cxr_window_fixture_image_settled (f) && cxr_pane_content_get_stored (f->window->content) != NULL;
}

static void
open_folder (Fixture *f, const char *dir)
{
  g_autoptr (GFile) folder = g_file_new_for_path (dir);
  cxr_window_open_dataset (f->window, folder);
  cxr_ui_test_wait_until (stored_shown, f, 20000, "the DICOM image's stored values");
}

static CxrViewState *
view_state (Fixture *f)
{
  return cxr_compare_view_get_view_state (f->window->compare_view);
}

/* The picture's full-resolution texture as 8-bit gray (R of R8G8B8 / the default download format). */
static guint8 *
picture_gray (Fixture *f, int *width, int *height)
{
  GdkTexture *texture = cxr_pyramid_get_level (cxr_pane_content_get_image (f->window->content), 0);
  *width = gdk_texture_get_width (texture);
  *height = gdk_texture_get_height (texture);
  gsize stride = (gsize) *width * 4;
  g_autofree guint8 *bgra = g_malloc (stride * *height);
  gdk_texture_download (texture, bgra, stride);
  guint8 *gray = g_malloc ((gsize) *width * *height);
  for (gsize i = 0; i < (gsize) *width * *height; i++)
    gray[i] = bgra[4 * i + 2];   /* GDK_MEMORY_DEFAULT: B, G, R, A; gray has R == G == B */
  return gray;
}

/* Every pixel on screen is the window of the file's stored value, MONOCHROME1 inverted: 255 (1 - y). */
static void
assert_picture_is_window (Fixture *f, const CxrDicomImage *file, double center, double width)
{
  int w, h;
  g_autofree guint8 *gray = picture_gray (f, &w, &h);
  g_assert_cmpint (w, ==, file->width);
  g_assert_cmpint (h, ==, file->height);
  gsize mismatches = 0;
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      double y = cxr_dicom_voi_linear (file->values[i], center, width);
      mismatches += gray[i] != (guint8) lround (255.0 * (1.0 - y));
    }
  g_assert_cmpuint (mismatches, ==, 0);
}

static GtkLabel *
pointer_label (Fixture *f)
{
  return GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window->compare_view), CXR_TYPE_COMPARE_VIEW,
                                                   "pointer_label"));
}

static void
test_window_and_readout (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = make_dicom_folder ();
  if (dir == NULL)
    return;
  g_autofree char *a_path = g_build_filename (dir, "a.dcm", NULL);
  g_autoptr (CxrDicomImage) file = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (cxr_dicom_read (a_path, &file, &error));
  g_assert_true (file->monochrome1);

  open_folder (f, dir);
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "a.dcm");

  /* The file's first window, in stored units, in the view state and in the sidebar's spin buttons and presets. */
  CxrViewState *vs = view_state (f);
  g_assert_cmpfloat (cxr_view_state_get_window_center (vs), ==, 1700.0);
  g_assert_cmpfloat (cxr_view_state_get_window_width (vs), ==, 2600.0);
  g_assert_true (cxr_view_state_get_stored (vs));
  AdwComboRow *preset_row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (f->window->cam_controls),
                                                                          CXR_TYPE_CAM_CONTROLS, "preset_row"));
  GtkStringObject *selected = adw_combo_row_get_selected_item (preset_row);
  g_assert_cmpstr (gtk_string_object_get_string (selected), ==, "LUNG (1700 / 2600)");
  GListModel *presets = adw_combo_row_get_model (preset_row);
  g_assert_cmpuint (g_list_model_get_n_items (presets), ==, 4);   /* LUNG, SOFT, Full range, Custom */
  GtkSpinButton *level_spin = GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (f->window->cam_controls),
                                                                              CXR_TYPE_CAM_CONTROLS, "level_spin"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (level_spin)), ==, "1700.0");
  assert_picture_is_window (f, file, 1700, 2600);

  /* A right drag with the real pointer: 40 pane pixels right widen the window by 40 x 4096 / 256 stored values. */
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  GtkWidget *widget = GTK_WIDGET (pane);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, widget, 5000, "the original pane");
  double px = gtk_widget_get_width (widget) / 2.0, py = gtk_widget_get_height (widget) / 2.0;
  cxr_ui_test_pointer_move (widget, px, py);
  cxr_window_fixture_xdotool (f, "mousedown", "3", NULL);
  cxr_ui_test_pointer_move (widget, px + 20, py);
  cxr_ui_test_pointer_move (widget, px + 40, py);
  cxr_window_fixture_xdotool (f, "mouseup", "3", NULL);
  cxr_ui_test_spin (100);
  double widened = cxr_view_state_get_window_width (vs);
  g_assert_cmpfloat (fabs (widened - (2600.0 + 40 * 16.0)), <, 0.01);   /* GTK reports the offset in float */
  g_assert_cmpfloat (fabs (cxr_view_state_get_window_center (vs) - 1700.0), <, 0.01);
  selected = adw_combo_row_get_selected_item (preset_row);
  g_assert_cmpstr (gtk_string_object_get_string (selected), ==, "Custom");
  assert_picture_is_window (f, file, 1700, widened);

  /* The second preset, then R: the file's first window again. */
  adw_combo_row_set_selected (preset_row, 1);
  g_assert_cmpfloat (cxr_view_state_get_window_center (vs), ==, 3000.0);
  g_assert_cmpfloat (cxr_view_state_get_window_width (vs), ==, 1200.0);
  assert_picture_is_window (f, file, 3000, 1200);
  cxr_window_fixture_key (f, "r");
  g_assert_cmpfloat (cxr_view_state_get_window_center (vs), ==, 1700.0);
  g_assert_cmpfloat (cxr_view_state_get_window_width (vs), ==, 2600.0);
  assert_picture_is_window (f, file, 1700, 2600);

  /* The readout: the stored value under the pointer and its position in mm (Pixel Spacing 0.143). */
  double ix = 400.5, iy = 300.5, wx, wy;
  cxr_pane_view_image_to_widget (pane, ix, iy, &wx, &wy);
  cxr_ui_test_pointer_move (widget, wx, wy);
  cxr_ui_test_spin (100);
  /* The X server puts the pointer on a whole screen pixel: read the pixel back from the text and check the rest
   * against it. */
  const char *text = gtk_label_get_label (pointer_label (f));
  int x, y;
  double mm_x, mm_y, value;
  g_assert_cmpint (sscanf (text, "x %d, y %d (%lf, %lf mm): value %lf", &x, &y, &mm_x, &mm_y, &value), ==, 5);
  g_assert_cmpint (abs (x - 400), <=, 2);
  g_assert_cmpint (abs (y - 300), <=, 2);
  g_assert_cmpfloat (fabs (mm_x - (x + 0.5) * 0.143), <=, 0.143 / 2 + 0.05);
  g_assert_cmpfloat (fabs (mm_y - (y + 0.5) * 0.143), <=, 0.143 / 2 + 0.05);
  g_assert_cmpfloat (value, ==, file->values[(gsize) y * file->width + x]);

  /* The next image starts at its own file's window again, whatever the window was. */
  cxr_view_state_set_window_center (vs, 2000);
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (stored_shown, f, 20000, "the second DICOM image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "b.dcm");
  g_assert_cmpfloat (cxr_view_state_get_window_center (vs), ==, 1700.0);
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, cxr_window_fixture_set_up, func, cxr_window_fixture_tear_down)
  ADD ("/ui/dicom/window-and-readout", test_window_and_readout);

  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
