/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every view says why it is empty and what to do next (issue 10): no dataset, a folder without images, no model,
 * no results yet, and a filter or a search that matches nothing. Each state is reached as a person reaches it
 * (typing in the search, clicking "Show All Images") and checked on screen: the status page is the one shown,
 * its title says the state, and the way out works. */
#include <adwaita.h>
#include <string.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static gpointer
list_child (Fixture *f, const char *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (f->window->image_list), CXR_TYPE_IMAGE_LIST, name);
}

/* The list's status page, when the list shows it. */
static const char *
list_empty_title (Fixture *f)
{
  GtkStack *stack = list_child (f, "list_stack");
  AdwStatusPage *page = list_child (f, "empty_page");
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "empty") != 0 || !gtk_widget_get_mapped (GTK_WIDGET (page)))
    return NULL;
  return adw_status_page_get_title (page);
}

/* The panes' status page, when the window shows it instead of the panes. */
static const char *
panes_empty_title (Fixture *f)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->view_stack), "no-image") != 0
      || !gtk_widget_get_mapped (GTK_WIDGET (f->window->no_image_page)))
    return NULL;
  return adw_status_page_get_title (f->window->no_image_page);
}

static gboolean
folder_opened (gpointer data)
{
  Fixture *f = data;
  return f->window->dataset != NULL && f->window->list_model != NULL;
}

static void
test_no_dataset (Fixture *f, gconstpointer data)
{
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->stack), ==, "empty");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->empty_page)));
  g_assert_cmpstr (adw_status_page_get_title (f->window->empty_page), ==, "No Dataset Open");
  /* What to do next: its buttons are the open actions, enabled. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "open-dataset"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "open-model"));
  cxr_ui_test_save (GTK_WIDGET (f->window), "empty-no-dataset");
}

/* A folder with nothing to read: the list and the panes both say so (the panes were blank once). */
static void
test_folder_without_images (Fixture *f, gconstpointer data)
{
  g_autofree char *empty = cxr_test_make_tmpdir ();
  g_autofree char *text = g_build_filename (empty, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (text, "not an image\n", -1, NULL));
  g_autoptr (GFile) folder = g_file_new_for_path (empty);
  cxr_window_open_dataset (f->window, folder);
  cxr_ui_test_wait_until (folder_opened, f, 10000, "the empty folder");
  cxr_ui_test_spin (200);
  g_assert_cmpstr (list_empty_title (f), ==, "No Images");
  g_assert_false (gtk_widget_get_visible (list_child (f, "show_all_button")));
  g_assert_cmpstr (panes_empty_title (f), ==, "No Images in This Folder");
  g_assert_nonnull (strstr (adw_status_page_get_description (f->window->no_image_page), "Ctrl+O"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "run-all"));
  cxr_ui_test_save (GTK_WIDGET (f->window), "empty-folder");
}

static gboolean
heatmap_pane_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *pane = GTK_WIDGET (cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_HEATMAP));
  return gtk_widget_get_mapped (pane) && gtk_widget_get_width (pane) > 100;
}

