/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A DICOM folder in the review window (issue 16, points 2 and 4): the panes show the stored values windowed at
 * the file's first window, MONOCHROME1 inverted, the window/level control offers the file's presets, a right drag
 * with the real pointer moves the window and R brings the file's back, and the pointer readout gives the stored
 * value and the position in mm.
 *
 * The files are made in this run from an NIH PNG by tests/reference/dicom_from_png.py --viewer: 12-bit
 * MONOCHROME1 (stored 4080 - 16 v), windows LUNG 1700 / 2600 and SOFT 3000 / 1200, Pixel Spacing 0.35 mm.
 * Assertions are on the bytes of the texture on screen and the stored values read back with GDCM. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxr-dicom.h"
#include "cxr-image-item.h"
#include "cxr-pane-measures.h"
#include "cxr-test-util.h"
#include "cxr-ui-test-input.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static CxrApplication *app;

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

  /* The readout: the stored value under the pointer and its position in mm (Pixel Spacing 0.35). */
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
  g_assert_cmpfloat (fabs (mm_x - (x + 0.5) * 0.35), <=, 0.35 / 2 + 0.05);
  g_assert_cmpfloat (fabs (mm_y - (y + 0.5) * 0.35), <=, 0.35 / 2 + 0.05);
  g_assert_cmpfloat (value, ==, file->values[(gsize) y * file->width + x]);

  /* The next image starts at its own file's window again, whatever the window was. */
  cxr_view_state_set_window_center (vs, 2000);
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (stored_shown, f, 20000, "the second DICOM image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "b.dcm");
  g_assert_cmpfloat (cxr_view_state_get_window_center (vs), ==, 1700.0);
}

/* A primary drag with the real pointer between two image points on @pane, in ten steps. */
static void
drag_image (Fixture *f, CxrPaneView *pane, double x0, double y0, double x1, double y1)
{
  double wx0, wy0, wx1, wy1;
  cxr_pane_view_image_to_widget (pane, x0, y0, &wx0, &wy0);
  cxr_pane_view_image_to_widget (pane, x1, y1, &wx1, &wy1);
  cxr_ui_test_pointer_move (GTK_WIDGET (pane), wx0, wy0);
  cxr_window_fixture_xdotool (f, "mousedown", "1", NULL);
  for (int step = 1; step <= 10; step++)
    cxr_ui_test_pointer_move (GTK_WIDGET (pane), wx0 + (wx1 - wx0) * step / 10, wy0 + (wy1 - wy0) * step / 10);
  cxr_window_fixture_xdotool (f, "mouseup", "1", NULL);
  cxr_ui_test_spin (100);
}

static gboolean
export_done (gpointer data)
{
  Fixture *f = data;
  return !_cxr_window_is_running (f->window) && f->window->n_jobs == 0;
}

static gboolean
review_saved (gpointer data)
{
  Fixture *f = data;
  return f->window->review != NULL && !cxr_review_is_dirty (f->window->review)
         && f->window->review_save_source == 0;
}

