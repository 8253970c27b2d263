/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The review session as a radiologist works through it, with real keys and clicks under Xvfb (xdotool): a clean
 * start whatever the saved settings, marking images reviewed with Space after moving with D, verdicts and notes.
 * Each test here once failed on the defect it names, or covers a part of the review workflow (issue 10). */
#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "cxr-test-util.h"
#include "cxr-ui-test-util.h"
#include "cxr-ui-window-fixture.h"

typedef CxrWindowFixture Fixture;

static gboolean
review_file_has (Fixture *f, const char *needle)
{
  g_autofree char *path = cxr_dataset_dup_review_path (f->window->dataset);
  g_autofree char *text = NULL;
  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

static gboolean
third_image_saved (gpointer data)
{
  return review_file_has (data, "00000003_000.png");
}

static gboolean
is_reviewed (Fixture *f, const char *name)
{
  CxrReviewEntry entry;
  return cxr_review_lookup (f->window->review, name, &entry) && entry.reviewed;
}

/* Settings saved by an earlier session (Grad-CAM++) once made the window update its actions before it had them:
 * thirty GLib-GIO-CRITICALs at every start. Criticals are fatal here. */
static void
test_start_with_saved_settings (Fixture *f, gconstpointer data)
{
  cxr_ui_test_reset_settings ();
  g_autoptr (GSettings) settings = g_settings_new ("org.cxrcam.Cxrcam");
  g_settings_set_string (settings, "cam-method", "grad-cam++");
  g_settings_set_string (settings, "cam-layer", "layer3");
  g_settings_set_string (settings, "colormap", "viridis");
  cxr_window_fixture_set_up_sized (f, 1400, 900);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "next-image"));
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  g_assert_cmpstr (cxr_cam_controls_get_method (f->window->cam_controls), ==, "grad-cam++");
}

/* D, D, Space: the third image is marked reviewed and stays on screen; the flag reaches the sidecar. Once the
 * list's keyboard focus stayed on the first row while D moved the selection, and Space selected that row. */
static void
test_space_marks_reviewed (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  cxr_window_fixture_key (f, "d");
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the third image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  cxr_window_fixture_key (f, "space");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  g_assert_true (is_reviewed (f, "00000003_000.png"));
  g_assert_false (is_reviewed (f, "00000001_000.png"));
  cxr_ui_test_wait_until (third_image_saved, f, 5000, "the review sidecar");

  /* Arrow keys continue from the selection too, and Space again takes the mark away. */
  cxr_window_fixture_key (f, "Down");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the fourth image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000004_000.png");
  cxr_window_fixture_key (f, "a");
  cxr_window_fixture_key (f, "space");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  g_assert_false (is_reviewed (f, "00000003_000.png"));
}


/* ---- the review workflow ------------------------------------------------------------------------ */

static gboolean
review_saved_with_note (gpointer data)
{
  return review_file_has (data, "too wide") && review_file_has (data, "\"disagree\"");
}

static CxrReviewEntry
entry_of (Fixture *f, const char *name)
{
  CxrReviewEntry entry;
  cxr_review_lookup (f->window->review, name, &entry);
  return entry;
}

static const char *
progress_text (Fixture *f)
{
  GtkLabel *label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->window->review_panel),
                                                               CXR_TYPE_REVIEW_PANEL, "progress_label"));
  return gtk_label_get_label (label);
}

/* Y, X, U give a verdict (and mark the image reviewed), E types a note and Enter goes back to the images,
 * Shift+D goes to the next image nobody reviewed, the Reviewed button toggles with a click, the filter shows each
 * verdict, the sidecar has it all, and so has the CSV. */