/* Images but no model: the mask and heatmap panes say to open one, and the work that needs it is disabled. */
static void
test_no_model (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  g_assert_cmpstr (cxr_pane_content_get_cam_status (f->window->content), ==, "Open a model to see its Grad‑CAM");
  g_assert_null (panes_empty_title (f));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "run-all"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "export"));
  /* The words are drawn in the heatmap pane: its centre is no longer the X-ray's gray. */
  cxr_ui_test_wait_until (heatmap_pane_shown, f, 5000, "the heatmap pane");
  CxrPaneView *heatmap = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_HEATMAP);
  CxrPaneView *original = cxr_compare_view_get_pane (f->window->compare_view, CXR_PANE_ORIGINAL);
  g_autoptr (CxrUiTestPixels) with_text = cxr_ui_test_render (GTK_WIDGET (heatmap));
  g_autoptr (CxrUiTestPixels) plain = cxr_ui_test_render (GTK_WIDGET (original));
  int width = gtk_widget_get_width (GTK_WIDGET (heatmap)), height = gtk_widget_get_height (GTK_WIDGET (heatmap));
  guint differ = 0;
  for (int x = width / 4; x < 3 * width / 4; x++)
    {
      guint8 a[3], b[3];
      cxr_ui_test_pixel (with_text, x, height / 2, a);
      cxr_ui_test_pixel (plain, x, height / 2, b);
      differ += abs (a[0] - b[0]) > 40;
    }
  g_assert_cmpuint (differ, >, 5);
  cxr_ui_test_save (GTK_WIDGET (f->window), "empty-no-model");

  /* "Grad-CAM" never wraps at its hyphen: at every width where the word fits on a line, laid out as the pane lays
   * it out, no line starts at its "CAM". */
  const char *status = cxr_pane_content_get_cam_status (f->window->content);
  const char *grad = strstr (status, "Grad");
  int cam_offset = (int) (strstr (status, "CAM") - status);
  g_autoptr (PangoLayout) word = gtk_widget_create_pango_layout (GTK_WIDGET (heatmap), NULL);
  pango_layout_set_text (word, grad, (int) (status + cam_offset + 3 - grad));   /* "Grad-CAM" */
  int word_width, full_width, unused;
  pango_layout_get_pixel_size (word, &word_width, &unused);
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (heatmap), status);
  pango_layout_get_pixel_size (layout, &full_width, &unused);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  guint wrapped = 0;
  for (int w = word_width + 1; w < full_width; w++)
    {
      pango_layout_set_width (layout, w * PANGO_SCALE);
      for (GSList *l = pango_layout_get_lines_readonly (layout); l != NULL; l = l->next)
        g_assert_cmpint (((PangoLayoutLine *) l->data)->start_index, !=, cam_offset);
      wrapped += pango_layout_get_line_count (layout) > 1;
    }
  g_assert_cmpuint (wrapped, >, 0);
}

/* Filters that need results before any run say so, and say how to get them. */
static void
test_no_results_yet (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_IOU_BELOW);
  cxr_ui_test_spin (100);
  g_assert_cmpstr (list_empty_title (f), ==, "No IoU Yet");
  g_assert_nonnull (strstr (adw_status_page_get_description (list_child (f, "empty_page")), "Ctrl+R"));
  cxr_ui_test_save (GTK_WIDGET (f->window), "empty-no-iou");
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_PREDICTED_POSITIVE);
  cxr_ui_test_spin (100);
  g_assert_cmpstr (list_empty_title (f), ==, "No Predictions Yet");
  g_assert_true (gtk_widget_get_visible (list_child (f, "show_all_button")));
  /* The image that no longer passes the filter leaves the panes too. */
  g_assert_cmpstr (panes_empty_title (f), ==, "No Image Selected");
}

/* A search that matches nothing, typed: the list and the panes say so; "Show All Images", clicked, brings the
 * images back and an image onto the panes. */
static void
test_nothing_matches (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_key (f, "ctrl+f");
  cxr_window_fixture_type (f, "zzzz");
  cxr_ui_test_spin (500);   /* the search entry's delay */
  g_assert_cmpstr (list_empty_title (f), ==, "No Image Matches");
  g_assert_cmpstr (adw_status_page_get_description (list_child (f, "empty_page")), ==,
                   "No name or finding contains the search text.");
  g_assert_cmpstr (panes_empty_title (f), ==, "No Image Selected");
  cxr_ui_test_save (GTK_WIDGET (f->window), "empty-no-match");

  GtkWidget *button = list_child (f, "show_all_button");
  g_assert_true (gtk_widget_get_mapped (button));
  cxr_window_fixture_click (f, button, gtk_widget_get_width (button) / 2.0, gtk_widget_get_height (button) / 2.0);
  cxr_ui_test_spin (300);
  g_assert_null (list_empty_title (f));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->window->list_model)), ==, 5);
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "an image on the panes again");
  g_assert_null (panes_empty_title (f));
}

int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();
  g_test_add ("/ui/empty/no-dataset", Fixture, NULL, cxr_window_fixture_set_up, test_no_dataset,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/empty/folder-without-images", Fixture, NULL, cxr_window_fixture_set_up,
              test_folder_without_images, cxr_window_fixture_tear_down);
  g_test_add ("/ui/empty/no-model", Fixture, NULL, cxr_window_fixture_set_up, test_no_model,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/empty/no-results-yet", Fixture, NULL, cxr_window_fixture_set_up, test_no_results_yet,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/empty/nothing-matches", Fixture, NULL, cxr_window_fixture_set_up, test_nothing_matches,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