/* The caliper as the sidecar stores it: [left, right, y] to a tenth of a pixel. */
static char *
caliper_json (const CxrCaliper *c)
{
  char l[G_ASCII_DTOSTR_BUF_SIZE], r[G_ASCII_DTOSTR_BUF_SIZE], y[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (l, sizeof l, "%.1f", round (c->left * 10) / 10);
  g_ascii_formatd (r, sizeof r, "%.1f", round (c->right * 10) / 10);
  g_ascii_formatd (y, sizeof y, "%.1f", round (c->y * 10) / 10);
  return g_strdup_printf ("[%s,%s,%s]", l, r, y);
}

/* The CTR with the real pointer: T, a drag across the heart, a drag across the thorax; the calipers are drawn,
 * the ratio goes into cxrcam-review.json (bytes checked), and opening the folder again shows it. */
static void
test_ctr (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = make_dicom_folder ();
  if (dir == NULL)
    return;
  open_folder (f, dir);
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  GtkWidget *widget = GTK_WIDGET (pane);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, widget, 5000, "the original pane");
  CxrCtr ctr;
  g_assert_cmpuint (cxr_pane_content_get_ctr (f->window->content, &ctr), ==, 0);

  cxr_window_fixture_key (f, "t");
  g_assert_cmpint (cxr_ctr_tool_get_step (f->window->ctr_tool), ==, CXR_CTR_TOOL_HEART);
  drag_image (f, pane, 330, 560, 720, 570);
  g_assert_cmpint (cxr_ctr_tool_get_step (f->window->ctr_tool), ==, CXR_CTR_TOOL_THORAX);
  g_assert_cmpuint (cxr_pane_content_get_ctr (f->window->content, &ctr), ==, CXR_PANE_CTR_HEART);
  drag_image (f, pane, 130, 620, 900, 600);
  g_assert_cmpint (cxr_ctr_tool_get_step (f->window->ctr_tool), ==, CXR_CTR_TOOL_IDLE);
  g_assert_cmpuint (cxr_pane_content_get_ctr (f->window->content, &ctr), ==, CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX);

  /* The calipers follow the pointer to within a screen pixel (1 / scale image pixels), horizontally at the row
   * where each drag began. */
  double scale, ox, oy;
  cxr_view_state_get_transform (view_state (f), gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                                &scale, &ox, &oy);
  double tolerance = 1.5 / scale;
  g_assert_cmpfloat (fabs (ctr.heart.left - 330), <=, tolerance);
  g_assert_cmpfloat (fabs (ctr.heart.right - 720), <=, tolerance);
  g_assert_cmpfloat (fabs (ctr.heart.y - 560), <=, tolerance);
  g_assert_cmpfloat (fabs (ctr.thorax.left - 130), <=, tolerance);
  g_assert_cmpfloat (fabs (ctr.thorax.right - 900), <=, tolerance);
  g_assert_cmpfloat (fabs (ctr.thorax.y - 620), <=, tolerance);
  double ratio = cxr_ctr_ratio (&ctr);
  g_assert_cmpfloat (fabs (ratio - 390.0 / 770.0), <, 0.01);
  g_assert_true (cxr_ctr_flagged (&ctr));   /* 0.51 */

  /* Drawn: the heart caliper's red in the original pane, where the line runs. */
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (widget);
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, (int) round (ox + 525 * scale), (int) round (oy + ctr.heart.y * scale), rgb);
  g_assert_cmpint (rgb[0], >=, 200);
  g_assert_cmpint (rgb[1], <=, 150);
  cxr_ui_test_save (widget, "dicom-ctr");

  /* Saved in the sidecar, as its bytes show. */
  cxr_ui_test_wait_until (review_saved, f, 5000, "the review to be saved");
  g_autofree char *review_path = g_build_filename (dir, "cxrcam-review.json", NULL);
  g_assert_cmpstr (cxr_review_get_path (f->window->review), ==, review_path);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (review_path, &text, NULL, NULL));
  g_autoptr (GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  g_autofree char *flat = g_regex_replace (spaces, text, -1, 0, "", 0, NULL);
  g_autofree char *heart = caliper_json (&ctr.heart), *thorax = caliper_json (&ctr.thorax);
  CxrCtr stored = ctr;
  stored.heart = cxr_caliper_from_points (round (ctr.heart.left * 10) / 10, round (ctr.heart.y * 10) / 10,
                                          round (ctr.heart.right * 10) / 10);
  stored.thorax = cxr_caliper_from_points (round (ctr.thorax.left * 10) / 10, round (ctr.thorax.y * 10) / 10,
                                           round (ctr.thorax.right * 10) / 10);
  char ratio_text[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (ratio_text, sizeof ratio_text, "%.4f", cxr_ctr_ratio (&stored));
  g_autofree char *want = g_strdup_printf ("\"a.dcm\":{\"reviewed\":false,\"note\":\"\",\"who\":\"%s\",", g_get_user_name ());
  g_assert_nonnull (strstr (flat, want));
  g_autofree char *want_ctr = g_strdup_printf ("\"ctr\":{\"heart\":%s,\"thorax\":%s,\"ratio\":%s}", heart, thorax,
                                               ratio_text);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (flat, want_ctr));

  /* The window's export carries it in bb_results.csv's last column; b.dcm has none. */
  cxr_window_fixture_open_model (f);
  g_autofree char *out = g_dir_make_tmp ("cxrcam-ui-dicom-export-XXXXXX", NULL);
  _cxr_window_export_to (f->window, out);
  cxr_ui_test_wait_until (export_done, f, 120000, "the export");
  g_autofree char *csv_path = g_build_filename (out, "bb_results.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_suffix (lines[0], ",iou,iobb,ctr"));
  g_assert_true (g_str_has_prefix (lines[1], "a.dcm,"));
  g_autofree char *ratio_suffix = g_strconcat (",", ratio_text, NULL);
  g_assert_true (g_str_has_suffix (lines[1], ratio_suffix));
  g_assert_true (g_str_has_prefix (lines[2], "b.dcm,"));
  g_assert_true (g_str_has_suffix (lines[2], ","));

  /* The next image has none; the folder opened again shows a.dcm's. */
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (stored_shown, f, 20000, "the second DICOM image");
  g_assert_cmpuint (cxr_pane_content_get_ctr (f->window->content, NULL), ==, 0);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  open_folder (f, dir);
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "a.dcm");
  CxrCtr again;
  g_assert_cmpuint (cxr_pane_content_get_ctr (f->window->content, &again), ==, CXR_PANE_CTR_HEART | CXR_PANE_CTR_THORAX);
  g_assert_cmpfloat (again.heart.left, ==, stored.heart.left);
  g_assert_cmpfloat (again.heart.right, ==, stored.heart.right);
  g_assert_cmpfloat (again.thorax.left, ==, stored.thorax.left);
  g_assert_cmpfloat (again.thorax.right, ==, stored.thorax.right);
  g_assert_cmpfloat (again.thorax.y, ==, stored.thorax.y);
}

