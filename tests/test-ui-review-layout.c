/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Room for the image (issue 10): the layouts, the keys that pick them, the sidebars that fold away, a layout for
 * each window size. */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static double
pane_area (Fixture *f, CxrPaneKind kind)
{
  GtkWidget *pane = GTK_WIDGET (cxr_compare_view_get_pane (f->window->compare_view, kind));
  return gtk_widget_get_mapped (pane) ? (double) gtk_widget_get_width (pane) * gtk_widget_get_height (pane) : 0.0;
}

static void
settle_layout (void)
{
  /* The layout follows the allocation from an idle; give it a few frames. */
  cxr_ui_test_spin (300);
}

typedef struct {
  Fixture *f;
  int width;
} SizeWait;

static gboolean
width_reached (gpointer data)
{
  SizeWait *wait = data;
  return abs (gtk_widget_get_width (GTK_WIDGET (wait->f->window)) - wait->width) <= 20;
}

static void
resize (Fixture *f, int width, int height)
{
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  /* The X server and the compositor-less Xvfb answer when they answer: a loaded machine takes more than a few
   * frames. Wait for the width, then for the layout that follows it. */
  SizeWait wait = { f, width };
  cxr_ui_test_wait_until (width_reached, &wait, 10000, "the window to take its new width");
  settle_layout ();
}

static CxrCompareLayout
layout (Fixture *f)
{
  return cxr_compare_view_get_layout (f->window->compare_view);
}

/* Keys 1-4 show one view large, Ctrl+L cycles the layouts, F9 and Shift+F9 fold the sidebars away, and each window size
 * keeps its own layout. The panes stay the same widgets throughout. */
static void
test_layouts_and_sidebars (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  CxrPaneView *mask = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_MASK);
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_GRID);
  double grid_area = pane_area (f, CXR_PANE_ORIGINAL);
  g_assert_cmpfloat (grid_area, >, 0);
  cxr_ui_test_save (GTK_WIDGET (f->window), "layout-grid");

  cxr_window_fixture_key (f, "3");
  settle_layout ();
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_SINGLE);
  g_assert_true (cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_MASK) == mask);
  g_assert_cmpfloat (pane_area (f, CXR_PANE_ORIGINAL), ==, 0);
  g_assert_cmpfloat (pane_area (f, CXR_PANE_MASK), >, 3.0 * grid_area);
  cxr_ui_test_save (GTK_WIDGET (f->window), "layout-single");
  cxr_window_fixture_key (f, "1");
  settle_layout ();
  g_assert_cmpfloat (pane_area (f, CXR_PANE_MASK), ==, 0);
  g_assert_cmpfloat (pane_area (f, CXR_PANE_ORIGINAL), >, 3.0 * grid_area);

  /* Ctrl+L: single -> grid -> row. In a row the four panes sit side by side, as tall as each other. */
  cxr_window_fixture_key (f, "ctrl+l");
  settle_layout ();
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_GRID);
  cxr_window_fixture_key (f, "ctrl+l");
  settle_layout ();
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_ROW);
  graphene_point_t first, last;
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (cxr_compare_view_get_pane (f->window->compare_view,
                                                                                  CXR_PANE_ORIGINAL)),
                                           GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (0, 0), &first));
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (cxr_compare_view_get_pane (f->window->compare_view,
                                                                                  CXR_PANE_HEATMAP)),
                                           GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (0, 0), &last));
  g_assert_cmpfloat (first.y, ==, last.y);
  g_assert_cmpfloat (last.x, >, first.x);

  /* F9 folds the list away, and the panes get its room; Shift+F9 the controls. */
  int compare_width = gtk_widget_get_width (GTK_WIDGET (f->window->compare_view));
  cxr_window_fixture_key (f, "F9");
  settle_layout ();
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (f->window->image_list)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->compare_view)), >, compare_width + 200);
  /* D still moves through the images with the list folded away, and Space still marks them. */
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the next image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000002_000.png");
  cxr_window_fixture_key (f, "shift+F9");
  cxr_ui_test_spin (600);   /* the revealer slides */
  g_assert_false (gtk_revealer_get_child_revealed (f->window->controls_revealer));
  cxr_ui_test_save (GTK_WIDGET (f->window), "layout-no-sidebars");
  cxr_window_fixture_key (f, "F9");
  cxr_window_fixture_key (f, "shift+F9");
  cxr_ui_test_spin (600);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->image_list)));
  g_assert_true (gtk_revealer_get_child_revealed (f->window->controls_revealer));
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_assert_true (g_settings_get_boolean (settings, "show-list"));

  /* Each window size keeps its layout: row at this (medium) size; a small window opens with one large pane. */
  resize (f, 1024, 768);
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_SINGLE);
  cxr_ui_test_save (GTK_WIDGET (f->window), "layout-small");
  cxr_window_fixture_key (f, "ctrl+l");   /* single -> grid, at the small size */
  settle_layout ();
  resize (f, 1400, 900);
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_ROW);
  resize (f, 1024, 768);
  g_assert_cmpint (layout (f), ==, CXR_COMPARE_LAYOUT_GRID);

  /* F11 is the fullscreen key (Xvfb has no window manager to honour it, so only the binding is checked). */
  g_auto (GStrv) accels = gtk_application_get_accels_for_action (gtk_window_get_application (GTK_WINDOW (f->window)),
                                                                 "win.fullscreen");
  g_assert_cmpstr (accels[0], ==, "F11");
}


int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

  g_test_add ("/ui/review/layouts-and-sidebars", Fixture, NULL, cxr_window_fixture_set_up, test_layouts_and_sidebars,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
