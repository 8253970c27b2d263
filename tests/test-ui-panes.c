/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The panes without a window around a dataset: view-state arithmetic, colormaps, and what a pane draws, checked
 * on rendered pixels (box where it is asked for, window/level and invert, the mask darkening the outside). */
#include <adwaita.h>
#include <math.h>

#include "cxr-colormap.h"
#include "cxr-overlay-textures.h"
#include "cxr-pane-view.h"
#include "cxr-sweep-plot.h"
#include "cxr-ui-test-util.h"
#include "cxr-view-state.h"

/* ---- view state ------------------------------------------------------------ */

static void
test_view_state_fit (void)
{
  g_autoptr (CxrViewState) state = cxr_view_state_new ();
  double scale, ox, oy;

  cxr_view_state_set_image_size (state, 1024, 512);
  g_assert_true (cxr_view_state_get_fit (state));
  /* A 400 x 400 pane fits 1024 x 512 at 400/1024, centred vertically. */
  cxr_view_state_get_transform (state, 400, 400, &scale, &ox, &oy);
  g_assert_cmpfloat_with_epsilon (scale, 400.0 / 1024.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (ox, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (oy, 100.0, 1e-9);
}

static void
test_view_state_zoom_keeps_anchor (void)
{
  g_autoptr (CxrViewState) state = cxr_view_state_new ();
  double scale, ox, oy;

  cxr_view_state_set_image_size (state, 1000, 1000);
  cxr_view_state_get_transform (state, 500, 500, &scale, &ox, &oy);
  double image_x = (123.0 - ox) / scale, image_y = (321.0 - oy) / scale;

  for (int step = 0; step < 5; step++)
    {
      cxr_view_state_zoom_at (state, 1.25, 123.0, 321.0, 500, 500);
      cxr_view_state_get_transform (state, 500, 500, &scale, &ox, &oy);
      /* The image point under the pointer stays under it. */
      g_assert_cmpfloat_with_epsilon (ox + image_x * scale, 123.0, 1e-6);
      g_assert_cmpfloat_with_epsilon (oy + image_y * scale, 321.0, 1e-6);
    }
  g_assert_false (cxr_view_state_get_fit (state));
  g_assert_cmpfloat_with_epsilon (scale, 0.5 * pow (1.25, 5), 1e-9);

  /* Panning moves the image with the pointer, one for one. */
  double before_x = ox, before_y = oy;
  cxr_view_state_pan (state, 10, -20, 500, 500);
  cxr_view_state_get_transform (state, 500, 500, &scale, &ox, &oy);
  g_assert_cmpfloat_with_epsilon (ox - before_x, 10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (oy - before_y, -20.0, 1e-9);

  cxr_view_state_fit (state);
  g_assert_true (cxr_view_state_get_fit (state));
}

static void
test_view_state_gray_map (void)
{
  g_autoptr (CxrViewState) state = cxr_view_state_new ();
  float slope, offset;

  cxr_view_state_get_gray_map (state, &slope, &offset);
  g_assert_cmpfloat_with_epsilon (slope, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (offset, 0.0, 1e-6);

  /* Window 100 around level 50: gray 0 is black, gray 100 is white. */
  cxr_view_state_set_window_center (state, 50);
  cxr_view_state_set_window_width (state, 100);
  cxr_view_state_get_gray_map (state, &slope, &offset);
  g_assert_cmpfloat_with_epsilon (slope * 0.0f + offset, 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (slope * (100.0f / 255.0f) + offset, 1.0, 1e-6);

  cxr_view_state_set_invert (state, TRUE);
  cxr_view_state_get_gray_map (state, &slope, &offset);
  g_assert_cmpfloat_with_epsilon (slope * 0.0f + offset, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (slope * (100.0f / 255.0f) + offset, 0.0, 1e-6);

  cxr_view_state_reset_window (state);
  g_assert_false (cxr_view_state_get_invert (state));
  g_assert_cmpfloat (cxr_view_state_get_window_width (state), ==, 255.0);
}

static void
test_colormaps (void)
{
  guint8 lut[768];

  /* Jet as OpenCV has it: dark blue, cyan-green in the middle, dark red. */
  cxr_colormap_fill_lut (CXR_COLORMAP_JET, lut);
  g_assert_cmpuint (lut[0], ==, 0);
  g_assert_cmpuint (lut[1], ==, 0);
  g_assert_cmpuint (lut[2], ==, 128);
  g_assert_cmpuint (lut[255 * 3 + 0], ==, 128);
  g_assert_cmpuint (lut[255 * 3 + 2], ==, 0);
  g_assert_cmpuint (lut[128 * 3 + 1], ==, 255);

  cxr_colormap_fill_lut (CXR_COLORMAP_VIRIDIS, lut);
  g_assert_cmpuint (lut[0], ==, 0x44);
  g_assert_cmpuint (lut[255 * 3 + 1], ==, 0xe7);
  for (CxrColormap c = 0; c < CXR_N_COLORMAPS; c++)
    g_assert_cmpint (cxr_colormap_from_id (cxr_colormap_get_id (c)), ==, c);
}

/* ---- a pane on screen ---------------------------------------------------------- */

typedef struct {
  GtkWindow *window;
  CxrPaneView *pane;
  CxrPaneContent *content;
  CxrViewState *state;
  guint8 *gray;
} PaneFixture;

static gboolean
pane_allocated (gpointer data)
{
  PaneFixture *f = data;
  return gtk_widget_get_mapped (GTK_WIDGET (f->pane)) && gtk_widget_get_width (GTK_WIDGET (f->pane)) == 400;
}

static void
pane_fixture_set_up (PaneFixture *f, gconstpointer kind)
{
  int size = CXR_UI_TEST_IMAGE_SIZE;
  f->gray = g_malloc ((gsize) size * size);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      f->gray[y * size + x] = cxr_ui_test_image_value (0, x, y);
  g_autoptr (CxrPyramid) image = cxr_gray_pyramid_new (f->gray, size, size);
  g_autoptr (GBytes) bytes = g_bytes_new (f->gray, (gsize) size * size);

  f->content = cxr_pane_content_new ();
  cxr_pane_content_set_image (f->content, image, bytes, size, size);
  f->state = cxr_view_state_new ();
  cxr_view_state_set_image_size (f->state, size, size);

  f->pane = CXR_PANE_VIEW (cxr_pane_view_new (GPOINTER_TO_INT (kind)));
  cxr_pane_view_set_content (f->pane, f->content);
  cxr_pane_view_set_view_state (f->pane, f->state);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (f->window, FALSE);
  gtk_window_set_default_size (f->window, 400, 400);
  gtk_window_set_child (f->window, GTK_WIDGET (f->pane));
  gtk_window_present (f->window);
  cxr_ui_test_wait_until (pane_allocated, f, 5000, "the pane to be shown at 400 x 400");
}

static void
pane_fixture_tear_down (PaneFixture *f, gconstpointer kind)
{
  cxr_ui_test_destroy_window (f->window);
  g_object_unref (f->content);
  g_object_unref (f->state);
  g_free (f->gray);
}

static gboolean
is_yellow (const guint8 rgb[3])
{
  return rgb[0] > 200 && rgb[1] > 170 && rgb[2] < 80;
}

static void
test_pane_draws_box_where_asked (PaneFixture *f, gconstpointer kind)
{
  CxrPaneBox box = { CXR_UI_TEST_BOX_X, CXR_UI_TEST_BOX_Y, CXR_UI_TEST_BOX_W, CXR_UI_TEST_BOX_H, 1, "" };
  g_autoptr (GArray) boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  g_array_append_val (boxes, box);
  cxr_pane_content_set_gt_boxes (f->content, boxes);

  double left, top, right, bottom;
  cxr_pane_view_image_to_widget (f->pane, box.x, box.y, &left, &top);
  cxr_pane_view_image_to_widget (f->pane, box.x + box.w, box.y + box.h, &right, &bottom);
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (f->pane));
  guint8 rgb[3];
  int mid_y = (int) ((top + bottom) / 2), mid_x = (int) ((left + right) / 2);

  /* The line runs just outside each edge. */
  cxr_ui_test_pixel (pixels, (int) floor (left) - 1, mid_y, rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, (int) ceil (right), mid_y, rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, mid_x, (int) floor (top) - 1, rgb);
  g_assert_true (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, mid_x, (int) ceil (bottom), rgb);
  g_assert_true (is_yellow (rgb));
  /* Inside and well outside, the image shows. */
  cxr_ui_test_pixel (pixels, mid_x, mid_y, rgb);
  g_assert_false (is_yellow (rgb));
  cxr_ui_test_pixel (pixels, (int) floor (left) - 12, mid_y, rgb);
  g_assert_false (is_yellow (rgb));

  /* Zoomed in, the box follows the image. */
  cxr_view_state_zoom_at (f->state, 2.0, 100, 100, 400, 400);
  cxr_pane_view_image_to_widget (f->pane, box.x, box.y + box.h / 2, &left, &top);
  g_autoptr (CxrUiTestPixels) zoomed = cxr_ui_test_render (GTK_WIDGET (f->pane));
  cxr_ui_test_pixel (zoomed, (int) floor (left) - 1, (int) top, rgb);
  g_assert_true (is_yellow (rgb));
}

static gboolean
is_cyan (const guint8 rgb[3])
{
  return rgb[0] < 80 && rgb[1] > 170 && rgb[2] > 200;
}

typedef struct {
  int x0, y0, x1, y1;   /* inclusive; x0 > x1 while empty */
} PixelBounds;

static void
bounds_add (PixelBounds *b, int x, int y)
{
  if (b->x0 > b->x1)
    *b = (PixelBounds) { x, y, x, y };
  b->x0 = MIN (b->x0, x);
  b->y0 = MIN (b->y0, y);
  b->x1 = MAX (b->x1, x);
  b->y1 = MAX (b->y1, y);
}

static gboolean
near_outline (CxrPaneView *pane, const CxrPaneBox *box, int x, int y)
{
  double left, top, right, bottom;
  cxr_pane_view_image_to_widget (pane, box->x, box->y, &left, &top);
  cxr_pane_view_image_to_widget (pane, box->x + box->w, box->y + box->h, &right, &bottom);
  gboolean within_x = x >= left - 5 && x <= right + 5, within_y = y >= top - 5 && y <= bottom + 5;
  return (within_y && (fabs (x - left) <= 5 || fabs (x - right) <= 5))
         || (within_x && (fabs (y - top) <= 5 || fabs (y - bottom) <= 5));
}

/* A ground-truth box and a predicted box that share their top-left corner, as they often do: each tag's text
 * (yellow, cyan; the box outlines left out) is found in the rendered pane, and the two do not overlap. Both tags
 * once sat on the same corner, the cyan text over the yellow. */
static void
test_pane_tags_apart (PaneFixture *f, gconstpointer kind)
{
  CxrPaneBox truth = { 60, 70, 90, 60, 1, "Cardiomegaly" };
  CxrPaneBox predicted = { 60, 70, 110, 80, 0, "Cardiomegaly 0.87" };
  g_autoptr (GArray) truth_boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  g_array_append_val (truth_boxes, truth);
  g_autoptr (GArray) predicted_boxes = g_array_new (FALSE, FALSE, sizeof (CxrPaneBox));
  g_array_append_val (predicted_boxes, predicted);
  cxr_pane_content_set_gt_boxes (f->content, truth_boxes);
  cxr_pane_content_set_predicted_boxes (f->content, predicted_boxes);

  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (f->pane));
  PixelBounds yellow = { 1, 1, 0, 0 }, cyan = { 1, 1, 0, 0 };
  for (int y = 0; y < 400; y++)
    for (int x = 0; x < 400; x++)
      {
        if (near_outline (f->pane, &truth, x, y) || near_outline (f->pane, &predicted, x, y))
          continue;
        guint8 rgb[3];
        cxr_ui_test_pixel (pixels, x, y, rgb);
        if (is_yellow (rgb))
          bounds_add (&yellow, x, y);
        else if (is_cyan (rgb))
          bounds_add (&cyan, x, y);
      }
  g_test_message ("yellow text %d,%d-%d,%d; cyan text %d,%d-%d,%d", yellow.x0, yellow.y0, yellow.x1, yellow.y1,
                  cyan.x0, cyan.y0, cyan.x1, cyan.y1);
  cxr_ui_test_save (GTK_WIDGET (f->pane), "pane-tags-apart");
  /* Both tags are there, each a line of text (a few pixels tall, tens wide). */
  g_assert_cmpint (yellow.x1 - yellow.x0, >, 30);
  g_assert_cmpint (cyan.x1 - cyan.x0, >, 30);
  g_assert_cmpint (yellow.y1 - yellow.y0, <, 30);
  g_assert_cmpint (cyan.y1 - cyan.y0, <, 30);
  gboolean overlap = yellow.x0 <= cyan.x1 && cyan.x0 <= yellow.x1 && yellow.y0 <= cyan.y1 && cyan.y0 <= yellow.y1;
  g_assert_false (overlap);
}

static void
test_pane_window_level_and_invert (PaneFixture *f, gconstpointer kind)
{
  double x, y;
  guint8 rgb[3];
  /* Image pixel (100, 50) has gray (100 + 100) / 4 = 50. */
  cxr_pane_view_image_to_widget (f->pane, 100.5, 50.5, &x, &y);
  g_assert_cmpuint (cxr_ui_test_image_value (0, 100, 50), ==, 50);

  g_autoptr (CxrUiTestPixels) plain = cxr_ui_test_render (GTK_WIDGET (f->pane));
  cxr_ui_test_pixel (plain, (int) x, (int) y, rgb);
  g_assert_cmpint (abs (rgb[0] - 50), <=, 3);

  /* Window 100 at level 50 maps gray 50 to mid-gray. */
  cxr_view_state_set_window_center (f->state, 50);
  cxr_view_state_set_window_width (f->state, 100);
  g_autoptr (CxrUiTestPixels) windowed = cxr_ui_test_render (GTK_WIDGET (f->pane));
  cxr_ui_test_pixel (windowed, (int) x, (int) y, rgb);
  g_assert_cmpint (abs (rgb[0] - 128), <=, 4);

  /* Inverted, with the full window: 255 - 50. */
  cxr_view_state_reset_window (f->state);
  cxr_view_state_set_invert (f->state, TRUE);
  g_autoptr (CxrUiTestPixels) inverted = cxr_ui_test_render (GTK_WIDGET (f->pane));
  cxr_ui_test_pixel (inverted, (int) x, (int) y, rgb);
  g_assert_cmpint (abs (rgb[0] - 205), <=, 3);
}

static void
test_pane_mask_darkens_outside (PaneFixture *f, gconstpointer kind)
{
  int size = CXR_UI_TEST_IMAGE_SIZE;
  g_autofree guint8 *mask = g_malloc0 ((gsize) size * size);
  /* The left half is in the mask. */
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size / 2; x++)
      mask[y * size + x] = 1;
  g_autoptr (CxrPyramid) pyramid = cxr_mask_pyramid_new (mask, size, size, 1.0);
  cxr_pane_content_set_mask (f->content, pyramid);

  double left_x, right_x, y;
  cxr_pane_view_image_to_widget (f->pane, 64.5, 200.5, &left_x, &y);
  cxr_pane_view_image_to_widget (f->pane, 192.5, 200.5, &right_x, &y);
  g_autoptr (CxrUiTestPixels) pixels = cxr_ui_test_render (GTK_WIDGET (f->pane));
  guint8 rgb[3];
  cxr_ui_test_pixel (pixels, (int) left_x, (int) y, rgb);
  g_assert_cmpint (abs (rgb[0] - cxr_ui_test_image_value (0, 64, 200)), <=, 3);
  cxr_ui_test_pixel (pixels, (int) right_x, (int) y, rgb);
  g_assert_cmpint (rgb[0], <=, 3);

  /* Zoomed out, the pane draws the half-resolution level of each pyramid: the same picture. */
  cxr_view_state_set_zoom (f->state, 0.4, 400, 400);
  cxr_pane_view_image_to_widget (f->pane, 40.5, 200.5, &left_x, &y);
  cxr_pane_view_image_to_widget (f->pane, 216.5, 200.5, &right_x, &y);
  g_autoptr (CxrUiTestPixels) small = cxr_ui_test_render (GTK_WIDGET (f->pane));
  cxr_ui_test_pixel (small, (int) left_x, (int) y, rgb);
  g_assert_cmpint (abs (rgb[0] - cxr_ui_test_image_value (0, 40, 200)), <=, 4);
  cxr_ui_test_pixel (small, (int) right_x, (int) y, rgb);
  g_assert_cmpint (rgb[0], <=, 3);
}

static void
test_sweep_plot_picks_nearest (void)
{
  GtkWidget *plot = cxr_sweep_plot_new ();
  g_object_ref_sink (plot);
  const double thresholds[] = { 0.1, 0.5, 0.9 };
  const double values[] = { 0.2, 0.6, NAN };
  cxr_sweep_plot_set_data (CXR_SWEEP_PLOT (plot), thresholds, values, 3);
  g_assert_cmpuint (cxr_sweep_plot_get_n_points (CXR_SWEEP_PLOT (plot)), ==, 3);
  /* Unallocated, the plot area is one pixel wide at x = 44: everything is nearest the first point's x. */
  g_assert_cmpfloat (cxr_sweep_plot_threshold_at (CXR_SWEEP_PLOT (plot), 0), ==, 0.1);
  g_object_unref (plot);
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui/view-state/fit", test_view_state_fit);
  g_test_add_func ("/ui/view-state/zoom-keeps-anchor", test_view_state_zoom_keeps_anchor);
  g_test_add_func ("/ui/view-state/gray-map", test_view_state_gray_map);
  g_test_add_func ("/ui/colormaps", test_colormaps);
  g_test_add_func ("/ui/sweep-plot/nearest", test_sweep_plot_picks_nearest);
  g_test_add ("/ui/pane/box-where-asked", PaneFixture, GINT_TO_POINTER (CXR_PANE_GROUND_TRUTH),
              pane_fixture_set_up, test_pane_draws_box_where_asked, pane_fixture_tear_down);
  g_test_add ("/ui/pane/tags-apart", PaneFixture, GINT_TO_POINTER (CXR_PANE_GROUND_TRUTH),
              pane_fixture_set_up, test_pane_tags_apart, pane_fixture_tear_down);
  g_test_add ("/ui/pane/window-level-invert", PaneFixture, GINT_TO_POINTER (CXR_PANE_ORIGINAL),
              pane_fixture_set_up, test_pane_window_level_and_invert, pane_fixture_tear_down);
  g_test_add ("/ui/pane/mask", PaneFixture, GINT_TO_POINTER (CXR_PANE_MASK),
              pane_fixture_set_up, test_pane_mask_darkens_outside, pane_fixture_tear_down);
  return g_test_run ();
}