/* A number as the sidecar writes it: a tenth of a pixel, '.' whatever the locale. */
static char *
tenth_json (double v)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup (g_ascii_formatd (text, sizeof text, "%.1f", round (v * 10) / 10));
}

/* The lines as the sidecar stores them: "[[x0,y0,x1,y1],...]". */
static char *
lines_json (const GArray *lines)
{
  g_autoptr (GString) out = g_string_new ("[");
  for (guint i = 0; i < lines->len; i++)
    {
      const CxrMeasureLine *l = &g_array_index (lines, CxrMeasureLine, i);
      g_autofree char *x0 = tenth_json (l->x0), *y0 = tenth_json (l->y0);
      g_autofree char *x1 = tenth_json (l->x1), *y1 = tenth_json (l->y1);
      g_string_append_printf (out, "%s[%s,%s,%s,%s]", i > 0 ? "," : "", x0, y0, x1, y1);
    }
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The sidecar on disk, without white space, once the window has saved it. */
static char *
saved_review (Fixture *f, const char *dir)
{
  cxr_ui_test_wait_until (review_saved, f, 5000, "the review to be saved");
  g_autofree char *path = g_build_filename (dir, "cxrcam-review.json", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_test_message ("%s", text);
  g_autoptr (GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  return g_regex_replace (spaces, text, -1, 0, "", 0, NULL);
}

static const GArray *
shown_lines (Fixture *f, guint *selected)
{
  return cxr_pane_content_get_lines (f->window->content, selected);
}

/* A line's tag: its length in mm at the file's Pixel Spacing of 0.35 mm; checked against @want_mm, the length of
 * the line the drag was asked for, within what the pointer's whole screen pixels allow (@tolerance image pixels at
 * each end). */
static void
assert_line_text (Fixture *f, const CxrMeasureLine *line, double want_mm, double tolerance)
{
  g_autofree char *text = cxr_pane_measures_line_text (f->window->content, line);
  double mm = 0;
  g_assert_cmpint (sscanf (text, "%lf mm", &mm), ==, 1);
  g_autofree char *exact = g_strdup_printf ("%.1f mm", hypot (line->x1 - line->x0, line->y1 - line->y0) * 0.35);
  g_assert_cmpstr (text, ==, exact);
  g_assert_cmpfloat (fabs (mm - want_mm), <=, 2 * tolerance * 0.35 + 0.05);
}

/* The line tool with the real pointer and keyboard (issue 16, point 4): M arms it, two drags draw two lines with
 * their lengths in mm, Escape disarms it, a click selects a line and Delete deletes it, an end is dragged; every
 * change is in cxrcam-review.json (bytes checked) and the folder opened again shows the lines. Box tags give the
 * box's size in mm as well. */
static void
test_lines (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = make_dicom_folder ();
  if (dir == NULL)
    return;
  open_folder (f, dir);
  CxrPaneView *pane = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  GtkWidget *widget = GTK_WIDGET (pane);
  cxr_ui_test_wait_until (cxr_ui_test_widget_allocated, widget, 5000, "the original pane");
  guint selected;
  g_assert_cmpuint (shown_lines (f, &selected)->len, ==, 0);
  double scale, ox, oy;
  cxr_view_state_get_transform (view_state (f), gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                                &scale, &ox, &oy);
  double tolerance = 1.5 / scale;

  /* M, then a drag from (300, 400) to (540, 720): 240 by 320 image pixels, 400 px, 140.0 mm at 0.35 mm. */
  cxr_window_fixture_key (f, "m");
  g_assert_true (cxr_line_tool_get_armed (f->window->line_tool));
  g_assert_cmpstr (gtk_label_get_label (pointer_label (f)), ==,
                   "Length: drag from one end to the other (Escape or M ends)");
  drag_image (f, pane, 300, 400, 540, 720);
  const GArray *lines = shown_lines (f, &selected);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpuint (selected, ==, 0);   /* the new line is the selected one */
  const CxrMeasureLine *first = &g_array_index (lines, CxrMeasureLine, 0);
  g_assert_cmpfloat (fabs (first->x0 - 300), <=, tolerance);
  g_assert_cmpfloat (fabs (first->y0 - 400), <=, tolerance);
  g_assert_cmpfloat (fabs (first->x1 - 540), <=, tolerance);
  g_assert_cmpfloat (fabs (first->y1 - 720), <=, tolerance);
  assert_line_text (f, first, 140.0, tolerance);

  /* Still armed: a second line, vertical, 300 px = 105.0 mm. */
  g_assert_true (cxr_line_tool_get_armed (f->window->line_tool));
  drag_image (f, pane, 700, 200, 700, 500);
  lines = shown_lines (f, &selected);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpuint (selected, ==, 1);
  assert_line_text (f, &g_array_index (lines, CxrMeasureLine, 1), 105.0, tolerance);
  first = &g_array_index (lines, CxrMeasureLine, 0);
  const CxrMeasureLine first_line = *first;   /* the content's array is rewritten as the selection changes */

  /* Drawn: the line's magenta where the first line's middle is, on the image. */
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (widget);
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, (int) floor (ox + (first->x0 + first->x1) / 2 * scale),
                     (int) floor (oy + (first->y0 + first->y1) / 2 * scale), rgb);
  g_test_message ("line pixel %u %u %u", rgb[0], rgb[1], rgb[2]);
  g_assert_cmpint (rgb[0], >=, 180);
  g_assert_cmpint (rgb[1], <=, 170);
  g_assert_cmpint (rgb[2], >=, 180);
  cxr_ui_test_save (widget, "dicom-lines");

  /* In the sidecar, to a tenth of a pixel, in the order drawn. */
  g_autofree char *flat = saved_review (f, dir);
  g_autofree char *want = lines_json (lines);
  g_autofree char *member = g_strdup_printf ("\"lines\":%s", want);
  g_assert_nonnull (strstr (flat, member));

  /* Escape disarms: a drag pans again and draws nothing. */
  cxr_window_fixture_key (f, "Escape");
  g_assert_false (cxr_line_tool_get_armed (f->window->line_tool));
  g_assert_null (strstr (gtk_label_get_label (pointer_label (f)), "Length:"));
  drag_image (f, pane, 100, 900, 200, 950);
  g_assert_cmpuint (shown_lines (f, &selected)->len, ==, 2);
  cxr_window_fixture_key (f, "0");   /* fit again after the pan */
  cxr_ui_test_spin (100);

  /* A click on the first line's middle selects it; Delete deletes it, and the sidecar follows. */
  double wx, wy;
  cxr_pane_view_image_to_widget (pane, (first_line.x0 + first_line.x1) / 2, (first_line.y0 + first_line.y1) / 2,
                                 &wx, &wy);
  cxr_window_fixture_click (f, widget, wx, wy);
  cxr_ui_test_spin (100);
  shown_lines (f, &selected);
  g_assert_cmpuint (selected, ==, 0);
  cxr_window_fixture_key (f, "Delete");
  lines = shown_lines (f, &selected);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpuint (selected, ==, G_MAXUINT);
  CxrMeasureLine vertical = g_array_index (lines, CxrMeasureLine, 0);
  g_assert_cmpfloat (fabs (vertical.x0 - 700), <=, tolerance);
  g_autofree char *after_delete = saved_review (f, dir);
  g_autofree char *want_one = lines_json (lines);
  g_autofree char *member_one = g_strdup_printf ("\"lines\":%s", want_one);
  g_assert_nonnull (strstr (after_delete, member_one));

  /* Its lower end dragged 60 pixels down (not armed: the end's handle is grabbed): 360 px, 126.0 mm. */
  drag_image (f, pane, vertical.x1, vertical.y1, vertical.x1, vertical.y1 + 60);
  lines = shown_lines (f, &selected);
  g_assert_cmpuint (lines->len, ==, 1);
  CxrMeasureLine moved = g_array_index (lines, CxrMeasureLine, 0);
  g_assert_cmpfloat (moved.x0, ==, vertical.x0);
  g_assert_cmpfloat (moved.y0, ==, vertical.y0);
  g_assert_cmpfloat (fabs (moved.y1 - 560), <=, 2 * tolerance);
  assert_line_text (f, &moved, 126.0, 2 * tolerance);
  g_autofree char *after_move = saved_review (f, dir);
  g_autofree char *want_moved = lines_json (lines);
  g_autofree char *member_moved = g_strdup_printf ("\"lines\":%s", want_moved);
  g_assert_nonnull (strstr (after_move, member_moved));

  /* Box tags carry the size in mm where the image has a spacing: 100 x 200 pixels at 0.35 mm. */
  CxrPaneBox box = { .x = 10, .y = 20, .w = 100, .h = 200, .label = "Cardiomegaly" };
  g_autofree char *box_text = cxr_pane_measures_box_text (f->window->content, &box);
  g_assert_cmpstr (box_text, ==, "Cardiomegaly · 35.0 × 70.0 mm");

  /* The next image has none; the folder opened again shows a.dcm's line as stored. */
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (stored_shown, f, 20000, "the second DICOM image");
  g_assert_cmpuint (shown_lines (f, NULL)->len, ==, 0);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = cxr_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
  open_folder (f, dir);
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "a.dcm");
  lines = shown_lines (f, &selected);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpuint (selected, ==, G_MAXUINT);
  CxrMeasureLine stored = cxr_measure_line_rounded (&moved);
  const CxrMeasureLine *again = &g_array_index (lines, CxrMeasureLine, 0);
  g_assert_cmpfloat (again->x0, ==, stored.x0);
  g_assert_cmpfloat (again->y0, ==, stored.y0);
  g_assert_cmpfloat (again->x1, ==, stored.x1);
  g_assert_cmpfloat (again->y1, ==, stored.y1);
}

static const char *
sidebar_label (Fixture *f, const char *name)
{
  return gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window->cam_controls),
                                                                        CXR_TYPE_CAM_CONTROLS, name)));
}