static void
test_verdict_and_note (Fixture *f, gconstpointer data)
{
  cxr_window_fixture_open_dataset (f);
  cxr_window_fixture_open_model (f);
  g_assert_cmpstr (progress_text (f), ==, "0 of 5 reviewed");

  cxr_window_fixture_key (f, "y");
  g_assert_cmpint (entry_of (f, "00000001_000.png").verdict, ==, CXR_VERDICT_AGREE);
  g_assert_true (entry_of (f, "00000001_000.png").reviewed);
  g_assert_cmpstr (progress_text (f), ==, "1 of 5 reviewed");

  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the second image");
  cxr_window_fixture_key (f, "x");
  cxr_window_fixture_key (f, "e");
  cxr_window_fixture_type (f, "too wide");
  cxr_window_fixture_key (f, "Return");
  g_assert_cmpint (entry_of (f, "00000002_000.png").verdict, ==, CXR_VERDICT_DISAGREE);
  g_assert_cmpstr (entry_of (f, "00000002_000.png").note, ==, "too wide");
  /* The keys are the list's again: D moves on. */
  cxr_window_fixture_key (f, "d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the third image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000003_000.png");
  cxr_window_fixture_key (f, "u");
  g_assert_cmpstr (progress_text (f), ==, "3 of 5 reviewed");

  /* Back to the first; Shift+D skips the three reviewed ones. */
  cxr_window_fixture_key (f, "Home");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the first image");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000001_000.png");
  cxr_window_fixture_key (f, "shift+d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the first image not reviewed");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000004_000.png");
  cxr_window_fixture_key (f, "shift+a");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the previous image not reviewed");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000005_000.png");
  cxr_window_fixture_key (f, "shift+d");
  cxr_ui_test_wait_until (cxr_window_fixture_image_settled, f, 10000, "the next image not reviewed");
  g_assert_cmpstr (cxr_window_fixture_current_name (f), ==, "00000004_000.png");

  /* The Reviewed button, clicked. */
  GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window->review_panel),
                                                                 CXR_TYPE_REVIEW_PANEL, "reviewed_button"));
  cxr_window_fixture_click (f, button, gtk_widget_get_width (button) / 2.0, gtk_widget_get_height (button) / 2.0);
  g_assert_true (entry_of (f, "00000004_000.png").reviewed);
  g_assert_cmpint (entry_of (f, "00000004_000.png").verdict, ==, CXR_VERDICT_NONE);
  g_assert_cmpstr (progress_text (f), ==, "4 of 5 reviewed");

  GListModel *list = G_LIST_MODEL (f->window->list_model);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_AGREED);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_DISAGREED);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpuint (cxr_image_list_model_get_entry (f->window->list_model, 0), ==, 1);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_UNSURE);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  cxr_image_list_set_filter (f->window->image_list, CXR_IMAGE_FILTER_ALL);

  cxr_ui_test_wait_until (review_saved_with_note, f, 5000, "the review sidecar");
  g_autofree char *csv_path = g_build_filename (f->dataset, "review.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (_cxr_window_write_review_csv (f->window, csv_path, &error));
  g_assert_no_error (error);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);   /* header, five images, the empty rest */
  g_assert_cmpstr (lines[0], ==, "image,finding_labels,probability,reviewed,verdict,note,who,when");
  g_assert_true (g_str_has_prefix (lines[2], "00000002_000.png,Cardiomegaly|Effusion,0."));
  g_assert_nonnull (strstr (lines[2], ",yes,disagree,too wide,"));
  g_assert_nonnull (strstr (lines[1], ",yes,agree,,"));
  g_assert_true (g_str_has_prefix (lines[5], "00000005_000.png,Nodule,,no,,,"));
}


int
main (int argc, char *argv[])
{
  if (!cxr_ui_test_init (&argc, &argv))
    return 0;
  cxr_window_fixture_init_app ();

  g_test_add ("/ui/review/start-with-saved-settings", Fixture, NULL, NULL, test_start_with_saved_settings,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/review/space-marks-reviewed", Fixture, NULL, cxr_window_fixture_set_up, test_space_marks_reviewed,
              cxr_window_fixture_tear_down);
  g_test_add ("/ui/review/verdict-and-note", Fixture, NULL, cxr_window_fixture_set_up, test_verdict_and_note,
              cxr_window_fixture_tear_down);
  int status = g_test_run ();
  cxr_window_fixture_free_app ();
  return status;
}