typedef struct {
  Fixture *f;
  guint rows;
} RowsWanted;

static gboolean
list_has_rows (gpointer data)
{
  RowsWanted *wanted = data;
  return g_list_model_get_n_items (G_LIST_MODEL (wanted->f->window->list_model)) == wanted->rows;
}

/* Waits for the list to hold @rows rows (the search entry waits a moment after the last key), then a little more,
 * so that a count passed on the way is not taken for the answer. */
static void
search_until (Fixture *f, guint rows, const char *what)
{
  RowsWanted wanted = { f, rows };
  cxr_ui_test_spin (400);
  cxr_ui_test_wait_until (list_has_rows, &wanted, 5000, what);
}

/* Privacy (issue 16, point 5): the file's patient name, ID and birth date appear only when asked for; the list and
 * the sidebar can show hashed names instead of the file names. */
static void
test_privacy (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = make_dicom_folder ();
  if (dir == NULL)
    return;
  open_folder (f, dir);
  g_assert_null (strstr (sidebar_label (f, "image_details_label"), "Test^Patient"));
  g_assert_null (strstr (sidebar_label (f, "image_details_label"), "NIH-TEST"));
  g_assert_null (strstr (sidebar_label (f, "image_details_label"), "19700101"));

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-patient-data", NULL);
  cxr_ui_test_spin (50);
  g_assert_nonnull (strstr (sidebar_label (f, "image_details_label"), "Name Test^Patient · ID NIH-TEST · born 19700101"));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-patient-data", NULL);
  cxr_ui_test_spin (50);
  g_assert_null (strstr (sidebar_label (f, "image_details_label"), "Test^Patient"));

  /* Anonymised: "Image " and the first eight hex digits of SHA-256 of the file name, in the list and the sidebar. */
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "a.dcm", -1);
  g_autofree char *anonymous = g_strdup_printf ("Image %.8s", hash);
  g_autoptr (CxrImageItem) item = g_list_model_get_item (G_LIST_MODEL (f->window->list_model), 0);
  g_assert_cmpstr (cxr_image_item_get_display_name (item), ==, "a.dcm");
  g_assert_cmpstr (sidebar_label (f, "image_name_label"), ==, "a.dcm");
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "anonymise-list", NULL);
  cxr_ui_test_spin (50);
  g_assert_cmpstr (cxr_image_item_get_display_name (item), ==, anonymous);
  g_assert_cmpstr (sidebar_label (f, "image_name_label"), ==, anonymous);
  /* The next image and rows made later are anonymous too. */
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (stored_shown, f, 20000, "the second DICOM image");
  g_autofree char *hash_b = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "b.dcm", -1);
  g_autofree char *anonymous_b = g_strdup_printf ("Image %.8s", hash_b);
  g_assert_cmpstr (sidebar_label (f, "image_name_label"), ==, anonymous_b);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "anonymise-list", NULL);
  cxr_ui_test_spin (50);
  g_assert_cmpstr (cxr_image_item_get_display_name (item), ==, "a.dcm");
  g_assert_cmpstr (sidebar_label (f, "image_name_label"), ==, "b.dcm");

  /* The search matches what the list shows: while it is anonymised, a real file name (which a PACS export may make
   * from the patient's name) finds nothing, and the shown hash name finds its row. Typed, as a person would. */
  cxr_window_fixture_key (f, "ctrl+f");
  cxr_window_fixture_type (f, "a.dcm");
  search_until (f, 1, "the file name while the list shows it");
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "anonymise-list", NULL);
  search_until (f, 0, "nothing for the hidden file name");
  cxr_window_fixture_key (f, "ctrl+a");
  cxr_window_fixture_type (f, anonymous);
  search_until (f, 1, "the shown hash name");
  g_autoptr (CxrImageItem) found = g_list_model_get_item (G_LIST_MODEL (f->window->list_model), 0);
  g_assert_cmpstr (cxr_image_item_get_display_name (found), ==, anonymous);
  g_assert_cmpuint (cxr_image_list_model_get_entry (f->window->list_model, 0), ==, 0);   /* a.dcm */
  cxr_window_fixture_key (f, "ctrl+a");
  cxr_window_fixture_type (f, "b.d");
  search_until (f, 0, "nothing for part of a hidden file name");
  cxr_window_fixture_key (f, "ctrl+a");
  cxr_window_fixture_type (f, "image");
  search_until (f, 2, "every row for the word every shown name has");
  /* Shown again, the names are searched again. */
  cxr_window_fixture_key (f, "ctrl+a");
  cxr_window_fixture_type (f, anonymous);
  search_until (f, 1, "the shown hash name");
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "anonymise-list", NULL);
  search_until (f, 0, "nothing for a hash name no longer shown");
}

static gboolean
thumbnails_shown (gpointer data)
{
  Fixture *f = data;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (CxrImageItem) item = g_list_model_get_item (G_LIST_MODEL (f->window->list_model), i);
      if (item == NULL || cxr_image_item_get_thumbnail (item) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* The list's rows show the radiographs (the thumbnailer decodes DICOM through the decoder process, at the file's
 * first window, MONOCHROME1 inverted), not the rows' black placeholder: docs/cxrcam-dicom-ctr.png once showed
 * that placeholder, saved before the thumbnail came. */
static void
test_thumbnails (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = make_dicom_folder ();
  if (dir == NULL)
    return;
  open_folder (f, dir);
  cxr_ui_test_wait_until (thumbnails_shown, f, 60000, "the rows' thumbnails");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (CxrImageItem) item = g_list_model_get_item (G_LIST_MODEL (f->window->list_model), i);
      GdkTexture *texture = GDK_TEXTURE (cxr_image_item_get_thumbnail (item));
      int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
      g_assert_cmpint (w, ==, (int) cxr_thumbnailer_get_size (f->window->thumbnailer));   /* square radiographs */
      g_assert_cmpint (h, ==, w);
      g_autofree guint8 *pixels = g_malloc ((gsize) w * h * 4);
      gdk_texture_download (texture, pixels, (gsize) w * 4);
      double sum = 0, squares = 0;
      for (int p = 0; p < w * h; p++)
        {
          /* Cairo's ARGB32 in memory order B, G, R, A: gray in every channel, opaque. */
          g_assert_cmpuint (pixels[4 * p], ==, pixels[4 * p + 1]);
          g_assert_cmpuint (pixels[4 * p], ==, pixels[4 * p + 2]);
          g_assert_cmpuint (pixels[4 * p + 3], ==, 255);
          sum += pixels[4 * p];
          squares += (double) pixels[4 * p] * pixels[4 * p];
        }
      double mean = sum / (w * h), sd = sqrt (squares / (w * h) - mean * mean);
      g_test_message ("row %u thumbnail: mean %.1f, standard deviation %.1f", i, mean, sd);
      g_assert_cmpfloat (mean, >, 40);
      g_assert_cmpfloat (mean, <, 215);
      g_assert_cmpfloat (sd, >, 30);
    }
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  app = cxr_window_fixture_init_app ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, cxr_window_fixture_set_up, func, cxr_window_fixture_tear_down)
  ADD ("/ui/dicom/window-and-readout", test_window_and_readout);
  ADD ("/ui/dicom/ctr", test_ctr);
  ADD ("/ui/dicom/lines", test_lines);
  ADD ("/ui/dicom/privacy", test_privacy);
  ADD ("/ui/dicom/thumbnails", test_thumbnails);

  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
